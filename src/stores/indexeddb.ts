import { clear, delMany, get, keys, promisifyRequest, setMany, type UseStore } from 'idb-keyval'
import { AutosaveError, StorageError } from '../errors'
import type { AutosaveStore } from '../types'
import { memoryStore } from './memory'

export interface IndexedDBStoreOptions {
  /** Separates users (or apps) sharing a browser: each namespace is its own database. Default `'default'`. */
  namespace?: string
  /** Prefix of the database name. Default `'autosave-kit'`. */
  dbName?: string
  /** The IndexedDB factory; default `globalThis.indexedDB`, looked up at first use (SSR-safe). */
  indexedDB?: IDBFactory
}

/**
 * The durable local buffer: one IndexedDB database per namespace, written with idb-keyval.
 * If IndexedDB is missing (SSR, some private modes), blocked, or full, the store carries on in
 * memory for the rest of the page's life and reports a `StorageError` through `onError`
 * (the engine shows it in its status) — it never throws into the app.
 *
 * @example
 * ```ts
 * createAutosave({ key: 'project:42', transport, store: indexedDBStore({ namespace: userId }) })
 * ```
 */
export function indexedDBStore(options: IndexedDBStoreOptions = {}): AutosaveStore {
  const name = databaseName(options)
  const listeners = new Set<(error: AutosaveError) => void>()
  const fallback = memoryStore()
  let idb: Promise<UseStore> | undefined
  let failed = false

  // Opened on first use, not at construction: creating an engine during SSR must not touch IndexedDB.
  function open(): Promise<UseStore> {
    idb ??= new Promise<UseStore>((resolve, reject) => {
      const factory = options.indexedDB ?? (globalThis as { indexedDB?: IDBFactory }).indexedDB
      if (!factory) return reject(new StorageError('STORAGE_UNAVAILABLE', 'IndexedDB is not available here; drafts are kept in memory only'))
      const request = factory.open(name)
      request.onupgradeneeded = () => request.result.createObjectStore('records')
      // Another tab holds an older version open: waiting could last forever.
      request.onblocked = () => reject(new StorageError('STORAGE_UNAVAILABLE', `Opening IndexedDB "${name}" is blocked by another tab`))
      promisifyRequest(request).then((db) => {
        // Let clearLocalData (deleteDatabase) or an upgrade in another tab proceed; reopen on next use.
        db.onversionchange = () => {
          db.close()
          idb = undefined
        }
        resolve((mode, callback) => Promise.resolve(callback(db.transaction('records', mode).objectStore('records'))))
      }, reject)
    })
    return idb
  }

  function degrade(error: unknown): StorageError {
    failed = true
    const quota = (error as { name?: string })?.name === 'QuotaExceededError'
    const typed =
      error instanceof StorageError
        ? error
        : new StorageError(quota ? 'STORAGE_QUOTA' : 'STORAGE_UNAVAILABLE', `IndexedDB "${name}" failed (${(error as Error)?.message ?? error}); drafts are kept in memory only`, { cause: error })
    for (const listener of listeners) listener(typed)
    return typed
  }

  /** Writes go to IndexedDB while it works; on its first failure, to memory for good. */
  async function write(onIdb: (store: UseStore) => Promise<void>, onMemory: () => Promise<void>): Promise<void> {
    if (!failed) {
      try {
        return await onIdb(await open())
      } catch (error) {
        degrade(error)
      }
    }
    return onMemory()
  }

  /** Reads and deletes still reach IndexedDB after a failed write: a full disk keeps what it has. */
  async function attempt<T>(onIdb: (store: UseStore) => Promise<T>, otherwise: T): Promise<T> {
    try {
      return await onIdb(await open())
    } catch (error) {
      if (!failed) degrade(error)
      return otherwise
    }
  }

  return {
    id: `indexeddb:${name}`,
    async get(key) {
      const local = await fallback.get(key)
      return local !== undefined ? local : attempt((s) => get(key, s), undefined)
    },
    setMany: (entries) => write((s) => setMany(entries as Array<[string, unknown]>, s), () => fallback.setMany(entries)),
    async delMany(list) {
      await fallback.delMany(list)
      await attempt((s) => delMany(list as string[], s), undefined)
    },
    async keys() {
      const stored = await attempt((s) => keys<string>(s), [] as string[])
      return [...new Set([...stored, ...(await fallback.keys())])]
    },
    async clear() {
      await fallback.clear()
      await attempt((s) => clear(s), undefined)
    },
    onError(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
}

/** The IndexedDB database a namespace lives in. */
export function databaseName({ namespace = 'default', dbName = 'autosave-kit' }: IndexedDBStoreOptions = {}): string {
  return `${dbName}:${namespace}`
}

/**
 * Removes every draft, snapshot and acknowledged copy of one namespace from this device —
 * for logout. Other namespaces are untouched.
 *
 * @example
 * ```ts
 * await clearLocalData({ namespace: userId })
 * ```
 */
export async function clearLocalData(options: IndexedDBStoreOptions = {}): Promise<void> {
  const factory = options.indexedDB ?? (globalThis as { indexedDB?: IDBFactory }).indexedDB
  if (!factory) return
  await promisifyRequest(factory.deleteDatabase(databaseName(options)))
}
