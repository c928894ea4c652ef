/**
 * The framework-agnostic core: `createAutosave` (one engine per document), its transports
 * (`fetchTransport`, `memoryTransport`), stores (`indexedDBStore`, `localStorageStore`,
 * `memoryStore`, `encryptedStore`, `fallbackStore`, `asyncStorageStore` for React Native), `serialize`, `formatStatus`, the merge
 * helpers, the environment seams and the typed errors. Touches no DOM at import time.
 *
 * @module autosave-kit
 */
export { createAutosave } from './engine/autosave'
export { serialize } from './serialize'
export { formatStatus, initialStatus } from './engine/status'
export { diffDocuments } from './patch'
export { threeWayMerge, resolveConflict, type MergeResult, type MergeContext } from './merge'
export { jsonEqual } from './json/json'
export { localTabs, browserTabs, type Tabs, type TabChannel } from './environment/tabs'
export { fetchTransport, serverEvents, type FetchTransportOptions } from './transports/fetch'
export { memoryTransport, type MemoryBackend } from './transports/memory'
export { memoryStore } from './stores/memory'
export { indexedDBStore, clearLocalData, type IndexedDBStoreOptions, type ClearLocalDataOptions } from './stores/indexeddb'
export { localStorageStore, type LocalStorageStoreOptions } from './stores/local-storage'
export { asyncStorageStore, type AsyncStorageLike } from './stores/async-storage'
export { encryptedStore, type EncryptionOptions, type EncryptedRecord } from './stores/encryption'
export { fallbackStore, type StoreBackend } from './stores/fallback'
export type { NamespaceOptions } from './stores/namespace'
export { OnlineManager, onlineManager } from './environment/online'
export { FocusManager, focusManager } from './environment/focus'
export { PageLifecycle, pageLifecycle, type PageExitReason } from './environment/lifecycle'
export { systemClock, type Clock } from './environment/clock'
export type { Environment } from './environment/environment'
export {
  AutosaveError,
  SerializationError,
  ValidationError,
  TransportError,
  ConflictError,
  StorageError,
  type ValidationIssue,
  type RemoteDocument,
  type AutosaveErrorCode,
  type SerializationErrorCode,
  type ValidationErrorCode,
  type TransportErrorCode,
  type ConflictErrorCode,
  type StorageErrorCode,
  type CustomErrorCode,
} from './errors'
export type * from './types'
