import mitt from 'mitt'
import { AutosaveError } from '../errors'
import { threeWayMerge } from '../merge'
import { createSerializer, serialize } from '../serialize'
import type { Autosave, AutosaveEvents, AutosaveOptions } from '../types'
import { createFreshness } from './freshness'
import { createLedger } from './ledger'
import { resolveOptions, validate } from './options'
import { createPersist } from './persist'
import { createRebase } from './rebase'
import { createRestore } from './restore'
import { createSender } from './sender'
import { createStatusStore } from './status'
import { createTabSync } from './tab-sync'

/**
 * Creates the autosave engine for one document. The data path, top to bottom:
 * `save()` keeps a reference → the schedule coalesces a burst → the state is serialized and
 * written to the outbox in the store → the transport sends it (a patch against the last
 * acknowledged document, one request at a time, retried with backoff) → the ack clears the
 * outbox and resolves `flush()`.
 *
 * @example
 * ```ts
 * const saver = createAutosave<WizardState>({
 *   key: 'project:42',
 *   transport: fetchTransport({ baseUrl: '/api/storage/projects' }),
 *   store: indexedDBStore({ namespace: 'user-7' }),
 * })
 * const restored = await saver.restore()
 * saver.save((prev) => ({ ...prev!, currentStep: 'video_styles' }))
 * ```
 */
export function createAutosave<State>(userOptions: AutosaveOptions<State>): Autosave<State> {
  const options = resolveOptions(userOptions)
  const { key, env, clock, store } = options
  const emitter = mitt<AutosaveEvents<State>>()
  const controller = new AbortController()
  const { signal } = controller
  let disposed = false
  let disposing: Promise<void> | undefined
  const isDisposed = () => disposed
  /** This instance (one per tab and page load): owner of its outbox record. */
  const instanceId = env.randomId()
  const untilDisposed = new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }))
  const tabSync = createTabSync(env.tabs, { storeId: store.id, key, instanceId, untilDisposed })

  // Remembers its output per input object: an unchanged subtree is not walked again.
  const serializeState = createSerializer(options.serialize)
  const ledger = createLedger<State>((state) => serializeState(state))
  const status = createStatusStore(emitter, key)
  const persist = createPersist({ options, ledger, instanceId, report: status.report, unserializable: (error, seq) => sender.fail(error, seq) })
  const rebase = createRebase({ ledger, conflict: options.conflict, emitter, status, persist: persist.persist })
  const sender = createSender({ options, ledger, status, emitter, persist, rebase, tabSync, signal, isDisposed })
  const freshness = createFreshness({ options, ledger, rebase, persist, sender, tabSync, isDisposed })
  const { restore } = createRestore({
    options,
    ledger,
    status,
    persist,
    tabSync,
    rebase,
    requestSend: () => sender.requestSend(),
    read: sender.read,
    isDisposed,
  })

  const unsubscribers = [
    env.online.subscribe((online) => {
      if (disposed) return
      if (!online) return void status.dispatch({ type: 'went-offline' })
      // Back online: resume at once rather than at the next edit or the end of a backoff.
      sender.wake()
      if (ledger.unsaved) sender.requestSend()
      else if (options.revalidate?.onReconnect) void freshness.revalidate()
    }),
    env.focus.subscribe(() => {
      if (disposed) return
      // Back in front of the user: a save waiting out a backoff goes now (one the server
      // refused waits for a new edit or retry()), and a stale copy is refreshed.
      const { reason } = status.current
      if (ledger.unsaved) {
        if (reason !== 'refused' && reason !== 'unserializable' && reason !== 'conflict') sender.tryNow()
      } else if (options.revalidate?.onFocus) void freshness.revalidate()
    }),
    env.lifecycle.subscribe((event) => {
      if (disposed) return
      if (event === 'beforeunload') return options.warnOnUnload && ledger.unsaved
      // The page may be gone in a moment: write locally and, if the wire is free, start a
      // keepalive request now, inside the browser's event — later is too late.
      persist.persistNow()
      void persist.persist()
      if (event === 'pagehide') sender.pageHidden()
      if (ledger.unsaved && !sender.busy) sender.requestSend(event)
      return false
    }),
    store.onError?.((error) => {
      if (disposed) return
      // Only a fallback the store reports makes it less than durable (a memoryStore() the app
      // chose is the device's store), and that lasts past the next ack that clears `error`.
      status.dispatch({ type: 'durability', durable: store.isDurable?.() ?? true })
      status.report(error)
    }),
    tabSync.onAck(
      (version, data) => {
        if (disposed) return
        if (data !== undefined) return rebase.ontoTab(version, data)
        // A patch of a version this tab never got (it missed a message): ask the server instead.
        if (ledger.acked.version === null || version > ledger.acked.version) void freshness.revalidate()
      },
      () => ledger.acked,
    ),
  ]

  // The hot path: keep a reference, arm two timers at most; no serialization, no I/O.
  function save(next: State | ((prev: State | undefined) => State)) {
    if (disposed) throw new AutosaveError('DISPOSED', `save() on the disposed autosave "${key}"`)
    ledger.edit(typeof next === 'function' ? (next as (prev: State | undefined) => State)(ledger.state) : next, clock.now())
    sender.touch()
    persist.soon()
    if (!status.dispatch({ type: 'edited' })) status.notify()
  }

  async function rollback(id: string): Promise<State> {
    const atCall = { seq: ledger.seq, state: ledger.state }
    const snapshot = await persist.snapshot(id)
    if (snapshot === undefined) throw new AutosaveError('HISTORY_NOT_FOUND', `No snapshot "${id}" in the history of "${key}"`)
    await validate(options, snapshot, 'restore')
    let next = snapshot
    if (ledger.seq !== atCall.seq) {
      // Edits made while the snapshot was read are newer than the rollback: replay them on top.
      try {
        next = threeWayMerge(serialize(atCall.state, options.serialize), ledger.json(), snapshot).merged
      } catch {
        // Unserializable edits: the rollback wins; their error would surface on the next send anyway.
      }
    }
    save(next as State)
    return ledger.state as State
  }

  function dispose(): Promise<void> {
    if (disposing) return disposing
    const lastWrite = persist.persist()
    disposed = true
    for (const unsubscribe of unsubscribers) unsubscribe?.()
    tabSync.close()
    controller.abort(new AutosaveError('DISPOSED', `The autosave "${key}" was disposed`))
    sender.stop(new AutosaveError('DISPOSED', `The autosave "${key}" was disposed before the save was acknowledged`))
    freshness.stop()
    emitter.all.clear()
    status.listeners.clear()
    disposing = lastWrite
    return disposing
  }

  return {
    key,
    save,
    flush: sender.flush,
    restore,
    getState: () => ledger.state,
    getStatus: () => status.current,
    subscribe(listener) {
      status.listeners.add(listener)
      return () => status.listeners.delete(listener)
    },
    on: emitter.on,
    off: emitter.off,
    history: persist.history,
    rollback,
    dispose,
    retry: sender.tryNow,
  }
}
