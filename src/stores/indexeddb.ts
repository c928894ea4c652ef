import { clear, delMany, get, keys, setMany, type UseStore } from 'idb-keyval'
import { systemClock, type Clock } from '../environment/clock'
import { StorageError } from '../errors'
import type { AutosaveStore } from '../types'
import { encryptedStore } from './encryption'
import { fallbackStore } from './fallback'
import { localStorageStore } from './local-storage'
import { memoryStore } from './memory'
import { databaseName, type NamespaceOptions } from './namespace'

export { clearLocalData, type ClearLocalDataOptions } from './clear'

/**
 * Options of `indexedDBStore`: the namespace (one database per user), replacements for the
 * IndexedDB and localStorage globals, and encryption at rest.
 *
 * @example
 * ```ts
 * import { IDBFactory } from 'fake-indexeddb'
 * // A test with its own IndexedDB and no localStorage fallback:
 * indexedDBStore({ namespace: 'test', indexedDB: new IDBFactory(), localStorage: null })
 * ```
 */
export interface IndexedDBStoreOptions extends NamespaceOptions {
  /** The IndexedDB factory; default `globalThis.indexedDB`, looked up at first use (SSR-safe). `null`: none. */
  indexedDB?: IDBFactory | null
  /** The fallback's Storage; default `globalThis.localStorage`, looked up at use. `null`: none. */
  localStorage?: Storage | null
  /** Keep every value AES-GCM encrypted on the device (see `encryptedStore`). Record keys stay readable. */
  encryption?: { key: CryptoKey }
  /**
   * How long opening the database may take before the store gives up on IndexedDB for this
   * page and moves to localStorage (some browsers never answer an open). Default 3000 ms.
   */
  openTimeoutMs?: number
  /** The timers of `openTimeoutMs`; default `systemClock`. Pass the engine's clock in tests. */
  clock?: Clock
}

const RECORDS = 'records'

/**
 * IndexedDB through idb-keyval, on a `UseStore` of our own instead of `createStore`: it opens
 * lazily (SSR-safe), takes an injectable factory, closes on `versionchange` so `clearLocalData`
 * is never blocked by an open tab, reopens a connection the browser dropped, and aborts a batch
 * whose callback threw (idb-keyval's `setMany` would otherwise commit the puts made before it).
 */
function idbRecords(name: string, factory: IDBFactory | null | undefined, clock: Clock, timeoutMs: number) {
  let connection: Promise<IDBDatabase> | undefined

  const open = () =>
    (connection ??= new Promise<IDBDatabase>((resolve, reject) => {
      const idb = factory !== undefined ? factory : globalThis.indexedDB
      if (!idb) throw new StorageError('STORAGE_UNAVAILABLE', 'IndexedDB is not available here')
      const request = idb.open(name)
      // Safari private windows and broken profiles can leave an open unanswered forever: the
      // rejection lets the chain move on to localStorage for this page.
      let timedOut = false
      const timer = clock.setTimeout(() => {
        timedOut = true
        reject(new StorageError('STORAGE_UNAVAILABLE', `Opening "${name}" did not answer within ${timeoutMs} ms`))
      }, timeoutMs)
      request.onupgradeneeded = () => request.result.createObjectStore(RECORDS)
      // Another tab holds the database at an older version: waiting could last forever.
      request.onblocked = () => {
        clock.clearTimeout(timer)
        reject(new StorageError('STORAGE_UNAVAILABLE', `Opening "${name}" is blocked by another tab`))
      }
      request.onerror = () => {
        clock.clearTimeout(timer)
        reject(request.error)
      }
      request.onsuccess = () => {
        clock.clearTimeout(timer)
        const db = request.result
        // Too late for writes (the chain moved on for this page), not for reading the drafts kept here.
        if (timedOut) connection = Promise.resolve(db)
        // Let clearLocalData (deleteDatabase) or another tab's upgrade proceed; reopen on next use.
        db.onversionchange = () => {
          db.close()
          connection = undefined
        }
        // Safari sometimes drops connections on its own.
        db.onclose = () => (connection = undefined)
        resolve(db)
      }
    }))

  const use = (<T>(mode: IDBTransactionMode, work: (records: IDBObjectStore) => T | PromiseLike<T>, reopen = true): Promise<T> =>
    open().then((db) => {
      let transaction: IDBTransaction
      try {
        transaction = db.transaction(RECORDS, mode)
      } catch (error) {
        // The connection closed under us: open a new one, once.
        if (!reopen || (error as Error).name !== 'InvalidStateError') throw error
        connection = undefined
        return use(mode, work, false)
      }
      try {
        return work(transaction.objectStore(RECORDS))
      } catch (error) {
        // Without this, the puts made before the throw would commit: half a batch.
        transaction.abort()
        throw error
      }
    })) as UseStore & (<T>(mode: IDBTransactionMode, work: (records: IDBObjectStore) => T | PromiseLike<T>, reopen?: boolean) => Promise<T>)

  return {
    open,
    get: (key: string) => get(key, use),
    setMany: (entries: ReadonlyArray<readonly [string, unknown]>) => setMany(entries as Array<[string, unknown]>, use),
    delMany: (keys: readonly string[]) => delMany([...keys], use),
    keys: () => keys<string>(use),
    clear: () => clear(use),
  } satisfies AutosaveStore & { open(): Promise<IDBDatabase> }
}

/**
 * The durable local buffer: one IndexedDB database per namespace (`autosave-kit:<namespace>`),
 * so two accounts on one browser never see each other's drafts. IndexedDB is looked up at
 * first use, never at import or construction (SSR-safe). If it is missing (SSR, disabled site
 * data), blocked, does not open within `openTimeoutMs`, or a write fails (disk full), the store moves to localStorage, then memory,
 * rewrites the failed batch there, and reports one `StorageError` through `onError` (the
 * engine shows it in its status) — it never throws into the app. See `fallbackStore`.
 *
 * @example
 * ```ts
 * createAutosave({ key: 'project:42', transport, store: indexedDBStore({ namespace: userId }) })
 * // encrypted at rest, with a key your server hands the signed-in user:
 * indexedDBStore({ namespace: userId, encryption: { key } })
 * ```
 */
export function indexedDBStore(options: IndexedDBStoreOptions = {}): AutosaveStore {
  const key = options.encryption?.key
  return chain(options, key && ((store, encoding) => encryptedStore(store, { key, encoding })))
}

/**
 * `indexedDBStore(options)` without the encryption option, for the engine's default store: the
 * WebCrypto code then stays out of bundles that never ask for it.
 *
 * @internal
 */
export function plainIndexedDBStore(options: Omit<IndexedDBStoreOptions, 'encryption'> = {}): AutosaveStore {
  return chain(options)
}

type Seal = (store: AutosaveStore, encoding?: 'base64') => AutosaveStore

function chain(options: IndexedDBStoreOptions, seal: Seal | undefined = undefined): AutosaveStore {
  const name = databaseName(options)
  const idb = idbRecords(name, options.indexedDB, options.clock ?? systemClock, options.openTimeoutMs ?? 3000)
  const local = localStorageStore(options)
  return fallbackStore(
    [
      { name: 'IndexedDB', store: seal?.(idb) ?? idb, ready: idb.open },
      { name: 'localStorage', store: seal?.(local, 'base64') ?? local, ready: local.keys },
      // Memory is never written to disk, so it needs no encryption (and works where WebCrypto does not).
      { name: 'memory', store: memoryStore() },
    ],
    `indexeddb:${name}`,
  )
}
