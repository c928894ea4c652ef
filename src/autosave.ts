import mitt from 'mitt'
import { resolveEnvironment } from './environment/environment'
import type { PageExitReason } from './environment/lifecycle'
import { AutosaveError, ConflictError, StorageError, TransportError, ValidationError } from './errors'
import { jsonEqual, resolveConflict, threeWayMerge } from './merge'
import { readRecord, quarantine, recordKeys, RECORD_FORMAT, type HistoryIndexEntry, type OutboxRecord } from './outbox'
import { ancestorWithOwnWrites } from './own-writes'
import { applyDocumentPatch, diffDocuments } from './patch'
import { defaultRetry, isNetworkFailure, withRetry } from './retry'
import { createSchedule } from './schedule'
import { createSerializer, serialize } from './serialize'
import { initialStatus } from './status'
import { plainIndexedDBStore } from './stores/indexeddb'
import type {
  Autosave,
  AutosaveEvents,
  AutosaveOptions,
  AutosaveStatus,
  ConflictStrategy,
  HistoryEntry,
  Json,
  JsonPatchOperation,
  LoadedDocument,
  RemoteDocument,
  StandardSchema,
  WriteResult,
} from './types'

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
export function createAutosave<State>(options: AutosaveOptions<State>): Autosave<State> {
  checkOptions(options as AutosaveOptions<unknown>)
  const { key, transport } = options
  // The user's function sees its own State type; states here are their JSON form.
  const conflict = (options.conflict ?? 'merge') as ConflictStrategy<Json>
  const env = resolveEnvironment(options.environment)
  const { clock } = env
  const store = options.store ?? plainIndexedDBStore({ clock })
  const keys = recordKeys(key)
  const debounceMs = options.debounceMs ?? 3000
  const localDelayMs = Math.min(options.localDelayMs ?? 300, debounceMs)
  const retry = { ...defaultRetry, ...options.retry }
  const historyLimit = options.history === false ? 0 : (options.history?.limit ?? 20)
  const schemaVersion = options.version ?? 1
  const maxConflictRounds = options.maxConflictRounds ?? 5

  const emitter = mitt<AutosaveEvents<State>>()
  const listeners = new Set<() => void>()
  const controller = new AbortController()
  /** This instance (one per tab and page load): owner of its outbox record. */
  const instanceId = env.randomId()
  const outboxKey = keys.outbox(instanceId)
  const tabs = env.tabs
  const scope = `autosave-kit:${store.id ?? 'default'}`
  const channel = tabs.channel(`${scope}:${key}`)
  const lockName = (what: string) => `${scope}:${what}:${key}`
  const untilDisposed = new Promise<void>((resolve) => controller.signal.addEventListener('abort', () => resolve(), { once: true }))
  // Held for this instance's whole life, so other tabs can tell its outbox record is not orphaned.
  void tabs.lock?.(lockName(`alive:${instanceId}`), {}, () => untilDisposed)

  // --- what the engine knows --------------------------------------------------------------
  let state: State | undefined
  /** Bumped by every save(); compared with the two below to know what is durable and acked. */
  let seq = 0
  let persistedSeq = 0
  let ackedSeq = 0
  /** The last document the server acknowledged: the base of the next patch and of merges. */
  let acked: { version: number | null; data: Json | undefined } = { version: null, data: undefined }
  /**
   * Writes put on the network since the last ack (newest last, a few at most): a write whose
   * answer was lost may have been applied, and must then not be mistaken for someone else's.
   */
  let unacked: Json[] = []
  /**
   * The data of the write in flight with every other tab's save since folded in as into the
   * state: what the state holds that the user did not type after the write went out.
   */
  let sentRebased: Json | undefined
  /** Serialization happens once per state, off the save() path. */
  let serialized: { seq: number; data: Json } | undefined
  const serializeState = createSerializer(options.serialize)
  let status: AutosaveStatus = initialStatus
  let inFlight: Promise<void> | undefined
  let sendRequested = false
  /** Aborted by pagehide: a send queued for the lock then goes out at once, as a keepalive. */
  let lockWait: AbortController | undefined
  let wakeRetry: (() => void) | undefined
  let persistChain: Promise<void> = Promise.resolve()
  let persistTimer: unknown
  /** The outbox record is out of date though no save() happened: a rebase changed state and base. */
  let outboxStale = false
  let disposed = false
  let disposing: Promise<void> | undefined
  /** Orphaned outbox records of closed tabs taken over by restore(); removed once acknowledged. */
  let adopted: Array<{ storeKey: string; seq: number }> = []
  const waiters: Array<{ seq: number; resolve: () => void; reject: (error: unknown) => void }> = []

  const schedule = createSchedule(clock, debounceMs, options.maxWaitMs ?? 10_000, () => requestSend())

  // --- status and events ------------------------------------------------------------------
  function notify() {
    for (const listener of [...listeners]) listener()
  }

  function setStatus(patch: Partial<AutosaveStatus>) {
    const next = { ...status, ...patch }
    if ((Object.keys(patch) as Array<keyof AutosaveStatus>).every((k) => next[k] === status[k])) return
    status = next
    emitter.emit('status', status)
    notify()
  }

  function reportError(error: AutosaveError) {
    setStatus({ error })
    emitter.emit('error', error)
  }

  const unsubscribers = [
    env.online.subscribe((online) => {
      if (disposed) return
      if (!online) {
        if (status.pending) setStatus({ phase: 'offline', retryAt: null })
        return
      }
      // Back online: resume at once rather than at the next edit or the end of a backoff.
      wakeRetry?.()
      if (seq > ackedSeq) requestSend()
    }),
    env.lifecycle.subscribe((event) => {
      if (disposed) return
      if (event === 'beforeunload') return options.warnOnUnload === true && seq > ackedSeq
      // The page may be gone in a moment: write locally and, if the wire is free, start a
      // keepalive request now, inside the browser's event — later is too late.
      persistNow()
      void persist()
      if (event === 'pagehide') lockWait?.abort()
      if (seq > ackedSeq && !inFlight) requestSend(event)
      return false
    }),
    store.onError?.((error) => {
      if (disposed) return
      // Only a fallback the store reports makes it less than durable (a memoryStore() the app
      // chose is the device's store), and that lasts past the next ack that clears `error`.
      setStatus({ durable: store.isDurable?.() ?? true })
      reportError(error)
    }),
    channel?.subscribe((message) => {
      const ack = message as { type?: string; version?: number; data?: Json }
      if (!disposed && ack?.type === 'ack' && typeof ack.version === 'number') rebaseOnTab(ack.version, ack.data as Json)
    }),
  ]

  // --- save: the hot path -----------------------------------------------------------------
  function save(next: State | ((prev: State | undefined) => State)) {
    if (disposed) throw new AutosaveError('DISPOSED', `save() on the disposed autosave "${key}"`)
    state = typeof next === 'function' ? (next as (prev: State | undefined) => State)(state) : next
    // Time-based so that records written by other instances (reloads, tabs) order correctly.
    seq = Math.max(seq + 1, clock.now())
    schedule.touch()
    if (persistTimer === undefined) persistTimer = clock.setTimeout(() => void persist(), localDelayMs)
    if (!status.pending) {
      const busy = status.phase === 'saving' || status.phase === 'offline' || status.phase === 'retrying'
      setStatus({ pending: true, phase: busy ? status.phase : 'pending' })
    } else {
      notify()
    }
  }

  /** The JSON form of the current state, computed at most once per save. */
  function currentJson(): Json {
    if (serialized?.seq !== seq) serialized = { seq, data: serializeState(state) }
    return serialized.data
  }

  // --- outbox: durable before the network is tried ----------------------------------------
  function persist(): Promise<void> {
    if (persistTimer !== undefined) clock.clearTimeout(persistTimer)
    persistTimer = undefined
    return enqueueStoreWork(async () => {
      const target = seq
      if ((target <= persistedSeq && !outboxStale) || target <= ackedSeq) return
      let data: Json
      try {
        data = currentJson()
      } catch (error) {
        fail(error, target)
        return
      }
      outboxStale = false
      await store.setMany([[outboxKey, outboxRecord(target, data)]])
      persistedSeq = target
    })
  }

  function outboxRecord(target: number, data: Json): OutboxRecord {
    return {
      format: RECORD_FORMAT,
      key,
      owner: instanceId,
      seq: target,
      baseVersion: acked.version,
      data,
      undo: acked.data === undefined ? undefined : diffDocuments(data, acked.data),
      sent: unacked.length ? unacked.map((write) => diffDocuments(data, write) ?? [{ op: 'replace', path: '', value: write }]) : undefined,
      savedAt: clock.now(),
      schemaVersion,
    }
  }

  /**
   * On page exit an IndexedDB write may never finish: write the draft synchronously where the
   * store can (localStorage), then let the normal write follow (it takes over that copy).
   */
  function persistNow() {
    if (!store.writeNow || seq <= ackedSeq || (seq <= persistedSeq && !outboxStale)) return
    try {
      if (store.writeNow([[outboxKey, outboxRecord(seq, currentJson())]])) persistedSeq = seq
    } catch {
      // Unserializable: the normal write reports it.
    }
    outboxStale = true
  }

  /** Store writes run one after another, so an older record can never land after a newer one. */
  function enqueueStoreWork(work: () => Promise<void>): Promise<void> {
    persistChain = persistChain.then(work).catch((error: unknown) => {
      // The network is the other way to keep the edit; a broken store must not stop it.
      reportError(error instanceof AutosaveError ? error : new StorageError('STORAGE_WRITE', `Writing "${key}" to the local store failed: ${String(error)}`, { cause: error }))
    })
    return persistChain
  }

  // --- send: one request at a time ---------------------------------------------------------
  /** `exit`: sent from a page-exit event, as a keepalive request. */
  function requestSend(exit?: PageExitReason) {
    schedule.cancel()
    if (disposed) return
    if (inFlight) {
      sendRequested = true
      return
    }
    inFlight = run(exit).then((finished) => {
      inFlight = undefined
      // A request that came after the loop's last look, before this ran, must not be lost
      // (after a failure or going offline, the next edit, flush or online event asks again).
      if (finished && sendRequested) {
        sendRequested = false
        requestSend()
      }
    })
  }

  async function run(exit: PageExitReason | undefined): Promise<boolean> {
    const locked = async (work: () => Promise<void>) => {
      if (!tabs.lock) return work()
      const wait = (lockWait = new AbortController())
      // Not AbortSignal.any: Safari has it only from 17.4.
      const stop = () => wait.abort(controller.signal.reason)
      controller.signal.addEventListener('abort', stop, { once: true })
      try {
        await tabs.lock(lockName('send'), { signal: wait.signal }, () => ((lockWait = undefined), work()))
      } catch (error) {
        if (!wait.signal.aborted || disposed) throw error
        await send(true) // the page is going away while queued: If-Match still keeps order
      } finally {
        controller.signal.removeEventListener('abort', stop)
        if (lockWait === wait) lockWait = undefined
      }
    }
    while (!disposed && seq > ackedSeq) {
      if (!env.online.isOnline()) {
        setStatus({ phase: 'offline', retryAt: null })
        void persist()
        return false
      }
      try {
        // On page exit there is no time to queue for the lock; If-Match still keeps order. A
        // tab merely hidden may live on: it sends at once only if no other tab is sending.
        if (exit === 'pagehide' || (exit && !tabs.lock)) await send(true)
        else if (exit) await tabs.lock!(lockName('send'), { ifAvailable: true }, (granted) => (granted ? send(true) : locked(() => send(false))))
        else await locked(() => send(false))
      } catch (error) {
        if (!disposed) fail(error)
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
    if (seq <= ackedSeq) return
    const target = seq
    const data = currentJson()
    // The base is taken with the data: an ack from another tab may move `acked` while we wait
    // below, and a patch from that newer base to this older data would revert the other tab.
    const base = acked
    sentRebased = data
    try {
      await validate(data, 'send')
      markSending(data)
      // On page exit, waiting for the local write could outlive the page: start it, don't wait.
      if (!keepalive) await persist()
      else void persist()
      await write(target, data, base, keepalive)
      // Hold the send lock until the ack is stored: the base record and the history index
      // are shared by every tab, and two read-modify-writes of the index must not interleave.
      await persistChain
    } finally {
      sentRebased = undefined
    }
  }

  /** Records on disk which write is about to go out, in the same outbox write as its data. */
  function markSending(data: Json) {
    if (unacked.at(-1) !== data) unacked = [...unacked.slice(-2), data]
    outboxStale = true
  }

  async function write(target: number, data: Json, base: typeof acked, keepalive: boolean) {
    let idempotencyKey = env.randomId()
    for (let round = 0; ; round++) {
      const patch = base.version === null ? undefined : diffDocuments(base.data, data)
      if (patch && patch.length === 0) {
        // Nothing to send. If another tab's save moved the base meanwhile, it is newer than
        // `data` and already folded into the state: keep it as the base.
        acknowledge(target, acked === base ? data : (acked.data as Json), undefined)
        return
      }
      try {
        let attempt = 0
        const result = await withRetry(
          () => {
            if (!env.online.isOnline()) throw offlineError()
            setStatus({ phase: 'saving', retryAt: null })
            // Only the attempt made inside the page-exit event needs keepalive (and its budget).
            const exiting = keepalive && attempt++ === 0
            return transport.write({ key, baseVersion: base.version, idempotencyKey, data, patch, signal: controller.signal, keepalive: exiting })
          },
          {
            options: retry,
            clock,
            signal: controller.signal,
            onRetry: ({ attempt, delayMs, error, wake }) => {
              wakeRetry = wake
              const retryAt = clock.now() + delayMs
              const offline = isNetworkFailure(error)
              setStatus({ phase: offline ? 'offline' : 'retrying', retryAt, error })
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
        if (round >= maxConflictRounds) {
          throw new ConflictError(`"${key}" kept changing on the server; gave up after ${round} merges`, error.remote, 'CONFLICT_UNRESOLVED')
        }
        let remote = error.remote ?? (await transport.load(key, { signal: controller.signal })) ?? { data: null, version: 0 }
        // Another tab's newer save may have arrived while this answer was on its way: it is on the server too.
        if (acked.version !== null && acked.version > remote.version) remote = { version: acked.version, data: acked.data as Json }
        if (unacked.some((write) => jsonEqual(write, remote.data as Json))) {
          // One of our own earlier writes landed though its answer was lost: not a conflict.
          acked = { version: remote.version, data: remote.data as Json }
          outboxStale = true
          base = acked
          idempotencyKey = env.randomId()
          continue
        }
        data = rebase(target, data, ancestorWithOwnWrites(base.data, remote.data as Json, unacked), remote)
        sentRebased = data
        base = acked
        idempotencyKey = env.randomId()
        markSending(data)
        void persist()
      }
    }
  }

  /**
   * The server moved on: resolve with the `conflict` strategy, adopt the server's version as
   * the new base, and carry along any edits made while the request was out.
   */
  function rebase(target: number, local: Json, ancestor: Json | undefined, remote: RemoteDocument): Json {
    const remoteData = remote.data as Json
    const before = currentJson()
    const resolved = resolveConflict(conflict, { base: ancestor, local, remote: remoteData })
    acked = { version: remote.version, data: remoteData }
    outboxStale = true
    emitter.emit('conflict', { strategy: resolved.strategy, paths: resolved.conflicts, remoteVersion: remote.version, resolved: resolved.merged })
    let next = resolved.merged
    const replayBase = sentRebased ?? local
    if (seq !== target || replayBase !== local) {
      // Newer edits were made on top of `local` (and other tabs' saves folded in, which are
      // not edits to replay); replay them on top of the resolution.
      next = threeWayMerge(replayBase, currentJson(), next).merged
    }
    state = next as State
    serialized = { seq, data: next }
    // Compared with what the state was, not with what was sent: 'local-wins' may still change it.
    if (diffDocuments(before, next)?.length !== 0) {
      emitter.emit('remote-change', { state: state, version: remote.version, source: 'server' })
      notify()
    }
    return next
  }

  /**
   * Another tab saved a newer version. Adopt it as the base; unsent edits of this tab are
   * replayed on top, so neither tab's changes are lost and the next patch carries only ours.
   */
  function rebaseOnTab(version: number, remote: Json, source: 'tab' | 'server' = 'tab') {
    if (acked.version !== null && version <= acked.version) return
    const base = acked.data
    acked = { version, data: remote }
    let next = remote
    if (seq > ackedSeq) {
      try {
        const ancestor = ancestorWithOwnWrites(base, remote, unacked)
        next = threeWayMerge(ancestor, currentJson(), remote).merged
        if (sentRebased !== undefined) sentRebased = threeWayMerge(ancestor, sentRebased, remote).merged
      } catch {
        return // unserializable local state: its own error surfaces on the next send
      }
    }
    state = next as State
    serialized = { seq, data: next }
    // The draft on disk must follow, or a reload would merge it against the wrong base.
    if (seq > ackedSeq) {
      outboxStale = true
      void persist()
    }
    setStatus({ version })
    emitter.emit('remote-change', { state, version, source })
    notify()
  }

  function acknowledge(target: number, data: Json, result: WriteResult | undefined) {
    unacked = []
    // A newer draft on disk still names the old base.
    if (persistedSeq > target) outboxStale = true
    const version = result?.version ?? acked.version!
    // Another tab's newer ack may have arrived while this answer was on its way.
    if (acked.version === null || version >= acked.version) acked = { version, data }
    ackedSeq = Math.max(ackedSeq, target)
    const done = ackedSeq >= seq
    const stored = enqueueStoreWork(async () => {
      const updatedAt = result?.updatedAt ?? new Date(clock.now()).toISOString()
      // Another tab's newer ack may have stored a newer base meanwhile: never step it back.
      if (acked.version === null || version >= acked.version) await store.setMany([[keys.base, { format: RECORD_FORMAT, key, owner: instanceId, seq: target, version, data, updatedAt }]])
      if (persistedSeq <= target) {
        // Without Web Locks an adopted draft's owner may still be alive and have stored a newer
        // one since: delete only the records exactly as adopted.
        const taken: string[] = []
        for (const { storeKey, seq } of adopted.splice(0)) {
          const now = (await store.get(storeKey)) as { seq?: number } | undefined
          if (!now || typeof now.seq !== 'number' || now.seq <= seq) taken.push(storeKey)
        }
        // A page-exit write (persistNow) may have stored a newer draft during the reads above.
        await store.delMany(persistedSeq <= target ? [outboxKey, ...taken] : taken)
      }
      if (result) await recordHistory(version, data)
    })
    setStatus({
      phase: done ? 'saved' : status.phase === 'saving' ? 'pending' : status.phase,
      pending: !done,
      lastSavedAt: result ? clock.now() : status.lastSavedAt,
      // A failure of a later state (phase error/conflict kept) is still the current error.
      error: done || status.phase === 'saving' ? null : status.error,
      retryAt: null,
      version: acked.version,
    })
    if (result) {
      emitter.emit('saved', { version, updatedAt: result.updatedAt, data })
      if (!disposed) channel?.post({ type: 'ack', version, data }) // a closed channel throws
    }
    // flush() settles once the store agrees too, so a reload right after it sends nothing again.
    const settled = waiters.filter((waiter) => waiter.seq <= ackedSeq)
    if (settled.length) void stored.then(() => settled.forEach((waiter) => removeWaiter(waiter)?.resolve()))
  }

  function removeWaiter(waiter: (typeof waiters)[number]) {
    const at = waiters.indexOf(waiter)
    return at >= 0 ? waiters.splice(at, 1)[0] : undefined
  }

  /** `fromSeq`: the failing state; flushes of earlier states may still be acknowledged. */
  function fail(error: unknown, fromSeq = 0) {
    const typed =
      error instanceof AutosaveError
        ? error
        : new AutosaveError('UNEXPECTED', `Saving "${key}" failed: ${String(error)}`, { cause: error })
    setStatus({ phase: typed instanceof ConflictError ? 'conflict' : 'error', retryAt: null })
    reportError(typed)
    for (const waiter of waiters.filter((w) => w.seq > ackedSeq && w.seq >= fromSeq)) removeWaiter(waiter)?.reject(typed)
  }

  async function validate(data: Json, stage: 'send' | 'restore') {
    if (!options.schema) return
    const result = await (options.schema as StandardSchema)['~standard'].validate(data)
    if (result.issues) throw new ValidationError(result.issues, stage, `"${key}": `)
  }

  // --- history ----------------------------------------------------------------------------
  async function recordHistory(version: number, data: Json) {
    const index = (await readRecord(store, 'history', keys.historyIndex, keys.quarantine(clock.now()), reportError)) ?? []
    const entry: HistoryIndexEntry = { id: env.randomId(), savedAt: clock.now(), version }
    // A lower limit (or `history: false`) than an earlier page's also prunes what it kept.
    const kept = historyLimit > 0 ? [entry, ...index].slice(0, historyLimit) : []
    const dropped = index.filter((old) => !kept.includes(old))
    if (kept.length) await store.setMany([[keys.snapshot(entry.id), data], [keys.historyIndex, kept]])
    else if (index.length) await store.delMany([keys.historyIndex])
    if (dropped.length) await store.delMany(dropped.map((old) => keys.snapshot(old.id)))
  }

  async function history(): Promise<HistoryEntry[]> {
    await persistChain
    return ((await readRecord(store, 'history', keys.historyIndex, keys.quarantine(clock.now()), reportError)) ?? []).slice(0, historyLimit)
  }

  async function rollback(id: string): Promise<State> {
    const atCall = { seq, state }
    await persistChain
    const snapshot = (await store.get(keys.snapshot(id))) as Json | undefined
    if (snapshot === undefined) throw new AutosaveError('HISTORY_NOT_FOUND', `No snapshot "${id}" in the history of "${key}"`)
    await validate(snapshot, 'restore')
    let next = snapshot
    if (seq !== atCall.seq) {
      // Edits made while the snapshot was read are newer than the rollback: replay them on top.
      try {
        next = threeWayMerge(serialize(atCall.state, options.serialize), currentJson(), snapshot).merged
      } catch {
        // Unserializable edits: the rollback wins; their error would surface on the next send anyway.
      }
    }
    save(next as State)
    return state as State
  }

  // --- restore ----------------------------------------------------------------------------
  let restoring: Promise<State | undefined> | undefined
  function restore(): Promise<State | undefined> {
    return (restoring ??= restoreOnce().finally(() => (restoring = undefined)))
  }

  async function restoreOnce(): Promise<State | undefined> {
    const adoptedBefore = adopted.length
    try {
      return await restoreInner(adoptedBefore)
    } catch (error) {
      // Whatever was taken over and not restored stays in the store for the next page.
      adopted.splice(adoptedBefore)
      throw error
    }
  }

  async function restoreInner(adoptedBefore: number): Promise<State | undefined> {
    const quarantineKey = keys.quarantine(clock.now())
    const ackedAtStart = acked
    let outbox: OutboxRecord | undefined
    let base: Awaited<ReturnType<typeof readRecord<'base'>>>
    // The last acknowledged copy can be megabytes: read it only when it is needed.
    let baseRead: Promise<typeof base> | undefined
    const readBase = () => (baseRead ??= readRecord(store, 'base', keys.base, `${quarantineKey}:base`, reportError))
    // Read before the server answers: no await may come between its answer and taking it.
    const newestSavedRead = newestSavedVersion()
    try {
      outbox = await adoptOrphans(quarantineKey, readBase)
    } catch (error) {
      // An unreadable store must not keep the user from the server's copy.
      reportError(error instanceof AutosaveError ? error : new StorageError('STORAGE_READ', `Reading "${key}" from the local store failed: ${String(error)}`, { cause: error }))
    }

    const newestSaved = await newestSavedRead
    let remote: LoadedDocument | undefined
    let remoteFailed = false
    try {
      remote = await transport.load(key, { signal: controller.signal })
    } catch (error) {
      remoteFailed = true
      if (error instanceof AutosaveError) reportError(error)
    }
    if (disposed) return state
    if (outbox || !remote) {
      try {
        base = await readBase()
      } catch (error) {
        reportError(error instanceof AutosaveError ? error : new StorageError('STORAGE_READ', `Reading "${key}" from the local store failed: ${String(error)}`, { cause: error }))
      }
    }

    if (remote && newestSaved !== undefined && remote.version < newestSaved) {
      reportError(
        new TransportError(
          'REMOTE_BEHIND',
          `The server's copy of "${key}" is version ${remote.version}, older than version ${newestSaved} this device saw saved (restored from a backup?); following the server — the newer copy is in history()`,
        ),
      )
    }
    // Another tab's save may have arrived during the reads above: it is newer than what they
    // returned, and stepping back to their copy would let the next patch undo it.
    const ackedBeforeReads = acked
    const tabAck = ackedBeforeReads !== ackedAtStart ? ackedBeforeReads : undefined
    const seqAtReads = seq
    if (base && (acked.version === null || base.version > acked.version)) acked = { version: base.version, data: base.data as Json }
    if (remote && (acked.version === null || remote.version >= acked.version)) {
      acked = { version: remote.version, data: remote.data }
    }
    const ackedChosen = acked
    const newerFromTab = (version: number) => (tabAck && tabAck.version! > version ? (tabAck.data as Json) : undefined)

    let restored: Json | undefined
    let fromOutbox = false
    if (outbox) {
      let local = outbox.data as Json
      let draftBase = draftAncestor(outbox)
      if (outbox.schemaVersion !== schemaVersion) {
        local = await migrateRecord(outbox, quarantineKey)
        try {
          draftBase = draftBase === undefined ? undefined : serialize(await options.migrate!(draftBase, outbox.schemaVersion))
        } catch {
          draftBase = undefined // only the merge's ancestor is lost
        }
      }
      await checkRestored(local, quarantineKey, outbox)
      restored = local
      fromOutbox = true
      // The old page's unanswered writes stay ours: a 412 showing one of them is no conflict.
      if (local === outbox.data) {
        for (const write of outbox.sent ?? []) {
          const data = rebuild(local, write)
          if (data !== undefined) unacked.push(data)
        }
      }

      // What the server (or, offline, the newest copy on this device) has now.
      // A draft edited on a newer version than this device's acknowledged copy (offline restore
      // after a page that loaded from the server) is compared with nothing older than its own base.
      const moved = acked.version !== null && (outbox.baseVersion === null || acked.version > outbox.baseVersion)
      const newest = moved ? { version: acked.version!, data: acked.data as Json } : undefined
      if (newest && unacked.some((write) => jsonEqual(write, newest.data))) {
        // The server's newer copy is this draft's own last write, whose answer the old page
        // never got: not a conflict — the draft simply continues from it.
      } else if (newest) {
        // Someone saved since these edits were made: combine now against the draft's true
        // ancestor, so the user sees the newest of both at once.
        const ancestor = ancestorWithOwnWrites(draftBase, newest.data, unacked)
        restored = resolveConflict(conflict, { base: ancestor, local, remote: newest.data }).merged
      } else if (draftBase !== undefined && outbox.baseVersion !== null) {
        acked = { version: outbox.baseVersion, data: draftBase }
      }
    } else if (remote) {
      restored = newerFromTab(remote.version) ?? remote.data
      await checkRestored(restored)
    } else if (base && remoteFailed) {
      restored = newerFromTab(base.version) ?? (base.data as Json)
      await checkRestored(restored)
    } else if (tabAck) {
      restored = tabAck.data as Json // nothing here yet when read, but another tab saved since
      await checkRestored(restored)
    }

    // A tab's ack during the validation above is newer than what was validated (and was validated by that tab).
    if (!fromOutbox && acked !== ackedChosen) restored = acked.data as Json
    if (seq > 0) {
      // Saves made while restoring are newer than anything stored; a draft taken over is then
      // left in the store (not deleted by the next ack) for the next restore.
      adopted.splice(adoptedBefore)
      if (seqAtReads > 0) {
        // restore() again on an engine that has saved: the server's newer copy is a change to
        // rebase onto, never a new base under the unchanged state (the next patch would undo it).
        const found = acked
        acked = ackedBeforeReads
        // Never acknowledged: the next write's If-None-Match meets the server's copy as a conflict.
        if (acked.version !== null && found.version !== null && found.version > acked.version) rebaseOnTab(found.version, found.data as Json, 'server')
      }
      return state
    }
    if (restored === undefined) return undefined
    state = restored as State
    seq = Math.max(outbox?.seq ?? 0, base?.seq ?? 0, 1)
    if (fromOutbox) {
      seq += 1
      persistedSeq = outbox!.seq
      setStatus({ pending: true, phase: 'pending', version: acked.version })
      requestSend()
    } else {
      ackedSeq = persistedSeq = seq
      setStatus({ phase: status.phase === 'idle' ? 'saved' : status.phase, version: acked.version, lastSavedAt: status.lastSavedAt })
    }
    serialized = { seq, data: restored }
    notify()
    return state
  }

  /**
   * The newest version this device saw saved, from the (small) history index: versions only
   * grow, so a server behind it was restored from a backup, and the app must hear of it.
   */
  async function newestSavedVersion(): Promise<number | undefined> {
    try {
      return (await readRecord(store, 'history', keys.historyIndex, keys.quarantine(clock.now()), reportError))?.[0]?.version
    } catch {
      return undefined // an unreadable store is reported by the reads that need it
    }
  }

  /**
   * Takes over the lifetime lock of a gone instance and keeps it until this one is disposed,
   * so two tabs restoring at once can never both adopt (and both send) the same draft.
   */
  function claim(owner: string): Promise<boolean> {
    const lock = tabs.lock
    if (!lock) return Promise.resolve(true)
    return new Promise<boolean>((resolve) => {
      void lock(lockName(`alive:${owner}`), { ifAvailable: true }, (granted) => {
        resolve(granted)
        return granted ? untilDisposed : undefined
      })
    })
  }

  /** The document a draft was edited on, rebuilt from the draft and its undo patch. */
  function draftAncestor(record: OutboxRecord): Json | undefined {
    if (!record.undo || record.baseVersion === null) return undefined
    return rebuild(record.data, record.undo)
  }

  function rebuild(data: Json, ops: readonly JsonPatchOperation[]): Json | undefined {
    try {
      return applyDocumentPatch(data, ops)
    } catch {
      return undefined // a damaged patch only costs the three-way merge its ancestor
    }
  }

  /**
   * Outbox records left by instances that are gone (a reload, a closed or crashed tab). A
   * record whose owner still runs in another tab is that tab's to send, never ours: Web Locks
   * tell which owners are alive. Several orphans fold into the newest with a merge.
   */
  async function adoptOrphans(quarantineKey: string, readBase: () => Promise<{ owner?: string | undefined; seq: number } | undefined>): Promise<OutboxRecord | undefined> {
    const found: OutboxRecord[] = []
    for (const storeKey of await store.keys()) {
      if (!storeKey.startsWith(keys.outboxPrefix) || storeKey === outboxKey) continue
      const record = (await readRecord(store, 'outbox', storeKey, `${quarantineKey}:${found.length}`, reportError)) as OutboxRecord | undefined
      // `outbox:project:1:` also prefixes the drafts of a document named "project:1:notes".
      if (!record || record.key !== key) continue
      if (!(await claim(record.owner))) continue
      adopted.push({ storeKey, seq: record.seq })
      // Acknowledged before a crash could clear it: nothing left to send.
      const base = await readBase()
      if (!(base && base.owner === record.owner && base.seq >= record.seq)) found.push(record)
    }
    found.sort((a, b) => b.seq - a.seq)
    const [newest, ...older] = found
    if (!newest || older.length === 0) return newest
    let data = newest.data
    for (const other of older) data = threeWayMerge(undefined, data, other.data).merged
    return { ...newest, data }
  }

  async function migrateRecord(record: OutboxRecord, quarantineKey: string): Promise<Json> {
    if (record.schemaVersion > schemaVersion || !options.migrate) {
      const keptAs = await quarantine(store, keys.outbox(record.owner), quarantineKey, record)
      throw new StorageError(
        'STORAGE_VERSION',
        `The local draft of "${key}" was written by version ${record.schemaVersion} of this app and this is version ${schemaVersion}${options.migrate ? '' : ' with no migrate option'}; kept aside as "${keptAs}"`,
      )
    }
    try {
      return serialize(await options.migrate(record.data, record.schemaVersion))
    } catch (error) {
      const keptAs = await quarantine(store, keys.outbox(record.owner), quarantineKey, record)
      throw new StorageError('STORAGE_MIGRATE', `migrate() failed on the local draft of "${key}" (version ${record.schemaVersion}); kept aside as "${keptAs}"`, { cause: error })
    }
  }

  /** Invalid restored data rejects; a local draft that fails is moved aside, never deleted. */
  async function checkRestored(data: Json, quarantineKey?: string, record?: OutboxRecord) {
    try {
      await validate(data, 'restore')
    } catch (error) {
      if (record && quarantineKey) await quarantine(store, keys.outbox(record.owner), quarantineKey, record)
      throw error
    }
  }

  // --- flush and dispose ------------------------------------------------------------------
  function flush({ signal }: { signal?: AbortSignal } = {}): Promise<void> {
    if (disposed) return Promise.reject(new AutosaveError('DISPOSED', `flush() on the disposed autosave "${key}"`))
    if (seq <= ackedSeq) return persistChain
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => removeWaiter(waiter)?.reject(signal!.reason)
      const waiter = {
        seq,
        resolve: () => (signal?.removeEventListener('abort', onAbort), resolve()),
        reject: (error: unknown) => (signal?.removeEventListener('abort', onAbort), reject(error)),
      }
      waiters.push(waiter)
      signal?.addEventListener('abort', onAbort, { once: true })
      if (status.phase === 'offline' && !env.online.isOnline()) return
      wakeRetry?.()
      requestSend()
    })
  }

  function dispose(): Promise<void> {
    if (disposing) return disposing
    const lastWrite = persist()
    disposed = true
    schedule.cancel()
    for (const unsubscribe of unsubscribers) unsubscribe?.()
    channel?.close()
    controller.abort(new AutosaveError('DISPOSED', `The autosave "${key}" was disposed`))
    wakeRetry?.()
    for (const waiter of waiters.splice(0)) waiter.reject(new AutosaveError('DISPOSED', `The autosave "${key}" was disposed before the save was acknowledged`))
    emitter.all.clear()
    listeners.clear()
    disposing = lastWrite
    return disposing
  }

  return {
    key,
    save,
    flush,
    restore,
    getState: () => state,
    getStatus: () => status,
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    on: emitter.on,
    off: emitter.off,
    history,
    rollback,
    dispose,
  }
}

/** Not sent at all: the browser says it is offline. Retried without using up retries. */
function offlineError() {
  return new TransportError('TRANSPORT_NETWORK', 'The browser is offline', { retryable: true })
}

function checkOptions(options: AutosaveOptions<unknown>) {
  const where = 'createAutosave'
  if (!options || typeof options !== 'object') throw new AutosaveError('INVALID_OPTIONS', `${where}: options must be an object`)
  if (typeof options.key !== 'string' || options.key === '') {
    throw new AutosaveError('INVALID_OPTIONS', `${where}: "key" must be a non-empty string, got ${JSON.stringify(options.key)}`)
  }
  const t = options.transport
  if (!t || typeof t.load !== 'function' || typeof t.write !== 'function') {
    throw new AutosaveError('INVALID_OPTIONS', `${where}({ key: "${options.key}" }): "transport" must have load() and write()`)
  }
  for (const name of ['debounceMs', 'maxWaitMs', 'localDelayMs'] as const) {
    const value = options[name]
    if (value !== undefined && !(typeof value === 'number' && value >= 0 && Number.isFinite(value))) {
      throw new AutosaveError('INVALID_OPTIONS', `${where}({ key: "${options.key}" }): "${name}" must be a finite number ≥ 0, got ${String(value)}`)
    }
  }
}
