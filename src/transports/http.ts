/** HTTP facts both ends of the wire protocol share: `fetchTransport` and the reference server. */

/**
 * A document version as the wire protocol writes it in `ETag`, `If-Match` and `If-None-Match`:
 * version 3 is `"3"`, a strong tag (the server compares If-Match strongly, RFC 9110 §13.1.1).
 */
export const versionTag = (version: number): string => `"${version}"`

/** HTTP statuses that say "try again later" rather than "this request is wrong". */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500
}

/**
 * `Retry-After` in ms from `now`: either delta-seconds or an HTTP-date. Absent or malformed
 * values give `undefined`, so the normal backoff applies; a date in the past gives 0 (retry now).
 */
export function parseRetryAfter(header: string | null | undefined, now: number): number | undefined {
  if (!header) return undefined
  const trimmed = header.trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000
  // HTTP-dates name a weekday and month; anything else Date.parse accepts is not one.
  const at = /[a-z]/i.test(trimmed) ? Date.parse(trimmed) : Number.NaN
  if (Number.isNaN(at)) return undefined
  return Math.max(0, at - now)
}
