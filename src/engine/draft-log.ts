import { StorageError } from '../errors'
import { jsonSize } from '../json/json'
import { diffDocuments, patchShared } from '../patch'
import type { AutosaveStore, Json } from '../types'
import { readRecord, type DraftLogEntry, type OutboxRecord, type recordKeys } from './outbox'

type Keys = ReturnType<typeof recordKeys>
type Undo = () => OutboxRecord['undo']

/** One planned store write of the draft log: the record, and the stale entries it makes removable. */
export interface DraftWrite {
  entry: readonly [string, unknown]
  stale: string[]
}

/**
 * One instance's draft on the device as a write-ahead log: a checkpoint (the `outbox:` record,
 * the full draft) and, after it, one small entry per write holding only the patch from the write
 * before. A checkpoint is written again only when the entries after it outgrow it, so the bytes
 * a write costs follow the edit, not the document.
 *
 * `plan()` takes the next entry number at once: a synchronous page-exit write may run while an
 * asynchronous one is still in flight, and the two must never share a number.
 */
export function createDraftLog(keys: Keys, owner: string) {
  /** Bytes of this instance's checkpoint in the store; 0 while there is none (or a write failed). */
  let checkpointBytes = 0
  let logBytes = 0
  let n = 0
  /** The first entry number still in the store (older ones went with a checkpoint). */
  let first = 1
  /** The data of the newest record planned: the next entry is a patch from it. */
  let last: Json | undefined
  /** The acknowledged base that record was edited on: an entry on the same base leaves its undo patch out. */
  let lastBase: unknown

  function checkpoint(record: OutboxRecord, undo: Undo, bytes: number): DraftWrite {
    const stale = logKeys(first, n)
    first = n + 1
    checkpointBytes = bytes
    logBytes = 0
    last = record.data
    return { entry: [keys.outbox(owner), { ...record, undo: undo(), n }], stale }
  }

  function logKeys(from: number, to: number): string[] {
    const found: string[] = []
    for (let at = from; at <= to; at++) found.push(keys.log(owner, at))
    return found
  }

  return {
    /**
     * The next write: an entry after the checkpoint, or a new checkpoint (`full`: always one).
     * `undo` (the patch back to `base`) is computed only when written: a checkpoint, or an entry after the base moved.
     */
    plan(record: Omit<OutboxRecord, 'undo'>, undo: Undo, full = false, base?: unknown): DraftWrite {
      const sameBase = base !== undefined && base === lastBase
      lastBase = base
      const ops = full || checkpointBytes === 0 ? undefined : diffDocuments(last, record.data as Json)
      if (ops) {
        // Field by field, not rest-and-spread: one fixed shape, which copies and stringifies several times faster.
        const entry: DraftLogEntry = {
          seq: record.seq,
          baseVersion: record.baseVersion,
          sent: record.sent,
          savedAt: record.savedAt,
          folded: record.folded,
          done: record.done,
          // The undo patch grows with every edit not yet acknowledged: written again only when the base moves.
          undo: sameBase ? undefined : undo(),
          n: n + 1,
          ops,
        }
        const bytes = jsonSize(entry)
        if (logBytes + bytes <= checkpointBytes) {
          n++
          logBytes += bytes
          last = record.data
          return { entry: [keys.log(owner, n), entry], stale: [] }
        }
      }
      // The one whole-document write: rare, as the log has to outgrow the document first.
      return checkpoint(record, undo, jsonSize(record.data) + 1)
    },
    /** A planned write did not land: the next one is a checkpoint, so no entry ever follows a gap. */
    failed() {
      checkpointBytes = 0
    },
  }
}

export type DraftLog = ReturnType<typeof createDraftLog>

/** The log keys of `owner` in `allKeys`, by entry number. */
export function logKeysOf(keys: Keys, owner: string, allKeys: readonly string[]): Map<number, string> {
  const prefix = keys.logPrefix(owner)
  const found = new Map<number, string>()
  for (const storeKey of allKeys) {
    if (!storeKey.startsWith(prefix)) continue
    const at = Number(storeKey.slice(prefix.length))
    if (Number.isInteger(at) && at > 0) found.set(at, storeKey)
  }
  return found
}

/**
 * Reads a draft: its checkpoint, then its entries in order while they follow each other. A
 * 0.1.0 record is a checkpoint with no entries. An entry that is not what we wrote is moved
 * aside (reported) and the draft ends before it: what came earlier is still restored.
 */
export async function readDraftLog(
  store: AutosaveStore,
  keys: Keys,
  storeKey: string,
  allKeys: readonly string[],
  quarantineKey: string,
  report: (error: StorageError) => void,
): Promise<OutboxRecord | undefined> {
  const checkpoint = (await readRecord(store, 'outbox', storeKey, quarantineKey, report)) as OutboxRecord | undefined
  if (!checkpoint) return undefined
  const entries = logKeysOf(keys, checkpoint.owner, allKeys)
  let record: OutboxRecord = checkpoint
  let data = checkpoint.data as Json
  // The document the draft was edited on, carried from record to record until one names another.
  let base = ancestor(data, checkpoint.baseVersion, checkpoint.undo)
  for (let at = (checkpoint.n ?? 0) + 1; entries.has(at); at++) {
    const entry = (await readRecord(store, 'log', entries.get(at)!, `${quarantineKey}:log${at}`, report)) as DraftLogEntry | undefined
    if (!entry || entry.n !== at) break
    try {
      data = patchShared(data, entry.ops)
    } catch (error) {
      report(new StorageError('STORAGE_CORRUPT', `The draft log entry "${entries.get(at)!}" does not apply (${String(error)}); the draft ends before it`))
      break
    }
    const { ops: _ops, ...envelope } = entry
    if (entry.undo) base = ancestor(data, entry.baseVersion, entry.undo)
    else if (entry.baseVersion !== record.baseVersion) base = undefined
    record = { format: checkpoint.format, key: checkpoint.key, owner: checkpoint.owner, schemaVersion: checkpoint.schemaVersion, ...envelope, data }
  }
  if (record === checkpoint) return record
  return { ...record, undo: base === undefined ? undefined : (diffDocuments(data, base) ?? [{ op: 'replace', path: '', value: base }]) }
}

function ancestor(data: Json, baseVersion: number | null, undo: OutboxRecord['undo']): Json | undefined {
  if (baseVersion === null || !undo) return undefined
  try {
    return patchShared(data, undo)
  } catch {
    return undefined // a damaged patch only costs the three-way merge its ancestor
  }
}
