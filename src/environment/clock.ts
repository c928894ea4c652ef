/**
 * Time as the engine sees it. Tests pass a fake instead of patching globals.
 *
 * @example
 * ```ts
 * import FakeTimers from '@sinonjs/fake-timers'
 * const fake = FakeTimers.createClock()
 * const clock = { now: () => fake.now, setTimeout: fake.setTimeout, clearTimeout: fake.clearTimeout }
 * createAutosave({ key, transport, environment: { clock } })
 * await fake.tickAsync(3000) // the debounce elapses
 * ```
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number
  /** Runs `callback` once after `ms`; returns a handle for `clearTimeout`. */
  setTimeout(callback: () => void, ms: number): unknown
  /** Cancels a timer from `setTimeout` (ignores unknown handles). */
  clearTimeout(handle: unknown): void
}

/**
 * The default `Clock`: `Date.now` and the global timers.
 *
 * @example
 * ```ts
 * const clock: Clock = { ...systemClock, now: () => Date.now() + serverOffsetMs }
 * ```
 */
// Globals are looked up per call, so `vi.useFakeTimers()` keeps working for users who prefer it.
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
}

const MAX_TIMER_MS = 2 ** 31 - 1

/** Resolves after `ms` on `clock`, or early when `signal` aborts or `wake` is called. */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): { promise: Promise<void>; wake: () => void } {
  let wake = () => {}
  const promise = new Promise<void>((resolve) => {
    // Timers hold 32-bit signed ms: anything longer fires at once (about 24.8 days is the most).
    const handle = clock.setTimeout(done, Math.min(Math.max(0, ms), MAX_TIMER_MS))
    function done() {
      clock.clearTimeout(handle)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    wake = done
    signal?.addEventListener('abort', done, { once: true })
  })
  return { promise, wake }
}
