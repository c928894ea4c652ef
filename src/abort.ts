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
 * A call in progress, as its work sees it: `signal` to hand to what cannot take anything else
 * (fetch, a custom transport), created when first read, since creating an AbortSignal costs
 * ~10 µs in Node; and the call itself as an `AbortParent`, which in-house code (fetchTransport,
 * through `parentOf`) follows without one.
 */
export interface AbortableCall extends AbortParent {
  readonly signal: AbortSignal
}

/**
 * The call a request object was made under, for code that follows it as an `AbortParent`
 * rather than through the request's `signal` (fetchTransport): the engine's write then creates
 * no AbortSignal of its own. A request without an entry (a copy, another caller) has its signal.
 */
export const parentOf = new WeakMap<object, AbortParent>()

/**
 * `fields` with a `signal` that is `call`'s, made only if read (fetchTransport follows the call
 * through `parentOf` instead; a custom transport that reads `signal` gets it, aborted as before).
 */
export function underCall<Fields extends object>(fields: Fields, call: AbortableCall): Fields & { readonly signal: AbortSignal } {
  const request = Object.defineProperty(fields, 'signal', { get: () => call.signal, enumerable: true }) as Fields & { readonly signal: AbortSignal }
  parentOf.set(request, call)
  return request
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
  work: (call: AbortableCall) => Promise<T>,
  control?: (abort: (reason: unknown) => void) => void,
): Promise<T> {
  // Node creates a controller's signal only when it is first asked for (or at abort).
  const controller = new AbortController()
  let aborted = false
  let followers: Set<() => void> | undefined
  const call: AbortableCall = {
    get signal() {
      return controller.signal
    },
    get aborted() {
      return aborted
    },
    get reason() {
      return aborted ? controller.signal.reason : undefined
    },
    addEventListener: (_, listener) => (followers ??= new Set()).add(listener),
    removeEventListener: (_, listener) => followers?.delete(listener),
  }
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
      aborted = true
      controller.abort(reason)
      if (followers) for (const follower of [...followers]) follower()
      // The signal's reason, not `reason`: an abort without one gets the platform's AbortError.
      reject(controller.signal.reason)
    }
    const onParentAbort = () => abort(parent!.reason)
    timer = deadline.clock.setTimeout(() => abort(deadline.reason()), deadline.ms)
    if (parent?.aborted) abort(parent.reason)
    else parent?.addEventListener('abort', onParentAbort)
    control?.(abort)
    // Started even when already aborted, as a caller's own fetch would be: it rejects at once.
    let running: Promise<T>
    try {
      running = work(call)
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
