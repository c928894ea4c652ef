/**
 * Where a store keeps its records: one namespace per user (or app) sharing a browser.
 *
 * @example
 * ```ts
 * indexedDBStore({ namespace: userId, dbName: 'my-app' }) // the IndexedDB database "my-app:<userId>"
 * ```
 */
export interface NamespaceOptions {
  /** Separates users (or apps) sharing a browser. Default `'default'`. */
  namespace?: string
  /** Prefix of the IndexedDB database name and of the localStorage keys. Default `'autosave-kit'`. */
  dbName?: string
}

/** The IndexedDB database a namespace lives in: one database per namespace, so `clearLocalData` can delete it whole. */
export function databaseName({ namespace = 'default', dbName = 'autosave-kit' }: NamespaceOptions = {}): string {
  return `${dbName}:${namespace}`
}

/**
 * The prefix of a namespace's localStorage keys. Escaped because localStorage is one flat list:
 * namespace `a:b` must not read namespace `a`'s record `b:…`.
 */
export function storagePrefix({ namespace = 'default', dbName = 'autosave-kit' }: NamespaceOptions = {}): string {
  return `${encodeURIComponent(dbName)}:${encodeURIComponent(namespace)}:`
}
