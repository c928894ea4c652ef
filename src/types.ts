import type { AutosaveError, RemoteDocument } from './errors'
import type { Environment } from './environment/environment'

/**
 * A JSON value: what `serialize` produces and what crosses the wire.
 *
 * @example
 * ```ts
 * const doc: Json = serialize({ createdAt: new Date(0), tags: new Set(['pop']) })
 * // { createdAt: '1970-01-01T00:00:00.000Z', tags: ['pop'] }
 * ```
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

/**
 * What `serialize` keeps of a `File` (and what a restored state holds in its place).
 *
 * @example
 * ```ts
 * type Upload = { audio: File }
 * const restored: Jsonified<Upload> = { audio: { name: 'demo.mp3', size: 1024, type: 'audio/mpeg', lastModified: 0 } }
 * const meta: FileMetadata = restored.audio
 * ```
 */
export interface FileMetadata {
  name: string
  size: number
  type: string
  lastModified: number
  /** What the `fileId` serialize option returned for the file, if anything. */
  fileId?: string
}

/**
 * What `serialize` keeps of a `Blob` (or an `ArrayBuffer` / typed array, `type` then `''`).
 *
 * @example
 * ```ts
 * const meta: BlobMetadata = serialize(new Blob(['hi'], { type: 'text/plain' })) as BlobMetadata // { size: 2, type: 'text/plain' }
 * ```
 */
export interface BlobMetadata {
  size: number
  type: string
}

/**
 * The JSON form of `T`, as `serialize` makes it and as a restore (or another tab) gives it
 * back: `Date` → ISO string, `Set` → array, `Map` → object, `File` → `FileMetadata`, `Blob` →
 * `BlobMetadata`, functions and symbols gone. For a state that is plain JSON it is `T` itself.
 *
 * @example
 * ```ts
 * type Draft = { at: Date; tags: Set<string>; cover?: File }
 * const back: Jsonified<Draft> = { at: '2026-01-01T00:00:00.000Z', tags: ['pop'] }
 * ```
 */
export type Jsonified<T> = T extends string | number | boolean | null | undefined
  ? T
  : T extends Date
    ? string
    : T extends File
      ? FileMetadata
      : T extends Blob | ArrayBuffer | ArrayBufferView
        ? BlobMetadata
        : T extends ReadonlyMap<PropertyKey, infer V>
          ? { [key: string]: Jsonified<V> }
          : T extends ReadonlySet<infer V>
            ? Jsonified<V>[]
            : T extends (...args: never[]) => unknown
              ? never
              : T extends readonly unknown[]
                ? { [I in keyof T]: Jsonified<T[I]> }
                : { [K in keyof T as T[K] extends ((...args: never[]) => unknown) | symbol ? never : K extends symbol ? never : K]: Jsonified<T[K]> }

/**
 * What comes back from `restore()` / React's `restored` for a `State`: `State` itself when it
 * is plain JSON (nothing changes for such states), else its `Jsonified` form — unless a
 * `deserialize` option turns it back into `State`.
 *
 * @example
 * ```ts
 * type Plain = { step: string }
 * const same: Restored<Plain> = { step: 'a' }            // Plain
 * const json: Restored<{ at: Date }> = { at: '2026-01-01T00:00:00.000Z' }   // { at: string }
 * ```
 */
export type Restored<State> = [Jsonified<State>] extends [State] ? State : Jsonified<State>

/**
 * One RFC 6902 operation, as `diffDocuments` produces them and `PATCH` requests carry them.
 *
 * @example
 * ```ts
 * const ops: JsonPatchOperation[] = diffDocuments({ step: 'a' }, { step: 'b' })!
 * // [{ op: 'replace', path: '/step', value: 'b' }]
 * ```
 */
export type JsonPatchOperation =
  | { op: 'add' | 'replace' | 'test'; path: string; value: Json }
  | { op: 'remove'; path: string }
  | { op: 'move' | 'copy'; from: string; path: string }

/**
 * A document at one version: what the server stores, `Transport.load` returns and a `412`
 * carries: the one document type client and server share. `LoadedDocument` and `StoredDocument`
 * are deprecated aliases of it; `RemoteDocument` is it with `updatedAt` optional (a custom
 * transport's 412 may not know it).
 *
 * @example
 * ```ts
 * const doc: VersionedDocument | undefined = await transport.load('project:42')
 * if (doc) console.log(`version ${doc.version}, stored at ${doc.updatedAt}`)
 * ```
 */
export interface VersionedDocument<Data = Json> {
  readonly data: Data
  /** 1 for the first write; grows by one per applied write. */
  readonly version: number
  /** ISO 8601. */
  readonly updatedAt: string
}

/**
 * The server's copy of a document, as `Transport.load` returns it (a `VersionedDocument`).
 *
 * @deprecated Use `VersionedDocument`, the one document type of the wire protocol; this name stays for 0.1 code.
 *
 * @example
 * ```ts
 * const doc: LoadedDocument | undefined = await transport.load('project:42')
 * if (doc) console.log(`version ${doc.version}, stored at ${doc.updatedAt}`)
 * ```
 */
export type LoadedDocument = VersionedDocument

/**
 * What the engine asks a transport to write. The transport sends `patch` when it has one and
 * its backend can apply it, `data` otherwise; it rejects a stale `baseVersion` with a
 * `ConflictError` and must apply one `idempotencyKey` at most once.
 *
 * @example
 * ```ts
 * const transport: Transport = {
 *   load: async (key) => backend.load(key),
 *   async write(request: WriteRequest) {
 *     const { key, baseVersion, idempotencyKey, data, signal } = request
 *     return backend.save({ key, expectedVersion: baseVersion ?? 0, requestId: idempotencyKey, data }, { signal })
 *   },
 * }
 * ```
 */
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

/**
 * What a successful write answers: the document's new version (the base of the next write)
 * and when the server stored it.
 *
 * @example
 * ```ts
 * const result: WriteResult = await transport.write(request) // { version: 8, updatedAt: '2025-06-01T12:00:00.000Z' }
 * ```
 */
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
  load(key: string, options?: { signal?: AbortSignal }): Promise<VersionedDocument | undefined>
  /**
   * Optional: the server's document only if it is newer than `version` (HTTP `If-None-Match`,
   * answered 304): `'unchanged'` when `version` is still current. The engine revalidates with it
   * when the page comes back into view and on reconnect; without it, it uses `load`.
   */
  loadIfChanged?(key: string, options: { version: number; signal?: AbortSignal }): Promise<VersionedDocument | 'unchanged' | undefined>
  /** Writes a document: resolves with the new version, or throws `TransportError` / `ConflictError`. */
  write(request: WriteRequest): Promise<WriteResult>
  /**
   * Optional: calls `onVersion` whenever the server announces a version of `key` (after every
   * write, from any device); returns a function that stops. With `revalidate: { push: true }`
   * the engine then revalidates. `serverEvents({ baseUrl })` listens to the reference server's
   * `GET {baseUrl}/{key}/events`.
   */
  watch?(key: string, onVersion: (version: number) => void): () => void
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
  /** The record stored under `key`, or `undefined`. */
  get(key: string): Promise<unknown>
  /** Writes all entries in one transaction where the backend has transactions. */
  setMany(entries: ReadonlyArray<readonly [string, unknown]>): Promise<void>
  /** Removes the records; missing keys are ignored. */
  delMany(keys: readonly string[]): Promise<void>
  /** Every record key of this store (its namespace only). */
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
  /**
   * Optional: whether records survive a reload of the page (default: they do). `memoryStore()`
   * says no, and so does `indexedDBStore` once it has fallen back to memory; the engine shows
   * it as `status.durable` after the store reports such a fallback through `onError`.
   */
  isDurable?(): boolean
  /**
   * Optional: writes at once, synchronously, where the backend allows it (localStorage), and
   * says whether it did. The engine uses it on page exit, when an asynchronous write (IndexedDB)
   * may never finish; a store that has it must find such a record on later reads.
   */
  writeNow?(entries: ReadonlyArray<readonly [string, unknown]>): boolean
}

/**
 * Where a save is in its life: the `phase` of an `AutosaveStatus`. `formatStatus` gives the
 * words for each.
 *
 * @example
 * ```ts
 * const busy = (phase: Phase) => phase === 'pending' || phase === 'saving'
 * finishButton.disabled = busy(saver.getStatus().phase)
 * ```
 */
export type Phase = 'idle' | 'pending' | 'saving' | 'saved' | 'offline' | 'retrying' | 'error' | 'conflict'

/**
 * A snapshot of the engine's progress, from `getStatus()` and the `status` event; a new object
 * on every change (so it fits `useSyncExternalStore`).
 *
 * @example
 * ```ts
 * saver.subscribe(() => {
 *   const { phase, error, lastSavedAt } = saver.getStatus()
 *   if (phase === 'error') showBanner(error!.message)
 *   else if (phase === 'saved' && lastSavedAt) label.textContent = `Saved ${new Date(lastSavedAt).toLocaleTimeString()}`
 * })
 * ```
 */
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
  /**
   * Whether unsent work survives a reload on this device: `false` once the store had to fall
   * back to memory (IndexedDB and localStorage both unusable), so a UI must not claim "saved on
   * this device". A `memoryStore()` the app chose itself (tests, SSR) counts as the device's.
   */
  readonly durable: boolean
  /**
   * Why a save is not through, beside `phase`: `'offline'` (the browser says so),
   * `'unreachable'` (online, but no answer from the server), `'server-error'` (5xx, 408, 429:
   * retried), `'refused'` (another 4xx: `error.status` says which; tried again after a new
   * edit, `retry()` or the next restore), `'unserializable'` (the state itself cannot be saved:
   * nothing was kept), `'conflict'`, `'storage'` (the device's store failed); `null` otherwise.
   */
  readonly reason: StatusReason | null
}

/**
 * What keeps a save from going through, in `AutosaveStatus.reason`; `formatStatus` words each.
 *
 * @example
 * ```ts
 * if (saver.getStatus().reason === 'refused') showSignInAgain()
 * ```
 */
export type StatusReason = 'offline' | 'unreachable' | 'server-error' | 'refused' | 'unserializable' | 'conflict' | 'storage'

/**
 * Three sides of a conflict, as JSON: what a `conflict` strategy function receives. They are
 * copies, so a strategy may edit them.
 *
 * @example
 * ```ts
 * createAutosave<WizardState>({
 *   key, transport,
 *   // A submitted wizard is final: keep the server's copy, otherwise merge.
 *   conflict: ({ base, local, remote }: ConflictContext<Json>) =>
 *     (remote as WizardState).currentStep === 'completed' ? remote : threeWayMerge(base, local, remote).merged,
 * })
 * ```
 */
export interface ConflictContext<State = unknown> {
  /** The last document this client saw acknowledged (undefined if none). */
  readonly base: State | undefined
  readonly local: State
  readonly remote: State
}

/**
 * How a `412` (the server moved on since this client's base version) is resolved: `'merge'`
 * (three-way, the default), `'local-wins'`, `'remote-wins'`, or a function that returns the
 * state to save. The result is written on top of the server's version.
 *
 * @example
 * ```ts
 * createAutosave({ key: 'project:42', transport, conflict: 'remote-wins' })
 * ```
 */
export type ConflictStrategy<State = unknown> = 'merge' | 'local-wins' | 'remote-wins' | ((context: ConflictContext<State>) => State)

/**
 * A conflict function as the `conflict` option takes it: written on your `State` type or on
 * `Json`, whichever reads better (parameters are checked both ways, as for methods).
 *
 * @example
 * ```ts
 * const keepCompleted: ConflictResolver<WizardState> = ({ local, remote }) => (remote.currentStep === 'completed' ? remote : local)
 * ```
 */
export type ConflictResolver<State> = {
  /** Returns the state to save on top of the server's version. */
  resolve(context: ConflictContext<State>): State | Json
}['resolve']

/**
 * Retry bounds (p-retry's names), for the `retry` option of `createAutosave`.
 *
 * @example
 * ```ts
 * // Give up on HTTP failures sooner, and never wait more than 10 s between attempts.
 * createAutosave({ key: 'project:42', transport, retry: { retries: 3, maxTimeout: 10_000 } })
 * ```
 */
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

/**
 * A Standard Schema (zod 4, valibot, arktype…), for the `schema` option. Only the `~standard`
 * member is used.
 *
 * @example
 * ```ts
 * import { z } from 'zod'
 * const schema = z.object({ currentStep: z.string(), data: z.object({ musicDescription: z.string().max(2000) }) })
 * createAutosave({ key: 'project:42', transport, schema })
 * ```
 */
export interface StandardSchema<Output = unknown> {
  readonly '~standard': {
    readonly version: 1
    readonly vendor: string
    /** Returns the parsed value, or the issues found (sync or async). */
    readonly validate: (value: unknown) =>
      | { readonly value: Output; readonly issues?: undefined }
      | { readonly issues: ReadonlyArray<{ readonly message: string; readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined }> }
      | Promise<
          | { readonly value: Output; readonly issues?: undefined }
          | {
              readonly issues: ReadonlyArray<{
                readonly message: string
                readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined
              }>
            }
        >
  }
}

/**
 * Options of `serialize`, also given to `createAutosave` as its `serialize` option.
 *
 * @example
 * ```ts
 * // After a File is uploaded, keep its server id beside its metadata.
 * createAutosave({ key: 'project:42', transport, serialize: { fileId: (file) => uploads.get(file) } })
 * ```
 */
export interface SerializeOptions {
  /** Returns an id for a File (e.g. after uploading it) to keep beside its metadata. */
  fileId?: (file: File) => string | undefined
}

/**
 * Options of `createAutosave`. Only `key` and `transport` are required; each option names its
 * default.
 *
 * @example
 * ```ts
 * const saver = createAutosave<WizardState>({
 *   key: 'project:42',
 *   transport: fetchTransport({ baseUrl: '/api/storage/projects' }),
 *   store: indexedDBStore({ namespace: userId }),
 *   debounceMs: 1500,
 *   history: { limit: 5 },
 *   warnOnUnload: true,
 * })
 * ```
 */
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
  /** Each saved state is in the store within this many ms. Default 600; capped at `debounceMs`. */
  localDelayMs?: number
  retry?: RetryOptions
  /** How a 412 is resolved. Default `'merge'`. */
  conflict?: 'merge' | 'local-wins' | 'remote-wins' | ConflictResolver<State>
  /**
   * The engine's own deadline for one transport call (a write, a read), in ms: a transport that
   * never settles then fails with a retryable `TRANSPORT_TIMEOUT` instead of leaving `flush()`
   * pending forever. Default 120000; keep it above the transport's own timeout.
   */
  requestTimeoutMs?: number
  /** Rounds of conflict resolution without progress before phase `conflict`. Default 5. */
  maxConflictRounds?: number
  /** Local snapshots kept for `rollback`. Default `{ limit: 20 }`; `false` keeps none. */
  history?: { limit?: number } | false
  /** Ask the browser to confirm leaving while work is not acknowledged. Default false. */
  warnOnUnload?: boolean
  /**
   * When to ask the server for a newer copy (another device's save) while nothing is pending
   * here: when the page comes back into view or focus (`onFocus`, default true), on reconnect
   * (`onReconnect`, default true), and every `intervalMs` (default off). A newer copy becomes the
   * state and arrives as `remote-change`. `false` turns it off. `push: true` also looks each
   * time the server announces a new version (the transport's `watch`, e.g. `serverEvents()`: Server-Sent
   * Events from the reference server); default false, as it holds a connection open.
   */
  revalidate?: { onFocus?: boolean; onReconnect?: boolean; intervalMs?: number; push?: boolean } | false
  /** Options for the serializer (e.g. `fileId`). */
  serialize?: SerializeOptions
  /** Version of your state's shape, stored with each local record. Default 1. */
  version?: number
  /** Upgrades a record stored by an older `version`. */
  migrate?: (persisted: unknown, fromVersion: number) => unknown
  /** Replace clocks, online state, page lifecycle, tabs (tests, SSR, React Native). */
  environment?: Partial<Environment>
}

/**
 * The `saved` event: the server acknowledged a write.
 *
 * @example
 * ```ts
 * saver.on('saved', ({ version, updatedAt }) => console.log(`version ${version} stored at ${updatedAt}`))
 * ```
 */
export interface SavedEvent {
  readonly version: number
  readonly updatedAt: string
  readonly data: Json
}

/**
 * The `retry` event: a write failed and will be tried again after `delayMs` (or sooner, when
 * the browser comes back online or `flush()` is called).
 *
 * @example
 * ```ts
 * saver.on('retry', ({ attempt, delayMs, error }) => console.warn(`attempt ${attempt} failed (${error.code}); next in ${delayMs} ms`))
 * ```
 */
export interface RetryEvent {
  /** 1 for the first retry. */
  readonly attempt: number
  readonly delayMs: number
  readonly retryAt: number
  readonly error: AutosaveError
}

/**
 * The `conflict` event: the server held a newer version (a 412), or another tab's save met
 * this tab's unsent edits; the engine resolved the two with the `conflict` strategy and writes
 * the result on top of `remoteVersion`. It comes before the state changes, so `getState()` is
 * still this side's. `paths` lists the places both sides changed differently (empty when the
 * edits did not overlap).
 *
 * @example
 * ```ts
 * saver.on('conflict', ({ paths }) => {
 *   if (paths.length > 0) toast('Your changes were combined with changes made elsewhere')
 * })
 * ```
 */
export interface ConflictEvent {
  readonly strategy: 'merge' | 'local-wins' | 'remote-wins' | 'custom'
  /** JSON Pointer paths both sides changed. */
  readonly paths: readonly string[]
  readonly remoteVersion: number
  readonly resolved: Json
  /**
   * The edits of this device the resolution replaced (paths both sides changed where the
   * result is not the local value), with what the user had there: enough for "Your edit to X
   * was replaced by a newer one from another device — restore it?". Empty when nothing was lost.
   */
  readonly lost: ReadonlyArray<{ readonly path: string; readonly local: Json | undefined; readonly remote: Json | undefined }>
}

/**
 * The `remote-change` event: the current state changed without this instance's `save()` —
 * another tab saved (`source: 'tab'`), or a conflict brought in the server's changes
 * (`source: 'server'`). `state` is the new current state: show it.
 *
 * @example
 * ```ts
 * saver.on('remote-change', ({ state }) => {
 *   input.value = state.data.musicDescription
 * })
 * ```
 */
export interface RemoteChangeEvent<State> {
  readonly state: State
  readonly version: number
  /** `'tab'`: another tab on this device; `'server'`: a conflict brought in the server's changes. */
  readonly source: 'tab' | 'server'
}

/**
 * One local snapshot of an acknowledged version, as `history()` lists them (newest first), for
 * `rollback(id)`.
 *
 * @example
 * ```ts
 * const [, previous] = await saver.history()
 * if (previous) await saver.rollback(previous.id) // saved as a new version
 * ```
 */
export interface HistoryEntry {
  readonly id: string
  readonly savedAt: number
  readonly version: number
}

/**
 * The events of `on` / `off`, by name, with what each handler receives.
 *
 * @example
 * ```ts
 * const onError = (error: AutosaveEvents<WizardState>['error']) => console.error(error.code, error.message)
 * saver.on('error', onError)
 * saver.off('error', onError)
 * ```
 */
export type AutosaveEvents<State> = {
  status: AutosaveStatus
  saved: SavedEvent
  error: AutosaveError
  conflict: ConflictEvent
  retry: RetryEvent
  'remote-change': RemoteChangeEvent<State>
}

/**
 * The object `createAutosave` returns: the engine of one document.
 *
 * @example
 * ```ts
 * const saver: Autosave<WizardState> = createAutosave({ key: 'project:42', transport })
 * const restored = await saver.restore()
 * saver.save((prev) => ({ ...(prev ?? restored ?? initialWizard), currentStep: 'video_styles' }))
 * await saver.flush()
 * ```
 */
export interface Autosave<State> {
  readonly key: string
  /** Schedules a debounced save of the whole new state (or of `fn(prev)`). Cheap and synchronous. */
  save(next: State | ((prev: State | undefined) => State)): void
  /** Sends now; resolves when everything saved so far is acknowledged. */
  flush(options?: { signal?: AbortSignal }): Promise<void>
  /** The newest of unsent local work and the server's document. */
  restore(): Promise<State | undefined>
  /** The latest state given to `save()`, restored, or received from another tab. */
  getState(): State | undefined
  /** The current status; the same object until something changes. */
  getStatus(): AutosaveStatus
  /** Calls `listener` whenever the status or the state changes; returns the unsubscribe function (fits `useSyncExternalStore`). */
  subscribe(listener: () => void): () => void
  /** Listens to one event (`status`, `saved`, `error`, `conflict`, `retry`, `remote-change`). */
  on<K extends keyof AutosaveEvents<State>>(type: K, handler: (event: AutosaveEvents<State>[K]) => void): void
  /** Removes a handler given to `on`. */
  off<K extends keyof AutosaveEvents<State>>(type: K, handler: (event: AutosaveEvents<State>[K]) => void): void
  /** Local snapshots of acknowledged versions, newest first. */
  history(): Promise<HistoryEntry[]>
  /** Makes a snapshot from `history()` the current state and saves it (as a new version); resolves with it. */
  rollback(id: string): Promise<State>
  /** Removes every listener and timer; pending work stays in the store. Resolves once it is written. */
  dispose(): Promise<void>
  /**
   * Tries a pending or failed save now (a "Try again" button): cuts a backoff wait short, and
   * sends a save the server refused or that gave up after its retries. A no-op when nothing is
   * pending.
   */
  retry(): void
}

export type { RemoteDocument }
