/**
 * The store chain behind `indexedDBStore`: IndexedDB → localStorage → memory, encryption at
 * rest, namespaces, one transaction per batch. Real IndexedDB semantics through fake-indexeddb;
 * localStorage is a Map-backed `Storage` handed in through the store's options.
 */
import { IDBDatabase, IDBFactory } from 'fake-indexeddb'
import { get as idbGet, keys as idbKeys, type UseStore } from 'idb-keyval'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createAutosave } from '../../src/engine/autosave'
import type { AutosaveError } from '../../src/errors'
import { clearLocalData } from '../../src/stores/clear'
import { encryptedStore } from '../../src/stores/encryption'
import { fallbackStore } from '../../src/stores/fallback'
import { indexedDBStore } from '../../src/stores/indexeddb'
import { localStorageStore } from '../../src/stores/local-storage'
import { memoryStore } from '../../src/stores/memory'
import { memoryTransport } from '../../src/transports/memory'
import { fakeEnvironment, wizard } from '../helpers'
import { MapStorage } from './map-storage'

/** Reads a database the way anyone with devtools could: raw, without our store. */
function rawStore(factory: IDBFactory, name: string): UseStore {
  return (mode, callback) =>
    new Promise((resolve, reject) => {
      const request = factory.open(name)
      request.onsuccess = () => {
        const db = request.result
        Promise.resolve(callback(db.transaction('records', mode).objectStore('records'))).then((value) => {
          db.close()
          resolve(value)
        }, reject)
      }
      request.onerror = () => reject(request.error)
    })
}

const aesKey = () => crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt'])
const SECRET = 'my unreleased lyrics about the sea'

const disposers: Array<() => Promise<void>> = []
afterEach(async () => {
  await Promise.all(disposers.splice(0).map((dispose) => dispose()))
})

describe('encryption at rest', () => {
  it('IndexedDB holds no plaintext, and the engine restores the draft after a reload', async () => {
    const factory = new IDBFactory()
    const key = await aesKey()
    const env = fakeEnvironment()
    const transport = memoryTransport()
    const open = () => {
      const saver = createAutosave<ReturnType<typeof wizard>>({
        key: 'project:1',
        transport,
        store: indexedDBStore({ namespace: 'u1', indexedDB: factory, localStorage: null, encryption: { key } }),
        environment: env.environment,
        localDelayMs: 0,
      })
      disposers.push(() => saver.dispose())
      return saver
    }
    env.online.setOnline(false)
    const first = open()
    first.save(wizard(SECRET))
    await env.clock.tickAsync(10)

    const raw = rawStore(factory, 'autosave-kit:u1')
    // Durable once encrypted (real WebCrypto, real async) and written.
    const names = await vi.waitFor(async () => {
      const found = await idbKeys<string>(raw)
      expect(found.some((name) => name.startsWith('outbox:project:1'))).toBe(true)
      return found
    })
    for (const name of names) {
      const value = await idbGet(name, raw)
      const bytes = value.ciphertext as Uint8Array
      expect(bytes).toBeInstanceOf(Uint8Array)
      expect(new TextDecoder().decode(bytes)).not.toContain('unreleased')
      expect(JSON.stringify(value)).not.toContain('unreleased')
    }

    await first.dispose()
    env.online.setOnline(true)
    const second = open()
    expect((await second.restore())?.currentStep).toBe(SECRET)
    await second.flush()
    expect(transport.backend.writes).toHaveLength(1)
  })

  it('a record read with another key rejects with STORAGE_DECRYPT and is not deleted', async () => {
    const inner = memoryStore()
    await encryptedStore(inner, { key: await aesKey() }).setMany([['outbox:a', { text: SECRET }]])
    const other = encryptedStore(inner, { key: await aesKey() })
    await expect(other.get('outbox:a')).rejects.toMatchObject({ code: 'STORAGE_DECRYPT' })
    expect(await inner.get('outbox:a')).toBeDefined()
  })

  it('a record copied under another key does not decrypt (the key is authenticated)', async () => {
    const inner = memoryStore()
    const store = encryptedStore(inner, { key: await aesKey() })
    await store.setMany([['outbox:a', 'alice']])
    await inner.setMany([['outbox:b', await inner.get('outbox:a')]])
    await expect(store.get('outbox:b')).rejects.toMatchObject({ code: 'STORAGE_DECRYPT' })
    expect(await store.get('outbox:a')).toBe('alice')
  })

  it('the localStorage fallback keeps base64 ciphertext, no plaintext', async () => {
    const storage = new MapStorage()
    const store = indexedDBStore({ namespace: 'u1', indexedDB: null, localStorage: storage, encryption: { key: await aesKey() } })
    await store.setMany([['outbox:a', { text: SECRET }]])
    expect(storage.items.size).toBe(1)
    expect([...storage.items.values()].join()).not.toContain('unreleased')
    expect(await store.get('outbox:a')).toEqual({ text: SECRET })
  })
})

describe('fallback chain', () => {
  it('without IndexedDB, drafts go to localStorage and survive a reload there', async () => {
    const storage = new MapStorage()
    const errors: AutosaveError[] = []
    const first = indexedDBStore({ namespace: 'u1', indexedDB: null, localStorage: storage })
    first.onError!((error) => errors.push(error))
    await first.setMany([['outbox:p', { step: 'video_styles' }]])
    expect([...storage.items.keys()]).toEqual(['autosave-kit:u1:outbox:p'])
    expect(errors.map((error) => error.code)).toEqual(['STORAGE_UNAVAILABLE'])
    expect(errors[0]!.message).toContain('localStorage')
    // A new page: the record is found again.
    expect(await indexedDBStore({ namespace: 'u1', indexedDB: null, localStorage: storage }).get('outbox:p')).toEqual({ step: 'video_styles' })
  })

  it('IndexedDB full, then localStorage full: the edit lands in memory, each failure reported once', async () => {
    const storage = new MapStorage(64)
    const errors: AutosaveError[] = []
    const failing = (name: string) => ({
      ...memoryStore(),
      setMany: async () => {
        throw new DOMException(`${name} full`, 'QuotaExceededError')
      },
    })
    const store = fallbackStore([
      { name: 'IndexedDB', store: failing('idb') },
      { name: 'localStorage', store: localStorageStore({ localStorage: storage }) },
      { name: 'memory', store: memoryStore() },
    ])
    store.onError!((error) => errors.push(error))
    await store.setMany([['outbox:p', 'x'.repeat(200)]])
    expect(await store.get('outbox:p')).toBe('x'.repeat(200))
    expect(errors.map((error) => error.code)).toEqual(['STORAGE_QUOTA', 'STORAGE_QUOTA'])
    expect(errors.at(-1)!.message).toContain('memory only')
    expect(storage.items.size).toBe(0)
  })

  it('a later write of a key to a durable backend removes its older copy from the backend used before (a write that lands in memory keeps it, for the reload)', async () => {
    const first = memoryStore()
    // Durable, like localStorage: only then is the older copy deleted.
    const second = { ...memoryStore(), isDurable: () => true }
    await first.setMany([['k', 'old']])
    let broken = false
    const flaky = {
      ...first,
      setMany: async (entries: ReadonlyArray<readonly [string, unknown]>) =>
        broken ? Promise.reject(new DOMException('full', 'QuotaExceededError')) : first.setMany(entries),
    }
    const store = fallbackStore([
      { name: 'a', store: flaky },
      { name: 'b', store: second },
    ])
    broken = true
    await store.setMany([['k', 'new']])
    expect(await first.get('k')).toBeUndefined()
    expect(await store.get('k')).toBe('new')
  })

  it('a value that cannot be stored anywhere (DataCloneError) rejects with STORAGE_WRITE instead of falling back', async () => {
    const factory = new IDBFactory()
    const store = indexedDBStore({ indexedDB: factory, localStorage: null })
    await store.setMany([['kept', 1]])
    await expect(
      store.setMany([
        ['a', 2],
        ['bad', () => 1],
      ]),
    ).rejects.toMatchObject({ code: 'STORAGE_WRITE' })
    // The batch was aborted whole: no half-written batch, nothing earlier lost.
    expect(await store.get('a')).toBeUndefined()
    expect(await store.get('kept')).toBe(1)
  })

  it('setMany calls queued together share one IndexedDB transaction', async () => {
    const factory = new IDBFactory()
    const store = indexedDBStore({ indexedDB: factory, localStorage: null })
    await store.keys() // opened
    const original = IDBDatabase.prototype.transaction
    let readwrite = 0
    IDBDatabase.prototype.transaction = function (this: IDBDatabase, ...args: Parameters<IDBDatabase['transaction']>) {
      if (args[1] === 'readwrite') readwrite++
      return original.apply(this, args)
    } as IDBDatabase['transaction']
    try {
      await Promise.all([store.setMany([['outbox:a', 1]]), store.setMany([['outbox:b', 2]]), store.setMany([['outbox:c', 3]])])
    } finally {
      IDBDatabase.prototype.transaction = original
    }
    expect(readwrite).toBeLessThanOrEqual(2)
    expect((await store.keys()).sort()).toEqual(['outbox:a', 'outbox:b', 'outbox:c'])
  })
})

describe('namespaces and logout', () => {
  it('localStorage namespaces are escaped: "a:b" never reads namespace "a"', async () => {
    const storage = new MapStorage()
    await localStorageStore({ namespace: 'a', localStorage: storage }).setMany([['b:x', 'from a']])
    expect(await localStorageStore({ namespace: 'a:b', localStorage: storage }).get('x')).toBeUndefined()
    expect(await localStorageStore({ namespace: 'a:b', localStorage: storage }).keys()).toEqual([])
  })

  it('clearLocalData removes the namespace from IndexedDB and localStorage, and only it', async () => {
    const factory = new IDBFactory()
    const storage = new MapStorage()
    const alice = indexedDBStore({ namespace: 'alice', indexedDB: factory, localStorage: storage })
    await alice.setMany([['outbox:p', 'alice in idb']])
    await localStorageStore({ namespace: 'alice', localStorage: storage }).setMany([['outbox:q', 'alice in ls']])
    await localStorageStore({ namespace: 'bob', localStorage: storage }).setMany([['outbox:q', 'bob in ls']])
    await clearLocalData({ namespace: 'alice', indexedDB: factory, localStorage: storage })
    expect(await indexedDBStore({ namespace: 'alice', indexedDB: factory, localStorage: storage }).keys()).toEqual([])
    expect(await localStorageStore({ namespace: 'bob', localStorage: storage }).get('outbox:q')).toBe('bob in ls')
  })
})
