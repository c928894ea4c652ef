import { setupServer } from 'msw/node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConflictError } from '../../src/errors'
import { createMockBackend } from '../../src/testing/index'
import { fetchTransport } from '../../src/transports/fetch'

const backend = createMockBackend({ latencyMs: 30 })
const server = setupServer(...backend.handlers)
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterAll(() => server.close())

const transport = fetchTransport({ baseUrl: 'http://localhost/api/storage/projects' })
let ids = 0
const write = (key: string, data: unknown, baseVersion: number | null = null) =>
  transport.write({ key, baseVersion, idempotencyKey: `w${++ids}`, data: data as never })
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('mock backend reused across tests', () => {
  it('a request still in flight at reset() does not reach the next test (its faults, its store)', async () => {
    // "Test 1" ends while its write is still in the backend's latency.
    const stale = write('left-over', { from: 'previous test' }).catch(() => 'failed')
    await sleep(5)
    backend.reset() // afterEach

    // "Test 2" arms one fault for its own first request.
    backend.failNext(1, 503)
    const error = await write('mine', { from: 'this test' }).catch((e) => e)
    await stale
    expect(backend.document('left-over'), "the previous test's write landed in the fresh store").toBeUndefined()
    expect(error, "this test's failNext(1, 503) was used up by the previous test's request").toMatchObject({ status: 503 })
  })
})

describe('mock backend answers like createAutosaveHandler', () => {
  it('failNext(1, 412) answers a 412 the client can read as a conflict (the handler always sends the current document)', async () => {
    backend.reset()
    await write('k', { a: 1 })
    backend.failNext(1, 412)
    const error = await write('k', { a: 2 }, 1).catch((e) => e)
    expect(error).toBeInstanceOf(ConflictError)
  })
})
