import type { Clock } from './environment/clock'

/**
 * The abort pattern every request path needs (the engine's deadline, a read that gives way to
 * a page-exit save, fetchTransport's timeout): one copy of it, with one controller per call.
 */

/** What `abortable` needs of a parent signal: an `AbortSignal`, or `fanOut` of one. */
export interface AbortParent {
  readonly aborted: boolean
  readonly reason: unknown
  addEventListener(type: 'abort', listener: () => void): void
  removeEventListener(type: 'abort', listener: () => void): void
}

/**
 * A stand-in for a long-lived `signal` (an engine's) that many short calls listen to: one
 * listener on the signal for all of them, and a Set add and delete per call instead of an
 * EventTarget add and remove, which in Node cost microseconds each. On abort, the calls
 * listening then hear of it in the order they started.
 */
export function fanOut(signal: AbortSignal): AbortParent {
  const listeners = new Set<() => void>()
  signal.addEventListener(
    'abort',
    () => {
      for (const listener of [...listeners]) listener()
    },
    { once: true },
  )
  return {
    get aborted() {
      return signal.aborted
    },
    get reason() {
      return signal.reason
    },
    addEventListener: (_, listener) => listeners.add(listener),
    removeEventListener: (_, listener) => listeners.delete(listener),
  }
}

/** A call's deadline: after `ms` on `clock`, the call aborts with `reason()`. */
export interface Deadline {
  clock: Clock
  ms: number
  reason: () => unknown
}

/**
 * Runs `work` with a signal of its own that aborts when `parent` does (at once if it already
 * has), at the deadline, or through the `abort` function handed to `control`. The promise
 * settles like `work`, or rejects with the signal's reason as soon as it aborts: an injected
 * fetch, a headers() or a custom transport may ignore the signal it is given. Nothing is left
 * listening or armed once it has settled.
 *
 * One controller, one listener on `parent` and one timer per call, and the rejection comes
 * straight from whatever aborts rather than from a listener on the call's own signal: this
 * runs once or twice for every request, on the main thread. Not `AbortSignal.any` (Safari has
 * it only from 17.4) nor `AbortSignal.timeout` (real time, not the injected clock).
 */
export function abortable<T>(
  parent: AbortParent | undefined,
  deadline: Deadline,
  work: (signal: AbortSignal) => Promise<T>,
  control?: (abort: (reason: unknown) => void) => void,
): Promise<T> {
  const controller = new AbortController()
  const { signal } = controller
  return new Promise<T>((resolve, reject) => {
    let settled = false
    let timer: unknown
    const settle = () => {
      settled = true
      deadline.clock.clearTimeout(timer)
      parent?.removeEventListener('abort', onParentAbort)
    }
    const abort = (reason: unknown) => {
      if (settled) return
      settle()
      controller.abort(reason)
      // The signal's reason, not `reason`: an abort without one gets the platform's AbortError.
      reject(signal.reason)
    }
    const onParentAbort = () => abort(parent!.reason)
    timer = deadline.clock.setTimeout(() => abort(deadline.reason()), deadline.ms)
    if (parent?.aborted) abort(parent.reason)
    else parent?.addEventListener('abort', onParentAbort)
    control?.(abort)
    // Started even when already aborted, as a caller's own fetch would be: it rejects at once.
    let running: Promise<T>
    try {
      running = work(signal)
    } catch (error) {
      running = Promise.reject(error)
    }
    running.then(
      (value) => {
        if (settled) return
        settle()
        resolve(value)
      },
      (error: unknown) => {
        if (settled) return
        settle()
        reject(error)
      },
    )
  })
}
