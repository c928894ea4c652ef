import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { ConflictError, TransportError } from '../../src/errors'
import { createMockBackend } from '../../src/testing/index'
import { fetchTransport } from '../../src/transports/fetch'

// The five lines a user puts in a vitest file:
const backend = createMockBackend({ documents: { 'seeded:1': { step: 'intro' } } })
const server = setupServer(...backend.handlers)
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterEach(() => backend.reset())
afterAll(() => server.close())

const baseUrl = 'http://localhost/api/storage/projects'
const transport = fetchTransport({ baseUrl })
let ids = 0
const write = (data: unknown, baseVersion: number | null = null, key = 'project:42', idempotencyKey = `w${++ids}`) =>
  transport.write({ key, baseVersion, idempotencyKey, data: data as never })

describe('createMockBackend speaks the wire protocol', () => {
  it('stores writes, serves reads and logs every request', async () => {
    expect(await write({ step: 'music' }, null, 'project:42', 'first')).toMatchObject({ version: 1 })
    expect(backend.document('project:42')).toMatchObject({ data: { step: 'music' }, version: 1 })
    expect(await transport.load('project:42')).toMatchObject({ data: { step: 'music' }, version: 1 })
    expect(backend.requests.map((r) => [r.method, r.key, r.status])).toEqual([
      ['PUT', 'project:42', 200],
      ['GET', 'project:42', 200],
    ])
    const put = backend.requests[0]!
    expect(put).toMatchObject({ write: true, body: { data: { step: 'music' } }, response: { version: 1 } })
    expect(put.headers['idempotency-key']).toBe('first')
    expect(put.url).toBe(`${baseUrl}/project%3A42`)
  })

  it('starts with the seeded documents, and reset() brings them back', async () => {
    expect(backend.document('seeded:1')).toMatchObject({ data: { step: 'intro' }, version: 1 })
    await write({ step: 'outro' }, 1, 'seeded:1')
    backend.setDocument('other', { x: 1 })
    backend.reset()
    expect(backend.documents()).toEqual({ 'seeded:1': expect.objectContaining({ data: { step: 'intro' }, version: 1 }) })
    expect(backend.requests).toHaveLength(0)
  })

  it('setDocument() writes as another client would, so the next stale write is a conflict', async () => {
    await write({ mine: 1 })
    expect(backend.setDocument('project:42', { theirs: 1 })).toMatchObject({ version: 2 })
    const error = await write({ mine: 2 }, 1).catch((e) => e)
    expect(error).toBeInstanceOf(ConflictError)
    expect(error.remote).toMatchObject({ data: { theirs: 1 }, version: 2 })
  })
})

describe('fault injection', () => {
  it('failNext(n, status, { retryAfter }) fails the next n requests with that status and Retry-After', async () => {
    backend.failNext(2, 503, { retryAfter: 3 })
    for (let i = 0; i < 2; i++) {
      const error = await write({ a: 1 }).catch((e) => e)
      expect(error).toBeInstanceOf(TransportError)
      expect(error).toMatchObject({ status: 503, retryable: true, retryAfterMs: 3000 })
    }
    expect(await write({ a: 1 })).toMatchObject({ version: 1 })
    expect(backend.requests.map((r) => [r.status, r.fault])).toEqual([
      [503, 'status'],
      [503, 'status'],
      [200, undefined],
    ])
  })

  it('a non-retryable status (401) reaches the client as such', async () => {
    backend.failNext(1, 401)
    await expect(write({ a: 1 })).rejects.toMatchObject({ status: 401, retryable: false })
  })

  it("failNext(n, 'network') drops the connection and nothing is applied", async () => {
    backend.failNext(1, 'network')
    await expect(write({ a: 1 })).rejects.toMatchObject({ code: 'TRANSPORT_NETWORK', retryable: true })
    expect(backend.document('project:42')).toBeUndefined()
    expect(backend.requests[0]).toMatchObject({ status: 0, fault: 'network' })
  })

  it("failNext(n, 'timeout') never answers; the client's timeout ends the request and nothing is applied", async () => {
    backend.failNext(1, 'timeout')
    const impatient = fetchTransport({ baseUrl, timeoutMs: 50 })
    const started = Date.now()
    await expect(impatient.write({ key: 'slow', baseVersion: null, idempotencyKey: 't', data: {} })).rejects.toMatchObject({ code: 'TRANSPORT_TIMEOUT' })
    expect(Date.now() - started).toBeGreaterThanOrEqual(45)
    expect(backend.document('slow')).toBeUndefined()
  })

  it('reset() releases requests hung by a timeout fault', async () => {
    backend.failNext(1, 'timeout')
    const pending = fetch(`${baseUrl}/hung`).then(
      () => 'answered',
      () => 'failed',
    )
    await new Promise((resolve) => setTimeout(resolve, 20))
    backend.reset()
    expect(await pending).toBe('failed')
  })

  it("failNext(n, 'lost-response') applies the write but the client sees a network error; the retry is replayed, not applied twice", async () => {
    await write({ step: 1 }, null, 'k', 'create')
    backend.failNext(1, 'lost-response')
    await expect(write({ step: 2 }, 1, 'k', 'second')).rejects.toMatchObject({ code: 'TRANSPORT_NETWORK' })
    expect(backend.document('k')).toMatchObject({ data: { step: 2 }, version: 2 })
    // The client retries the same write with the same Idempotency-Key.
    expect(await write({ step: 2 }, 1, 'k', 'second')).toMatchObject({ version: 2 })
    expect((await backend.history('k')).map((h) => h.version)).toEqual([2, 1])
    expect(backend.requests.map((r) => r.fault)).toEqual([undefined, 'lost-response', undefined])
    expect(backend.requests[1]).toMatchObject({ status: 0, response: { version: 2 } })
  })

  it("failNext(..., { requests: 'writes' }) lets reads through; { key } limits it to one document", async () => {
    await write({ a: 1 }, null, 'a')
    backend.failNext(1, 500, { requests: 'writes', key: 'b' })
    expect(await transport.load('a')).toMatchObject({ version: 1 })
    expect(await write({ a: 2 }, 1, 'a')).toMatchObject({ version: 2 })
    await expect(write({ b: 1 }, null, 'b')).rejects.toMatchObject({ status: 500 })
    expect(await write({ b: 1 }, null, 'b')).toMatchObject({ version: 1 })
  })

  it('faults queue in call order', async () => {
    backend.failNext(1, 503)
    backend.failNext(1, 'network')
    await expect(write({})).rejects.toMatchObject({ status: 503 })
    await expect(write({})).rejects.toMatchObject({ code: 'TRANSPORT_NETWORK' })
    await expect(write({})).resolves.toMatchObject({ version: 1 })
  })

  it('goOffline() fails every request until goOnline()', async () => {
    backend.goOffline()
    expect(backend.online).toBe(false)
    await expect(write({ a: 1 })).rejects.toMatchObject({ code: 'TRANSPORT_NETWORK' })
    await expect(transport.load('project:42')).rejects.toMatchObject({ code: 'TRANSPORT_NETWORK' })
    backend.goOnline()
    expect(await write({ a: 1 })).toMatchObject({ version: 1 })
    expect(backend.requests.map((r) => r.fault)).toEqual(['offline', 'offline', undefined])
  })

  it('conflictNext() makes the next write a 412, as if another client had written first', async () => {
    await write({ step: 'a' })
    backend.conflictNext()
    const error = await write({ step: 'b' }, 1).catch((e) => e)
    expect(error).toBeInstanceOf(ConflictError)
    expect(error.remote).toMatchObject({ data: { step: 'a' }, version: 2 })
    // Only the next write: the client rebases and gets through.
    expect(await write({ step: 'b' }, 2)).toMatchObject({ version: 3 })
  })

  it("conflictNext(change) stores the other client's change, also on a first write", async () => {
    backend.conflictNext((current) => ({ ...(current as object), from: 'other tab' }))
    const error = await write({ from: 'this tab' }).catch((e) => e)
    expect(error).toBeInstanceOf(ConflictError)
    expect(error.remote).toMatchObject({ data: { from: 'other tab' }, version: 1 })
  })

  it('setLatency() delays every answer', async () => {
    backend.setLatency(60)
    const started = Date.now()
    await write({ a: 1 })
    expect(Date.now() - started).toBeGreaterThanOrEqual(55)
  })

  it('rejects a failure it cannot simulate', () => {
    expect(() => backend.failNext(0, 503)).toThrow(TypeError)
    expect(() => backend.failNext(1, 200)).toThrow(TypeError)
    expect(() => backend.failNext(1, 'flaky' as never)).toThrow(TypeError)
  })
})

describe('createMockBackend with a relative baseUrl', () => {
  it('matches the path on any origin', async () => {
    const relative = createMockBackend({ baseUrl: '/api/docs' })
    server.use(...relative.handlers)
    const remote = fetchTransport({ baseUrl: 'http://app.example:5173/api/docs' })
    await remote.write({ key: 'x', baseVersion: null, idempotencyKey: 'r', data: { ok: true } })
    expect(relative.document('x')).toMatchObject({ data: { ok: true } })
    server.resetHandlers()
  })
})
