/**
 * #20: the server no longer has a document this engine saved (deleted, a test's backend reset, a
 * database restored empty). Over real HTTP against the mock backend, as docs/testing.md's
 * recipe meets it.
 */
import { http, HttpResponse } from 'msw'
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createAutosave, fetchTransport, memoryStore } from '../../src/index'
import { createMockBackend } from '../../src/testing/index'

const backend = createMockBackend()
const server = setupServer(...backend.handlers)
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterAll(() => server.close())

type Doc = { step: string; note?: string }

function open() {
  return createAutosave<Doc>({
    key: 'project:lost',
    transport: fetchTransport({ baseUrl: 'http://localhost/api/storage/projects', timeoutMs: 500 }),
    store: memoryStore(),
    debounceMs: 0,
    retry: { minTimeout: 5, maxTimeout: 20, randomize: false },
  })
}

describe('a document the server lost', () => {
  afterEach(() => backend.reset())

  it('is written again from nothing (If-Match "0"), not given up after 412s', async () => {
    const saver = open()
    saver.save({ step: 'one' })
    await saver.flush()
    backend.reset() // the server forgets the document
    saver.save({ step: 'two', note: 'after the reset' })
    // Was: PUT If-Match "1" → 412 six times, then CONFLICT_UNRESOLVED "kept changing on the server".
    await saver.flush()
    const writes = backend.requests.filter((r) => r.write)
    expect(writes.length).toBeLessThanOrEqual(2)
    const doc = await (await fetch('http://localhost/api/storage/projects/project%3Alost')).json()
    expect(doc.data).toEqual({ step: 'two', note: 'after the reset' })
    expect(saver.getStatus()).toMatchObject({ phase: 'saved', pending: false, error: null })
    await saver.dispose()
  })
})

describe('a server that goes back in time', () => {
  afterEach(() => backend.reset())

  it("a version going backwards (a backup restored) is rebased onto, reported, and the device's work reaches it", async () => {
    const saver = open()
    const errors: string[] = []
    saver.on('error', (error) => errors.push(error.code))
    saver.save({ step: 'one' })
    await saver.flush()
    saver.save({ step: 'two' })
    await saver.flush()
    saver.save({ step: 'three' })
    await saver.flush() // the server is at version 3
    backend.reset()
    backend.setDocument('project:lost', { step: 'one' }) // restored from a backup: version 1 again
    saver.save({ step: 'four', note: 'typed after the restore' })
    const before = backend.requests.filter((r) => r.write).length
    // Was: If-Match "3" → 412 six times, CONFLICT_UNRESOLVED on every flush, across reloads.
    await saver.flush()
    expect(backend.requests.filter((r) => r.write).length - before).toBeLessThanOrEqual(2)
    expect(backend.document('project:lost')).toMatchObject({ data: { step: 'four', note: 'typed after the restore' }, version: 2 })
    expect(errors).toContain('REMOTE_BEHIND')
    await saver.dispose()
  })
})

describe('a server that acknowledges a write it never applied', () => {
  afterEach(() => backend.reset())

  it('the lost edit is written again once the next write meets the truth', async () => {
    const saver = open()
    saver.save({ step: 'one' })
    await saver.flush() // v1
    // The next write is answered 200 "version 2" and not applied (a lying proxy, a failover).
    server.use(
      http.all('http://localhost/api/storage/projects/:key', () => HttpResponse.json({ version: 2, updatedAt: new Date().toISOString() }), { once: true }),
    )
    saver.save({ step: 'two', note: 'lost by the server' })
    await saver.flush()
    expect(backend.document('project:lost')).toMatchObject({ data: { step: 'one' }, version: 1 })
    saver.save((prev) => ({ ...prev!, step: 'three' }))
    // Was: If-Match "2" → 412 six times, CONFLICT_UNRESOLVED; or, merged against the lied
    // version, the note silently reverted to the server's copy.
    await saver.flush()
    expect(backend.document('project:lost')?.data).toEqual({ step: 'three', note: 'lost by the server' })
    await saver.dispose()
  })
})
