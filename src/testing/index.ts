/**
 * An in-memory autosave server for msw, with switches for the failures autosave exists to
 * survive (5xx with `Retry-After`, dropped connections, lost responses, offline, conflicts).
 *
 * @module autosave-kit/testing
 */
export {
  createMockBackend,
  DEFAULT_MOCK_BASE_URL,
  type MockBackend,
  type MockBackendOptions,
  type MockRequest,
} from './mock-backend'
export type { MockFailure, FailNextOptions, ConflictingChange } from './faults'
export type { StoredDocument, StoredVersion } from '../server/document-store'
export type { VersionedDocument } from '../types'
