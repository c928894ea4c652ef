import type { Emitter } from 'mitt'
import type { RemoteDocument } from '../errors'
import { jsonEqual, valueAt } from '../json/json'
import { resolveConflict, threeWayMerge } from '../merge'
import { diffDocuments } from '../patch'
import type { AutosaveEvents, ConflictEvent, ConflictStrategy, Json } from '../types'
import type { Ledger } from './ledger'
import type { StatusStore } from './status'

/**
 * The common ancestor to merge against when the server moved on while some of our writes went
 * unanswered (a lost response, a page closed mid-request). Such a write may have been applied:
 * then the server's document already holds it, and merging against the older acknowledged copy
 * would read our own edit as someone else's (and, say, keep both the old and the new items of a
 * list). A write counts as applied when merging it into the server's document adds nothing:
 * the server already has every change it made.
 */
export function ancestorWithOwnWrites(base: Json | undefined, remote: Json, unanswered: readonly Json[]): Json | undefined {
  let ancestor = base
  for (const write of unanswered) {
    if (write !== ancestor && jsonEqual(threeWayMerge(ancestor, write, remote).merged, remote)) ancestor = write
  }
  return ancestor
}

/** The `conflict` event of a resolution, with the user's edits it replaced, so the app can offer them back. */
function conflictEvent(resolved: ReturnType<typeof resolveConflict>, base: Json | undefined, local: Json, remote: Json, remoteVersion: number): ConflictEvent {
  // The paths are the three-way merge's: its indexes into id-keyed lists are the merged list's.
  const guide = resolved.conflicts.length === 0 || resolved.strategy === 'merge' ? resolved.merged : threeWayMerge(base, local, remote).merged
  const lost = resolved.conflicts.flatMap((path) => {
    const mine = valueAt(local, path, guide)
    return jsonEqual(mine, valueAt(resolved.merged, path, guide)) ? [] : [{ path, local: mine, remote: valueAt(remote, path, guide) }]
  })
  return { strategy: resolved.strategy, paths: resolved.conflicts, remoteVersion, resolved: resolved.merged, lost }
}

export interface Rebase {
  /**
   * The server moved on: resolve with the `conflict` strategy, adopt the server's version as
   * the new base, and carry along any edits made while the request was out. Returns what to
   * send instead of `local` (the data of the write edited up to `target`).
   */
  ontoServer(target: number, local: Json, ancestor: Json | undefined, remote: RemoteDocument): Json
  /**
   * Another tab saved a newer version (or revalidation found one). Adopt it as the base; unsent
   * edits of this tab are resolved with it by the `conflict` strategy, as a 412 would be (the
   * `conflict` event reports what it replaced), so the next patch carries only ours.
   */
  ontoTab(version: number, remote: Json, source?: 'tab' | 'server'): void
}

export interface RebaseParts<State> {
  ledger: Ledger<State>
  conflict: ConflictStrategy<Json>
  emitter: Emitter<AutosaveEvents<State>>
  status: StatusStore
  /** The draft on disk must follow a rebase. */
  persist(): Promise<void>
}

export function createRebase<State>({ ledger, conflict, emitter, status, persist }: RebaseParts<State>): Rebase {
  return {
    ontoServer(target, local, ancestor, remote) {
      const remoteData = remote.data as Json
      const before = ledger.json()
      const resolved = resolveConflict(conflict, { base: ancestor, local, remote: remoteData })
      ledger.rebaseOnto(remote.version, remoteData)
      emitter.emit('conflict', conflictEvent(resolved, ancestor, local, remoteData, remote.version))
      let next = resolved.merged
      const replayBase = ledger.sending ?? local
      if (ledger.seq !== target || replayBase !== local) {
        // Newer edits were made on top of `local` (and other tabs' saves folded in, which are
        // not edits to replay); replay them on top of the resolution.
        next = threeWayMerge(replayBase, ledger.json(), next).merged
      }
      ledger.replaceState(next)
      // Compared with what the state was, not with what was sent: 'local-wins' may still change it.
      if (diffDocuments(before, next)?.length !== 0) {
        emitter.emit('remote-change', { state: ledger.state as State, version: remote.version, source: 'server' })
        status.notify()
      }
      return next
    },

    ontoTab(version, remote, source = 'tab') {
      const { acked } = ledger
      if (acked.version !== null && version <= acked.version) return
      ledger.baseFromTab(version, remote)
      let next = remote
      let event: ConflictEvent | undefined
      if (ledger.unsaved) {
        try {
          // Resolved like a 412 from the server would be: a tab is just the nearer device, and
          // a strategy that keeps one side (say, one answer per step) must hold between tabs too.
          const ancestor = ancestorWithOwnWrites(acked.data, remote, ledger.unacked)
          const local = ledger.json()
          const resolved = resolveConflict(conflict, { base: ancestor, local, remote })
          next = resolved.merged
          event = conflictEvent(resolved, ancestor, local, remote, version)
          const sending = ledger.sending
          if (sending !== undefined) ledger.resend(sending === local ? next : resolveConflict(conflict, { base: ancestor, local: sending, remote }).merged)
        } catch {
          // Unserializable local state, or a strategy that throws: their errors surface on the
          // next send, which meets this version as a 412.
          return
        }
      }
      // Before the state moves, as for the server: getState() is still what the user had.
      if (event) emitter.emit('conflict', event)
      ledger.replaceState(next)
      // The draft on disk must follow, or a reload would merge it against the wrong base.
      if (ledger.unsaved) {
        ledger.outboxOutdated()
        void persist()
      }
      status.dispatch({ type: 'rebased', version })
      emitter.emit('remote-change', { state: ledger.state as State, version, source })
      status.notify()
    },
  }
}
