import pRetry from 'p-retry'
import { type Clock, sleep } from '../environment/clock'
import { type AutosaveError, TransportError } from '../errors'
import type { RetryOptions } from '../types'

export const defaultRetry: Required<RetryOptions> = {
  retries: 8,
  minTimeout: 500,
  maxTimeout: 30_000,
  factor: 2,
  randomize: true,
}

/**
 * After the retry budget, a retryable save is tried again at this slow cadence (with up to 25 %
 * jitter) for as long as the page lives, and at once on reconnect, focus, `retry()` or an edit.
 */
export const SLOW_RETRY_MS = 60_000

/** The longest server-requested wait (`Retry-After`) honoured, unless `maxTimeout` is longer. */
export const MAX_RETRY_AFTER_MS = 3_600_000

/** Whether a failure is worth another attempt: network errors, 408, 429 and 5xx. */
export function isRetryable(error: unknown): boolean {
  return error instanceof TransportError && error.retryable
}

/** Network failures (no answer at all) mean "offline" to the user, not "the server refused". */
export function isNetworkFailure(error: unknown): boolean {
  return error instanceof TransportError && (error.code === 'TRANSPORT_NETWORK' || error.code === 'TRANSPORT_TIMEOUT')
}

/** The wait before retry number `attempt` (1-based): exponential, capped, with jitter. */
export function backoffDelay(attempt: number, options: Required<RetryOptions>, random: () => number = Math.random): number {
  const jitter = options.randomize ? 1 + random() : 1
  return Math.min(Math.floor(jitter * options.minTimeout * options.factor ** (attempt - 1)), options.maxTimeout)
}

export interface RetryContext {
  options: Required<RetryOptions>
  clock: Clock
  signal: AbortSignal
  /** Called before each wait; `wake` cuts the wait short (flush, back online). */
  onRetry(info: { attempt: number; delayMs: number; error: AutosaveError; wake: () => void }): void
}

/**
 * Runs `attempt` until it succeeds, a failure is not retryable, or more than `retries` HTTP
 * failures happened. p-retry drives the attempts; its own timer is disabled (`minTimeout: 0`)
 * and the waits run on the injected clock instead, so fake clocks control them and
 * `Retry-After` can replace the computed backoff. Network failures never count: being
 * offline for an hour must not turn into a permanent error.
 *
 * The first attempt runs before p-retry is called, because nearly every save succeeds at once
 * and p-retry's setup (options copy and validation, a clock read, signal checks) is paid per
 * request on the main thread. Only a failure hands over to p-retry, which receives that failure
 * as its own first attempt: from there on every decision is p-retry's, as if it had run it.
 */
export async function withRetry<T>(attempt: () => Promise<T>, context: RetryContext): Promise<T> {
  const { signal } = context
  // p-retry refuses to start on an aborted signal, without an attempt.
  if (signal.aborted) return retrying(attempt, context)
  let failure: unknown
  try {
    const result = await attempt()
    if (!signal.aborted) return result
    // p-retry checks the signal after a successful attempt too, inside the attempt: its reason is that attempt's failure.
    failure = signal.reason
  } catch (error) {
    failure = error
  }
  return retrying(attempt, context, { failure })
}

/** p-retry itself, from the first attempt, or taking over after `first` failed outside it. */
export function retrying<T>(attempt: () => Promise<T>, context: RetryContext, first?: { failure: unknown }): Promise<T> {
  const { options, clock, signal } = context
  // Counted here rather than by p-retry: it checks its own budget before asking whether a
  // failure consumes it, so a network error after the HTTP budget was spent would end the save.
  let httpFailures = 0
  const gaveUp = (error: unknown) => !isRetryable(error) || (!isNetworkFailure(error) && httpFailures > options.retries)
  // p-retry checks its signal before each attempt. The first one already passed that check
  // before it ran, so until it is replayed p-retry sees a signal not (yet) aborted, and from
  // then on one that follows the engine's.
  let checked: AbortController | undefined
  let follow: (() => void) | undefined
  if (first) {
    checked = new AbortController()
    follow = () => checked!.abort(signal.reason)
  }
  const run = pRetry(
    (attemptNumber) => {
      if (!first || attemptNumber > 1) return attempt()
      if (signal.aborted) follow!()
      else signal.addEventListener('abort', follow!, { once: true })
      return Promise.reject(first.failure)
    },
    {
      retries: Number.POSITIVE_INFINITY,
      minTimeout: 0,
      maxTimeout: 0,
      randomize: false,
      signal: checked?.signal ?? signal,
      shouldRetry: ({ error }) => !gaveUp(error),
      async onFailedAttempt({ error, attemptNumber }) {
        if (isRetryable(error) && !isNetworkFailure(error)) httpFailures++
        if (gaveUp(error) || signal.aborted) return
        const transportError = error as TransportError
        // The server knows its own load: its Retry-After replaces our computed backoff, up to an
        // hour (or maxTimeout if larger). "Retry in 30 days" would only park the save; an hour
        // still spares an overloaded server, and flush() or coming back online wakes it sooner.
        // A date in the past (a skewed server clock) or 0 would retry in a burst: then the
        // computed backoff applies, and a server's wait is never shorter than minTimeout.
        const serverWait = transportError.retryAfterMs
        const retryAfterMs =
          serverWait === undefined || serverWait <= 0
            ? undefined
            : Math.min(Math.max(serverWait, options.minTimeout), Math.max(options.maxTimeout, MAX_RETRY_AFTER_MS))
        const delayMs = retryAfterMs ?? backoffDelay(attemptNumber, options)
        const wait = sleep(clock, delayMs, signal)
        context.onRetry({ attempt: attemptNumber, delayMs, error: transportError, wake: wait.wake })
        await wait.promise
      },
    },
  )
  return follow ? run.finally(() => signal.removeEventListener('abort', follow)) : run
}

/** Not sent at all: the browser says it is offline. Retried without using up retries. */
export function offlineError() {
  return new TransportError('TRANSPORT_NETWORK', 'The browser is offline', { retryable: true })
}
