/**
 * A `pg` `Pool` (or `Client`) emits `'error'` when an idle connection dies — PostgreSQL
 * restarted, a failover, an idle timeout on a proxy — and Node throws an `'error'` event that
 * nobody listens to, which ends the process. The pool has already dropped that connection and
 * opens a new one for the next query, so the error only needs reporting. Listens only when
 * the application does not: its own listener says it has taken charge.
 */
export function reportConnectionErrors(client: unknown, report: (error: unknown) => void): void {
  const emitter = client as { on?: unknown; listenerCount?: unknown } | null
  if (typeof emitter?.on !== 'function' || typeof emitter.listenerCount !== 'function') return
  if ((emitter.listenerCount as (event: string) => number).call(emitter, 'error') > 0) return
  ;(emitter.on as (event: string, listener: (error: unknown) => void) => void).call(emitter, 'error', report)
}
