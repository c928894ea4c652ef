import type { StorageError } from '../errors'
import { diffDocuments, patchShared } from '../patch'
import { jsonSize } from '../json/json'
import type { AutosaveStore, HistoryEntry, Json } from '../types'
import { readRecord, type AckEntry, type BaseRecord, type FoldedDraft, type HistoryIndexEntry, type recordKeys } from './outbox'

type Keys = ReturnType<typeof recordKeys>

/** What a patch record costs besides its patch (id, version, owner, times…): enough to compare a chain with a full copy. */
const ENVELOPE_BYTES = 200
const patchBytes = (ops: AckEntry['ops']) => jsonSize(ops ?? []) + ENVELOPE_BYTES
const fullBytes = (data: Json) => jsonSize(data) + 1

export interface AckLogParts {
  store: AutosaveStore
  keys: Keys
  key: string
  historyLimit: number
  report(error: StorageError): void
  quarantineKey(): string
}

/** What one read of the log found: its entries by id, and 0.1.0's records still there. */
interface Scan {
  entries: Map<string, AckEntry>
  legacyIndex: HistoryIndexEntry[]
  legacyBase: BaseRecord | undefined
}

/** The entry new patches are made from: the newest this instance wrote or read. */
interface Tip {
  id: string
  data: Json
  /** Bytes of the patches since the full document they build on, and of that document. */
  chainBytes: number
  fullBytes: number
}

/**
 * The acknowledged copies of one document on the device, shared by its tabs: one record per
 * acknowledgement (a save of this device, or a newer server copy found by revalidation), each
 * the patch from an earlier one, with the full document again once the patches since the last
 * one outgrow it. The newest version that can be rebuilt is the device's acknowledged copy (the
 * base of a merge after a reload); the entries of this device's own saves are `history()`.
 * 0.1.0's records (`base:`, the history index and its snapshots) are read beside them and pruned
 * like them, so upgrading loses nothing.
 */
export function createAckLog({ store, keys, key, historyLimit, report, quarantineKey }: AckLogParts) {
  let tip: Tip | undefined
  let scanning: Promise<Scan> | undefined

  function scan(): Promise<Scan> {
    // Shared only while in flight: other tabs append too, so a finished scan is soon stale.
    return (scanning ??= scanOnce().finally(() => (scanning = undefined)))
  }

  async function scanOnce(): Promise<Scan> {
    const at = quarantineKey()
    const ids = (await store.keys()).filter((storeKey) => storeKey.startsWith(keys.ackPrefix))
    const records = await Promise.all(ids.map((storeKey, i) => readRecord(store, 'ack', storeKey, `${at}:ack${i}`, report)))
    const entries = new Map<string, AckEntry>()
    // `ack:project:1:` also prefixes the records of a document named "project:1:…".
    for (const record of records) if (record && record.key === key) entries.set(record.id, record as AckEntry)
    const [legacyIndex, legacyBase] = await Promise.all([
      readRecord(store, 'history', keys.historyIndex, `${at}:history`, report),
      readRecord(store, 'base', keys.base, `${at}:base`, report) as Promise<BaseRecord | undefined>,
    ])
    return { entries, legacyIndex: legacyIndex ?? [], legacyBase }
  }

  /** The document of entry `id`, rebuilt from the full document (`full`) its patches start from. */
  function rebuild(entries: Map<string, AckEntry>, id: string): { data: Json; full: AckEntry; patches: AckEntry[] } | undefined {
    const chain: AckEntry[] = []
    const seen = new Set<string>()
    for (let entry = entries.get(id); entry; entry = entry.of === undefined ? undefined : entries.get(entry.of)) {
      if (seen.has(entry.id)) return undefined // a cycle: not what we wrote
      seen.add(entry.id)
      chain.push(entry)
      if (entry.of === undefined) break
    }
    const full = chain.pop()
    if (!full || full.of !== undefined || full.data === undefined) return undefined
    let data = full.data as Json
    const patches = chain.reverse()
    try {
      for (const entry of patches) data = patchShared(data, entry.ops ?? [])
    } catch {
      return undefined // a damaged patch: an older entry serves instead
    }
    return { data, full, patches }
  }

  const newestFirst = (a: { savedAt: number; version: number }, b: { savedAt: number; version: number }) => b.savedAt - a.savedAt || b.version - a.version

  /** This device's saves, newest first, as history() lists them (0.1.0's after, being older). */
  function historyOf({ entries, legacyIndex }: Scan): HistoryIndexEntry[] {
    const own = [...entries.values()].filter((entry) => entry.history).sort(newestFirst)
    return [...own.map(({ id, savedAt, version }) => ({ id, savedAt, version })), ...legacyIndex].slice(0, Math.max(historyLimit, 0))
  }

  async function snapshotOf(found: Scan, id: string): Promise<Json | undefined> {
    if (found.entries.has(id)) return rebuild(found.entries, id)?.data
    if (!found.legacyIndex.some((entry) => entry.id === id)) return undefined
    return (await store.get(keys.snapshot(id))) as Json | undefined
  }

  return {
    /**
     * Appends an acknowledged document: a patch from the tip when the chain is still smaller than
     * a full copy, otherwise the full document (and then entries no longer needed are pruned).
     */
    async append(fields: Omit<AckEntry, 'format' | 'key' | 'data' | 'of' | 'ops'>, data: Json, alongside?: readonly [string, unknown]): Promise<void> {
      const from = tip && tip.chainBytes <= tip.fullBytes ? tip : undefined
      const ops = from && diffDocuments(from.data, data)
      let entry: AckEntry
      if (from && ops) {
        entry = { format: 1, key, ...fields, of: from.id, ops }
        tip = { id: fields.id, data, chainBytes: from.chainBytes + patchBytes(ops), fullBytes: from.fullBytes }
      } else {
        entry = { format: 1, key, ...fields, data }
        tip = { id: fields.id, data, chainBytes: 0, fullBytes: fullBytes(data) }
      }
      await store.setMany(alongside ? [[keys.ack(fields.id), entry], alongside] : [[keys.ack(fields.id), entry]])
      if (entry.data !== undefined) await prune(fields.id)
    },
    /** A write failed: the next entry is a full document, so none patches one that is missing. */
    failed() {
      tip = undefined
    },
    /** The newest acknowledged copy the device holds, with every draft the acknowledgements hold. */
    async newest(): Promise<BaseRecord | undefined> {
      const found = await scan()
      const held: FoldedDraft[] = []
      let best: { entry: AckEntry; rebuilt: NonNullable<ReturnType<typeof rebuild>> } | undefined
      const byVersion = [...found.entries.values()].sort((a, b) => b.version - a.version || newestFirst(a, b))
      for (const entry of byVersion) {
        if (entry.owner !== undefined) held.push({ owner: entry.owner, seq: entry.seq })
        held.push(...(entry.folded ?? []))
        if (best) continue
        const rebuilt = rebuild(found.entries, entry.id)
        if (rebuilt) best = { entry, rebuilt }
      }
      const legacy = found.legacyBase
      if (legacy) {
        if (legacy.owner !== undefined) held.push({ owner: legacy.owner, seq: legacy.seq })
        held.push(...(legacy.folded ?? []))
      }
      if (best && !tip) {
        const { data, full, patches } = best.rebuilt
        tip = { id: best.entry.id, data, chainBytes: patches.reduce((sum, entry) => sum + patchBytes(entry.ops), 0), fullBytes: fullBytes(full.data as Json) }
      }
      if (legacy && (!best || legacy.version > best.entry.version)) return { ...legacy, folded: held }
      if (!best) return undefined
      const { entry } = best
      return { format: 1, key, owner: entry.owner, seq: entry.seq, version: entry.version, data: best.rebuilt.data, updatedAt: entry.updatedAt, folded: held }
    },
    async history(): Promise<HistoryEntry[]> {
      return historyOf(await scan())
    },
    async snapshot(id: string): Promise<Json | undefined> {
      return snapshotOf(await scan(), id)
    },
    /** The newest version this device saw saved. */
    async newestSavedVersion(): Promise<number | undefined> {
      const versions = historyOfAll(await scan()).map((entry) => entry.version)
      return versions.length ? Math.max(...versions) : undefined
    },
    /** Whether one of this device's saves of `version` was `data`. */
    async savedHere(version: number, data: Json, equal: (a: Json, b: Json) => boolean): Promise<boolean> {
      const found = await scan()
      for (const entry of historyOfAll(found).filter((old) => old.version === version)) {
        const snapshot = await snapshotOf(found, entry.id)
        if (snapshot !== undefined && equal(snapshot, data)) return true
      }
      return false
    },
  }

  /** Every save of this device still on record, whatever the history limit. */
  function historyOfAll({ entries, legacyIndex }: Scan): HistoryIndexEntry[] {
    return [...[...entries.values()].filter((entry) => entry.history), ...legacyIndex]
  }

  /**
   * After a full document: keep the history the limit allows and the newest acknowledged copy,
   * with the entries each needs to be rebuilt; everything else goes, 0.1.0's records included.
   */
  async function prune(fullId: string) {
    const found = await scan()
    const keep = new Set<string>([fullId])
    const needs = (id: string) => {
      for (let entry = found.entries.get(id); entry && !keep.has(entry.id); entry = entry.of === undefined ? undefined : found.entries.get(entry.of))
        keep.add(entry.id)
    }
    const kept = historyOf(found)
    for (const { id } of kept) if (found.entries.has(id)) needs(id)
    const newest = [...found.entries.values()].sort((a, b) => b.version - a.version)[0]
    if (newest) needs(newest.id)
    const drop = [...found.entries.keys()].filter((id) => !keep.has(id)).map((id) => keys.ack(id))
    const legacyKept = found.legacyIndex.filter((entry) => kept.includes(entry))
    const legacyDropped = found.legacyIndex.filter((entry) => !kept.includes(entry))
    if (legacyDropped.length) {
      drop.push(...legacyDropped.map((entry) => keys.snapshot(entry.id)))
      if (!legacyKept.length) drop.push(keys.historyIndex)
      else await store.setMany([[keys.historyIndex, legacyKept]])
    }
    const full = found.entries.get(fullId)
    if (found.legacyBase && full && found.legacyBase.version <= full.version) drop.push(keys.base)
    if (drop.length) await store.delMany(drop)
  }
}

export type AckLog = ReturnType<typeof createAckLog>
