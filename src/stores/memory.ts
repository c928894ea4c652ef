import type { AutosaveStore } from '../types'

/**
 * A store that lives as long as the page: for tests, SSR, and as the last fallback.
 * Records are structured-cloned, as IndexedDB would, so callers never share references.
 *
 * @example
 * ```ts
 * createAutosave({ key: 'draft', transport, store: memoryStore() })
 * ```
 */
export function memoryStore(): AutosaveStore {
  const records = new Map<string, unknown>()
  return {
    get: async (key) => (records.has(key) ? structuredClone(records.get(key)) : undefined),
    setMany: async (entries) => {
      for (const [key, value] of entries) records.set(key, structuredClone(value))
    },
    delMany: async (keys) => {
      for (const key of keys) records.delete(key)
    },
    keys: async () => [...records.keys()],
    clear: async () => records.clear(),
    isDurable: () => false,
  }
}
