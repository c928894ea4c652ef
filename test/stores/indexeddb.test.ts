import { IDBFactory, IDBObjectStore } from 'fake-indexeddb'
import { describe, expect, it } from 'vitest'
import { createAutosave } from '../../src/engine/autosave'
import { clearLocalData, indexedDBStore } from '../../src/stores/indexeddb'
import { memoryTransport } from '../../src/transports/memory'
import { memoryStore } from '../../src/stores/memory'
import { formatStatus } from '../../src/engine/status'
import type { AutosaveError } from '../../src/errors'
import { fakeEnvironment, pendingDraftKeys, wizard } from '../helpers'

describe('indexedDBStore', () => {
  it('keeps records across instances on the same database (a reload)', async () => {
    const factory = new IDBFactory()
    await indexedDBStore({ indexedDB: factory }).setMany([
      ['a', { n: 1 }],
      ['b', [1, 2]],
    ])
    const reopened = indexedDBStore({ indexedDB: factory })
    expect(await reopened.get('a')).toEqual({ n: 1 })
    expect((await reopened.keys()).sort()).toEqual(['a', 'b'])
    await reopened.delMany(['a'])
    expect(await reopened.get('a')).toBeUndefined()
  })

  it('two namespaces never see each other, and clearLocalData removes only one', async () => {
    const factory = new IDBFactory()
    const alice = indexedDBStore({ namespace: 'alice', indexedDB: factory })
    const bob = indexedDBStore({ namespace: 'bob', indexedDB: factory })
    await alice.setMany([['outbox:doc:1', 'alice draft']])
    await bob.setMany([['outbox:doc:1', 'bob draft']])
    expect(await alice.get('outbox:doc:1')).toBe('alice draft')
    expect(alice.id).not.toBe(bob.id)
    await clearLocalData({ namespace: 'alice', indexedDB: factory })
    expect(await indexedDBStore({ namespace: 'alice', indexedDB: factory }).keys()).toEqual([])
    expect(await bob.get('outbox:doc:1')).toBe('bob draft')
  })

  it('without IndexedDB it works in memory and reports STORAGE_UNAVAILABLE instead of throwing', async () => {
    const errors: AutosaveError[] = []
    const noIdb = indexedDBStore({ indexedDB: null as never })
    noIdb.onError!((e) => errors.push(e))
    await noIdb.setMany([['k', 1]])
    expect(await noIdb.get('k')).toBe(1)
    expect(errors.map((e) => e.code)).toContain('STORAGE_UNAVAILABLE')
  })

  it('a quota error mid-session: the write lands in memory, STORAGE_QUOTA is reported, earlier records still read', async () => {
    const factory = new IDBFactory()
    const store = indexedDBStore({ indexedDB: factory })
    await store.setMany([['old', 'kept']])
    const errors: AutosaveError[] = []
    store.onError!((e) => errors.push(e))
    // The next write fails the way a full disk does (on the fake's own class; no global is touched).
    const original = IDBObjectStore.prototype.put
    IDBObjectStore.prototype.put = () => {
      throw new DOMException('full', 'QuotaExceededError')
    }
    try {
      await store.setMany([['new', 'also kept']])
    } finally {
      IDBObjectStore.prototype.put = original
    }
    expect(errors.map((e) => e.code)).toEqual(['STORAGE_QUOTA'])
    expect(await store.get('new')).toBe('also kept')
    expect(await store.get('old')).toBe('kept')
  })

  it('the engine restores an edit after a reload on fake IndexedDB and sends it exactly once', async () => {
    const factory = new IDBFactory()
    const env = fakeEnvironment()
    const transport = memoryTransport()
    const open = () =>
      createAutosave<ReturnType<typeof wizard>>({ key: 'p', transport, store: indexedDBStore({ indexedDB: factory }), environment: env.environment })
    env.online.setOnline(false)
    const first = open()
    first.save(wizard('typed offline'))
    await first.dispose()
    env.online.setOnline(true)
    const second = open()
    expect((await second.restore())?.currentStep).toBe('typed offline')
    await second.flush()
    expect(transport.backend.writes).toHaveLength(1)
    expect(await pendingDraftKeys(indexedDBStore({ indexedDB: factory })), 'nothing left to send').toEqual([])
  })

  it('once drafts can only be kept in memory, the status says so for the rest of the page, past the next save', async () => {
    const env = fakeEnvironment()
    const saver = createAutosave<ReturnType<typeof wizard>>({
      key: 'p',
      transport: memoryTransport(),
      // No IndexedDB, and Node has no localStorage: the chain ends in memory.
      store: indexedDBStore({ indexedDB: null as never }),
      debounceMs: 50,
      environment: env.environment,
    })
    expect(saver.getStatus().durable, 'nothing known before the store is first used').toBe(true)
    saver.save(wizard('one'))
    await saver.flush()
    expect(saver.getStatus()).toMatchObject({ phase: 'saved', error: null, durable: false })
    env.online.setOnline(false)
    saver.save(wizard('two'))
    await env.clock.tickAsync(100)
    expect(formatStatus(saver.getStatus())).toBe('Offline — keep this tab open to keep your changes')
    await saver.dispose()
  })

  it('a healthy IndexedDB store is durable, and so is a memoryStore() the app chose (tests, SSR): the contract texts hold', async () => {
    const env = fakeEnvironment()
    const onIdb = createAutosave({
      key: 'p',
      transport: memoryTransport(),
      store: indexedDBStore({ indexedDB: new IDBFactory() }),
      environment: env.environment,
    })
    onIdb.save({ a: 1 })
    await onIdb.flush()
    expect(onIdb.getStatus().durable).toBe(true)
    const inMemory = createAutosave({ key: 'p', transport: memoryTransport(), store: memoryStore(), environment: env.environment })
    expect(inMemory.getStatus().durable).toBe(true)
    env.online.setOnline(false)
    inMemory.save({ a: 2 })
    await env.clock.tickAsync(3100)
    expect(formatStatus(inMemory.getStatus())).toBe('Offline — saved on this device')
    await Promise.all([onIdb.dispose(), inMemory.dispose()])
  })
})
