import { AutosaveError, StorageError } from '../errors'
import { jsonEqual } from '../json/json'
import { diffDocuments } from '../patch'
import type { HistoryEntry, Json, WriteResult } from '../types'
import type { Ledger } from './ledger'
import type { ResolvedOptions } from './options'
import { quarantine, readRecord, RECORD_FORMAT, type BaseRecord, type FoldedDraft, type HistoryIndexEntry, type OutboxRecord } from './outbox'

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
  readBase(quarantineKey: string): Promise<BaseRecord | undefined>
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
  dropRedundant(records: ReadonlyArray<{ storeKey: string; seq: number }>): void
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
  const outboxKey = keys.outbox(instanceId)
  let chain: Promise<void> = Promise.resolve()
  let timer: unknown
  const adopted: Array<{ storeKey: string; seq: number; owner: string }> = []
  /** What every record this instance writes says it holds of the adopted drafts. */
  const folded = (): FoldedDraft[] | undefined => (adopted.length ? adopted.map(({ owner, seq }) => ({ owner, seq })) : undefined)

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
      await store.setMany([[outboxKey, outboxRecord(target, data)]])
      ledger.outboxWritten(target)
    })
  }

  function outboxRecord(target: number, data: Json): OutboxRecord {
    const { acked, unacked } = ledger
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
      schemaVersion: options.schemaVersion,
      folded: folded(),
    }
  }

  /**
   * On page exit an IndexedDB write may never finish: write the draft synchronously where the
   * store can (localStorage), then let the normal write follow (it takes over that copy).
   */
  function persistNow() {
    const { seq } = ledger
    if (!store.writeNow || !ledger.outboxDue(seq)) return
    try {
      if (store.writeNow([[outboxKey, outboxRecord(seq, ledger.json())]])) ledger.outboxWritten(seq)
    } catch {
      // Unserializable: the normal write reports it.
    }
    ledger.outboxOutdated()
  }

  /** Store writes run one after another, so an older record can never land after a newer one. */
  function enqueue(work: () => Promise<void>): Promise<void> {
    chain = chain.then(work).catch((error: unknown) => {
      // The network is the other way to keep the edit; a broken store must not stop it.
      report(error instanceof AutosaveError ? error : new StorageError('STORAGE_WRITE', `Writing "${key}" to the local store failed: ${String(error)}`, { cause: error }))
    })
    return chain
  }

  function storeAck(target: number, version: number, data: Json, result: WriteResult | undefined): Promise<void> {
    return enqueue(async () => {
      const updatedAt = result?.updatedAt ?? new Date(clock.now()).toISOString()
      const { acked } = ledger
      // Another tab's newer ack may have stored a newer base meanwhile: never step it back.
      if (acked.version === null || version >= acked.version) await store.setMany([[keys.base, { format: RECORD_FORMAT, key, owner: instanceId, seq: target, version, data, updatedAt, folded: folded() }]])
      if (ledger.persistedSeq <= target) {
        // Without Web Locks an adopted draft's owner may still be alive and have stored a newer
        // one since: delete only the records exactly as adopted.
        const taken = await unchangedSinceAdopted(adopted.splice(0))
        // A page-exit write (persistNow) may have stored a newer draft during the reads above.
        await store.delMany(ledger.persistedSeq <= target ? [outboxKey, ...taken] : taken)
      }
      if (result) await recordHistory(version, data)
    })
  }

  async function unchangedSinceAdopted(records: ReadonlyArray<{ storeKey: string; seq: number }>): Promise<string[]> {
    const taken: string[] = []
    for (const { storeKey, seq } of records) {
      const now = (await store.get(storeKey)) as { seq?: number } | undefined
      if (!now || typeof now.seq !== 'number' || now.seq <= seq) taken.push(storeKey)
    }
    return taken
  }

  function readHistoryIndex() {
    return readRecord(store, 'history', keys.historyIndex, keys.quarantine(clock.now()), report)
  }

  async function recordHistory(version: number, data: Json) {
    const index = (await readHistoryIndex()) ?? []
    const entry: HistoryIndexEntry = { id: env.randomId(), savedAt: clock.now(), version }
    // A lower limit (or `history: false`) than an earlier page's also prunes what it kept.
    const kept = options.historyLimit > 0 ? [entry, ...index].slice(0, options.historyLimit) : []
    const dropped = index.filter((old) => !kept.includes(old))
    if (kept.length) await store.setMany([[keys.snapshot(entry.id), data], [keys.historyIndex, kept]])
    else if (index.length) await store.delMany([keys.historyIndex])
    if (dropped.length) await store.delMany(dropped.map((old) => keys.snapshot(old.id)))
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
      return ((await readHistoryIndex()) ?? []).slice(0, options.historyLimit)
    },
    async snapshot(id) {
      await chain
      return (await store.get(keys.snapshot(id))) as Json | undefined
    },
    /**
     * The newest version this device saw saved, from the (small) history index: versions only
     * grow, so a server behind it was restored from a backup, and the app must hear of it.
     */
    async newestSavedVersion() {
      try {
        return (await readHistoryIndex())?.[0]?.version
      } catch {
        return undefined // an unreadable store is reported by the reads that need it
      }
    },
    readBase: (quarantineKey) => readRecord(store, 'base', keys.base, `${quarantineKey}:base`, report) as Promise<BaseRecord | undefined>,
    async otherDraftKeys() {
      return (await store.keys()).filter((storeKey) => storeKey.startsWith(keys.outboxPrefix) && storeKey !== outboxKey)
    },
    readDraft: (storeKey, quarantineKey) => readRecord(store, 'outbox', storeKey, quarantineKey, report) as Promise<OutboxRecord | undefined>,
    quarantineDraft: (record, quarantineKey) => quarantine(store, keys.outbox(record.owner), quarantineKey, record),
    adopt(storeKey, seq, owner) {
      adopted.push({ storeKey, seq, owner })
    },
    dropRedundant(records) {
      if (records.length) void enqueue(async () => store.delMany(await unchangedSinceAdopted(records)))
    },
    async acknowledgedHere(version, data) {
      if (data === null) return false
      try {
        for (const entry of ((await readHistoryIndex()) ?? []).filter((old) => old.version === version)) {
          if (jsonEqual((await store.get(keys.snapshot(entry.id))) as Json, data)) return true
        }
      } catch {
        // Unreadable history: merge against the base, as without one.
      }
      return false
    },
    storeRevalidated(target, version, data, updatedAt) {
      void enqueue(async () => {
        if (ledger.acked.version === version) await store.setMany([[keys.base, { format: RECORD_FORMAT, key, owner: instanceId, seq: target, version, data, updatedAt }]])
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
