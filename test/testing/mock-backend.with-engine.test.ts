/**
 * createAutosave + fetchTransport against the mock backend, as docs/testing.md shows it: the
 * examples there are these tests.
 */
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createAutosave, fetchTransport, memoryStore, type Autosave } from '../../src/index'
import { createMockBackend } from '../../src/testing/index'

const backend = createMockBackend()
const server = setupServer(...backend.handlers)
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterEach(() => backend.reset())
afterAll(() => server.close())

interface Wizard {
  currentStep: string
  other?: string
}

const savers: Array<Autosave<Wizard>> = []
afterEach(async () => {
  await Promise.all(savers.splice(0).map((saver) => saver.dispose()))
})

function saver(key = 'project:42') {
  const created = createAutosave<Wizard>({
    key,
    transport: fetchTransport({ baseUrl: 'http://localhost/api/storage/projects', timeoutMs: 200 }),
    store: memoryStore(),
    debounceMs: 0,
    retry: { minTimeout: 10, maxTimeout: 50, randomize: false },
  })
  savers.push(created)
  return created
}

const writes = () => backend.requests.filter((r) => r.write)

describe('the engine against the mock backend', () => {
  it('saves the wizard', async () => {
    const s = saver()
    s.save({ currentStep: 'video_styles' })
    await s.flush()
    expect(backend.document('project:42')).toMatchObject({ data: { currentStep: 'video_styles' }, version: 1 })
    expect(s.getStatus()).toMatchObject({ phase: 'saved', version: 1 })
  })

  it('a burst of edits becomes one request', async () => {
    const s = saver()
    for (const step of ['a', 'b', 'c']) s.save({ currentStep: step })
    await s.flush()
    expect(writes()).toHaveLength(1)
    expect(backend.document('project:42')?.data).toEqual({ currentStep: 'c' })
  })

  it('retries a 503 and gets through', async () => {
    const s = saver()
    backend.failNext(1, 503, { retryAfter: 0 })
    s.save({ currentStep: 'video_styles' })
    await s.flush()
    expect(backend.requests.map((r) => r.status)).toEqual([503, 200])
  })

  it('a write whose answer was lost is retried with the same Idempotency-Key and applied once', async () => {
    const s = saver()
    backend.failNext(1, 'lost-response')
    s.save({ currentStep: 'video_styles' })
    await s.flush()
    const keys = writes().map((r) => r.headers['idempotency-key'])
    expect(keys).toHaveLength(2)
    expect(keys[1]).toBe(keys[0])
    expect((await backend.history('project:42')).map((h) => h.version)).toEqual([1])
    expect(s.getStatus()).toMatchObject({ phase: 'saved', version: 1 })
  })

  it('a request that never answers times out and is retried', async () => {
    const s = saver()
    backend.failNext(1, 'timeout')
    s.save({ currentStep: 'video_styles' })
    await s.flush()
    expect(writes().map((r) => r.fault)).toEqual(['timeout', undefined])
    expect(backend.document('project:42')?.version).toBe(1)
  })

  it('nothing is lost while the server is unreachable; sending resumes when it is back', async () => {
    const s = saver()
    backend.goOffline()
    s.save({ currentStep: 'offline edit' })
    const flushed = s.flush()
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(backend.document('project:42')).toBeUndefined()
    backend.goOnline()
    await flushed
    expect(backend.document('project:42')?.data).toEqual({ currentStep: 'offline edit' })
  })

  it("another client's write is merged, not overwritten", async () => {
    const s = saver()
    s.save({ currentStep: 'music' })
    await s.flush()
    backend.conflictNext((current) => ({ ...(current as object), other: 'from another tab' }))
    s.save({ currentStep: 'video_styles' })
    await s.flush()
    expect(backend.document('project:42')).toMatchObject({ data: { currentStep: 'video_styles', other: 'from another tab' }, version: 3 })
  })
})
