import type { Json } from '../types'

/**
 * How a request fails:
 * - an HTTP status (`503`, `429`, `401`…): answered with `{ error }` and that status;
 * - `'network'`: the connection fails (fetch rejects), nothing reaches the server;
 * - `'timeout'`: no answer ever comes, until the client aborts (its timeout) or `reset()`;
 * - `'lost-response'`: the server applies the write, then the connection drops before the
 *   answer — the client must retry with the same Idempotency-Key and not apply it twice.
 *
 * @example
 * ```ts
 * backend.failNext(1, 'lost-response') // applied on the server; the client sees a network error
 * backend.failNext(2, 503, { retryAfter: 1 })
 * ```
 */
export type MockFailure = number | 'network' | 'timeout' | 'lost-response'

/**
 * Narrows which requests a `failNext` fault hits, and what a status failure carries.
 *
 * @example
 * ```ts
 * backend.failNext(2, 503, { retryAfter: 1, requests: 'writes', key: 'project:42' })
 * ```
 */
export interface FailNextOptions {
  /** `Retry-After` on status failures: seconds, or an HTTP-date string. */
  retryAfter?: number | string
  /** Which requests count: `'any'` (default), `'reads'` (GET/HEAD) or `'writes'` (PUT/PATCH/beacon). */
  requests?: 'any' | 'reads' | 'writes'
  /** Only requests for this document key. */
  key?: string
}

export interface PendingFault {
  remaining: number
  readonly failure: MockFailure
  readonly options: FailNextOptions
}

/**
 * Another client's write, injected just before the next write arrives.
 *
 * @example
 * ```ts
 * backend.conflictNext((current) => ({ ...(current as object), currentStep: 'video_styles' }))
 * ```
 */
export type ConflictingChange = Json | ((current: Json | undefined) => Json)

export interface PendingConflict {
  readonly change: ConflictingChange | undefined
  readonly key: string | undefined
}

export function checkFailure(count: number, failure: MockFailure): void {
  if (!Number.isInteger(count) || count < 1) throw new TypeError(`failNext(count): count must be a positive integer, got ${count}`)
  const ok =
    failure === 'network' ||
    failure === 'timeout' ||
    failure === 'lost-response' ||
    (typeof failure === 'number' && Number.isInteger(failure) && failure >= 400 && failure <= 599)
  if (!ok) throw new TypeError(`failNext: failure must be an HTTP status 400-599, 'network', 'timeout' or 'lost-response', got ${String(failure)}`)
}

/** Takes one use of the first queued fault that applies to this request. */
export function takeFault(queue: PendingFault[], request: { write: boolean; key: string | undefined }): PendingFault | undefined {
  const index = queue.findIndex(
    ({ options }) =>
      (options.requests === undefined || options.requests === 'any' || (options.requests === 'writes') === request.write) &&
      (options.key === undefined || options.key === request.key),
  )
  if (index === -1) return undefined
  const fault = queue[index]!
  if (--fault.remaining === 0) queue.splice(index, 1)
  return fault
}
