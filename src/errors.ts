import type { VersionedDocument } from './types'

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
  readonly code: string

  constructor(code: string, message: string, options?: { cause?: unknown }) {
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

  constructor(
    code:
      | 'SERIALIZATION_CYCLE'
      | 'SERIALIZATION_FUNCTION'
      | 'SERIALIZATION_SYMBOL'
      | 'SERIALIZATION_BIGINT'
      | 'SERIALIZATION_NUMBER'
      | 'SERIALIZATION_DEPTH'
      | 'SERIALIZATION_KEY'
      | 'SERIALIZATION_THREW',
    path: string,
    message: string,
  ) {
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
    const at = first?.path?.length
      ? ` at ${first.path.map((p) => String(typeof p === 'object' ? p.key : p)).join('.')}`
      : ''
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
    code: 'TRANSPORT_NETWORK' | 'TRANSPORT_TIMEOUT' | 'TRANSPORT_HTTP' | 'TRANSPORT_RESPONSE' | 'REMOTE_BEHIND' | string,
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

  constructor(message: string, remote?: RemoteDocument, code = 'CONFLICT') {
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
  constructor(
    code:
      | 'STORAGE_UNAVAILABLE'
      | 'STORAGE_QUOTA'
      | 'STORAGE_WRITE'
      | 'STORAGE_READ'
      | 'STORAGE_CORRUPT'
      | 'STORAGE_VERSION'
      | 'STORAGE_MIGRATE'
      | 'STORAGE_DECRYPT'
      | string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options)
  }
}
