import { StorageError } from '../errors'
import type { AutosaveStore } from '../types'
import { storagePrefix, type NamespaceOptions } from './namespace'
import { toStorageError } from './storage-error'

/**
 * Options of `localStorageStore`: the namespace and the `Storage` to use.
 *
 * @example
 * ```ts
 * localStorageStore({ namespace: userId, localStorage: window.sessionStorage }) // gone when the tab closes
 * ```
 */
export interface LocalStorageStoreOptions extends NamespaceOptions {
  /** The Storage to use; default `globalThis.localStorage`, looked up at each use (SSR-safe). `null`: none. */
  localStorage?: Storage | null
}

/**
 * A store on `localStorage`: the fallback of `indexedDBStore`, usable on its own. Keys are
 * `autosave-kit:<namespace>:<record key>`, values JSON (so only JSON values survive). About 5 MB
 * per origin and synchronous, so prefer `indexedDBStore` for large documents.
 *
 * @example
 * ```ts
 * createAutosave({ key: 'project:42', transport, store: localStorageStore({ namespace: userId }) })
 * ```
 */
export function localStorageStore(options: LocalStorageStoreOptions = {}): AutosaveStore {
  const prefix = storagePrefix(options)

  function storage(): Storage {
    let found: Storage | null | undefined
    try {
      found = options.localStorage !== undefined ? options.localStorage : globalThis.localStorage
    } catch {
      // Reading the global throws a SecurityError when the user blocks site data.
    }
    if (!found) throw new StorageError('STORAGE_UNAVAILABLE', 'localStorage is not available here')
    return found
  }

  function ownKeys(from: Storage): string[] {
    const found: string[] = []
    for (let at = 0; at < from.length; at++) {
      const key = from.key(at)
      if (key?.startsWith(prefix)) found.push(key)
    }
    return found
  }

  return {
    id: `localstorage:${prefix}`,
    async get(key) {
      const raw = storage().getItem(prefix + key)
      if (raw === null) return undefined
      try {
        return JSON.parse(raw)
      } catch (error) {
        throw new StorageError('STORAGE_CORRUPT', `The localStorage record "${key}" is not JSON`, { cause: error })
      }
    },
    setMany: async (entries) => writeSync(entries),
    writeNow(entries) {
      try {
        writeSync(entries)
        return true
      } catch {
        return false
      }
    },
    async delMany(keys) {
      const from = storage()
      for (const key of keys) from.removeItem(prefix + key)
    },
    async keys() {
      return ownKeys(storage()).map((key) => key.slice(prefix.length))
    },
    async clear() {
      const from = storage()
      for (const key of ownKeys(from)) from.removeItem(key)
    },
  }

  /** localStorage is synchronous: the one store a page-exit event can still write to for sure. */
  function writeSync(entries: ReadonlyArray<readonly [string, unknown]>): void {
    const to = storage()
    const previous: Array<[string, string | null]> = []
    try {
      for (const [key, value] of entries) {
        previous.push([prefix + key, to.getItem(prefix + key)])
        const json = JSON.stringify(value)
        if (json === undefined) to.removeItem(prefix + key)
        else to.setItem(prefix + key, json)
      }
    } catch (error) {
      // localStorage has no transactions: undo the part of the batch already written.
      for (const [key, old] of previous.reverse()) {
        try {
          if (old === null) to.removeItem(key)
          else to.setItem(key, old)
        } catch {
          // Restoring a larger old value can hit the quota too; the newer value then stays.
        }
      }
      throw toStorageError(error, 'STORAGE_WRITE', 'Writing to localStorage failed')
    }
  }
}
