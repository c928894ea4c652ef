import type { Emitter } from 'mitt'
import type { PageExitReason } from '../environment/lifecycle'
import { AutosaveError, ConflictError, TransportError } from '../errors'
import { diffDocuments } from '../patch'
import type { AutosaveEvents, Json, WriteResult } from '../types'
import type { Base, Ledger } from './ledger'
import { validate, type ResolvedOptions } from './options'
import type { Persist } from './persist'
import type { Rebase } from './rebase'
import { conflictRound } from './conflict'
import { fanOut } from '../abort'
import { withDeadline } from '../deadline'
import { isNetworkFailure, offlineError, SLOW_RETRY_MS, withRetry } from './retry'
import { createSchedule } from './schedule'
import { createSendLock } from './send-lock'
import { createReads } from './reads'
import type { StatusStore } from './status'
import type { TabSync } from './tab-sync'

/** One request in flight per document: the send loop, the write with its conflict rounds, the send lock. */
export interface Sender {
  /** A save() happened: (re)arm the debounce. */
  touch(): void
  /** Sends now (or as soon as the request in flight is done). `exit`: from a page-exit event, as a keepalive request. */
  requestSend(exit?: PageExitReason): void
  /** Whether a request is in flight. */
  readonly busy: boolean
  /** Cuts a retry's wait short (flush, back online, dispose). */
  wake(): void
  /** The page is going away: a send queued for (or asking for) the lock goes out at once, as a keepalive. */
  pageHidden(): void
  flush(options?: { signal?: AbortSignal }): Promise<void>
  /** `fromSeq`: the failing state; flushes of earlier states may still be acknowledged. */
  fail(error: unknown, fromSeq?: number): void
  /** dispose(): no more sends; every flush() waiting is rejected with `error`. */
  stop(error: AutosaveError): void
  /** A pending or failed save goes now (retry(), focus): cuts a backoff short or starts a send. */
  tryNow(): void
  /** A transport call under the engine's own deadline (a transport may never settle); `control` gets a function that aborts it early. */
  call<T>(what: string, run: (signal: AbortSignal) => Promise<T>, control?: (abort: (reason: unknown) => void) => void): Promise<T>
  /** A read outside a send (restore, revalidation): reads queue and a send waits for them, so one request at most is on the wire. */
  read<T>(what: string, run: (signal: AbortSignal) => Promise<T>): Promise<T>
}

export interface SenderParts<State> {
  options: ResolvedOptions
  ledger: Ledger<State>
  status: StatusStore
  emitter: Emitter<AutosaveEvents<State>>
  persist: Persist
  rebase: Rebase
  tabSync: TabSync
  signal: AbortSignal
  isDisposed(): boolean
}

export function createSender<State>(parts: SenderParts<State>): Sender {
  const { options, ledger, status, emitter, persist, rebase, tabSync, signal, isDisposed } = parts
  const { key, transport, env, clock } = options
  let inFlight: Promise<void> | undefined
  let sendRequested = false
  let wakeRetry: (() => void) | undefined
  const waiters: Array<{ seq: number; resolve: () => void; reject: (error: unknown) => void }> = []
  const schedule = createSchedule(clock, options.debounceMs, options.maxWaitMs, () => requestSend())
  /** The newest state a send failed on. */
  let failedSeq = 0
  /** After the retry budget: the next slow attempt (a pending save is never given up while the page lives). */
  let slowRetry: unknown
  /** The retry budget is spent and nothing was acknowledged since: each attempt is a single one. */
  let budgetSpent = false
  // Every call listens for disposal through one listener on the engine's signal.
  const disposal = fanOut(signal)
  const call = <T>(what: string, work: (signal: AbortSignal) => Promise<T>, control?: (abort: (reason: unknown) => void) => void) =>
    withDeadline(clock, options.requestTimeoutMs, disposal, `${what} of "${key}"`, work, control)

  const reads = createReads(call, key)

  function cancelSlowRetry() {
    if (slowRetry !== undefined) clock.clearTimeout(slowRetry)
    slowRetry = undefined
  }

  function requestSend(exit?: PageExitReason) {
    schedule.cancel()
    cancelSlowRetry()
    if (isDisposed()) return
    if (inFlight !== undefined) {
      sendRequested = true
      return
    }
    const seqAtStart = ledger.seq
    inFlight = run(exit).then((finished) => {
      inFlight = undefined
      // A request that came after the loop's last look, before this ran, must not be lost. After
      // a failure only a newer state asks again (a "Finish" button's save() + flush() in the
      // catch block of the failed flush()), never a flush() alone (an error listener's would loop).
      if (sendRequested && (finished || ledger.seq > Math.max(seqAtStart, failedSeq))) {
        sendRequested = false
        requestSend()
      }
    })
  }

  const sendLock = createSendLock(tabSync, signal, isDisposed, send)

  async function run(exit: PageExitReason | undefined): Promise<boolean> {
    // A page-exit send cannot wait out a read: the read is cut short (it settles at once).
    if (exit) reads.cutShort()
    while (reads.current) await reads.current
    while (!isDisposed() && ledger.unsaved) {
      if (!env.online.isOnline()) {
        status.dispatch({ type: 'send-offline' })
        void persist.persist()
        return false
      }
      try {
        // On page exit there is no time to queue for the lock; If-Match still keeps order. A
        // tab merely hidden may live on: it sends at once only if no other tab is sending.
        if (exit === 'pagehide' || (exit && !tabSync.lock)) await send(true)
        else if (exit) await tabSync.lock!(tabSync.sendLock, { ifAvailable: true }, (granted) => (granted ? send(true) : sendLock.locked(true)))
        else await sendLock.locked()
      } catch (error) {
        failedSeq = ledger.seq
        if (!isDisposed()) fail(error)
        return false
      }
      exit = undefined
      if (!sendRequested) return true
      sendRequested = false
    }
    return true
  }

  /** One write of the current state; inside the send lock, so other tabs' acks are already rebased in. */
  async function send(keepalive: boolean) {
    if (!ledger.unsaved) return
    const { target, data, base } = ledger.startSend()
    try {
      await validate(options, data, 'send')
      ledger.markSending(data)
      // On page exit, waiting for the local write could outlive the page: start it, don't wait.
      if (!keepalive) await persist.persist()
      else void persist.persist()
      await write(target, data, base, keepalive)
      // Hold the send lock until the ack is stored: the base record and the history index
      // are shared by every tab, and two read-modify-writes of the index must not interleave.
      await persist.idle()
    } finally {
      ledger.endSend()
    }
  }

  async function write(target: number, data: Json, base: Base, keepalive: boolean) {
    let idempotencyKey = env.randomId()
    for (let round = 0; ; round++) {
      // Nothing on the server to patch (a first write, or a document it lost): the whole document.
      const patch = base.version === null || base.data === null ? undefined : diffDocuments(base.data, data)
      if (patch && patch.length === 0) {
        // Nothing to send. If another tab's save moved the base meanwhile, it is newer than
        // `data` and already folded into the state: keep it as the base.
        acknowledge(target, ledger.acked === base ? data : (ledger.acked.data as Json), undefined)
        return
      }
      try {
        let attempt = 0
        const result = await withRetry(
          () => {
            if (!env.online.isOnline()) throw offlineError()
            status.dispatch({ type: 'sending' })
            // Only the attempt made inside the page-exit event needs keepalive (and its budget).
            const exiting = keepalive && attempt++ === 0
            return call('A write', (signal) => transport.write({ key, baseVersion: base.version, idempotencyKey, data, patch, signal, keepalive: exiting }))
          },
          {
            // Past the budget the slow cadence paces the attempts; a new burst each minute would not be slow.
            options: budgetSpent ? { ...options.retry, retries: 0 } : options.retry,
            clock,
            signal,
            onRetry: ({ attempt, delayMs, error, wake }) => {
              wakeRetry = wake
              const retryAt = clock.now() + delayMs
              // The browser says offline: 'offline'. Online but no answer: the server is unreachable.
              status.dispatch({ type: 'retry-scheduled', offline: isNetworkFailure(error) && !env.online.isOnline(), retryAt, error })
              emitter.emit('retry', { attempt, delayMs, retryAt, error })
            },
          },
        )
        wakeRetry = undefined
        acknowledge(target, data, result)
        return
      } catch (error) {
        wakeRetry = undefined
        if (!(error instanceof ConflictError)) throw error
        if (round >= options.maxConflictRounds) {
          throw new ConflictError(`"${key}" kept changing on the server; gave up after ${round} merges`, error.remote, 'CONFLICT_UNRESOLVED')
        }
        const next = await conflictRound({ key, transport, ledger: ledger as Ledger<unknown>, persist, rebase, status, call }, error, target, data, base)
        base = next.base
        if (next.data !== undefined) data = next.data
        idempotencyKey = env.randomId()
      }
    }
  }

  function acknowledge(target: number, data: Json, result: WriteResult | undefined) {
    const version = result?.version ?? ledger.acked.version!
    budgetSpent = false
    const previous = ledger.acked
    const done = ledger.acknowledge(target, data, version)
    const stored = persist.storeAck(target, version, data, result)
    status.dispatch({ type: 'acknowledged', done, savedAt: result ? clock.now() : null, version: ledger.acked.version })
    if (result) {
      emitter.emit('saved', { version, updatedAt: result.updatedAt, data })
      if (!isDisposed()) tabSync.postAck(version, data, previous) // a closed channel throws
    }
    // flush() settles once the store agrees too, so a reload right after it sends nothing again.
    const settled = waiters.filter((waiter) => waiter.seq <= ledger.ackedSeq)
    if (settled.length) {
      void stored.then(() => {
        for (const waiter of settled) removeWaiter(waiter)?.resolve()
      })
    }
  }

  function removeWaiter(waiter: (typeof waiters)[number]) {
    const at = waiters.indexOf(waiter)
    return at >= 0 ? waiters.splice(at, 1)[0] : undefined
  }

  function fail(error: unknown, fromSeq = 0) {
    const typed = error instanceof AutosaveError ? error : new AutosaveError('UNEXPECTED', `Saving "${key}" failed: ${String(error)}`, { cause: error })
    // Retryable failures past the retry budget keep being tried, slowly; a refusal waits for a
    // new edit, retry() or the next restore.
    const again = (typed instanceof TransportError && typed.retryable) || typed.code === 'CONFLICT_UNRESOLVED'
    const delayMs = again && !isDisposed() ? Math.round(SLOW_RETRY_MS * (options.retry.randomize ? 1 + Math.random() * 0.25 : 1)) : undefined
    cancelSlowRetry()
    if (delayMs !== undefined) {
      budgetSpent = true
      slowRetry = clock.setTimeout(() => {
        slowRetry = undefined
        if (!isDisposed() && ledger.unsaved) requestSend()
      }, delayMs)
    }
    status.dispatch({ type: 'failed', conflict: typed instanceof ConflictError, error: typed, retryAt: delayMs === undefined ? null : clock.now() + delayMs })
    status.report(typed)
    for (const waiter of waiters.filter((w) => w.seq > ledger.ackedSeq && w.seq >= fromSeq)) removeWaiter(waiter)?.reject(typed)
  }

  return {
    touch: () => schedule.touch(),
    requestSend,
    get busy() {
      return inFlight !== undefined
    },
    wake: () => wakeRetry?.(),
    pageHidden: () => sendLock.pageHidden(),
    flush({ signal: abort }: { signal?: AbortSignal } = {}) {
      if (isDisposed()) return Promise.reject(new AutosaveError('DISPOSED', `flush() on the disposed autosave "${key}"`))
      if (!ledger.unsaved) return persist.idle()
      return new Promise<void>((resolve, reject) => {
        const onAbort = () => removeWaiter(waiter)?.reject(abort!.reason)
        const waiter = {
          seq: ledger.seq,
          resolve: () => (abort?.removeEventListener('abort', onAbort), resolve()),
          reject: (error: unknown) => (abort?.removeEventListener('abort', onAbort), reject(error)),
        }
        waiters.push(waiter)
        abort?.addEventListener('abort', onAbort, { once: true })
        if (status.current.phase === 'offline' && !env.online.isOnline()) return
        wakeRetry?.()
        requestSend()
      })
    },
    fail,
    tryNow() {
      if (isDisposed() || !ledger.unsaved) return
      if (!wakeRetry) requestSend()
      wakeRetry?.()
    },
    call,
    read: reads.read,
    stop(error) {
      schedule.cancel()
      cancelSlowRetry()
      wakeRetry?.()
      for (const waiter of waiters.splice(0)) waiter.reject(error)
    },
  }
}
