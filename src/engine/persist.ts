import { AutosaveError, StorageError } from '../errors'
import { jsonEqual } from '../json/json'
import { diffDocuments } from '../patch'
import type { HistoryEntry, Json, WriteResult } from '../types'
import { createAckLog } from './ack-log'
import { createDraftLog, logKeysOf, readDraftLog, type DraftWrite } from './draft-log'
import type { Ledger } from './ledger'
import type { ResolvedOptions } from './options'
import { quarantine, RECORD_FORMAT, type BaseRecord, type FoldedDraft, type OutboxRecord } from './outbox'

/**
 * The device writer: the only part that writes to the store. The outbox record (durable before
 * the network is tried), its synchronous page-exit copy, the base record and history after an
 * ack, and the reads restore() makes through the same envelope checks.
 */
export interface Persist {
  /** Writes the outbox after `localDelayMs`, unless a write is already due. */
  soon(): void
  /** Writes the outbox record now, after the store work queued before it. */
  persist(): Promise<void>
  /** On page exit: a synchronous copy where the store can make one. */
  persistNow(): void
  /** Stores what an ack settled (base record, outbox removal, history); runs after earlier store work. */
  storeAck(target: number, version: number, data: Json, result: WriteResult | undefined): Promise<void>
  /** Settles when the store work queued so far is done. */
  idle(): Promise<void>
  history(): Promise<HistoryEntry[]>
  snapshot(id: string): Promise<Json | undefined>
  newestSavedVersion(): Promise<number | undefined>
  readBase(): Promise<BaseRecord | undefined>
  /** The keys of this document's outbox records other than this instance's own. */
  otherDraftKeys(): Promise<string[]>
  readDraft(storeKey: string, quarantineKey: string): Promise<OutboxRecord | undefined>
  /** Moves a draft aside (it failed validation or migration); returns where it went. */
  quarantineDraft(record: OutboxRecord, quarantineKey: string): Promise<string>
  /**
   * Orphaned outbox records of closed tabs taken over by restore(); removed once acknowledged.
   * `releaseAdopted(from)` leaves those taken since `from` in the store.
   */
  adopt(storeKey: string, seq: number, owner: string): void
  readonly adoptedCount: number
  releaseAdopted(from: number): void
  /** Deletes drafts found already held by newer records (as adopted: only if unchanged since). */
  dropRedundant(records: ReadonlyArray<{ storeKey: string; seq: number; owner: string }>): void
  /** Whether this device once saw `data` acknowledged as `version` (a snapshot in history()). */
  acknowledgedHere(version: number, data: Json): Promise<boolean>
  /** A newer server copy found by revalidation becomes the device's acknowledged copy. */
  storeRevalidated(target: number, version: number, data: Json, updatedAt: string): void
}

export interface PersistParts {
  options: ResolvedOptions
  ledger: Ledger<unknown>
  instanceId: string
  report(error: AutosaveError): void
  /** The current state cannot be serialized (its error fails the saves from `seq` on). */
  unserializable(error: unknown, seq: number): void
}

export function createPersist({ options, ledger, instanceId, report, unserializable }: PersistParts): Persist {
  const { store, key, keys, clock, env } = options
  let chain: Promise<void> = Promise.resolve()
  let timer: unknown
  const adopted: Array<{ storeKey: string; seq: number; owner: string }> = []
  /** What every record this instance writes says it holds of the adopted drafts. */
  const folded = (): FoldedDraft[] | undefined => (adopted.length ? adopted.map(({ owner, seq }) => ({ owner, seq })) : undefined)
  const draft = createDraftLog(keys, instanceId)
  const acks = createAckLog({ store, keys, key, historyLimit: options.historyLimit, report, quarantineKey: () => keys.quarantine(clock.now()) })
  /** The store's keys as restore() last listed them: where the drafts' log entries are. */
  let listed: string[] = []

  function persist(): Promise<void> {
    if (timer !== undefined) clock.clearTimeout(timer)
    timer = undefined
    return enqueue(async () => {
      const target = ledger.seq
      if (!ledger.outboxDue(target)) return
      let data: Json
      try {
        data = ledger.json()
      } catch (error) {
        unserializable(error, target)
        return
      }
      ledger.outboxWriting()
      await write(draft.plan(outboxRecord(target, data), undoOf(data), false, ledger.acked))
      ledger.outboxWritten(target, data)
    })
  }

  async function write({ entry, stale }: DraftWrite) {
    try {
      await store.setMany([entry])
    } catch (error) {
      draft.failed()
      throw error
    }
    // Entries a checkpoint replaced: left behind they are only ignored, so a failure here costs nothing.
    if (stale.length) await store.delMany(stale).catch(() => undefined)
  }

  /** The patch from `data` back to the acknowledged base (as it is now), made only if the draft log writes it. */
  function undoOf(data: Json) {
    const { acked } = ledger
    return () => (acked.data === undefined ? undefined : diffDocuments(data, acked.data))
  }

  function outboxRecord(target: number, data: Json): Omit<OutboxRecord, 'undo'> {
    const { acked, unacked } = ledger
    return {
      format: RECORD_FORMAT,
      key,
      owner: instanceId,
      seq: target,
      baseVersion: acked.version,
      data,
      sent: unacked.length ? unacked.map((write) => diffDocuments(data, write) ?? [{ op: 'replace', path: '', value: write }]) : undefined,
      savedAt: clock.now(),
      schemaVersion: options.schemaVersion,
      folded: folded(),
    }
  }

  /**
   * On page exit an IndexedDB write may never finish: write the draft synchronously where the
   * store can (localStorage) as a checkpoint, which stands whatever entry before it never
   * landed, then let the normal write follow.
   */
  function persistNow() {
    const { seq } = ledger
    if (!store.writeNow || !ledger.outboxDue(seq)) return
    try {
      const data = ledger.json()
      const { entry, stale } = draft.plan(outboxRecord(seq, data), undoOf(data), true)
      if (store.writeNow([entry])) {
        ledger.outboxWritten(seq, data)
        if (stale.length) void enqueue(() => store.delMany(stale).catch(() => undefined))
      } else draft.failed()
    } catch {
      draft.failed() // Unserializable: the normal write reports it.
    }
    ledger.outboxOutdated()
  }

  /** Store writes run one after another, so an older record can never land after a newer one. */
  function enqueue(work: () => Promise<void>): Promise<void> {
    chain = chain.then(work).catch((error: unknown) => {
      // The network is the other way to keep the edit; a broken store must not stop it.
      report(
        error instanceof AutosaveError
          ? error
          : new StorageError('STORAGE_WRITE', `Writing "${key}" to the local store failed: ${String(error)}`, { cause: error }),
      )
    })
    return chain
  }

  /** Appends to the acknowledged log: a patch from the last one, a full copy now and then. */
  async function appendAck(
    fields: { version: number; seq: number; updatedAt: string; history: boolean; folded?: FoldedDraft[] | undefined },
    data: Json,
    marker?: DraftWrite,
  ) {
    try {
      await acks.append({ id: env.randomId(), owner: instanceId, savedAt: clock.now(), ...fields }, data, marker?.entry)
    } catch (error) {
      acks.failed()
      if (marker) draft.failed()
      throw error
    }
    if (marker?.stale.length) await store.delMany(marker.stale).catch(() => undefined)
  }

  function storeAck(target: number, version: number, data: Json, result: WriteResult | undefined): Promise<void> {
    return enqueue(async () => {
      const updatedAt = result?.updatedAt ?? new Date(clock.now()).toISOString()
      // The patch from the last acknowledged document and, when nothing newer is in the draft, a
      // marker closing the draft log: both small, in one transaction.
      const marker = ledger.persistedSeq <= target ? draft.plan({ ...outboxRecord(target, data), done: true }, undoOf(data), false, ledger.acked) : undefined
      await appendAck({ version, seq: target, updatedAt, history: result !== undefined, folded: folded() }, data, marker)
      if (marker && adopted.length) {
        // Without Web Locks an adopted draft's owner may still be alive and have stored a newer
        // one since: delete only the records exactly as adopted.
        await store.delMany(await unchangedSinceAdopted(adopted.splice(0)))
      }
    })
  }

  /** The store keys of the drafts in `records` whose owner has written nothing newer since. */
  async function unchangedSinceAdopted(records: ReadonlyArray<{ storeKey: string; seq: number; owner: string }>): Promise<string[]> {
    if (!records.length) return []
    const allKeys = await store.keys()
    const taken: string[] = []
    for (const { storeKey, seq, owner } of records) {
      const logs = logKeysOf(keys, owner, allKeys)
      const newestLog = logs.get(Math.max(0, ...logs.keys()))
      // The owner's newest write is its checkpoint or its newest log entry, whichever is later.
      const heads = (await Promise.all([store.get(storeKey), newestLog && store.get(newestLog)])) as Array<{ seq?: unknown } | undefined>
      if (heads.every((head) => typeof head?.seq !== 'number' || head.seq <= seq)) taken.push(storeKey, ...logs.values())
    }
    return taken
  }

  return {
    soon() {
      if (timer === undefined) timer = clock.setTimeout(() => void persist(), options.localDelayMs)
    },
    persist,
    persistNow,
    storeAck,
    idle: () => chain,
    async history() {
      await chain
      return acks.history()
    },
    async snapshot(id) {
      await chain
      return acks.snapshot(id)
    },
    /**
     * The newest version this device saw saved: versions only grow, so a server behind it was
     * restored from a backup, and the app must hear of it.
     */
    async newestSavedVersion() {
      try {
        return await acks.newestSavedVersion()
      } catch {
        return undefined // an unreadable store is reported by the reads that need it
      }
    },
    readBase: () => acks.newest(),
    async otherDraftKeys() {
      listed = await store.keys()
      return listed.filter((storeKey) => storeKey.startsWith(keys.outboxPrefix) && storeKey !== keys.outbox(instanceId))
    },
    readDraft: (storeKey, quarantineKey) => readDraftLog(store, keys, storeKey, listed, quarantineKey, report),
    async quarantineDraft(record, quarantineKey) {
      const keptAs = await quarantine(store, keys.outbox(record.owner), quarantineKey, record)
      await store.delMany([...logKeysOf(keys, record.owner, await store.keys()).values()])
      return keptAs
    },
    adopt(storeKey, seq, owner) {
      adopted.push({ storeKey, seq, owner })
    },
    dropRedundant(records) {
      if (records.length) void enqueue(async () => store.delMany(await unchangedSinceAdopted(records)))
    },
    async acknowledgedHere(version, data) {
      if (data === null) return false
      try {
        return await acks.savedHere(version, data, jsonEqual)
      } catch {
        return false // Unreadable history: merge against the base, as without one.
      }
    },
    storeRevalidated(target, version, data, updatedAt) {
      void enqueue(async () => {
        if (ledger.acked.version === version) await appendAck({ version, seq: target, updatedAt, history: false }, data)
      })
    },
    get adoptedCount() {
      return adopted.length
    },
    releaseAdopted(from) {
      adopted.splice(from)
    },
  }
}
