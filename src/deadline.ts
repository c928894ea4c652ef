import { abortable, type AbortParent } from './abort'
import type { Clock } from './environment/clock'
import { TransportError } from './errors'

/**
 * Runs one transport call under the engine's own deadline: a custom transport that never
 * settles must not leave `flush()` pending and the status "saving" forever. The call gets a
 * signal that aborts at the deadline or when `parent` does; the promise rejects then even if
 * the transport ignores its signal (with a retryable TRANSPORT_TIMEOUT at the deadline).
 * `control` receives a function that aborts the call early with a reason of the caller's.
 */
export function withDeadline<T>(
  clock: Clock,
  ms: number,
  parent: AbortParent,
  what: string,
  run: (signal: AbortSignal) => Promise<T>,
  control?: (abort: (reason: unknown) => void) => void,
): Promise<T> {
  const reason = () => new TransportError('TRANSPORT_TIMEOUT', `${what} did not settle within ${ms} ms`, { retryable: true })
  // Timers hold 32-bit signed ms: a longer deadline would fire at once.
  return abortable(parent, { clock, ms: Math.min(ms, 2 ** 31 - 1), reason }, run, control)
}
