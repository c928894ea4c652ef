import type { VersionedDocument } from './types'

/**
 * Every `code` an error raised by autosave-kit can carry, one union for `switch (error.code)`.
 * A custom transport or store may throw the same classes with codes of its own (e.g.
 * `'GRAPHQL'`), which is why `AutosaveError.code` also admits any other string.
 *
 * @example
 * ```ts
 * saver.on('error', (error) => {
 *   const code: AutosaveErrorCode | string = error.code
 *   if (code === 'STORAGE_QUOTA') warnUser()
 * })
 * ```
 */
export type AutosaveErrorCode =
  | SerializationErrorCode
  | ValidationErrorCode
  | TransportErrorCode
  | ConflictErrorCode
  | StorageErrorCode
  /** Options that cannot work (`createAutosave`, `fetchTransport`). */
  | 'INVALID_OPTIONS'
  /** `save()`/`flush()` after `dispose()`, or a save the disposal cut short. */
  | 'DISPOSED'
  /** A read that gave way to a page-exit save. */
  | 'ABORTED'
  /** Something that is not an `AutosaveError` was thrown while saving (a bug in a custom transport). */
  | 'UNEXPECTED'
  /** `rollback(id)` with an id not in `history()`. */
  | 'HISTORY_NOT_FOUND'
  /** autosave-kit/server: a document the store cannot hold (`InvalidDocumentError`). */
  | 'SERVER_INVALID_DOCUMENT'
  /** autosave-kit/server: another process holds the data directory (`DataDirectoryLockedError`). */
  | 'SERVER_DATA_DIR_LOCKED'

/**
 * The codes of `SerializationError`: what in the value cannot become JSON.
 *
 * @example
 * ```ts
 * const code: SerializationErrorCode = 'SERIALIZATION_CYCLE'
 * ```
 */
export type SerializationErrorCode =
  | 'SERIALIZATION_CYCLE'
  | 'SERIALIZATION_FUNCTION'
  | 'SERIALIZATION_SYMBOL'
  | 'SERIALIZATION_BIGINT'
  | 'SERIALIZATION_NUMBER'
  | 'SERIALIZATION_DEPTH'
  | 'SERIALIZATION_KEY'
  | 'SERIALIZATION_THREW'

/**
 * The codes of `ValidationError`: found before a write, or in restored data.
 *
 * @example
 * ```ts
 * const code: ValidationErrorCode = 'VALIDATION_RESTORE'
 * ```
 */
export type ValidationErrorCode = 'VALIDATION_SEND' | 'VALIDATION_RESTORE'

/**
 * The codes of `TransportError` that autosave-kit's own transports and engine raise.
 *
 * @example
 * ```ts
 * const code: TransportErrorCode = 'TRANSPORT_NETWORK'
 * ```
 */
export type TransportErrorCode =
  | 'TRANSPORT_NETWORK'
  | 'TRANSPORT_TIMEOUT'
  | 'TRANSPORT_HTTP'
  | 'TRANSPORT_RESPONSE'
  /** A key `fetchTransport` cannot put in a URL. */
  | 'TRANSPORT_KEY'
  /** `headers()` threw or returned what fetch cannot send. */
  | 'TRANSPORT_HEADERS'
  /** `sendBeacon` refused the page-exit write. */
  | 'TRANSPORT_BEACON'
  /** The server answered with an older version than one it acknowledged before. */
  | 'REMOTE_BEHIND'

/**
 * The codes of `ConflictError`.
 *
 * @example
 * ```ts
 * const code: ConflictErrorCode = 'CONFLICT_UNRESOLVED'
 * ```
 */
export type ConflictErrorCode =
  /** A stale write (HTTP 412); the engine resolves it with the `conflict` strategy. */
  | 'CONFLICT'
  /** The `conflict` strategy is unknown, threw, or returned nothing. */
  | 'CONFLICT_STRATEGY'
  /** The server kept changing under every merge. */
  | 'CONFLICT_UNRESOLVED'

/**
 * The codes of `StorageError`.
 *
 * @example
 * ```ts
 * const code: StorageErrorCode = 'STORAGE_QUOTA'
 * ```
 */
export type StorageErrorCode =
  | 'STORAGE_UNAVAILABLE'
  | 'STORAGE_QUOTA'
  | 'STORAGE_WRITE'
  | 'STORAGE_READ'
  | 'STORAGE_CORRUPT'
  | 'STORAGE_VERSION'
  | 'STORAGE_MIGRATE'
  | 'STORAGE_DECRYPT'
  /** `clearLocalData()` could not delete a database another tab holds open. */
  | 'STORAGE_BLOCKED'

/**
 * A code of one's own, for a custom transport or store: any string. Written so (`string & {}`)
 * that editors still complete the known `AutosaveErrorCode`s beside it.
 *
 * @example
 * ```ts
 * throw new TransportError('GRAPHQL', 'the query failed', { retryable: false })
 * ```
 */
export type CustomErrorCode = string & Record<never, never>

/**
 * Every error autosave-kit raises is an `AutosaveError` with a stable `code`, so callers
 * branch on `error.code` (or `instanceof`) instead of parsing messages.
 *
 * @example
 * ```ts
 * saver.on('error', (error) => {
 *   if (error instanceof TransportError && error.status === 401) redirectToLogin()
 * })
 * ```
 */
export class AutosaveError extends Error {
  /** Stable machine-readable code, e.g. `'TRANSPORT_HTTP'`, `'SERIALIZATION_CYCLE'`. */
  readonly code: AutosaveErrorCode | CustomErrorCode

  constructor(code: AutosaveErrorCode | CustomErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = new.target.name
    this.code = code
  }
}

/**
 * A value given to `save()` cannot become JSON. `path` names the place, e.g.
 * `chat[3].files.images[0]`.
 *
 * @example
 * ```ts
 * try { serialize({ a: () => 1 }) } catch (e) { if (e instanceof SerializationError) e.path } // 'a'
 * ```
 */
export class SerializationError extends AutosaveError {
  /** Where in the value the offending part sits (`''` for the root). */
  readonly path: string

  constructor(code: SerializationErrorCode, path: string, message: string) {
    super(code, `${message} at ${path === '' ? '(root)' : path}`)
    this.path = path
  }
}

/**
 * One problem found by a schema, in Standard Schema form: `ValidationError.issues`.
 *
 * @example
 * ```ts
 * saver.restore().catch((error) => {
 *   if (error instanceof ValidationError) for (const issue of error.issues) console.log(issue.path, issue.message)
 * })
 * ```
 */
export interface ValidationIssue {
  readonly message: string
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined
}

/**
 * State (about to be sent, or restored) does not match `schema`. Nothing is sent and
 * nothing is deleted; `issues` lists what is wrong.
 *
 * @example
 * ```ts
 * saver.restore().catch((e) => { if (e instanceof ValidationError) console.table(e.issues) })
 * ```
 */
export class ValidationError extends AutosaveError {
  readonly issues: readonly ValidationIssue[]
  /** `'send'` when found before a write, `'restore'` when found in stored or server data. */
  readonly stage: 'send' | 'restore'

  constructor(issues: readonly ValidationIssue[], stage: 'send' | 'restore', where = '') {
    const first = issues[0]
    const at = first?.path?.length ? ` at ${first.path.map((p) => String(typeof p === 'object' ? p.key : p)).join('.')}` : ''
    super(
      stage === 'send' ? 'VALIDATION_SEND' : 'VALIDATION_RESTORE',
      `${where}schema rejected the ${stage === 'send' ? 'state to send' : 'restored state'}${at}: ${first?.message ?? 'invalid'}${issues.length > 1 ? ` (+${issues.length - 1} more)` : ''}`,
    )
    this.issues = issues
    this.stage = stage
  }
}

/**
 * A transport request failed. `retryable` says whether autosave-kit will try again
 * (network errors, 408, 429, 5xx); `status` is the HTTP status (0 for network errors).
 *
 * @example
 * ```ts
 * saver.on('error', (e) => { if (e instanceof TransportError && !e.retryable) showBanner(e.message) })
 * ```
 */
export class TransportError extends AutosaveError {
  readonly status: number
  readonly retryable: boolean
  /** Server-requested wait before the next attempt (from `Retry-After`), in ms. */
  readonly retryAfterMs: number | undefined

  constructor(
    code: TransportErrorCode | CustomErrorCode,
    message: string,
    options: { status?: number; retryable?: boolean; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(code, message, { cause: options.cause })
    this.status = options.status ?? 0
    this.retryable = options.retryable ?? false
    this.retryAfterMs = options.retryAfterMs
  }
}

/**
 * The server's current copy, carried by a `412` answer as `ConflictError.remote`: a
 * `VersionedDocument` whose `updatedAt` may be missing. A custom transport builds it from its
 * backend's answer so the engine can merge without another read.
 *
 * @example
 * ```ts
 * // In a custom transport's write(), when the backend reports a stale version:
 * throw new ConflictError(`"${key}" changed on the server`, { data: current.data, version: current.version })
 * ```
 */
export type RemoteDocument = Omit<VersionedDocument<unknown>, 'updatedAt'> & { readonly updatedAt?: string | undefined }

/**
 * The server holds a newer version than the write was based on (HTTP 412). Transports
 * throw it with the server's document; the engine resolves it with the `conflict`
 * strategy. It surfaces to users only when resolution cannot make progress.
 *
 * @example
 * ```ts
 * saver.on('error', (e) => { if (e instanceof ConflictError) console.log(e.remote?.version) })
 * ```
 */
export class ConflictError extends AutosaveError {
  readonly remote: RemoteDocument | undefined

  constructor(message: string, remote?: RemoteDocument, code: ConflictErrorCode | CustomErrorCode = 'CONFLICT') {
    super(code, message)
    this.remote = remote
  }
}

/**
 * The local store failed (IndexedDB missing or blocked, quota exceeded, a corrupt record).
 * The engine keeps working — on a fallback store or on the network alone — and reports it.
 *
 * @example
 * ```ts
 * saver.on('error', (e) => { if (e instanceof StorageError && e.code === 'STORAGE_QUOTA') warnUser() })
 * ```
 */
export class StorageError extends AutosaveError {
  constructor(code: StorageErrorCode | CustomErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options)
  }
}
