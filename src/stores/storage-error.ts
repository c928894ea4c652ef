import { StorageError, type StorageErrorCode } from '../errors'

/** A full disk: `QuotaExceededError` everywhere but in older Firefox's localStorage. */
export function isQuotaError(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name
  return name === 'QuotaExceededError' || name === 'NS_ERROR_DOM_QUOTA_REACHED'
}

/** Wraps what a backend threw: a `StorageError` keeps its code, a full disk becomes `STORAGE_QUOTA`, anything else `code`. */
export function toStorageError(error: unknown, code: StorageErrorCode, message: string): StorageError {
  const reason = error instanceof Error ? error.message || error.name : String(error)
  return new StorageError(error instanceof StorageError ? error.code : isQuotaError(error) ? 'STORAGE_QUOTA' : code, `${message} (${reason})`, { cause: error })
}
