/**
 * The server side of a chaos schedule: the real reference handler (`createAutosaveHandler`
 * over `memoryDocumentStore`) reached through a `fetch` that injects faults on the fake
 * clock. No sockets and no msw: a request costs microseconds, so a thousand schedules run in
 * a minute and every schedule replays identically from its seed. The msw route is covered by
 * the scenario tests and the bad-input catalogue (test/reliability).
 */
import type { Clock } from '../../src/environment/clock'
import { createAutosaveHandler } from '../../src/server/handler'
import type { DocumentStore } from '../../src/server/document-store'
import { memoryDocumentStore } from '../../src/server/memory-store'
import type { Json } from '../../src/types'
import { KEY, type AppliedWrite, type Fault } from './model'

export const BASE_URL = 'http://chaos.local/docs'

/** What the world needs from a server: its fetch, fault controls, and what it applied. */
export interface ChaosBackend {
  readonly fetch: typeof globalThis.fetch
  /** The version the seeded document starts at. */
  readonly firstVersion: number
  /** Whether requests reach the server at all (navigator.onLine is set separately). */
  setNetwork(up: boolean): void
  /** The next `count` write attempts meet `fault`. */
  fail(fault: Fault, count: number): void
  /** Another device writes `change(current)`: now, or right before the next client write (→ 412). */
  remoteWrite(change: (current: Json) => Json, when: 'now' | 'next-write'): void
  /** The network is fine again: no queued faults, no queued remote writes, network up. */
  heal(): void
  document(): { data: Json; version: number } | undefined
  /** Every version applied after the seed, oldest first. */
  applied(): Promise<AppliedWrite[]>
  /** Requests whose answer never reached a page (keepalive after unload) still running. */
  settled(): Promise<void>
  close?(): void
}

export function inProcessBackend(clock: Clock, options: { latencyMs: number; initial: Json }): ChaosBackend {
  const docs = memoryDocumentStore({ now: () => clock.now(), historyLimit: 0 })
  const applied: AppliedWrite[] = []
  const recording: DocumentStore = {
    get: (key) => docs.get(key),
    history: (key, o) => docs.history(key, o),
    delete: (key) => docs.delete(key),
    write(write) {
      // memoryDocumentStore checks and commits synchronously inside write(), so peeking
      // around the call sees exactly the version this write replaced.
      const previous = docs.peek(write.key)?.data
      const outcome = docs.write(write)
      const after = docs.peek(write.key)
      void outcome.then(
        (result) => {
          if (result.status === 'applied')
            applied.push({ version: result.version, by: 'client', idempotencyKey: write.idempotency?.key, data: after!.data, previous })
        },
        () => {},
      )
      return outcome
    },
  }
  const serverErrors: unknown[] = []
  const handler = createAutosaveHandler({ store: recording, basePath: '/docs', onError: (error) => serverErrors.push(error) })
  docs.set(KEY, options.initial)

  let up = true
  const faults: Fault[] = []
  const remoteQueue: Array<(current: Json) => Json> = []
  const background = new Set<Promise<unknown>>()

  function remoteWriteNow(change: (current: Json) => Json) {
    const previous = docs.peek(KEY)!.data
    const written = docs.set(KEY, change(structuredClone(previous)))
    applied.push({ version: written.version, by: 'remote', data: written.data, previous })
  }

  /** Resolves after `ms` on the fake clock; rejects at once when `signal` aborts. */
  function wait(ms: number, signal: AbortSignal | null | undefined): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason)
    if (ms <= 0) return Promise.resolve()
    return new Promise((resolve, reject) => {
      const handle = clock.setTimeout(() => {
        signal?.removeEventListener('abort', onAbort)
        resolve()
      }, ms)
      function onAbort() {
        clock.clearTimeout(handle)
        reject(signal!.reason)
      }
      signal?.addEventListener('abort', onAbort, { once: true })
    })
  }

  function hang(signal: AbortSignal | null | undefined): Promise<never> {
    return new Promise((_, reject) => {
      if (signal?.aborted) reject(signal.reason)
      signal?.addEventListener('abort', () => reject(signal.reason), { once: true })
    })
  }

  const networkError = (why: string) => new TypeError(`fetch failed (${why})`)

  async function serve(url: string, init: RequestInit, write: boolean, fault: Fault | undefined, signal: AbortSignal | null | undefined): Promise<Response> {
    await wait(options.latencyMs, signal)
    if (!up) throw networkError('offline')
    if (fault?.kind === 'network') throw networkError('connection refused')
    // A keepalive request that never answers is dropped by the browser in the end, too.
    if (fault?.kind === 'timeout')
      return signal ? hang(signal) : wait(60_000, undefined).then(() => Promise.reject(networkError('keepalive request timed out')))
    if (fault?.kind === 'status') {
      const headers: Record<string, string> = { 'Content-Type': 'application/json' }
      if (fault.retryAfter !== undefined) headers['Retry-After'] = String(fault.retryAfter)
      return new Response(JSON.stringify({ error: `Simulated HTTP ${fault.status}` }), { status: fault.status, headers })
    }
    if (write) {
      const change = remoteQueue.shift()
      if (change) remoteWriteNow(change)
    }
    const response = await handler(new Request(url, { method: init.method, headers: init.headers, body: init.body }))
    if (fault?.kind === 'lost-response') throw networkError('connection reset after the server answered')
    // The answer on its way back: an abort now loses it although the write was applied.
    await wait(options.latencyMs, signal)
    return response
  }

  const fetch: typeof globalThis.fetch = async (input, init = {}) => {
    const method = (init.method ?? 'GET').toUpperCase()
    const write = method !== 'GET' && method !== 'HEAD'
    if (!up) throw networkError('offline')
    const fault = write ? faults.shift() : undefined
    const url = String(input)
    if (!init.keepalive) return serve(url, init, write, fault, init.signal)
    // A keepalive request outlives its page: the server gets it even if the page (and its
    // abort signal) is gone; only the answer is lost.
    const delivery = serve(url, init, write, fault, undefined)
    const tracked = delivery.catch(() => {})
    background.add(tracked)
    void tracked.then(() => background.delete(tracked))
    return Promise.race([delivery, hang(init.signal)])
  }

  return {
    fetch,
    firstVersion: 1,
    setNetwork(next) {
      up = next
    },
    fail(fault, count) {
      for (let i = 0; i < count; i++) faults.push(fault)
    },
    remoteWrite(change, when) {
      if (when === 'now') remoteWriteNow(change)
      else remoteQueue.push(change)
    },
    heal() {
      up = true
      faults.length = 0
      remoteQueue.length = 0
    },
    document: () => docs.peek(KEY),
    async applied() {
      if (serverErrors.length) throw new Error(`the server failed: ${String(serverErrors[0])}`)
      return applied.slice().sort((a, b) => a.version - b.version)
    },
    async settled() {
      await Promise.all([...background])
    },
  }
}
