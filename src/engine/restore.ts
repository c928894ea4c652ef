import { AutosaveError, StorageError, TransportError } from '../errors'
import { jsonEqual } from '../json/json'
import { resolveConflict, threeWayMerge } from '../merge'
import { serialize } from '../serialize'
import type { Json, LoadedDocument } from '../types'
import type { Base, Ledger } from './ledger'
import { validate, type ResolvedOptions } from './options'
import { type BaseRecord, draftAncestor, type OutboxRecord, unansweredWrites } from './outbox'
import type { Persist } from './persist'
import { ancestorWithOwnWrites, type Rebase } from './rebase'
import type { StatusStore } from './status'
import type { TabSync } from './tab-sync'

export interface RestoreParts<State> {
  options: ResolvedOptions
  ledger: Ledger<State>
  status: StatusStore
  persist: Persist
  tabSync: TabSync
  rebase: Rebase
  requestSend(): void
  /** Reads through the sender's wire (one request at a time) under the engine's deadline. */
  read<T>(what: string, run: (signal: AbortSignal) => Promise<T>): Promise<T>
  isDisposed(): boolean
}

/**
 * restore() as phases: read local → read remote → choose base → resolve the draft → commit.
 * Each phase returns what it found; only the commit (and the choice of base, which the send
 * path must see at once) changes the ledger.
 */
export function createRestore<State>(parts: RestoreParts<State>) {
  const { options, ledger, status, persist, tabSync, rebase, read, isDisposed } = parts
  const { key, keys, clock, transport } = options
  let restoring: Promise<State | undefined> | undefined

  function restore(): Promise<State | undefined> {
    return (restoring ??= restoreOnce().finally(() => (restoring = undefined)))
  }

  async function restoreOnce(): Promise<State | undefined> {
    const adoptedBefore = persist.adoptedCount
    try {
      return await restoreInner(adoptedBefore)
    } catch (error) {
      // Whatever was taken over and not restored stays in the store for the next page.
      persist.releaseAdopted(adoptedBefore)
      throw error
    }
  }

  async function restoreInner(adoptedBefore: number): Promise<State | undefined> {
    const quarantineKey = keys.quarantine(clock.now())
    const ackedAtStart = ledger.acked
    // The last acknowledged copy can be megabytes: read it only when it is needed.
    let baseRead: Promise<BaseRecord | undefined> | undefined
    const readBase = () => (baseRead ??= persist.readBase())
    // Read before the server answers: no await may come between its answer and taking it.
    const newestSavedRead = persist.newestSavedVersion()
    const outbox = await readLocal(quarantineKey, readBase)
    const newestSaved = await newestSavedRead
    const { remote, remoteFailed } = await readRemote()
    if (isDisposed()) return ledger.state
    let base: BaseRecord | undefined
    if (outbox || !remote) {
      try {
        base = await readBase()
      } catch (error) {
        status.report(readError(error))
      }
    }
    // The server answered that it has no document, though this device saw one saved: it lost it.
    const lost = !remote && !remoteFailed && newestSaved !== undefined
    if (lost || (remote && newestSaved !== undefined && remote.version < newestSaved)) {
      const what = remote ? `is version ${remote.version}, older than` : 'no longer exists, though the device saw'
      status.report(
        new TransportError(
          'REMOTE_BEHIND',
          `The server's copy of "${key}" ${what} version ${newestSaved} this device saw saved (restored from a backup?); following the server — the newer copy is in history()`,
        ),
      )
    }

    // Another tab's save may have arrived during the reads above: it is newer than what they
    // returned, and stepping back to their copy would let the next patch undo it.
    const ackedBeforeReads = ledger.acked
    const tabAck = ackedBeforeReads !== ackedAtStart ? ackedBeforeReads : undefined
    const seqAtReads = ledger.seq
    // A server without the document holds no base: the next write creates it (no If-Match).
    const ackedChosen = lost ? ackedBeforeReads : chooseBase(ackedBeforeReads, base, remote)
    ledger.takeBase(ackedChosen)
    const newerFromTab = (version: number) => (tabAck && tabAck.version! > version ? (tabAck.data as Json) : undefined)

    let restored: Json | undefined
    if (outbox) {
      const { local, draftBase } = await checkDraft(outbox, quarantineKey)
      // The old page's unanswered writes stay ours: a 412 showing one of them is no conflict.
      if (local === outbox.data) ledger.addUnacked(unansweredWrites(outbox))
      const resolved = resolveDraft(outbox, local, draftBase)
      restored = resolved.restored
      if (resolved.base) ledger.takeBase(resolved.base)
    } else {
      const copy = remote
        ? (newerFromTab(remote.version) ?? remote.data)
        : base && remoteFailed
          ? (newerFromTab(base.version) ?? (base.data as Json))
          : tabAck
            ? (tabAck.data as Json)
            : undefined
      // Nothing here yet when read (tabAck), but another tab saved since.
      if (remote || (base && remoteFailed) || tabAck) await validate(options, copy as Json, 'restore')
      restored = copy
      // A tab's ack during the validation above is newer than what was validated (and was validated by that tab).
      if (ledger.acked !== ackedChosen) restored = ledger.acked.data as Json
    }
    if (ledger.seq > 0) {
      // Saves made while restoring are newer than anything stored; a draft taken over is then
      // left in the store (not deleted by the next ack) for the next restore.
      persist.releaseAdopted(adoptedBefore)
      if (seqAtReads > 0) keepBaseUnderEdits(ackedBeforeReads)
      return ledger.state
    }
    if (restored === undefined) return undefined
    commit(restored, Math.max(outbox?.seq ?? 0, base?.seq ?? 0, 1), outbox)
    return ledger.state
  }

  /** Read local: the drafts of gone instances, taken over; an unreadable store reads as empty. */
  async function readLocal(quarantineKey: string, readBase: () => Promise<BaseRecord | undefined>): Promise<OutboxRecord | undefined> {
    try {
      return await adoptOrphans(quarantineKey, readBase)
    } catch (error) {
      // An unreadable store must not keep the user from the server's copy.
      status.report(readError(error))
      return undefined
    }
  }

  /** Read remote: the server's copy, or whether reading it failed (offline, a server error). */
  async function readRemote(): Promise<{ remote: LoadedDocument | undefined; remoteFailed: boolean }> {
    try {
      const remote = await read('A read', (signal) => transport.load(key, { signal }))
      return { remote, remoteFailed: false }
    } catch (error) {
      if (error instanceof AutosaveError) status.report(error)
      return { remote: undefined, remoteFailed: true }
    }
  }

  /** The draft's data and its ancestor in this app's schema version, validated. */
  async function checkDraft(outbox: OutboxRecord, quarantineKey: string): Promise<{ local: Json; draftBase: Json | undefined }> {
    let local = outbox.data as Json
    let draftBase = draftAncestor(outbox)
    if (outbox.schemaVersion !== options.schemaVersion) {
      local = await migrateRecord(outbox, quarantineKey)
      try {
        draftBase = draftBase === undefined ? undefined : serialize(await options.migrate!(draftBase, outbox.schemaVersion))
      } catch {
        draftBase = undefined // only the merge's ancestor is lost
      }
    }
    try {
      await validate(options, local, 'restore')
    } catch (error) {
      // Invalid restored data rejects; a local draft that fails is moved aside, never deleted.
      await persist.quarantineDraft(outbox, quarantineKey)
      throw error
    }
    return { local, draftBase }
  }

  /** Resolve the draft against what the server (or, offline, the newest copy on this device) has now. */
  function resolveDraft(outbox: OutboxRecord, local: Json, draftBase: Json | undefined): { restored: Json; base?: Base } {
    const { acked, unacked } = ledger
    // A draft edited on a newer version than this device's acknowledged copy (offline restore
    // after a page that loaded from the server) is compared with nothing older than its own base.
    const moved = acked.version !== null && (outbox.baseVersion === null || acked.version > outbox.baseVersion)
    if (moved) {
      const newest = acked.data as Json
      // The server's newer copy is this draft's own last write, whose answer the old page
      // never got: not a conflict — the draft simply continues from it.
      if (unacked.some((write) => jsonEqual(write, newest))) return { restored: local }
      // Someone saved since these edits were made: combine now against the draft's true
      // ancestor, so the user sees the newest of both at once.
      const ancestor = ancestorWithOwnWrites(draftBase, newest, unacked)
      return { restored: resolveConflict(options.conflict, { base: ancestor, local, remote: newest }).merged }
    }
    if (draftBase !== undefined && outbox.baseVersion !== null) return { restored: local, base: { version: outbox.baseVersion, data: draftBase } }
    return { restored: local }
  }

  /**
   * restore() again on an engine that has saved: the server's newer copy is a change to rebase
   * onto, never a new base under the unchanged state (the next patch would undo it).
   */
  function keepBaseUnderEdits(before: Base) {
    const found = ledger.acked
    ledger.takeBase(before)
    // Never acknowledged: the next write's If-None-Match meets the server's copy as a conflict.
    if (before.version !== null && found.version !== null && found.version > before.version) rebase.ontoTab(found.version, found.data as Json, 'server')
  }

  function commit(restored: Json, seq: number, outbox: OutboxRecord | undefined) {
    if (outbox) {
      ledger.restored(restored, seq + 1, outbox.seq)
      status.dispatch({ type: 'restored-draft', version: ledger.acked.version })
      parts.requestSend()
    } else {
      ledger.restored(restored, seq, undefined)
      status.dispatch({ type: 'restored', version: ledger.acked.version })
    }
    status.notify()
  }

  /**
   * Outbox records left by instances that are gone (a reload, a closed or crashed tab). A
   * record whose owner still runs in another tab is that tab's to send, never ours: Web Locks
   * tell which owners are alive. Several orphans fold into the newest with a merge.
   */
  async function adoptOrphans(quarantineKey: string, readBase: () => Promise<BaseRecord | undefined>): Promise<OutboxRecord | undefined> {
    const found: Array<{ storeKey: string; record: OutboxRecord }> = []
    let base: BaseRecord | undefined
    for (const storeKey of await persist.otherDraftKeys()) {
      const record = await persist.readDraft(storeKey, `${quarantineKey}:${found.length}`)
      // `outbox:project:1:` also prefixes the drafts of a document named "project:1:notes".
      if (!record || record.key !== key) continue
      if (!(await tabSync.claim(record.owner))) continue
      found.push({ storeKey, record })
      base ??= await readBase()
    }
    // Acknowledged before a crash could clear it, or adopted by an earlier page whose later
    // records hold it (its deletion never committed: the page closed first): nothing left to
    // send, and sending it again would put older edits back over newer ones (#21).
    const superseded = [...(base?.folded ?? []), ...found.flatMap(({ record }) => record.folded ?? [])]
    const done = ({ record }: (typeof found)[number]) =>
      record.done === true ||
      (base?.owner === record.owner && base.seq >= record.seq) ||
      superseded.some((draft) => draft.owner === record.owner && draft.seq >= record.seq)
    persist.dropRedundant(found.filter(done).map(({ storeKey, record }) => ({ storeKey, seq: record.seq, owner: record.owner })))
    const drafts = found.filter((entry) => !done(entry)).map(({ record }) => record)
    for (const { storeKey, record } of found) if (!done({ storeKey, record })) persist.adopt(storeKey, record.seq, record.owner)
    drafts.sort((a, b) => b.seq - a.seq)
    const [newest, ...older] = drafts
    if (!newest || older.length === 0) return newest
    let data = newest.data
    for (const other of older) data = threeWayMerge(undefined, data, other.data).merged
    return { ...newest, data }
  }

  async function migrateRecord(record: OutboxRecord, quarantineKey: string): Promise<Json> {
    const { schemaVersion, migrate } = options
    if (record.schemaVersion > schemaVersion || !migrate) {
      const keptAs = await persist.quarantineDraft(record, quarantineKey)
      throw new StorageError(
        'STORAGE_VERSION',
        `The local draft of "${key}" was written by version ${record.schemaVersion} of this app and this is version ${schemaVersion}${migrate ? '' : ' with no migrate option'}; kept aside as "${keptAs}"`,
      )
    }
    try {
      return serialize(await migrate(record.data, record.schemaVersion))
    } catch (error) {
      const keptAs = await persist.quarantineDraft(record, quarantineKey)
      throw new StorageError(
        'STORAGE_MIGRATE',
        `migrate() failed on the local draft of "${key}" (version ${record.schemaVersion}); kept aside as "${keptAs}"`,
        { cause: error },
      )
    }
  }

  function readError(error: unknown): AutosaveError {
    return error instanceof AutosaveError
      ? error
      : new StorageError('STORAGE_READ', `Reading "${key}" from the local store failed: ${String(error)}`, { cause: error })
  }

  return { restore }
}

/** Choose base: the newest of the engine's own acknowledged copy, the device's and the server's. */
export function chooseBase(current: Base, stored: BaseRecord | undefined, remote: LoadedDocument | undefined): Base {
  let chosen = current
  if (stored && (chosen.version === null || stored.version > chosen.version)) chosen = { version: stored.version, data: stored.data as Json }
  if (remote && (chosen.version === null || remote.version >= chosen.version)) chosen = { version: remote.version, data: remote.data }
  return chosen
}
