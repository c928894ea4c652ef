import { AutosaveError } from '../errors'
import type { Json, JsonPatchOperation, VersionedDocument } from '../types'

/**
 * A document as a store holds it (a `VersionedDocument`).
 *
 * @deprecated Use `VersionedDocument`, the one document type the client and the server share; this name stays for 0.1 code.
 *
 * @example
 * ```ts
 * const doc: VersionedDocument | undefined = await store.get('project:42')
 * // { data: { currentStep: 'video_styles', … }, version: 3, updatedAt: '2025-06-01T12:00:00.000Z' }
 * ```
 */
export type StoredDocument = VersionedDocument

/**
 * One entry of a document's server-side history.
 *
 * @example
 * ```ts
 * const versions: StoredVersion[] = await store.history('project:42', { limit: 10 }) // newest first
 * ```
 */
export interface StoredVersion extends VersionedDocument {
  readonly key: string
}

/**
 * A conditional write, as the handler asks a store to apply it.
 *
 * @example
 * ```ts
 * const outcome = await store.write({
 *   key: 'project:42',
 *   baseVersion: 3,
 *   next: (current) => ({ ...(current as object), currentStep: 'completed' }),
 *   idempotency: { scope: userId, key: idempotencyKey },
 * })
 * ```
 */
export interface DocumentWrite {
  readonly key: string
  /**
   * The version the writer started from. `0` means "there is no document yet": a missing
   * document is version 0 with `data: null`, so first writes need no special case.
   */
  readonly baseVersion: number
  /**
   * The whole new document, or a function that computes it from the data at `baseVersion`
   * (`null` when there is no document). The function runs only when `baseVersion` is
   * current; whatever it throws is passed to the caller and nothing is written. `current`
   * is the function's own copy: it may modify it and return it (no store holds on to it).
   */
  readonly next: Json | ((current: Json | null) => Json)
  /**
   * The RFC 6902 patch `next` applies, when the write is a PATCH. A store may keep it as the
   * history entry instead of the whole document; `applyJsonPatch` on the previous version
   * gives the new one back.
   */
  readonly patch?: readonly JsonPatchOperation[] | undefined
  /**
   * When present, the store applies at most one write per `(scope, key, idempotency key)`
   * while the record lives, and answers the first result to every repetition. `fingerprint`
   * identifies the request's content: a store that keeps it returns it with a replay, so the
   * handler can tell a retry (same content) from a reused key (different content: 422).
   */
  readonly idempotency?: { readonly scope: string; readonly key: string; readonly fingerprint?: string | undefined } | undefined
}

/**
 * What a store did with a write: `applied`, `replayed` (a repeated idempotency key) or
 * `conflict` (a stale base version).
 *
 * @example
 * ```ts
 * const outcome: DocumentWriteOutcome = await store.write({ key: 'project:42', baseVersion: 3, next: data })
 * if (outcome.status === 'conflict') console.log('now at version', outcome.current?.version ?? 0)
 * else console.log('version', outcome.version)
 * ```
 */
export type DocumentWriteOutcome =
  | { readonly status: 'applied'; readonly version: number; readonly updatedAt: string }
  /** The idempotency key was seen before: nothing applied, this is the first result again. */
  | { readonly status: 'replayed'; readonly version: number; readonly updatedAt: string; readonly fingerprint?: string | undefined }
  /** `baseVersion` is not the current version; `current` is undefined when there is no document. */
  | { readonly status: 'conflict'; readonly current: VersionedDocument | undefined }

/**
 * Where `createAutosaveHandler` keeps documents. `memoryDocumentStore()` and
 * `postgresDocumentStore(client)` implement it; implement it yourself for another database.
 * The one hard rule: `write` must compare `baseVersion` and write in one atomic step, so two
 * concurrent writers on the same base cannot both win.
 *
 * @example
 * ```ts
 * const store: DocumentStore = memoryDocumentStore()
 * await store.write({ key: 'project:42', baseVersion: 0, next: { step: 'intro' } })
 * await store.get('project:42') // { data: { step: 'intro' }, version: 1, updatedAt: '…' }
 * ```
 */
export interface DocumentStore {
  /** The current document, or `undefined` when there is none. */
  get(key: string): Promise<VersionedDocument | undefined>
  /** Applies a write if `baseVersion` is current (atomically), replays a repeated idempotency key, or reports the conflict. */
  write(write: DocumentWrite): Promise<DocumentWriteOutcome>
  /** Server-side history of `key`, newest first (as many as the store keeps). */
  history(key: string, options?: { limit?: number }): Promise<StoredVersion[]>
  /** Removes a document, its history and its idempotency records. */
  delete(key: string): Promise<void>
}

/**
 * Store tuning shared by the memory and PostgreSQL stores.
 *
 * @example
 * ```ts
 * postgresDocumentStore(pool, { historyLimit: 10, idempotencyTtlMs: 60 * 60 * 1000 })
 * ```
 */
export interface DocumentStoreOptions {
  /** How long a repeated Idempotency-Key is answered from the first result. Default 24 h. */
  idempotencyTtlMs?: number
  /** Versions kept per document in the history; 0 keeps none. Default 50. */
  historyLimit?: number
}

export const DEFAULT_IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000
export const DEFAULT_HISTORY_LIMIT = 50

/**
 * The document cannot be stored as it is (for example PostgreSQL `jsonb` rejects the
 * character U+0000). The handler answers 400 with the message.
 *
 * @example
 * ```ts
 * try { await store.write(write) } catch (e) { if (e instanceof InvalidDocumentError) e.code } // 'SERVER_INVALID_DOCUMENT'
 * ```
 */
export class InvalidDocumentError extends AutosaveError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SERVER_INVALID_DOCUMENT', message, options)
  }
}

/**
 * A document's JSON text as the handler serialized it (to check its size), and a bound on how
 * deeply it nests when one is known, so neither is computed a second time.
 */
export interface JsonText {
  readonly text: string
  /** At least the nesting of the deepest container (`[]` is 1), or undefined when not known. */
  readonly depthAtMost?: number | undefined
}

// JSON text of documents the handler has already serialized (to check their size), so a store
// that sends JSON text does not serialize the same object a second time.
const serialized = new WeakMap<object, JsonText>()

/** Records `text` as the JSON of `data` until `data` is handed to a writer again. */
export function rememberJson(data: Json, text: string, depthAtMost?: number): void {
  if (data !== null && typeof data === 'object') serialized.set(data, { text, depthAtMost })
}

/** Forgets the remembered text of `data` (it is about to be modified). */
export function forgetJson(data: Json): void {
  if (data !== null && typeof data === 'object') serialized.delete(data)
}

/** `JSON.stringify(data)`, or the text `rememberJson` recorded for this very object. */
export function jsonText(data: Json): string {
  return serializedJson(data).text
}

/** What `rememberJson` recorded for this very object, or `JSON.stringify(data)` (depth unknown). */
export function serializedJson(data: Json): JsonText {
  return (data !== null && typeof data === 'object' ? serialized.get(data) : undefined) ?? { text: JSON.stringify(data) }
}

/** What `rememberJson` recorded for this very object, without serializing it when nothing was. */
export function rememberedJson(data: Json): JsonText | undefined {
  return data !== null && typeof data === 'object' ? serialized.get(data) : undefined
}

// What a document a store hands to `next` looked like as JSON when it was handed over: the
// patch budget's starting size and depth, so a PATCH costs what it changes, not a serialization
// of the whole document. Only a measure of where the document started (`next` may modify it,
// and whatever it returns is serialized afresh), never a text to store.
const origins = new WeakMap<object, JsonText>()

/**
 * Records how `data`, about to be handed to `next`, looks as JSON: its text (or, read back
 * from the database, an equivalent text at least as long) and, when known, its depth.
 */
export function rememberOrigin(data: Json, json: JsonText): void {
  if (data !== null && typeof data === 'object') origins.set(data, json)
}

/** What `rememberOrigin` recorded for `data`, once (the record goes with the first reader). */
export function takeOrigin(data: Json): JsonText | undefined {
  if (data === null || typeof data !== 'object') return undefined
  const origin = origins.get(data)
  origins.delete(data)
  return origin
}
