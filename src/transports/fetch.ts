import * as z from 'zod/mini'
import { systemClock, type Clock } from '../environment/clock'
import { ConflictError, TransportError } from '../errors'
import { isRetryableStatus, parseRetryAfter } from '../retry'
import type { Json, LoadedDocument, Transport, WriteRequest, WriteResult } from '../types'

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
  /** A request with no answer after this long counts as a network failure. Default 30000. */
  timeoutMs?: number
  /** Default: the global `navigator.sendBeacon`, for page-exit writes too large for keepalive. */
  sendBeacon?: (url: string, body: Blob) => boolean
  clock?: Clock
}

// Browsers refuse keepalive bodies past 64 KiB in total across a page's pending requests.
const KEEPALIVE_BUDGET = 60 * 1024

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
  const baseUrl = options.baseUrl.replace(/\/+$/, '')
  const clock = options.clock ?? systemClock
  const timeoutMs = options.timeoutMs ?? 30_000
  const url = (key: string) => `${baseUrl}/${encodeURIComponent(key)}`

  async function request(target: string, init: RequestInit, signal: AbortSignal | undefined): Promise<Response> {
    const extra = typeof options.headers === 'function' ? await options.headers() : options.headers
    const headers = new Headers(extra)
    for (const [name, value] of new Headers(init.headers)) headers.set(name, value)
    // One controller joins the caller's abort and our timeout, on the injected clock.
    const controller = new AbortController()
    const abort = () => controller.abort(signal?.reason)
    signal?.addEventListener('abort', abort, { once: true })
    let timedOut = false
    const timer = clock.setTimeout(() => {
      timedOut = true
      controller.abort()
    }, timeoutMs)
    try {
      const doFetch = options.fetch ?? globalThis.fetch
      return await doFetch(target, { ...init, headers, credentials: options.credentials, signal: controller.signal })
    } catch (error) {
      if (signal?.aborted) throw signal.reason ?? error
      throw timedOut
        ? new TransportError('TRANSPORT_TIMEOUT', `No answer from ${target} within ${timeoutMs} ms`, { retryable: true, cause: error })
        : new TransportError('TRANSPORT_NETWORK', `Could not reach ${target}: ${(error as Error)?.message ?? error}`, { retryable: true, cause: error })
    } finally {
      clock.clearTimeout(timer)
      signal?.removeEventListener('abort', abort)
    }
  }

  async function body<T>(response: Response, schema: z.ZodMiniType<T>, what: string): Promise<T> {
    let json: unknown
    try {
      json = await response.json()
    } catch (error) {
      // A captive portal or a proxy error page: the network is not really there yet.
      throw new TransportError('TRANSPORT_RESPONSE', `${what}: the answer (HTTP ${response.status}) is not JSON`, { status: response.status, retryable: true, cause: error })
    }
    const parsed = schema.safeParse(json)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      throw new TransportError('TRANSPORT_RESPONSE', `${what}: unexpected answer (HTTP ${response.status}): ${issue?.message} at ${issue?.path.join('.') || 'root'}`, { status: response.status, retryable: true })
    }
    return parsed.data
  }

  async function failure(response: Response, what: string): Promise<never> {
    let detail = ''
    try {
      const text = await response.text()
      detail = text ? `: ${(tryJson(text) as { error?: unknown })?.error ?? text.slice(0, 200)}` : ''
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
    const data = JSON.stringify({ data: req.data })
    const patch = req.patch && req.baseVersion !== null ? JSON.stringify(req.patch) : undefined
    const usePatch = patch !== undefined && patch.length < data.length
    const size = usePatch ? patch.length : data.length

    if (req.keepalive && size > KEEPALIVE_BUDGET) return beacon(req, usePatch)

    const headers: Record<string, string> = {
      'Content-Type': usePatch ? 'application/json-patch+json' : 'application/json',
      'Idempotency-Key': req.idempotencyKey,
    }
    if (req.baseVersion !== null) headers['If-Match'] = `"${req.baseVersion}"`
    const response = await request(
      url(req.key),
      { method: usePatch ? 'PATCH' : 'PUT', headers, body: usePatch ? patch : data, keepalive: req.keepalive === true },
      req.signal,
    )
    if (response.status === 412) {
      const remote = await body(response, documentSchema, what)
      throw new ConflictError(`"${req.key}" changed on the server (now version ${remote.version})`, remote)
    }
    if (!response.ok) return failure(response, what)
    const result = await body(response, writeResultSchema, what)
    // Versions grow with every applied write: an answer at or below the base (a stale cache,
    // a replayed old answer) acknowledges nothing, and taking it would drop the draft.
    if (req.baseVersion !== null && result.version <= req.baseVersion) {
      throw new TransportError('TRANSPORT_RESPONSE', `${what}: the answer's version ${result.version} is not above the base version ${req.baseVersion}`, { status: response.status, retryable: true })
    }
    return result
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

  return {
    async load(key, { signal } = {}): Promise<LoadedDocument | undefined> {
      const what = `Loading "${key}"`
      const response = await request(url(key), { method: 'GET', headers: { Accept: 'application/json' } }, signal)
      if (response.status === 404) return undefined
      if (!response.ok) return failure(response, what)
      const doc = await body(response, documentSchema, what)
      return { data: doc.data as Json, version: doc.version, updatedAt: doc.updatedAt ?? '' }
    },
    write,
  }
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}
