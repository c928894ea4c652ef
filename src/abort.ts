/**
 * The two abort patterns every request path needs (the engine's deadline, a read that gives
 * way to a page-exit save, fetchTransport's timeout): one copy of each.
 */

/**
 * A controller that aborts, with the same reason, when any of `signals` does (at once if one
 * already has); `release()` stops listening. Not `AbortSignal.any`: Safari has it only from 17.4.
 */
export function following(...signals: Array<AbortSignal | undefined>): [AbortController, release: () => void] {
  const controller = new AbortController()
  const stop = () => controller.abort(signals.find((signal) => signal?.aborted)!.reason)
  for (const signal of signals) signal?.addEventListener('abort', stop, { once: true })
  if (signals.some((signal) => signal?.aborted)) stop()
  return [
    controller,
    () => {
      for (const signal of signals) signal?.removeEventListener('abort', stop)
    },
  ]
}

/**
 * Settles like `work(signal)`, or rejects with the abort reason as soon as `signal` aborts:
 * an injected fetch, a headers() or a custom transport may ignore the signal it is given.
 * `cleanup` runs once `work` has settled.
 */
export function untilAborted<T>(signal: AbortSignal, work: (signal: AbortSignal) => Promise<T>, cleanup?: () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const stop = () => reject(signal.reason)
    if (signal.aborted) stop()
    signal.addEventListener('abort', stop, { once: true })
    work(signal)
      .then(resolve, reject)
      .finally(() => {
        signal.removeEventListener('abort', stop)
        cleanup?.()
      })
  })
}
