import FakeTimers from '@sinonjs/fake-timers'
import { describe, expect, it } from 'vitest'
import { sleep, systemClock } from '../../src/environment/clock'
import { TransportError } from '../../src/errors'
import { backoffDelay, defaultRetry, MAX_RETRY_AFTER_MS, withRetry } from '../../src/engine/retry'
import { parseRetryAfter } from '../../src/transports/http'

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

describe('a huge Retry-After', () => {
  const unavailable = (retryAfterMs: number | undefined) => new TransportError('TRANSPORT_HTTP', '503', { status: 503, retryable: true, retryAfterMs })

  it('beyond 2^31-1 ms does not overflow the timer into an immediate retry', async () => {
    const retryAfterMs = parseRetryAfter('2592000', Date.now()) // 30 days, as delta-seconds
    let attempts = 0
    const controller = new AbortController()
    const run = withRetry(
      async () => {
        if (++attempts === 1) throw unavailable(retryAfterMs)
        return 'ok'
      },
      { options: defaultRetry, clock: systemClock, signal: controller.signal, onRetry: () => {} },
    ).catch(() => 'aborted')
    await new Promise((r) => setTimeout(r, 100))
    const seen = attempts
    controller.abort()
    await run
    expect(seen).toBe(1)
  })

  it('is honoured up to an hour (or maxTimeout when that is longer), shorter ones as given', async () => {
    const delays: number[] = []
    const run = (retryAfterMs: number, maxTimeout = defaultRetry.maxTimeout) => {
      let attempts = 0
      return withRetry(
        async () => {
          if (++attempts === 1) throw unavailable(retryAfterMs)
          return 'ok'
        },
        {
          options: { ...defaultRetry, maxTimeout },
          clock: systemClock,
          signal: new AbortController().signal,
          onRetry: ({ delayMs, wake }) => (delays.push(delayMs), wake()),
        },
      )
    }
    await run(30 * 24 * 3_600_000)
    await run(120_000)
    await run(30 * 24 * 3_600_000, 2 * 3_600_000)
    expect(delays).toEqual([MAX_RETRY_AFTER_MS, 120_000, 2 * 3_600_000])
  })

  it('a Retry-After in the past (or 0) does not retry in a burst: the backoff applies (#15)', async () => {
    const delays: number[] = []
    let attempts = 0
    const past = parseRetryAfter('Wed, 25 Nov 2026 11:00:00 GMT', Date.UTC(2026, 10, 25, 12))
    await withRetry(
      async () => {
        if (++attempts <= 4) throw unavailable(attempts % 2 ? past : 0)
        return 'ok'
      },
      {
        options: { ...defaultRetry, randomize: false },
        clock: systemClock,
        signal: new AbortController().signal,
        onRetry: ({ delayMs, wake }) => (delays.push(delayMs), wake()),
      },
    )
    // Was: [0, 0, 0, 0] — 9 requests in 44 ms against a server that asked for a pause.
    expect(delays).toEqual([500, 1000, 2000, 4000])
  })

  it('sleep() never hands a timer more than 2^31-1 ms', () => {
    const fake = FakeTimers.createClock()
    const asked: number[] = []
    const clock = {
      now: () => fake.now,
      setTimeout: (fn: () => void, ms: number) => (asked.push(ms), fake.setTimeout(fn, ms)),
      clearTimeout: fake.clearTimeout,
    }
    sleep(clock, 30 * 24 * 3_600_000).wake()
    expect(asked).toEqual([2 ** 31 - 1])
  })
})
