/**
 * The bad-input catalogue of docs/reliability.md: one test per row, named after the row.
 * Each feeds one bad input to a real engine — real HTTP through msw and the mock backend,
 * real IndexedDB semantics through fake-indexeddb — and checks the two promises of the
 * catalogue: the app gets a typed error with a `code`, and nothing saved before is lost.
 */
import { readFileSync } from 'node:fs'
import { IDBFactory, IDBObjectStore } from 'fake-indexeddb'
import { http, HttpResponse } from 'msw'
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createAutosave } from '../../src/engine/autosave'
import { PageLifecycle } from '../../src/environment/lifecycle'
import { OnlineManager } from '../../src/environment/online'
import { AutosaveError, ConflictError, SerializationError, StorageError, TransportError, ValidationError } from '../../src/errors'
import { indexedDBStore } from '../../src/stores/indexeddb'
import { memoryStore } from '../../src/stores/memory'
import { createMockBackend } from '../../src/testing/index'
import { fetchTransport } from '../../src/transports/fetch'
import { memoryTransport } from '../../src/transports/memory'
import type { Autosave, AutosaveOptions, AutosaveStore, Json } from '../../src/types'
import { ackedCopy, fakeEnvironment } from '../helpers'

const BASE = 'http://localhost/api/storage/projects'
const KEY = 'project:42'
const DOC_URL = `${BASE}/${encodeURIComponent(KEY)}`
const LIMIT = 64 * 1024

const backend = createMockBackend({ maxBodyBytes: LIMIT })
const server = setupServer(...backend.handlers)
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterEach(() => {
  server.resetHandlers()
  backend.reset()
})
afterAll(() => server.close())

type Doc = Record<string, unknown> & { step: string }
/** What was saved and acknowledged before each bad input: it must survive every row. */
const GOOD: Doc = { step: 'video_styles', chat: [{ id: 'm1', role: 'user', content: 'synthwave, 120 bpm' }] }

const savers: Array<Autosave<Doc>> = []
afterEach(async () => {
  await Promise.all(savers.splice(0).map((saver) => saver.dispose()))
})

const idb = () => indexedDBStore({ indexedDB: new IDBFactory() })

function open(store: AutosaveStore, options: Partial<AutosaveOptions<Doc>> = {}) {
  const online = new OnlineManager(() => {})
  const saver = createAutosave<Doc>({
    key: KEY,
    transport: fetchTransport({ baseUrl: BASE, timeoutMs: 500 }),
    store,
    debounceMs: 0,
    localDelayMs: 0,
    retry: { retries: 2, minTimeout: 1, maxTimeout: 5, randomize: false },
    environment: { online, lifecycle: new PageLifecycle(() => {}) },
    ...options,
  })
  savers.push(saver)
  const errors: AutosaveError[] = []
  saver.on('error', (error) => errors.push(error))
  return { saver, errors, online }
}

/** An engine on fake IndexedDB that has saved GOOD, acknowledged by the server. */
async function savedGood(options: Partial<AutosaveOptions<Doc>> = {}, store: AutosaveStore = idb()) {
  const opened = open(store, options)
  await opened.saver.restore()
  opened.saver.save(GOOD)
  await opened.saver.flush()
  expect(serverData()).toEqual(GOOD)
  return { ...opened, store }
}

const serverData = () => backend.document(KEY)?.data
const writes = () => backend.requests.filter((r) => r.write)

/** The unsent drafts in the store (what a reload would restore). */
async function drafts(store: AutosaveStore): Promise<unknown[]> {
  const keys = (await store.keys()).filter((k) => k.startsWith(`outbox:${KEY}:`))
  return Promise.all(keys.map(async (k) => ((await store.get(k)) as { data: unknown }).data))
}

async function quarantined(store: AutosaveStore): Promise<unknown[]> {
  const keys = (await store.keys()).filter((k) => k.startsWith(`quarantine:${KEY}:`))
  return Promise.all(keys.map(async (k) => ((await store.get(k)) as { record: unknown }).record))
}

/** Nothing saved before is lost: the server and the device's acknowledged copy still hold GOOD. */
async function goodKept(store: AutosaveStore) {
  expect(serverData(), 'the server keeps the last good document').toEqual(GOOD)
  expect((await ackedCopy(store, KEY))?.data, 'the device keeps the acknowledged copy').toEqual(GOOD)
}

async function rejection(promise: Promise<unknown>): Promise<AutosaveError> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  )
  expect(outcome, 'expected a rejection').toBeInstanceOf(AutosaveError)
  return outcome as AutosaveError
}

/** After a serialization error the engine still works: a valid next state is saved. */
async function recovers(saver: Autosave<Doc>) {
  saver.save({ ...GOOD, step: 'completed' })
  await saver.flush()
  expect(serverData()).toEqual({ ...GOOD, step: 'completed' })
}

/** Answer every write (PUT, PATCH, beacon) with `answer`, without applying it. */
function answerWrites(answer: () => Response) {
  server.use(http.put(DOC_URL, answer), http.patch(DOC_URL, answer), http.post(`${DOC_URL}/beacon`, answer))
}

function nested(depth: number): unknown {
  let value: unknown = 'bottom'
  for (let i = 0; i < depth; i++) value = { inner: value }
  return value
}

describe('bad-input catalogue: values the app gives save()', () => {
  it('a cycle in the state', async () => {
    const { saver, store } = await savedGood()
    const bad: Doc = { ...GOOD, data: { images: [{}] } }
    ;(bad.data as { images: Array<Record<string, unknown>> }).images[0]!.self = bad
    saver.save(bad)
    const error = await rejection(saver.flush())
    expect(error).toBeInstanceOf(SerializationError)
    expect(error).toMatchObject({ code: 'SERIALIZATION_CYCLE', path: 'data.images[0].self' })
    expect(saver.getStatus().phase).toBe('error')
    expect(saver.getState(), 'the app keeps its state').toBe(bad)
    await goodKept(store)
    await recovers(saver)
  })

  // Values JSON has no form for: the error names the value's kind and where it is.
  it.each<[string, Record<string, unknown>, string, string]>([
    ['a function in the state', { onClick: () => {} }, 'SERIALIZATION_FUNCTION', 'onClick'],
    ['a symbol in the state', { chat: [{ id: 'm1', role: Symbol('user') }] }, 'SERIALIZATION_SYMBOL', 'chat[0].role'],
    ['a BigInt in the state', { bytes: 2n ** 64n }, 'SERIALIZATION_BIGINT', 'bytes'],
  ])('%s', async (_row, bad, code, path) => {
    const { saver, store } = await savedGood()
    saver.save({ ...GOOD, ...bad })
    const error = await rejection(saver.flush())
    expect(error).toBeInstanceOf(SerializationError)
    expect(error).toMatchObject({ code, path })
    expect(saver.getStatus().phase).toBe('error')
    await goodKept(store)
    await recovers(saver)
  })

  it('NaN or Infinity in the state', async () => {
    const { saver, store } = await savedGood()
    saver.save({ ...GOOD, progress: Number.NaN })
    expect(await rejection(saver.flush())).toMatchObject({ code: 'SERIALIZATION_NUMBER', path: 'progress' })
    saver.save({ ...GOOD, progress: Number.POSITIVE_INFINITY })
    expect(await rejection(saver.flush())).toMatchObject({ code: 'SERIALIZATION_NUMBER', path: 'progress' })
    expect(saver.getStatus().phase).toBe('error')
    await goodKept(store)
    await recovers(saver)
  })

  it('an invalid Date in the state', async () => {
    const { saver, store } = await savedGood()
    saver.save({ ...GOOD, due: new Date('not a date') })
    expect(await rejection(saver.flush())).toMatchObject({ code: 'SERIALIZATION_NUMBER', path: 'due' })
    expect(saver.getStatus().phase).toBe('error')
    await goodKept(store)
    await recovers(saver)
  })

  it('a Map with non-string keys', async () => {
    const { saver, store } = await savedGood()
    saver.save({ ...GOOD, index: new Map<unknown, string>([[{ id: 1 }, 'x']]) })
    expect(await rejection(saver.flush())).toMatchObject({ code: 'SERIALIZATION_KEY', path: 'index' })
    expect(saver.getStatus().phase).toBe('error')
    await goodKept(store)
    await recovers(saver)
  })

  it('a Map whose keys 1 and "1" would become one key', async () => {
    const { saver, store } = await savedGood()
    saver.save({
      ...GOOD,
      index: new Map<unknown, string>([
        [1, 'one'],
        ['1', 'also one'],
      ]),
    })
    expect(await rejection(saver.flush())).toMatchObject({ code: 'SERIALIZATION_KEY', path: 'index' })
    expect(saver.getStatus().phase).toBe('error')
    await goodKept(store)
    await recovers(saver)
  })

  it('a getter or toJSON that throws', async () => {
    const { saver, store } = await savedGood()
    const profile = {
      get token(): string {
        throw new Error('session expired')
      },
    }
    saver.save({ ...GOOD, profile })
    expect(await rejection(saver.flush())).toMatchObject({ code: 'SERIALIZATION_THREW', path: 'profile.token' })
    expect(saver.getStatus().phase).toBe('error')
    await goodKept(store)
    await recovers(saver)
  })

  it('a deeply nested object (100,000 levels)', async () => {
    const { saver, store } = await savedGood()
    saver.save({ ...GOOD, tree: nested(100_000) })
    const error = await rejection(saver.flush())
    expect(error).toBeInstanceOf(SerializationError)
    expect(error.code).toBe('SERIALIZATION_DEPTH')
    expect(saver.getStatus().phase).toBe('error')
    await goodKept(store)
    await recovers(saver)
  })

  it('a File without metadata (no name, no type, no bytes) and a bare Blob', async () => {
    const { saver, errors } = await savedGood()
    const file = new File([], '', { lastModified: 0 })
    saver.save({ ...GOOD, audio: file, cover: new Blob([]) })
    await saver.flush()
    // Not an error: what there is of its metadata is saved; the bytes never are.
    expect(errors).toEqual([])
    expect(saver.getStatus().phase).toBe('saved')
    expect(serverData()).toEqual({ ...GOOD, audio: { name: '', size: 0, type: '', lastModified: 0 }, cover: { size: 0, type: '' } })
  })

  it('strings with lone surrogates, RTL marks, emoji, quotes and </script>', async () => {
    const { saver, errors } = await savedGood()
    const text = '\ud800 \udfff \u202e🎵 "quoted" \\ </script> \u2028'
    saver.save({ ...GOOD, title: text })
    await saver.flush()
    expect(errors).toEqual([])
    expect(saver.getStatus().phase).toBe('saved')
    // A lone surrogate is not text (jsonb refuses it; UTF-8 encoders replace it): U+FFFD, as they do.
    expect((serverData() as Doc).title, 'saved exactly, lone surrogates as U+FFFD').toBe(text.replace('\ud800', '\ufffd').replace('\udfff', '\ufffd'))
  })

  it('a NUL character in a string (the reference server cannot store it)', async () => {
    const { saver, store } = await savedGood()
    const bad = { ...GOOD, title: 'a\u0000b' }
    saver.save(bad)
    const error = await rejection(saver.flush())
    expect(error).toBeInstanceOf(TransportError)
    expect(error).toMatchObject({ code: 'TRANSPORT_HTTP', status: 400, retryable: false })
    expect(error.message).toContain('U+0000')
    expect(saver.getStatus()).toMatchObject({ phase: 'error', pending: true })
    expect(await drafts(store), 'the draft stays on the device').toEqual([bad])
    await goodKept(store)
  })

  it('a huge string within the server limit (48 KB in one field)', async () => {
    const { saver, errors } = await savedGood()
    const lyrics = 'la '.repeat(16_000)
    saver.save({ ...GOOD, lyrics })
    await saver.flush()
    expect(errors).toEqual([])
    expect(saver.getStatus().phase).toBe('saved')
    expect((serverData() as Doc).lyrics).toBe(lyrics)
  })

  it("a payload over the server's limit (413)", async () => {
    const { saver, store } = await savedGood()
    const big = { ...GOOD, lyrics: 'x'.repeat(LIMIT * 2) }
    saver.save(big)
    const error = await rejection(saver.flush())
    expect(error).toBeInstanceOf(TransportError)
    expect(error).toMatchObject({ code: 'TRANSPORT_HTTP', status: 413, retryable: false })
    expect(
      writes().filter((w) => w.status === 413),
      'not retried',
    ).toHaveLength(1)
    expect(saver.getStatus()).toMatchObject({ phase: 'error', pending: true })
    expect(await drafts(store), 'the oversized draft stays on the device').toEqual([big])
    await goodKept(store)
  })
})

describe('bad-input catalogue: the device store (IndexedDB)', () => {
  it('a corrupt outbox record in IndexedDB', async () => {
    const store = idb()
    backend.setDocument(KEY, GOOD as unknown as Json)
    await store.setMany([[`outbox:${KEY}:dead-tab`, 'not a record at all']])
    const { saver, errors } = open(store)
    expect(await saver.restore(), 'the server copy is used').toEqual(GOOD)
    expect(errors[0]).toBeInstanceOf(StorageError)
    expect(errors[0]!.code).toBe('STORAGE_CORRUPT')
    expect(saver.getStatus()).toMatchObject({ phase: 'saved', error: { code: 'STORAGE_CORRUPT' } })
    expect(await quarantined(store), 'kept aside, not deleted').toEqual(['not a record at all'])
  })

  it('a truncated outbox record in IndexedDB (half its fields)', async () => {
    const store = idb()
    backend.setDocument(KEY, GOOD as unknown as Json)
    const truncated = { format: 1, key: KEY, owner: 'dead-tab', seq: 5 }
    await store.setMany([[`outbox:${KEY}:dead-tab`, truncated]])
    const { saver, errors } = open(store)
    expect(await saver.restore()).toEqual(GOOD)
    expect(errors.map((e) => e.code)).toEqual(['STORAGE_CORRUPT'])
    expect(errors[0]).toBeInstanceOf(StorageError)
    expect(saver.getStatus().phase).toBe('saved')
    expect(await quarantined(store)).toEqual([truncated])
  })

  it('a corrupt acknowledged copy (base record) in IndexedDB, offline', async () => {
    const { store } = await savedGood()
    // Every record of it: the log of acknowledgements, and a 0.1.0 base record beside it.
    const bad = { format: 1, key: KEY, version: 'two' }
    const acked = (await store.keys()).filter((k) => k.startsWith(`ack:${KEY}:`))
    await store.setMany([...acked, `base:${KEY}`].map((k) => [k, bad] as const))
    backend.goOffline()
    const { saver, errors } = open(store)
    // Nothing usable on the device and no server: undefined, not a crash; the record is kept aside.
    expect(await saver.restore()).toBeUndefined()
    expect(errors.map((e) => e.code)).toContain('STORAGE_CORRUPT')
    expect(saver.getStatus().phase).toBe('idle')
    expect(await quarantined(store)).toEqual([...acked, 'base'].map(() => bad))
    backend.goOnline()
    expect(serverData()).toEqual(GOOD)
  })

  it('a corrupt history index in IndexedDB', async () => {
    const { saver, store, errors } = await savedGood()
    // 0.1.0's history index (this release keeps history in its log of acknowledgements).
    await store.setMany([[`history:${KEY}`, { not: 'a list' }]])
    expect(
      (await saver.history()).map((entry) => entry.version),
      'the entries of the log are still listed',
    ).toEqual([1])
    expect(errors.map((e) => e.code)).toEqual(['STORAGE_CORRUPT'])
    expect(saver.getStatus().phase).toBe('saved')
    expect(await quarantined(store)).toEqual([{ not: 'a list' }])
    await goodKept(store)
  })

  it('schema-invalid data in a restored draft', async () => {
    const { saver, store, online } = await savedGood()
    online.setOnline(false)
    saver.save({ ...GOOD, step: 42 as unknown as string })
    await saver.dispose()
    const schema = z.object({ step: z.string() }).loose()
    const next = open(store, { schema }).saver
    const error = await rejection(next.restore())
    expect(error).toBeInstanceOf(ValidationError)
    expect(error.code).toBe('VALIDATION_RESTORE')
    expect(next.getStatus().phase, 'restore() rejects; nothing is pending').toBe('idle')
    expect(await quarantined(store), 'kept aside, not deleted').toMatchObject([{ data: { step: 42 } }])
    await goodKept(store)
  })

  it("schema-invalid data in the server's document", async () => {
    const store = idb()
    backend.setDocument(KEY, { step: 42 })
    const schema = z.object({ step: z.string() }).loose()
    const next = open(store, { schema }).saver
    const error = await rejection(next.restore())
    expect(error).toBeInstanceOf(ValidationError)
    expect(error.code).toBe('VALIDATION_RESTORE')
    expect(next.getStatus().phase, 'restore() rejects; nothing is pending').toBe('idle')
    expect(serverData(), 'nothing is overwritten').toEqual({ step: 42 })
  })

  it('a draft written by a newer version of the app', async () => {
    const { saver, store, online } = await savedGood({ version: 3 })
    online.setOnline(false)
    saver.save({ ...GOOD, step: 'from v3' })
    await saver.dispose()
    const older = open(store, { version: 2 }).saver
    const error = await rejection(older.restore())
    expect(error).toBeInstanceOf(StorageError)
    expect(error.code).toBe('STORAGE_VERSION')
    expect(older.getStatus().phase, 'restore() rejects; nothing is pending').toBe('idle')
    expect(await quarantined(store)).toMatchObject([{ schemaVersion: 3, data: { step: 'from v3' } }])
    await goodKept(store)
  })

  it('IndexedDB unavailable (SSR, some private modes)', async () => {
    const store = indexedDBStore({ indexedDB: undefined })
    const { saver, errors } = open(store)
    await saver.restore()
    saver.save(GOOD)
    await saver.flush()
    expect(errors.map((e) => e.code)).toContain('STORAGE_UNAVAILABLE')
    expect(errors[0]).toBeInstanceOf(StorageError)
    expect(saver.getStatus().phase).toBe('saved')
    expect(serverData(), 'saving to the server goes on').toEqual(GOOD)
  })

  it('QuotaExceededError from IndexedDB', async () => {
    const { saver, store, errors } = await savedGood()
    const put = IDBObjectStore.prototype.put
    IDBObjectStore.prototype.put = () => {
      throw new DOMException('The disk is full', 'QuotaExceededError')
    }
    try {
      saver.save({ ...GOOD, step: 'completed' })
      await saver.flush()
    } finally {
      IDBObjectStore.prototype.put = put
    }
    expect(errors.map((e) => e.code)).toContain('STORAGE_QUOTA')
    expect(errors.find((e) => e.code === 'STORAGE_QUOTA')).toBeInstanceOf(StorageError)
    expect(saver.getStatus().phase).toBe('saved')
    expect(serverData(), 'the edit still reaches the server').toEqual({ ...GOOD, step: 'completed' })
    expect(((await ackedCopy(store, KEY))!.data as Doc).step, 'kept in memory for this page').toBe('completed')
  })

  it('an IndexedDB that throws on every read', async () => {
    await savedGood()
    const broken: AutosaveStore = {
      ...memoryStore(),
      get: async () => {
        throw new StorageError('STORAGE_READ', 'IndexedDB is gone')
      },
      keys: async () => {
        throw new DOMException('The database connection is closing', 'InvalidStateError')
      },
    }
    const { saver } = open(broken)
    expect(await saver.restore(), 'the server copy is used').toEqual(GOOD)
    expect(saver.getStatus().error).toBeInstanceOf(StorageError)
    expect(saver.getStatus().error?.code).toBe('STORAGE_READ')
    expect(saver.getStatus().phase).toBe('saved')
  })
})

describe('bad-input catalogue: what the server answers', () => {
  it('an HTML page instead of JSON (captive portal, proxy error)', async () => {
    const { saver, store } = await savedGood()
    answerWrites(() => new HttpResponse('<!doctype html><h1>Sign in to Wi-Fi</h1>', { status: 200, headers: { 'Content-Type': 'text/html' } }))
    saver.save({ ...GOOD, step: 'completed' })
    const error = await rejection(saver.flush())
    expect(error).toBeInstanceOf(TransportError)
    expect(error).toMatchObject({ code: 'TRANSPORT_RESPONSE', retryable: true })
    expect(saver.getStatus()).toMatchObject({ phase: 'retrying', pending: true })
    expect(await drafts(store)).toEqual([{ ...GOOD, step: 'completed' }])
    await goodKept(store)
  })

  // Answers that are not a write result: nothing is acknowledged, the draft stays.
  it.each<[string, () => Response]>([
    ['an empty answer', () => new HttpResponse(null, { status: 200 })],
    ['garbage JSON of the wrong shape', () => HttpResponse.json({ ok: true, saved: 'yes' })],
    ['a wrong version in the answer (not a number)', () => HttpResponse.json({ version: '7', updatedAt: new Date().toISOString() })],
  ])('%s', async (_row, answer) => {
    const { saver, store } = await savedGood()
    answerWrites(answer)
    saver.save({ ...GOOD, step: 'completed' })
    expect(await rejection(saver.flush())).toMatchObject({ code: 'TRANSPORT_RESPONSE' })
    expect(saver.getStatus()).toMatchObject({ phase: 'retrying', pending: true })
    expect(await drafts(store)).toEqual([{ ...GOOD, step: 'completed' }])
    await goodKept(store)
  })

  it("a version in the answer not above the write's base (a stale cache, a replayed old answer)", async () => {
    const { saver, store } = await savedGood()
    // GOOD is version 1; an answer claiming version 1 again acknowledges nothing.
    answerWrites(() => HttpResponse.json({ version: 1, updatedAt: new Date().toISOString() }))
    saver.save({ ...GOOD, step: 'completed' })
    const error = await rejection(saver.flush())
    expect(error).toBeInstanceOf(TransportError)
    expect(error).toMatchObject({ code: 'TRANSPORT_RESPONSE', retryable: true })
    expect(saver.getStatus()).toMatchObject({ phase: 'retrying', pending: true })
    expect(await drafts(store), 'not taken as saved: the draft stays').toEqual([{ ...GOOD, step: 'completed' }])
    await goodKept(store)
  })

  it('a 412 whose body is not a document', async () => {
    const { saver, store } = await savedGood()
    answerWrites(() => new HttpResponse('Precondition Failed', { status: 412 }))
    saver.save({ ...GOOD, step: 'completed' })
    expect(await rejection(saver.flush())).toMatchObject({ code: 'TRANSPORT_RESPONSE' })
    expect(saver.getStatus()).toMatchObject({ phase: 'retrying', pending: true })
    expect(await drafts(store)).toEqual([{ ...GOOD, step: 'completed' }])
    await goodKept(store)
  })

  for (const status of [401, 403, 404] as const) {
    it(`HTTP ${status} on a write`, async () => {
      const { saver, store } = await savedGood()
      backend.failNext(1, status, { requests: 'writes' })
      saver.save({ ...GOOD, step: 'completed' })
      const error = await rejection(saver.flush())
      expect(error).toBeInstanceOf(TransportError)
      expect(error).toMatchObject({ code: 'TRANSPORT_HTTP', status, retryable: false })
      expect(writes(), 'not retried').toHaveLength(2)
      expect(saver.getStatus()).toMatchObject({ phase: 'error', pending: true })
      expect(await drafts(store)).toEqual([{ ...GOOD, step: 'completed' }])
      await goodKept(store)
    })
  }

  it('HTTP 500 that does not go away', async () => {
    const { saver, store } = await savedGood()
    backend.failNext(10, 500, { requests: 'writes' })
    saver.save({ ...GOOD, step: 'completed' })
    const error = await rejection(saver.flush())
    expect(error).toBeInstanceOf(TransportError)
    expect(error).toMatchObject({ code: 'TRANSPORT_HTTP', status: 500, retryable: true })
    expect(saver.getStatus()).toMatchObject({ phase: 'retrying', pending: true })
    expect(
      writes().filter((w) => w.status === 500),
      '1 attempt + 2 retries',
    ).toHaveLength(3)
    expect(await drafts(store)).toEqual([{ ...GOOD, step: 'completed' }])
    await goodKept(store)
  })

  it('a server that never answers (timeout)', async () => {
    const { saver, errors } = await savedGood({ transport: fetchTransport({ baseUrl: BASE, timeoutMs: 20 }) })
    backend.failNext(4, 'timeout', { requests: 'writes' })
    const retries: AutosaveError[] = []
    saver.on('retry', (event) => retries.push(event.error))
    saver.save({ ...GOOD, step: 'completed' })
    await saver.flush()
    // Like a dropped connection, a timeout never uses up the retries: flush() waits, then lands.
    expect(retries.map((e) => e.code)).toEqual(Array(4).fill('TRANSPORT_TIMEOUT'))
    expect(retries[0]).toBeInstanceOf(TransportError)
    expect(errors).toEqual([])
    expect(saver.getStatus().phase).toBe('saved')
    expect(serverData()).toEqual({ ...GOOD, step: 'completed' })
  })

  it('a connection that drops, again and again', async () => {
    const { saver, errors } = await savedGood()
    backend.failNext(5, 'network', { requests: 'writes' })
    const retries: string[] = []
    saver.on('retry', (event) => retries.push(event.error.code))
    saver.save({ ...GOOD, step: 'completed' })
    await saver.flush()
    // Network failures never use up the retries: the save waits for the network, then lands.
    expect(retries).toEqual(Array(5).fill('TRANSPORT_NETWORK'))
    expect(errors).toEqual([])
    expect(saver.getStatus().phase).toBe('saved')
    expect(serverData()).toEqual({ ...GOOD, step: 'completed' })
  })

  it("an HTML page answering restore()'s load", async () => {
    const { saver, store } = await savedGood()
    await saver.dispose()
    server.use(http.get(DOC_URL, () => new HttpResponse('<!doctype html><h1>Sign in to Wi-Fi</h1>', { status: 200, headers: { 'Content-Type': 'text/html' } })))
    const next = open(store)
    expect(await next.saver.restore(), "the device's acknowledged copy is used").toEqual(GOOD)
    expect(next.errors).toHaveLength(1)
    expect(next.errors[0]).toBeInstanceOf(TransportError)
    expect(next.errors[0]).toMatchObject({ code: 'TRANSPORT_RESPONSE' })
    expect(next.saver.getStatus().phase).toBe('saved')
    await goodKept(store)
  })

  it("HTTP 401 on restore()'s load", async () => {
    const { saver, store } = await savedGood()
    await saver.dispose()
    backend.failNext(1, 401, { requests: 'reads' })
    const next = open(store)
    expect(await next.saver.restore(), "the device's acknowledged copy is used").toEqual(GOOD)
    expect(next.errors).toHaveLength(1)
    expect(next.errors[0]).toBeInstanceOf(TransportError)
    expect(next.errors[0]).toMatchObject({ code: 'TRANSPORT_HTTP', status: 401, retryable: false })
    expect(next.saver.getStatus().phase).toBe('saved')
    await goodKept(store)
  })

  it("the server's copy is older than the device's (restored from a backup)", async () => {
    const { saver, store } = await savedGood()
    saver.save({ ...GOOD, step: 'completed' })
    await saver.flush() // v2, on the server and on the device
    await saver.dispose()
    backend.reset()
    backend.setDocument(KEY, GOOD as unknown as Json) // the server is back at v1
    const next = open(store)
    expect(await next.saver.restore(), "the server's copy is taken").toEqual(GOOD)
    expect(next.errors).toHaveLength(1)
    expect(next.errors[0]).toBeInstanceOf(TransportError)
    expect(next.errors[0]).toMatchObject({ code: 'REMOTE_BEHIND' })
    expect(next.saver.getStatus().phase).toBe('saved')
    // Kept: the device's newer copy, as a snapshot the app can roll back to.
    const [newest] = await next.saver.history()
    expect(newest?.version).toBe(2)
    await next.saver.rollback(newest!.id)
    await next.saver.flush()
    expect(serverData()).toEqual({ ...GOOD, step: 'completed' })
  })

  it('the server lost the document the device saw saved (a reset, a restore from an empty backup)', async () => {
    const { saver, store } = await savedGood()
    saver.save({ ...GOOD, step: 'completed' })
    await saver.flush() // v2, on the server and on the device
    await saver.dispose()
    backend.reset() // the server has no document at all now
    const next = open(store)
    expect(await next.saver.restore(), 'the server has nothing: following it').toBeUndefined()
    expect(next.errors).toHaveLength(1)
    expect(next.errors[0]).toMatchObject({ code: 'REMOTE_BEHIND' })
    expect(next.saver.getStatus().phase).toBe('idle')
    // The device's copies are still in history(), and rolling back writes one to the server.
    const [newest] = await next.saver.history()
    expect(newest?.version).toBe(2)
    await next.saver.rollback(newest!.id)
    await next.saver.flush()
    expect(serverData()).toEqual({ ...GOOD, step: 'completed' })
  })

  it('HTTP 429 and 503 with Retry-After', async () => {
    const { saver, errors } = await savedGood()
    backend.failNext(1, 429, { requests: 'writes', retryAfter: 0 })
    backend.failNext(1, 503, { requests: 'writes', retryAfter: 0 })
    const retries: TransportError[] = []
    saver.on('retry', (event) => retries.push(event.error as TransportError))
    saver.save({ ...GOOD, step: 'completed' })
    await saver.flush()
    // Not an error the app has to handle: 'retry' events, then saved.
    expect(retries.map((e) => [e.code, e.status])).toEqual([
      ['TRANSPORT_HTTP', 429],
      ['TRANSPORT_HTTP', 503],
    ])
    expect(errors).toEqual([])
    expect(saver.getStatus().phase).toBe('saved')
    expect(serverData()).toEqual({ ...GOOD, step: 'completed' })
  })
})

describe('bad-input catalogue: how the app calls the engine', () => {
  it('save() after dispose()', async () => {
    const { saver, store, online } = await savedGood()
    online.setOnline(false)
    saver.save({ ...GOOD, step: 'draft' })
    await saver.dispose()
    let thrown: unknown
    try {
      saver.save({ ...GOOD, step: 'too late' })
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(AutosaveError)
    expect(thrown).toMatchObject({ code: 'DISPOSED' })
    expect(saver.getState(), 'the late state is not taken').toEqual({ ...GOOD, step: 'draft' })
    expect(await open(store).saver.restore(), 'the draft from before dispose() is restored').toEqual({ ...GOOD, step: 'draft' })
  })

  it('flush() after dispose()', async () => {
    const { saver, store } = await savedGood()
    await saver.dispose()
    expect(await rejection(saver.flush())).toMatchObject({ code: 'DISPOSED' })
    await goodKept(store)
  })

  it('concurrent flush() calls', async () => {
    const { saver, store } = await savedGood()
    saver.save({ ...GOOD, step: 'completed' })
    await Promise.all([saver.flush(), saver.flush(), saver.flush()])
    expect(writes(), 'one write for all three').toHaveLength(2)
    backend.failNext(1, 401, { requests: 'writes' })
    saver.save({ ...GOOD, step: 'again' })
    const outcomes = await Promise.allSettled([saver.flush(), saver.flush(), saver.flush()])
    const reasons = outcomes.map((o) => (o.status === 'rejected' ? o.reason : o.status))
    expect(new Set(reasons).size, 'all settle with the same error').toBe(1)
    expect(reasons[0]).toBeInstanceOf(TransportError)
    expect(reasons[0]).toMatchObject({ code: 'TRANSPORT_HTTP', status: 401 })
    expect(saver.getStatus()).toMatchObject({ phase: 'error', pending: true })
    expect(await drafts(store)).toEqual([{ ...GOOD, step: 'again' }])
  })

  it('the wall clock jumps back an hour between two edits', async () => {
    const env = fakeEnvironment()
    const store = memoryStore()
    const transport = memoryTransport()
    const make = () => createAutosave<Doc>({ key: KEY, transport, store, environment: env.environment, localDelayMs: 0 })
    const saver = make()
    saver.save({ ...GOOD, step: 'before the jump' })
    await env.clock.tickAsync(0)
    env.clock.setSystemTime(env.clock.now - 3_600_000)
    saver.save({ ...GOOD, step: 'after the jump' })
    await env.clock.tickAsync(0)
    await saver.dispose()
    // The later edit is the newer one, although its timestamp is older.
    expect(await make().restore()).toEqual({ ...GOOD, step: 'after the jump' })
  })

  it('the wall clock jumps forward two days, then back', async () => {
    const env = fakeEnvironment()
    const store = memoryStore()
    const transport = memoryTransport()
    const make = () => createAutosave<Doc>({ key: KEY, transport, store, environment: env.environment, localDelayMs: 0 })
    const saver = make()
    env.clock.setSystemTime(env.clock.now + 2 * 86_400_000)
    saver.save({ ...GOOD, step: 'in the future' })
    await saver.flush()
    env.clock.setSystemTime(env.clock.now - 2 * 86_400_000)
    saver.save({ ...GOOD, step: 'back to now' })
    const flushed = saver.flush()
    await env.clock.tickAsync(10_000)
    await flushed
    expect(transport.backend.documents.get(KEY)?.data).toEqual({ ...GOOD, step: 'back to now' })
    expect(transport.backend.documents.get(KEY)?.version).toBe(2)
    await saver.dispose()
  })

  it('options that make no sense (empty key, no transport, negative debounce)', () => {
    const transport = memoryTransport()
    expect(() => createAutosave({ key: '', transport })).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS' }))
    expect(() => createAutosave({ key: 'k', transport: {} as never })).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS' }))
    expect(() => createAutosave({ key: 'k', transport, debounceMs: -1 })).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS' }))
  })

  it('rollback() to a snapshot that does not exist', async () => {
    const { saver, store } = await savedGood()
    const error = await rejection(saver.rollback('no-such-snapshot'))
    expect(error.code).toBe('HISTORY_NOT_FOUND')
    expect(saver.getStatus().phase).toBe('saved')
    expect(saver.getState()).toEqual(GOOD)
    await goodKept(store)
  })

  it('a conflict function that returns nothing', async () => {
    const { saver, store } = await savedGood({ conflict: () => undefined as never })
    backend.setDocument(KEY, { ...GOOD, step: 'theirs' })
    saver.save({ ...GOOD, step: 'mine' })
    const error = await rejection(saver.flush())
    expect(error).toBeInstanceOf(ConflictError)
    expect(error.code).toBe('CONFLICT_STRATEGY')
    expect(saver.getStatus()).toMatchObject({ phase: 'conflict', pending: true })
    expect(serverData(), "the other device's write stays").toEqual({ ...GOOD, step: 'theirs' })
    expect(await drafts(store), 'and so does mine').toEqual([{ ...GOOD, step: 'mine' }])
  })
})

describe('docs/reliability.md', () => {
  it('has one catalogue row per test above, named like it', ({ task }) => {
    const tests: string[] = []
    const walk = (t: { type: string; name: string; tasks?: unknown[] }) => {
      if (t.type === 'test') tests.push(t.name)
      else if (t.type === 'suite' && t.name !== 'docs/reliability.md') for (const child of t.tasks ?? []) walk(child as never)
    }
    for (const child of task.file.tasks) walk(child)
    const rows = catalogueRows(readFileSync(new URL('../../docs/reliability.md', import.meta.url), 'utf8'))
    expect(rows.length, 'at least 25 rows').toBeGreaterThanOrEqual(25)
    expect(
      rows.filter((row) => !tests.includes(row)),
      'rows of docs/reliability.md without a test of that name',
    ).toEqual([])
    expect(
      tests.filter((name) => !rows.includes(name)),
      'tests without a row in docs/reliability.md',
    ).toEqual([])
    expect(new Set(rows).size, 'no row twice').toBe(rows.length)
  })
})

/** The first cell of each row of the table under "## Bad-input catalogue", backticks dropped. */
function catalogueRows(markdown: string): string[] {
  const section = markdown.split(/^## /m).find((part) => part.startsWith('Bad-input catalogue'))
  if (!section) return []
  return section
    .split('\n')
    .filter((line) => line.startsWith('|'))
    .slice(2) // the header and the |---| line
    .map((line) => line.split('|')[1]!.replaceAll('`', '').trim())
}
