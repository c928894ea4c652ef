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

/**
 * The IndexedDB database a namespace lives in: one database per namespace, so `clearLocalData`
 * can delete it whole. Only `dbName`'s `%` and `:` are escaped: the first `:` then always ends
 * it, so `app` + `x:y` and `app:x` + `y` get two databases, while every name without those
 * characters (the default, namespaces such as `org:7`) stays what it was and keeps its data.
 */
export function databaseName({ namespace = 'default', dbName = 'autosave-kit' }: NamespaceOptions = {}): string {
  return `${dbName.replaceAll('%', '%25').replaceAll(':', '%3A')}:${namespace}`
}

/**
 * The prefix of a namespace's localStorage keys. Escaped because localStorage is one flat list:
 * namespace `a:b` must not read namespace `a`'s record `b:…`.
 */
export function storagePrefix({ namespace = 'default', dbName = 'autosave-kit' }: NamespaceOptions = {}): string {
  return `${encodeURIComponent(dbName)}:${encodeURIComponent(namespace)}:`
}
