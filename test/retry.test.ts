import { describe, expect, it } from 'vitest'
import { backoffDelay, defaultRetry, parseRetryAfter } from '../src/retry'

describe('Retry-After', () => {
  const now = Date.UTC(2026, 10, 25, 12, 0, 0)
  it('reads delta-seconds', () => expect(parseRetryAfter('120', now)).toBe(120_000))
  it('reads an HTTP-date', () => expect(parseRetryAfter('Wed, 25 Nov 2026 12:00:30 GMT', now)).toBe(30_000))
  it('a date in the past means now', () => expect(parseRetryAfter('Wed, 25 Nov 2026 11:00:00 GMT', now)).toBe(0))
  it('ignores garbage and absence', () => {
    expect(parseRetryAfter('soon', now)).toBeUndefined()
    expect(parseRetryAfter(null, now)).toBeUndefined()
    expect(parseRetryAfter('-5', now)).toBeUndefined()
  })
})

describe('backoff', () => {
  it('grows exponentially from minTimeout up to maxTimeout', () => {
    const options = { ...defaultRetry, randomize: false, minTimeout: 500, maxTimeout: 30_000 }
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffDelay(n, options))).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000])
  })

  it('jitter stays within [1×, 2×) of the step and under the cap', () => {
    const options = { ...defaultRetry, minTimeout: 500, maxTimeout: 30_000 }
    expect(backoffDelay(1, options, () => 0)).toBe(500)
    expect(backoffDelay(1, options, () => 0.999)).toBeLessThan(1000)
    expect(backoffDelay(10, options, () => 0.999)).toBe(30_000)
  })
})
