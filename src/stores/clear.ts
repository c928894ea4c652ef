import { StorageError } from '../errors'
import { localStorageStore } from './local-storage'
import { databaseName, type NamespaceOptions } from './namespace'
import { toStorageError } from './storage-error'

/**
 * Options of `clearLocalData`: which namespace to remove, and from where.
 *
 * @example
 * ```ts
 * await clearLocalData({ namespace: userId })
 * await clearLocalData({ namespace: userId, localStorage: null }) // IndexedDB only
 * ```
 */
export interface ClearLocalDataOptions extends NamespaceOptions {
  /** Default `globalThis.indexedDB`; `null`: skip IndexedDB. */
  indexedDB?: IDBFactory | null
  /** Default `globalThis.localStorage`; `null`: skip localStorage. */
  localStorage?: Storage | null
}

/**
 * Removes every draft, snapshot and acknowledged copy of one namespace from this device — for
 * logout: its IndexedDB database (deleted whole, name included) and its localStorage fallback
 * records. Other namespaces are untouched. Dispose the namespace's autosave instances first:
 * a live one would write its pending work back. Resolves when the data is gone. Rejects with
 * `STORAGE_BLOCKED` when a connection that does not close (another tab running an older build,
 * or app code on the same database) holds the database: the localStorage part is gone, and the
 * database is deleted once that tab closes.
 *
 * @example
 * ```ts
 * await Promise.all(savers.map((saver) => saver.dispose()))
 * await clearLocalData({ namespace: userId })
 * ```
 */
export async function clearLocalData(options: ClearLocalDataOptions = {}): Promise<void> {
  let deleting: Promise<unknown> | undefined
  try {
    const factory = options.indexedDB !== undefined ? options.indexedDB : globalThis.indexedDB
    // Our own open connections close on `versionchange`, so the deletion is not blocked by them.
    deleting = factory ? deleteDatabase(factory, databaseName(options)) : undefined
  } catch {
    // No access to IndexedDB at all (SSR, blocked site data): nothing can be stored there.
  }
  try {
    await localStorageStore(options).clear()
  } catch (error) {
    if (!(error instanceof StorageError && error.code === 'STORAGE_UNAVAILABLE')) throw toStorageError(error, 'STORAGE_WRITE', 'Clearing localStorage failed')
  }
  try {
    await deleting
  } catch (error) {
    throw toStorageError(error, 'STORAGE_WRITE', `Deleting the IndexedDB database "${databaseName(options)}" failed`)
  }
}

/** `deleteDatabase` that settles on `blocked` too: waiting for another tab to close could last forever (a logout that never returns). */
function deleteDatabase(factory: IDBFactory, name: string): Promise<void> {
  // Called outside the promise: a synchronous throw (no access to IndexedDB) is skipped by the caller.
  const request = factory.deleteDatabase(name)
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve()
    request.onerror = () => reject(request.error)
    request.onblocked = () =>
      reject(
        new StorageError(
          'STORAGE_BLOCKED',
          `Deleting "${name}" waits for another tab of this app: close the other tabs; the deletion finishes once they are closed`,
        ),
      )
  })
}
