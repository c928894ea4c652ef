import type { AutosaveError, RemoteDocument } from './errors'
import type { Environment } from './environment/environment'

/** A JSON value: what `serialize` produces and what crosses the wire. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

/** One RFC 6902 operation. */
export type JsonPatchOperation =
  | { op: 'add' | 'replace' | 'test'; path: string; value: Json }
  | { op: 'remove'; path: string }
  | { op: 'move' | 'copy'; from: string; path: string }

/** The server's copy of a document. */
export interface LoadedDocument {
  readonly data: Json
  /** Grows by one per applied write. */
  readonly version: number
  readonly updatedAt: string
}

/** What the engine asks a transport to write. */
export interface WriteRequest {
  readonly key: string
  /** The version the write is based on; `null` for the first write of a document. */
  readonly baseVersion: number | null
  /** The same for every retry of one write, so the server applies it at most once. */
  readonly idempotencyKey: string
  /** The whole new document (always present; transports that cannot patch send this). */
  readonly data: Json
  /** RFC 6902 patch from the document at `baseVersion` to `data`, when that base is known. */
  readonly patch?: readonly JsonPatchOperation[] | undefined
  readonly signal?: AbortSignal | undefined
  /** Set on page exit: the request must survive the page being unloaded. */
  readonly keepalive?: boolean | undefined
}

/** What a successful write answers. */
export interface WriteResult {
  readonly version: number
  readonly updatedAt: string
}

/**
 * How documents reach a backend. Implement it to save through GraphQL, Supabase, a
 * WebSocket…; failures are thrown as `TransportError` (with `retryable`) or, when the
 * base version is stale, `ConflictError` carrying the server's document.
 *
 * @example
 * ```ts
 * const transport: Transport = {
 *   async load(key) { return undefined },
 *   async write(req) { return { version: (req.baseVersion ?? 0) + 1, updatedAt: new Date().toISOString() } },
 * }
 * ```
 */
export interface Transport {
  /** The server's document, or `undefined` when there is none (404). */
  load(key: string, options?: { signal?: AbortSignal }): Promise<LoadedDocument | undefined>
  write(request: WriteRequest): Promise<WriteResult>
}

/**
 * A durable key-value store for the outbox, the last acknowledged document and history.
 * Values are structured-cloneable JSON-ish records. Implementations reject with
 * `StorageError`.
 *
 * @example
 * ```ts
 * const store = memoryStore()
 * await store.setMany([['a', 1]]); await store.get('a') // 1
 * ```
 */
export interface AutosaveStore {
  get(key: string): Promise<unknown>
  /** Writes all entries in one transaction where the backend has transactions. */
  setMany(entries: ReadonlyArray<readonly [string, unknown]>): Promise<void>
  delMany(keys: readonly string[]): Promise<void>
  keys(): Promise<string[]>
  /** Removes every record of this store (its namespace only). */
  clear(): Promise<void>
  /**
   * Optional: names the store's scope (e.g. `indexeddb:autosave-kit:user-7`). Instances share
   * tab messages and locks only with instances on a store of the same id, so two accounts in
   * one browser never exchange drafts.
   */
  readonly id?: string
  /**
   * Optional: the store reports degradation it handled itself (e.g. IndexedDB failed and it
   * fell back to localStorage). Returns an unsubscribe function.
   */
  onError?(listener: (error: AutosaveError) => void): () => void
}

/** Where a save is in its life. */
export type Phase =
  | 'idle'
  | 'pending'
  | 'saving'
  | 'saved'
  | 'offline'
  | 'retrying'
  | 'error'
  | 'conflict'

/** A snapshot of the engine's progress; a new object on every change. */
export interface AutosaveStatus {
  readonly phase: Phase
  /** When the server last acknowledged a write (ms since epoch), or `null`. */
  readonly lastSavedAt: number | null
  /** The last error, cleared by the next acknowledged write. */
  readonly error: AutosaveError | null
  /** True while some state given to `save()` is not yet acknowledged. */
  readonly pending: boolean
  /** When `phase` is `'retrying'`/`'offline'` with a scheduled attempt: when it will run. */
  readonly retryAt: number | null
  /** The server version the current state is based on, or `null` before the first write. */
  readonly version: number | null
}

/** Three sides of a conflict, as JSON. */
export interface ConflictContext<State = unknown> {
  /** The last document this client saw acknowledged (undefined if none). */
  readonly base: State | undefined
  readonly local: State
  readonly remote: State
}

export type ConflictStrategy<State = unknown> =
  | 'merge'
  | 'local-wins'
  | 'remote-wins'
  | ((context: ConflictContext<State>) => State)

/** Retry bounds (p-retry's names). */
export interface RetryOptions {
  /** Attempts after the first for HTTP failures; network failures while offline do not count. Default 8. */
  retries?: number
  /** First backoff in ms. Default 500. */
  minTimeout?: number
  /** Backoff ceiling in ms. Default 30000. */
  maxTimeout?: number
  /** Growth per attempt. Default 2. */
  factor?: number
  /** Multiply each delay by a random factor in [1, 2). Default true. */
  randomize?: boolean
}

/** A Standard Schema (zod 4, valibot, arktype…). Only the `~standard` member is used. */
export interface StandardSchema<Output = unknown> {
  readonly '~standard': {
    readonly version: 1
    readonly vendor: string
    readonly validate: (
      value: unknown,
    ) =>
      | { readonly value: Output; readonly issues?: undefined }
      | { readonly issues: ReadonlyArray<{ readonly message: string; readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined }> }
      | Promise<
          | { readonly value: Output; readonly issues?: undefined }
          | { readonly issues: ReadonlyArray<{ readonly message: string; readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined }> }
        >
  }
}

export interface SerializeOptions {
  /** Returns an id for a File (e.g. after uploading it) to keep beside its metadata. */
  fileId?: (file: File) => string | undefined
}

export interface AutosaveOptions<State> {
  /** Document id; also names the local records. */
  key: string
  transport: Transport
  /** Durable local buffer. Default: `indexedDBStore()` where IndexedDB exists, else `memoryStore()`. */
  store?: AutosaveStore
  /** Validates the serialized state before it is sent and after it is restored. */
  schema?: StandardSchema<unknown>
  /** Trailing debounce before a write. Default 3000. */
  debounceMs?: number
  /** A burst of saves never delays a write longer than this. Default 10000. */
  maxWaitMs?: number
  /** Each saved state is in the store within this many ms. Default 300 (≤ 1000). */
  localDelayMs?: number
  retry?: RetryOptions
  /** How a 412 is resolved. Default `'merge'`. */
  conflict?: ConflictStrategy<Json>
  /** Rounds of conflict resolution without progress before phase `conflict`. Default 5. */
  maxConflictRounds?: number
  /** Local snapshots kept for `rollback`. Default `{ limit: 20 }`; `false` keeps none. */
  history?: { limit?: number } | false
  /** Ask the browser to confirm leaving while work is not acknowledged. Default false. */
  warnOnUnload?: boolean
  /** Options for the serializer (e.g. `fileId`). */
  serialize?: SerializeOptions
  /** Version of your state's shape, stored with each local record. Default 1. */
  version?: number
  /** Upgrades a record stored by an older `version`. */
  migrate?: (persisted: unknown, fromVersion: number) => unknown
  /** Replace clocks, online state, page lifecycle, tabs (tests, SSR, React Native). */
  environment?: Partial<Environment>
}

export interface SavedEvent {
  readonly version: number
  readonly updatedAt: string
  readonly data: Json
}

export interface RetryEvent {
  /** 1 for the first retry. */
  readonly attempt: number
  readonly delayMs: number
  readonly retryAt: number
  readonly error: AutosaveError
}

export interface ConflictEvent {
  readonly strategy: 'merge' | 'local-wins' | 'remote-wins' | 'custom'
  /** JSON Pointer paths both sides changed. */
  readonly paths: readonly string[]
  readonly remoteVersion: number
  readonly resolved: Json
}

export interface RemoteChangeEvent<State> {
  readonly state: State
  readonly version: number
  /** `'tab'`: another tab on this device; `'server'`: a conflict brought in the server's changes. */
  readonly source: 'tab' | 'server'
}

export interface HistoryEntry {
  readonly id: string
  readonly savedAt: number
  readonly version: number
}

export type AutosaveEvents<State> = {
  status: AutosaveStatus
  saved: SavedEvent
  error: AutosaveError
  conflict: ConflictEvent
  retry: RetryEvent
  'remote-change': RemoteChangeEvent<State>
}

/** The object `createAutosave` returns. */
export interface Autosave<State> {
  readonly key: string
  /** Schedules a debounced save of the whole new state (or of `fn(prev)`). Cheap and synchronous. */
  save(next: State | ((prev: State | undefined) => State)): void
  /** Sends now; resolves when everything saved so far is acknowledged. */
  flush(options?: { signal?: AbortSignal }): Promise<void>
  /** The newest of unsent local work and the server's document. */
  restore(): Promise<State | undefined>
  getState(): State | undefined
  getStatus(): AutosaveStatus
  subscribe(listener: () => void): () => void
  on<K extends keyof AutosaveEvents<State>>(type: K, handler: (event: AutosaveEvents<State>[K]) => void): void
  off<K extends keyof AutosaveEvents<State>>(type: K, handler: (event: AutosaveEvents<State>[K]) => void): void
  history(): Promise<HistoryEntry[]>
  rollback(id: string): Promise<State>
  /** Removes every listener and timer; pending work stays in the store. Resolves once it is written. */
  dispose(): Promise<void>
}

export type { RemoteDocument }
