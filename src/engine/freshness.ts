import type { Ledger } from './ledger'
import type { ResolvedOptions } from './options'
import type { Persist } from './persist'
import type { Rebase } from './rebase'
import type { Sender } from './sender'
import type { TabSync } from './tab-sync'

/** Asks the server whether another device saved since: on focus, on reconnect, on a timer, on a push. */
export interface Freshness {
  revalidate(): Promise<void>
  stop(): void
}

export interface FreshnessParts<State> {
  options: ResolvedOptions
  ledger: Ledger<State>
  rebase: Rebase
  persist: Persist
  sender: Sender
  tabSync: TabSync
  isDisposed(): boolean
}

export function createFreshness<State>({ options, ledger, rebase, persist, sender, tabSync, isDisposed }: FreshnessParts<State>): Freshness {
  const { key, transport, env, clock } = options
  let revalidating = false
  let again = false
  let timer: unknown

  /**
   * A conditional GET (`If-None-Match`) with nothing pending here: a pending save meets a newer
   * copy as a 412 and resolves it with the `conflict` strategy, so only a clean engine looks.
   */
  async function revalidate(): Promise<void> {
    const known = ledger.acked
    // A look already on the wire may have left before the version that asks now: one more after it.
    if (revalidating) return void (again = true)
    if (isDisposed() || sender.busy || ledger.unsaved || known.version === null || !env.online.isOnline()) return
    revalidating = true
    try {
      const { loadIfChanged } = transport
      const answer = await sender.read('A read', (signal) =>
        loadIfChanged ? loadIfChanged.call(transport, key, { version: known.version!, signal }) : transport.load(key, { signal }),
      )
      if (answer === undefined || answer === 'unchanged' || answer.version <= known.version!) return
      // Something moved meanwhile (an edit, a send, another tab's ack): that path takes it from here.
      if (isDisposed() || sender.busy || ledger.unsaved || ledger.acked !== known) return
      rebase.ontoTab(answer.version, answer.data, 'server')
      persist.storeRevalidated(ledger.ackedSeq, answer.version, answer.data, answer.updatedAt)
      tabSync.postAck(answer.version, answer.data, known)
    } catch {
      // Best effort: the next focus, reconnect or save looks again.
    } finally {
      revalidating = false
      if (again) {
        again = false
        void revalidate()
      }
    }
  }

  // Another device saved: the server says which version it has now.
  const unwatch =
    options.revalidate?.push && transport.watch
      ? transport.watch(key, (version) => {
          const known = ledger.acked.version
          if (known === null || version > known) void revalidate()
        })
      : undefined

  function schedule() {
    const every = options.revalidate?.intervalMs
    if (!every || isDisposed()) return
    timer = clock.setTimeout(() => void revalidate().finally(schedule), every)
  }
  schedule()

  return {
    revalidate,
    stop() {
      if (timer !== undefined) clock.clearTimeout(timer)
      timer = undefined
      unwatch?.()
    },
  }
}
