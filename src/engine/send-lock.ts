import type { TabSync } from './tab-sync'

/**
 * The send lock between tabs (Web Locks): one tab sends a document's pending change at a time.
 * `locked()` runs the send under it; `pageHidden()` lets a send waiting for it go out at once,
 * as a keepalive (If-Match still keeps the order), because the page may not live to get it.
 */
export interface SendLock {
  /** `taken`: the caller has just found the lock taken, so the queue is next. */
  locked(taken?: boolean): Promise<void>
  pageHidden(): void
}

export function createSendLock(tabSync: TabSync, signal: AbortSignal, isDisposed: () => boolean, send: (keepalive: boolean) => Promise<void>): SendLock {
  /** Aborted by pagehide: a send queued for the lock then goes out at once, as a keepalive. */
  let lockWait: AbortController | undefined
  /** A send asking whether the lock is free; `hidden` once pagehide came meanwhile. */
  let asking: { hidden: boolean } | undefined

  // Disposal stops a send queued for the lock. One listener for the engine's life rather than
  // one per send (not AbortSignal.any: Safari has it only from 17.4); once the lock is granted
  // there is no wait left to stop.
  signal.addEventListener('abort', () => lockWait?.abort(signal.reason), { once: true })

  return {
    /**
     * send() under the send lock. Most sends find it free, so it is asked for first without a
     * signal (creating an AbortSignal costs ~10 µs in Node, on every request), and queued with
     * one, which pagehide and disposal abort, only when another tab has it.
     */
    async locked(taken = false): Promise<void> {
      if (!tabSync.lock) return send(false)
      if (!taken) {
        const ask = (asking = { hidden: false })
        let granted = false
        try {
          await tabSync.lock(tabSync.sendLock, { ifAvailable: true }, (free) => {
            if (asking === ask) asking = undefined
            if (!free) return
            granted = true
            // Hidden while the answer was on its way: a keepalive, as a send whose wait it aborted.
            return send(ask.hidden)
          })
        } finally {
          if (asking === ask) asking = undefined
        }
        if (granted) return
        // Disposed or hidden before the queue was joined: what aborting the wait would have done.
        if (signal.aborted) throw signal.reason
        if (ask.hidden) return send(true)
      }
      const wait = (lockWait = new AbortController())
      try {
        await tabSync.lock(tabSync.sendLock, { signal: wait.signal }, () => ((lockWait = undefined), send(false)))
      } catch (error) {
        if (!wait.signal.aborted || isDisposed()) throw error
        await send(true) // the page is going away while queued: If-Match still keeps order
      } finally {
        if (lockWait === wait) lockWait = undefined
      }
    },
    pageHidden() {
      if (asking) asking.hidden = true
      lockWait?.abort()
    },
  }
}
