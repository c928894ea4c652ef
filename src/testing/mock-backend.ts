import { delay, http, HttpResponse, type HttpHandler } from 'msw'
import { createAutosaveHandler, type AutosaveHandler, type AutosaveHandlerOptions } from '../server/handler'
import type { StoredVersion } from '../server/document-store'
import { memoryDocumentStore, type MemoryDocumentStore } from '../server/memory-store'
import { parseJsonOr } from '../json/json'
import type { Json, VersionedDocument } from '../types'
import { checkFailure, takeFault, type ConflictingChange, type FailNextOptions, type MockFailure, type PendingConflict, type PendingFault } from './faults'

/**
 * Where `createMockBackend()` serves documents unless told otherwise: give the same URL to
 * `fetchTransport`.
 *
 * @example
 * ```ts
 * const backend = createMockBackend()
 * const transport = fetchTransport({ baseUrl: DEFAULT_MOCK_BASE_URL })
 * ```
 */
export const DEFAULT_MOCK_BASE_URL = 'http://localhost/api/storage/projects'

/**
 * Options of `createMockBackend`: where it serves, how slowly, and what exists from the start.
 *
 * @example
 * ```ts
 * createMockBackend({ baseUrl: '/api/storage/projects', latencyMs: 50, documents: { 'project:42': { currentStep: 'track_input' } } })
 * ```
 */
export interface MockBackendOptions {
  /**
   * Documents live at `{baseUrl}/{key}` — pass the same value to `fetchTransport`. An absolute
   * URL matches that origin only; a path (`'/api/storage/projects'`) matches it on any origin.
   * Default `'http://localhost/api/storage/projects'`.
   */
  baseUrl?: string
  /** Delay before every answer, in ms (msw's `delay`, on real timers). Default 0. */
  latencyMs?: number
  /** Documents that exist from the start (and again after `reset()`), each at version 1. */
  documents?: Record<string, Json>
  /** Passed to the handler: a larger body answers 413. Default 1 MiB. */
  maxBodyBytes?: number
  /** Passed to the handler, to test 401/403 handling. Default: everything allowed. */
  authorize?: AutosaveHandlerOptions['authorize']
  /** How long an Idempotency-Key replays. Default 24 h. */
  idempotencyTtlMs?: number
  /** Passed to the handler: a patch with more operations answers 413. Default 10,000. */
  maxPatchOperations?: number
}

/**
 * One request as the mock backend saw it.
 *
 * @example
 * ```ts
 * const writes = backend.requests.filter((request) => request.write)
 * expect(writes.map((request) => request.headers['if-match'])).toEqual([undefined, '"1"'])
 * ```
 */
export interface MockRequest {
  readonly method: string
  readonly url: string
  /** The decoded document key, when the path names one. */
  readonly key: string | undefined
  /** PUT, PATCH or a beacon POST. */
  readonly write: boolean
  readonly beacon: boolean
  readonly headers: Record<string, string>
  /** The body as JSON when it parses, else its text; undefined when there is none. */
  readonly body: unknown
  /** What the client received: an HTTP status, or 0 when its request failed at the network level. */
  status: number
  /** The handler's answer body (also for 'lost-response', which the client never sees). */
  response: unknown
  /** The fault applied to this request, if any. */
  fault: 'offline' | 'network' | 'timeout' | 'lost-response' | 'status' | 'conflict' | undefined
  /** `Date.now()` when it arrived. */
  readonly at: number
}

/**
 * The object `createMockBackend` returns: msw handlers plus fault switches and inspection.
 *
 * @example
 * ```ts
 * backend.goOffline()
 * saver.save(next)
 * backend.goOnline()
 * await saver.flush()
 * expect(backend.document('project:42')?.data).toEqual(next)
 * ```
 */
export interface MockBackend {
  /** msw handlers: `setupServer(...backend.handlers)` or `setupWorker(...backend.handlers)`. */
  readonly handlers: HttpHandler[]
  /** The Fetch API handler behind them (for Playwright routes, service workers…). */
  readonly handler: AutosaveHandler
  /** The in-memory store behind the handler. */
  readonly store: MemoryDocumentStore
  /** Every request so far, oldest first (cleared by `reset()`). */
  readonly requests: readonly MockRequest[]
  /** The server's copy of `key`, or undefined. */
  document(key: string): VersionedDocument | undefined
  /** Every document, by key. */
  documents(): Record<string, VersionedDocument>
  /** Server-side history of `key`, newest first. */
  history(key: string): Promise<StoredVersion[]>
  /** Writes `data` as another client would (version + 1). */
  setDocument(key: string, data: Json): VersionedDocument
  /** The next `count` matching requests fail with `failure`. Faults queue in call order. */
  failNext(count: number, failure: MockFailure, options?: FailNextOptions): void
  /**
   * The next write (to `options.key`, or any key) answers 412, as if another client had written
   * first: `change` (or the current data unchanged) is stored as a new version just before it.
   */
  conflictNext(change?: ConflictingChange, options?: { key?: string }): void
  /** Every request fails at the network level until `goOnline()`. */
  goOffline(): void
  /** Ends `goOffline()`: requests reach the handler again. */
  goOnline(): void
  readonly online: boolean
  /** Changes the delay before every answer (until `reset()`). */
  setLatency(ms: number): void
  /** Back to the initial documents, no faults, online, empty request log; hung requests fail. */
  reset(): void
}

/**
 * An in-memory autosave server for msw, with fault injection. It runs the real
 * `createAutosaveHandler` over `memoryDocumentStore`, so it answers exactly as
 * `autosave-kit/server` does: versions, 412 conflicts, idempotent replays, beacons.
 *
 * @example
 * ```ts
 * import { setupServer } from 'msw/node'
 * import { createMockBackend } from 'autosave-kit/testing'
 * const backend = createMockBackend()
 * const server = setupServer(...backend.handlers)
 * beforeAll(() => server.listen()); afterEach(() => backend.reset()); afterAll(() => server.close())
 *
 * it('retries a 503', async () => {
 *   backend.failNext(2, 503, { retryAfter: 1 })
 *   // … save, flush …
 *   expect(backend.document('project:42')?.data).toEqual(expected)
 * })
 * ```
 */
export function createMockBackend(options: MockBackendOptions = {}): MockBackend {
  const baseUrl = (options.baseUrl ?? DEFAULT_MOCK_BASE_URL).replace(/\/+$/, '')
  const relative = baseUrl.startsWith('/')
  const basePath = new URL(baseUrl, 'http://localhost').pathname.replace(/\/+$/, '')
  const store = memoryDocumentStore({ idempotencyTtlMs: options.idempotencyTtlMs })
  // The real handler, so a patch is applied and bounded exactly as autosave-kit/server does.
  const handler = createAutosaveHandler({
    store,
    basePath,
    maxBodyBytes: options.maxBodyBytes,
    maxPatchOperations: options.maxPatchOperations,
    authorize: options.authorize,
  })

  const requests: MockRequest[] = []
  let faults: PendingFault[] = []
  let conflicts: PendingConflict[] = []
  let online = true
  let latencyMs = options.latencyMs ?? 0
  const hung = new Set<() => void>()
  /** Bumped by reset(): a request that arrived before it must not touch what comes after. */
  let generation = 0

  function seed() {
    for (const [key, data] of Object.entries(options.documents ?? {})) store.set(key, data)
  }
  seed()

  async function record(request: Request): Promise<MockRequest> {
    const url = new URL(request.url)
    const rest = url.pathname.slice(basePath.length + 1).split('/')
    let key: string | undefined
    try {
      key = rest[0] ? decodeURIComponent(rest[0]) : undefined
    } catch {
      key = undefined
    }
    const beacon = rest.length === 2 && rest[1] === 'beacon' && request.method === 'POST'
    const write = beacon || request.method === 'PUT' || request.method === 'PATCH'
    const text = write ? await request.clone().text() : ''
    return {
      method: request.method,
      url: request.url,
      key,
      write,
      beacon,
      headers: Object.fromEntries(request.headers),
      body: text === '' ? undefined : parseJsonOr(text, text),
      status: 0,
      response: undefined,
      fault: undefined,
      at: Date.now(),
    }
  }

  function injectConflict(entry: MockRequest) {
    const index = conflicts.findIndex((c) => c.key === undefined || c.key === entry.key)
    if (index === -1 || entry.key === undefined) return
    const [{ change }] = conflicts.splice(index, 1) as [PendingConflict]
    const current = store.peek(entry.key)?.data
    const data = typeof change === 'function' ? change(current) : change === undefined ? (current ?? {}) : change
    store.set(entry.key, data)
    entry.fault = 'conflict'
  }

  /** Never answers until the client gives up (aborts) or the test resets the backend. */
  function hang(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const release = () => {
        hung.delete(release)
        resolve()
      }
      hung.add(release)
      if (signal.aborted) release()
      else signal.addEventListener('abort', release, { once: true })
    })
  }

  async function resolve(request: Request): Promise<Response> {
    const born = generation
    const entry = await record(request)
    if (born !== generation) return HttpResponse.error()
    requests.push(entry)
    if (latencyMs > 0) await delay(latencyMs)
    if (born !== generation) return HttpResponse.error()
    if (!online) {
      entry.fault = 'offline'
      return HttpResponse.error()
    }
    const fault = takeFault(faults, entry)
    if (fault?.failure === 'network') {
      entry.fault = 'network'
      return HttpResponse.error()
    }
    if (fault?.failure === 'timeout') {
      entry.fault = 'timeout'
      await hang(request.signal)
      return HttpResponse.error()
    }
    if (typeof fault?.failure === 'number') {
      entry.fault = 'status'
      entry.status = fault.failure
      const current = fault.failure === 412 && entry.key !== undefined ? store.peek(entry.key) : undefined
      // A 412 carries the current document, as createAutosaveHandler's does.
      const body =
        fault.failure === 412
          ? current
            ? { data: current.data, version: current.version, updatedAt: current.updatedAt }
            : { data: null, version: 0 }
          : { error: `Simulated HTTP ${fault.failure}` }
      entry.response = body
      const headers: Record<string, string> = {}
      if (fault.options.retryAfter !== undefined) headers['Retry-After'] = String(fault.options.retryAfter)
      return HttpResponse.json(body, { status: fault.failure, headers })
    }
    if (entry.write) injectConflict(entry)
    const response = await handler(request)
    const text = await response.clone().text()
    entry.response = text === '' ? undefined : parseJsonOr(text, text)
    if (fault?.failure === 'lost-response') {
      entry.fault = 'lost-response'
      return HttpResponse.error()
    }
    entry.status = response.status
    return response
  }

  const handlers = [
    relative
      ? http.all(
          ({ request }) => {
            const { pathname } = new URL(request.url)
            return pathname.startsWith(`${basePath}/`)
          },
          ({ request }) => resolve(request),
        )
      : http.all(`${baseUrl}/*`, ({ request }) => resolve(request)),
  ]

  return {
    handlers,
    handler,
    store,
    requests,
    document: (key) => store.peek(key),
    documents: () => Object.fromEntries(store.entries()),
    history: (key) => store.history(key),
    setDocument: (key, data) => store.set(key, data),
    failNext(count, failure, failOptions = {}) {
      checkFailure(count, failure)
      faults.push({ remaining: count, failure, options: failOptions })
    },
    conflictNext(change, conflictOptions = {}) {
      conflicts.push({ change, key: conflictOptions.key })
    },
    goOffline() {
      online = false
    },
    goOnline() {
      online = true
    },
    get online() {
      return online
    },
    setLatency(ms) {
      latencyMs = ms
    },
    reset() {
      store.clear()
      seed()
      requests.length = 0
      generation++
      faults = []
      conflicts = []
      online = true
      latencyMs = options.latencyMs ?? 0
      for (const release of [...hung]) release()
    },
  }
}
