import { StorageError } from '../errors'
import type { AutosaveStore } from '../types'
import { storagePrefix, type NamespaceOptions } from './namespace'
import { toStorageError } from './storage-error'

/**
 * The part of React Native's `@react-native-async-storage/async-storage` that
 * `asyncStorageStore` uses: version 3's batch methods (`setMany`, `removeMany`), or the
 * `multiSet` / `multiRemove` of versions 1 and 2. Any object with that shape works (a test
 * double, another key-value module).
 *
 * @example
 * ```ts
 * import AsyncStorage from '@react-native-async-storage/async-storage'
 * const storage: AsyncStorageLike = AsyncStorage
 * ```
 */
export interface AsyncStorageLike {
  /** The string stored under `key`, or `null`. */
  getItem(key: string): Promise<string | null | undefined>
  /** Every key in the storage (the store keeps to its namespace's). */
  getAllKeys(): Promise<readonly string[]>
  /** Version 3. */
  setMany?(entries: Record<string, string>): Promise<void>
  /** Version 3. */
  removeMany?(keys: string[]): Promise<void>
  /** Versions 1 and 2. */
  multiSet?(pairs: Array<[string, string]>): Promise<unknown>
  /** Versions 1 and 2. */
  multiRemove?(keys: readonly string[]): Promise<unknown>
}

/**
 * A store on React Native's AsyncStorage: one batch call per `setMany` (the engine's writes
 * of a save travel together), keys `autosave-kit:<namespace>:<record key>` so that accounts
 * and other app data never mix, and `clear()` removes this namespace's keys only. Values are
 * JSON. Pair it with `onlineManager.setEventListener` fed by your network library.
 *
 * @example
 * ```ts
 * import AsyncStorage from '@react-native-async-storage/async-storage'
 * createAutosave({ key: 'project:42', transport, store: asyncStorageStore(AsyncStorage, { namespace: userId }) })
 * ```
 */
export function asyncStorageStore(storage: AsyncStorageLike, options: NamespaceOptions = {}): AutosaveStore {
  const prefix = storagePrefix(options)
  const own = async () => (await storage.getAllKeys()).filter((key) => key.startsWith(prefix))

  const remove = async (keys: string[]) => {
    if (keys.length === 0) return
    if (storage.removeMany) await storage.removeMany(keys)
    else if (storage.multiRemove) await storage.multiRemove(keys)
    else throw new StorageError('STORAGE_UNAVAILABLE', 'The AsyncStorage given has neither removeMany nor multiRemove')
  }

  return {
    id: `async-storage:${prefix}`,
    async get(key) {
      let raw: string | null | undefined
      try {
        raw = await storage.getItem(prefix + key)
      } catch (error) {
        throw toStorageError(error, 'STORAGE_READ', `Reading "${key}" from AsyncStorage failed`)
      }
      if (raw === null || raw === undefined) return undefined
      try {
        return JSON.parse(raw)
      } catch (error) {
        throw new StorageError('STORAGE_CORRUPT', `The AsyncStorage record "${key}" is not JSON`, { cause: error })
      }
    },
    async setMany(entries) {
      const writes: Array<[string, string]> = []
      const removals: string[] = []
      for (const [key, value] of entries) {
        const json = JSON.stringify(value)
        if (json === undefined) removals.push(prefix + key)
        else writes.push([prefix + key, json])
      }
      try {
        if (writes.length > 0) {
          if (storage.setMany) await storage.setMany(Object.fromEntries(writes))
          else if (storage.multiSet) await storage.multiSet(writes)
          else throw new StorageError('STORAGE_UNAVAILABLE', 'The AsyncStorage given has neither setMany nor multiSet')
        }
        await remove(removals)
      } catch (error) {
        throw toStorageError(error, 'STORAGE_WRITE', 'Writing to AsyncStorage failed')
      }
    },
    async delMany(keys) {
      try {
        await remove(keys.map((key) => prefix + key))
      } catch (error) {
        throw toStorageError(error, 'STORAGE_WRITE', 'Removing from AsyncStorage failed')
      }
    },
    async keys() {
      return (await own()).map((key) => key.slice(prefix.length))
    },
    async clear() {
      try {
        await remove(await own())
      } catch (error) {
        throw toStorageError(error, 'STORAGE_WRITE', 'Clearing AsyncStorage failed')
      }
    },
  }
}
