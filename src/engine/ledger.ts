import type { Json } from '../types'

/** The last document the server acknowledged: the base of the next patch and of merges. */
export interface Base {
  readonly version: number | null
  readonly data: Json | undefined
}

export const NO_BASE: Base = Object.freeze({ version: null, data: undefined })

/**
 * The only mutable document state of an engine, and the only place that changes it: the
 * current state and its `seq`, what is persisted, what is on the wire, and the acknowledged
 * base. Synchronous and free of I/O, so every transition is tested without timers.
 *
 * `seq` is bumped by every edit and compared with `persistedSeq` and `ackedSeq` to know what is
 * durable and what is acknowledged.
 */
export interface Ledger<State> {
  readonly state: State | undefined
  readonly seq: number
  readonly persistedSeq: number
  readonly ackedSeq: number
  readonly acked: Base
  /**
   * Writes put on the network since the last ack (newest last, a few at most): a write whose
   * answer was lost may have been applied, and must then not be mistaken for someone else's.
   */
  readonly unacked: readonly Json[]
  /**
   * The data of the write in flight with every other tab's save since folded in as into the
   * state: what the state holds that the user did not type after the write went out.
   */
  readonly sending: Json | undefined
  /** The outbox record is out of date though no edit happened: a rebase changed state and base. */
  readonly outboxStale: boolean
  /** Edits the server has not acknowledged yet. */
  readonly unsaved: boolean
  /** The JSON form of the current state, computed at most once per edit. */
  json(): Json
  /** A save(): `now` keeps `seq` time-based, so records of other instances (reloads, tabs) order correctly. */
  edit(next: State, now: number): void
  /** Whether the outbox record lags behind `target` (and `target` is not acknowledged yet). */
  outboxDue(target: number): boolean
  /** An outbox write of the current base and writes is starting. */
  outboxWriting(): void
  /** The draft on the device now holds `data` (the state at `target`). */
  outboxWritten(target: number, data: Json): void
  /** The outbox record no longer names the right base or writes. */
  outboxOutdated(): void
  /** A send takes the current state with the base it is a change of. */
  startSend(): { target: number; data: Json; base: Base }
  /** The write in flight became `data` (a conflict was resolved, another tab's save folded in). */
  resend(data: Json | undefined): void
  endSend(): void
  /** Records that `data` goes on the wire, for the outbox write that comes with it. */
  markSending(data: Json): void
  /** The server acknowledged `data` (edited up to `target`) as `version`; whether nothing newer waits. */
  acknowledge(target: number, data: Json, version: number): boolean
  /** The server's copy becomes the base (a conflict resolved, an own write found landed). */
  rebaseOnto(version: number, data: Json): void
  /** Another tab's ack becomes the base; the outbox follows only if there are unsaved edits. */
  baseFromTab(version: number, data: Json): void
  /** The state becomes `next` (already JSON) without an edit: a rebase or a restore. */
  replaceState(next: Json): void
  /** restore() chose `base` (or undid its choice). */
  takeBase(base: Base): void
  /** restore() found the old page's unanswered writes: they stay ours. */
  addUnacked(writes: readonly Json[]): void
  /** restore() commits: a draft still to send (persisted at `draftSeq`), or a copy already saved. */
  restored(data: Json, seq: number, draftSeq: number | undefined): void
}

export function createLedger<State>(toJson: (state: State | undefined) => Json): Ledger<State> {
  let state: State | undefined
  let seq = 0
  let persistedSeq = 0
  let ackedSeq = 0
  let acked: Base = NO_BASE
  let unacked: Json[] = []
  let sending: Json | undefined
  let serialized: { seq: number; data: Json } | undefined
  let outboxStale = false
  /** What the draft on the device holds: a send of exactly it needs no new record to be durable. */
  let persistedData: Json | undefined

  function json(): Json {
    if (serialized?.seq !== seq) serialized = { seq, data: toJson(state) }
    return serialized.data
  }

  return {
    get state() {
      return state
    },
    get seq() {
      return seq
    },
    get persistedSeq() {
      return persistedSeq
    },
    get ackedSeq() {
      return ackedSeq
    },
    get acked() {
      return acked
    },
    get unacked() {
      return unacked
    },
    get sending() {
      return sending
    },
    get outboxStale() {
      return outboxStale
    },
    get unsaved() {
      return seq > ackedSeq
    },
    json,
    edit(next, now) {
      state = next
      seq = Math.max(seq + 1, now)
    },
    outboxDue(target) {
      return !((target <= persistedSeq && !outboxStale) || target <= ackedSeq)
    },
    outboxWriting() {
      outboxStale = false
    },
    outboxWritten(target, data) {
      persistedSeq = target
      persistedData = data
    },
    outboxOutdated() {
      outboxStale = true
    },
    startSend() {
      const target = seq
      const data = json()
      // The base is taken with the data: an ack from another tab may move `acked` while the
      // send waits, and a patch from that newer base to this older data would revert the other tab.
      const base = acked
      sending = data
      return { target, data, base }
    },
    resend(data) {
      sending = data
    },
    endSend() {
      sending = undefined
    },
    markSending(data) {
      if (unacked.at(-1) !== data) unacked = [...unacked.slice(-2), data]
      // The record must name what is on the wire, unless it holds exactly that already: then a
      // page that dies before the answer finds the same document on the server (no conflict),
      // and any later edit's record lists it as sent. One store transaction fewer per send.
      if (data !== persistedData) outboxStale = true
    },
    acknowledge(target, data, version) {
      unacked = []
      // A newer draft on disk still names the old base.
      if (persistedSeq > target) outboxStale = true
      // Another tab's newer ack may have arrived while this answer was on its way.
      if (acked.version === null || version >= acked.version) acked = { version, data }
      ackedSeq = Math.max(ackedSeq, target)
      return ackedSeq >= seq
    },
    rebaseOnto(version, data) {
      acked = { version, data }
      outboxStale = true
    },
    baseFromTab(version, data) {
      acked = { version, data }
    },
    replaceState(next) {
      state = next as State
      serialized = { seq, data: next }
    },
    takeBase(base) {
      acked = base
    },
    addUnacked(writes) {
      unacked.push(...writes)
    },
    restored(data, restoredSeq, draftSeq) {
      state = data as State
      seq = restoredSeq
      if (draftSeq !== undefined) persistedSeq = draftSeq
      else ackedSeq = persistedSeq = seq
      serialized = { seq, data }
    },
  }
}
