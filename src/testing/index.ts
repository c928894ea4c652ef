export {
  createMockBackend,
  DEFAULT_MOCK_BASE_URL,
  type MockBackend,
  type MockBackendOptions,
  type MockRequest,
} from './mock-backend'
export type { MockFailure, FailNextOptions, ConflictingChange } from './faults'
export type { StoredDocument, StoredVersion } from '../server/document-store'
