import * as z from 'zod/mini'
import { abortable } from '../abort'
import { systemClock, type Clock } from '../environment/clock'
import { AutosaveError, ConflictError, TransportError } from '../errors'
import { jsonLongerThan, parseJsonOr } from '../json/json'
import { isRetryableStatus, parseRetryAfter, versionTag } from './http'
import type { Json, JsonPatchOperation, VersionedDocument, Transport, WriteRequest, WriteResult } from '../types'

/**
 * Options of `fetchTransport`: where documents live, how requests are authenticated, and
 * replacements for `fetch`, `sendBeacon` and the clock (tests, React Native).
 *
 * @example
 * ```ts
 * fetchTransport({ baseUrl: 'https://api.example.com/storage/projects', credentials: 'include', timeoutMs: 10_000 })
 * ```
 */
export interface FetchTransportOptions {
  /** Documents live at `{baseUrl}/{key}`. */
  baseUrl: string
  /** Extra headers, or a function returning them per request (fresh auth tokens). */
  headers?: HeadersInit | (() => HeadersInit | Promise<HeadersInit>)
  credentials?: RequestCredentials
  /** Default: the global `fetch`, looked up per request. */
  fetch?: typeof fetch
  /** A request not complete after this long (headers() included, the answer's body too) fails with a retryable `TRANSPORT_TIMEOUT`. Default 30000. */
  timeoutMs?: number
  /** Default: the global `navigator.sendBeacon`, for page-exit writes too large for keepalive. */
  sendBeacon?: (url: string, body: Blob) => boolean
  clock?: Clock
}

/**
 * `absent=204` asks for `204` instead of `404` when there is no document, so a new document
 * logs no red error in the browser console; servers that ignore it answer `404` as before.
 * A parameter of Accept (a CORS-safelisted header), so it adds no preflight to a cross-origin GET.
 */
const ACCEPT_DOCUMENT = 'application/json;absent=204'

// Browsers refuse keepalive bodies past 64 KiB (of bytes) in total across a page's pending requests.
const KEEPALIVE_BUDGET = 60 * 1024
const utf8 = new TextEncoder()

const documentSchema = z.object({ data: z.unknown(), version: z.number(), updatedAt: z.optional(z.string()) })
const writeResultSchema = z.object({ version: z.number(), updatedAt: z.string() })

/**
 * The HTTP transport for autosave-kit's wire protocol: `GET`/`PUT`/`PATCH` (RFC 6902) on
 * `{baseUrl}/{key}` with `If-Match` and `Idempotency-Key`, and `POST {key}/beacon` when a
 * page-exit write is too large for a keepalive request. Server answers are validated;
 * anything unexpected becomes a `TransportError`, never a crash.
 *
 * @example
 * ```ts
 * const transport = fetchTransport({
 *   baseUrl: '/api/storage/projects',
 *   headers: async () => ({ Authorization: `Bearer ${await getToken()}` }),
 * })
 * ```
 */
export function fetchTransport(options: FetchTransportOptions): Transport {
  const baseUrl = checkBaseUrl(options.baseUrl)
  const clock = options.clock ?? systemClock
  const timeoutMs = options.timeoutMs ?? 30_000
  const absolute = /^https?:/i.test(baseUrl)
  const url = (key: string) => {
    // URL parsing resolves "." and ".." (even as %2E) as path segments: no request can name them.
    if (key === '.' || key === '..') throw new TransportError('TRANSPORT_KEY', `The key "${key}" cannot be part of a URL; use another document key`)
    // Refused here, not at creation: server rendering may create a transport it never uses.
    if (!absolute && typeof location === 'undefined') throw invalid(baseUrl, 'relative')
    return `${baseUrl}/${encodeURIComponent(key)}`
  }

  /**
   * Runs one request and reads its answer with `read`, all under one timeout and the caller's
   * abort: headers() (a token refresh), the fetch up to the response headers, and the body.
   * A server that sends headers and then stalls the body must not hold the save forever.
   */
  async function request<T>(
    target: string,
    init: RequestInit & { headers: Record<string, string> },
    signal: AbortSignal | undefined,
    read: (response: Response) => Promise<T>,
  ): Promise<T> {
    let timedOut = false
    try {
      // One controller joins the caller's abort and our timeout, on the injected clock. Raced
      // against it: an injected fetch or a headers() may ignore the signal.
      return await abortable(signal, { clock, ms: timeoutMs, reason: () => ((timedOut = true), undefined) }, async (aborted) => {
        // One Headers object: the caller's headers() first, then the protocol's own on top.
        // headers() is awaited only when there is one: a static value costs no promise.
        const headers = new Headers(typeof options.headers === 'function' ? await authHeaders() : options.headers)
        for (const name in init.headers) headers.set(name, init.headers[name]!)
        const doFetch = options.fetch ?? globalThis.fetch
        let response: Response
        try {
          response = await doFetch(target, { ...init, headers, credentials: options.credentials, signal: aborted })
        } catch (error) {
          throw new TransportError('TRANSPORT_NETWORK', `Could not reach ${target}: ${(error as Error)?.message ?? error}`, { retryable: true, cause: error })
        }
        return read(response)
      })
    } catch (error) {
      if (signal?.aborted) throw signal.reason ?? error
      if (timedOut) throw new TransportError('TRANSPORT_TIMEOUT', `No answer from ${target} within ${timeoutMs} ms`, { retryable: true, cause: error })
      throw error
    }
  }

  /**
   * TRANSPORT_HEADERS rather than TRANSPORT_NETWORK: a failing token provider is retried, but
   * within the retry budget, so one that keeps failing (an expired session) ends in `error`
   * instead of looking "offline" forever. Real offline is caught before any request is made.
   */
  async function authHeaders(): Promise<HeadersInit | undefined> {
    if (typeof options.headers !== 'function') return options.headers
    try {
      return await options.headers()
    } catch (error) {
      if (error instanceof TransportError) throw error
      throw new TransportError('TRANSPORT_HEADERS', `The headers() option failed: ${(error as Error)?.message ?? error}`, { retryable: true, cause: error })
    }
  }

  async function body<T>(response: Response, schema: z.ZodMiniType<T>, what: string): Promise<T> {
    let json: unknown
    try {
      json = await response.json()
    } catch (error) {
      // A captive portal or a proxy error page: the network is not really there yet.
      throw new TransportError('TRANSPORT_RESPONSE', `${what}: the answer (HTTP ${response.status}) is not JSON`, {
        status: response.status,
        retryable: true,
        cause: error,
      })
    }
    const parsed = schema.safeParse(json)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      throw new TransportError(
        'TRANSPORT_RESPONSE',
        `${what}: unexpected answer (HTTP ${response.status}): ${issue?.message} at ${issue?.path.join('.') || 'root'}`,
        { status: response.status, retryable: true },
      )
    }
    return parsed.data
  }

  async function failure(response: Response, what: string): Promise<never> {
    let detail = ''
    try {
      const text = await response.text()
      detail = text ? `: ${(parseJsonOr(text, undefined) as { error?: unknown } | undefined)?.error ?? text.slice(0, 200)}` : ''
    } catch {
      // The status alone says enough.
    }
    throw new TransportError('TRANSPORT_HTTP', `${what} failed with HTTP ${response.status}${detail}`, {
      status: response.status,
      retryable: isRetryableStatus(response.status),
      retryAfterMs: parseRetryAfter(response.headers.get('Retry-After'), clock.now()),
    })
  }

  async function write(req: WriteRequest): Promise<WriteResult> {
    const what = `Saving "${req.key}"`
    const patch = req.patch && req.baseVersion !== null && serverAccepts(req.patch) ? JSON.stringify(req.patch) : undefined
    // The smaller body wins. `{"data":` and `}` wrap the document: 9 characters. Asked without
    // stringifying the document, which a keystroke's patch would otherwise cost in full.
    const usePatch = patch !== undefined && jsonLongerThan(req.data, patch.length - 9)
    const sent = usePatch ? patch : JSON.stringify({ data: req.data })

    // The browser's keepalive limit is in bytes: non-ASCII text takes up to 3 per UTF-16 unit.
    if (req.keepalive && utf8.encode(sent).byteLength > KEEPALIVE_BUDGET) return beacon(req, usePatch)

    const headers: Record<string, string> = {
      'Content-Type': usePatch ? 'application/json-patch+json' : 'application/json',
      'Idempotency-Key': req.idempotencyKey,
    }
    if (req.baseVersion !== null) headers['If-Match'] = versionTag(req.baseVersion)
    return request(
      url(req.key),
      { method: usePatch ? 'PATCH' : 'PUT', headers, body: sent, keepalive: req.keepalive === true },
      req.signal,
      async (response) => {
        if (response.status === 412) {
          const remote = await body(response, documentSchema, what)
          throw new ConflictError(`"${req.key}" changed on the server (now version ${remote.version})`, remote)
        }
        if (!response.ok) return failure(response, what)
        const result = await body(response, writeResultSchema, what)
        // Versions grow with every applied write: an answer at or below the base (a stale cache,
        // a replayed old answer) acknowledges nothing, and taking it would drop the draft.
        if (req.baseVersion !== null && result.version <= req.baseVersion) {
          throw new TransportError('TRANSPORT_RESPONSE', `${what}: the answer's version ${result.version} is not above the base version ${req.baseVersion}`, {
            status: response.status,
            retryable: true,
          })
        }
        return result
      },
    )
  }

  /**
   * sendBeacon survives the page but reports nothing back. The write is repeated normally a
   * moment later with the same Idempotency-Key: if the beacon landed, the server answers its
   * result again; if the page is gone, the outbox still has the state for the next visit.
   */
  function beacon(req: WriteRequest, usePatch: boolean): never {
    const send = options.sendBeacon ?? (typeof navigator !== 'undefined' && navigator.sendBeacon?.bind(navigator))
    const payload = { baseVersion: req.baseVersion, idempotencyKey: req.idempotencyKey, ...(usePatch ? { patch: req.patch } : { data: req.data }) }
    const queued = send ? send(`${url(req.key)}/beacon`, new Blob([JSON.stringify(payload)], { type: 'text/plain' })) : false
    throw new TransportError('TRANSPORT_BEACON', queued ? 'Sent with sendBeacon; confirming' : 'The browser refused the beacon', {
      retryable: true,
      retryAfterMs: 1000,
    })
  }

  async function load(key: string, signal: AbortSignal | undefined, version?: number): Promise<VersionedDocument | 'unchanged' | undefined> {
    const what = `Loading "${key}"`
    const headers: Record<string, string> = { Accept: ACCEPT_DOCUMENT }
    if (version !== undefined) headers['If-None-Match'] = versionTag(version)
    return request(url(key), { method: 'GET', headers }, signal, async (response) => {
      if (response.status === 304 && version !== undefined) return 'unchanged'
      if (response.status === 204) return undefined
      // The protocol's 404 is empty or JSON; an HTML or text one is a wrong path, not a new document.
      if (response.status === 404) {
        const text = await response.text().catch(() => '')
        if (!text || /json/i.test(response.headers.get('Content-Type')!)) return undefined
        throw new TransportError('TRANSPORT_RESPONSE', `${what}: a 404 not from the protocol (wrong baseUrl?)`, { status: 404 })
      }
      if (!response.ok) return failure(response, what)
      const doc = await body(response, documentSchema, what)
      return { data: doc.data as Json, version: doc.version, updatedAt: doc.updatedAt ?? '' }
    })
  }

  return {
    load: (key, { signal } = {}) => load(key, signal) as Promise<VersionedDocument | undefined>,
    loadIfChanged: (key, { version, signal }) => load(key, signal, version),
    write,
  }
}

/** Refuses at creation what can never work: not an http(s) URL, or one with a query (the key goes in the path). */
function checkBaseUrl(baseUrl: string): string {
  try {
    if (baseUrl && /^https?:$/.test(new URL(baseUrl, 'http://x').protocol) && !/[?#]/.test(baseUrl)) return baseUrl.replace(/\/+$/, '')
  } catch {}
  throw invalid(baseUrl, 'invalid')
}

const invalid = (baseUrl: unknown, why: string) =>
  new AutosaveError('INVALID_OPTIONS', `fetchTransport: baseUrl ${JSON.stringify(baseUrl)}: ${why} (an http(s) URL, absolute where there is no page)`)

/**
 * The reference server (fast-json-patch with banPrototypeModifications) answers 400 to any
 * path through "__proto__" or "constructor/prototype", and a 400 is final. Such keys are
 * legal JSON, so those writes send the whole document instead.
 */
function serverAccepts(patch: readonly JsonPatchOperation[]): boolean {
  return !patch.some((op) => /(^|\/)(__proto__|constructor\/prototype)(\/|$)/.test(op.path))
}

/**
 * A `Transport['watch']` for the reference server's `GET {baseUrl}/{key}/events` (Server-Sent
 * Events, "version N is there" after every write), for `revalidate: { push: true }`. Separate
 * from `fetchTransport` so pages that do not use push do not carry it. Where there is no
 * `EventSource` (Node, SSR) it listens to nothing; focus and reconnect still look.
 *
 * @example
 * ```ts
 * const saver = createAutosave({
 *   key: 'project:42',
 *   transport: { ...fetchTransport({ baseUrl: '/api/storage/projects' }), watch: serverEvents({ baseUrl: '/api/storage/projects' }) },
 *   revalidate: { push: true },
 * })
 * ```
 */
export function serverEvents(options: { baseUrl: string; withCredentials?: boolean }): NonNullable<Transport['watch']> {
  const baseUrl = checkBaseUrl(options.baseUrl)
  return (key, onVersion) => {
    if (typeof EventSource === 'undefined') return () => {}
    // EventSource sends cookies, never custom headers: the events route must accept the cookie.
    const source = new EventSource(`${baseUrl}/${encodeURIComponent(key)}/events`, { withCredentials: options.withCredentials === true })
    source.addEventListener('version', (event) => {
      // A malformed event only means no push this time.
      const { version } = parseJsonOr((event as MessageEvent<string>).data, {}) as { version?: number }
      if (Number.isInteger(version)) onVersion(version!)
    })
    return () => source.close()
  }
}
