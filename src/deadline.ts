import { following, untilAborted } from './abort'
import type { Clock } from './environment/clock'
import { TransportError } from './errors'

/**
 * Runs one transport call under the engine's own deadline: a custom transport that never
 * settles must not leave `flush()` pending and the status "saving" forever. The call gets a
 * signal that aborts at the deadline or when `parent` does; the promise rejects then even if
 * the transport ignores its signal (with a retryable TRANSPORT_TIMEOUT at the deadline).
 */
export function withDeadline<T>(clock: Clock, ms: number, parent: AbortSignal, what: string, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const [controller, release] = following(parent)
  const timer = clock.setTimeout(
    () => controller.abort(new TransportError('TRANSPORT_TIMEOUT', `${what} did not settle within ${ms} ms`, { retryable: true })),
    Math.min(ms, 2 ** 31 - 1),
  )
  return untilAborted(controller.signal, run, () => {
    clock.clearTimeout(timer)
    release()
  })
}
