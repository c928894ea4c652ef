/**
 * The reference server for autosave-kit's wire protocol: a Fetch API handler
 * (`createAutosaveHandler`) over a document store (`memoryDocumentStore`, or
 * `postgresDocumentStore` for PostgreSQL and PGlite), and `serveNode` to mount it on `node:http`.
 *
 * @module autosave-kit/server
 */
export { createAutosaveHandler, type AutosaveHandler, type AutosaveHandlerOptions, type AuthorizeResult } from './handler'
export {
  InvalidDocumentError,
  type DocumentStore,
  type DocumentStoreOptions,
  type DocumentWrite,
  type DocumentWriteOutcome,
  type StoredDocument,
  type StoredVersion,
} from './document-store'
export type { VersionedDocument } from '../types'
export { memoryDocumentStore, type MemoryDocumentStore, type MemoryDocumentStoreOptions } from './memory-store'
export { postgresDocumentStore, type PostgresDocumentStore, type PostgresDocumentStoreOptions } from './postgres-store'
export {
  migrateAutosaveSchema,
  autosaveMigrations,
  autosaveTables,
  type AutosaveSchemaOptions,
  type AutosaveTables,
  type SqlClient,
} from './postgres-schema'
export { nodeListener, serveNode, toNodeListener, type NodeServer, type ServeNodeOptions } from './node'
export { lockDataDirectory, DataDirectoryLockedError, type DataDirectoryLock, type LockHolder } from './data-directory-lock'
export { MAX_DOCUMENT_DEPTH } from './json-limits'
