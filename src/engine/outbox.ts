import * as z from 'zod/mini'
import { StorageError } from '../errors'
import { applyDocumentPatch } from '../patch'
import type { AutosaveStore, Json, JsonPatchOperation } from '../types'

/**
 * What the engine keeps in the store for one document. The outbox record is written before
 * the network is tried and removed once acknowledged; the base record is the last document
 * the server acknowledged, kept so a conflict after a reload still has a common ancestor.
 */
export const RECORD_FORMAT = 1

export interface OutboxRecord {
  format: typeof RECORD_FORMAT
  key: string
  /** The instance that wrote it; another instance adopts it only once that one is gone. */
  owner: string
  /** Monotonic across saves and reloads: orders records from different instances and tabs. */
  seq: number
  /** The server version `data` was edited on top of; `null` before the first write. */
  baseVersion: number | null
  data: Json
  /**
   * Patch from `data` back to the document at `baseVersion`: the draft's true common ancestor
   * for a merge after a reload, at the cost of a few bytes instead of a second copy.
   */
  undo?: JsonPatchOperation[] | undefined
  /**
   * The writes put on the network and not acknowledged when this was stored (newest last), as
   * patches from `data` (usually empty or tiny). If their answers were lost, the next page can
   * tell that the server's newer document is one of them — ours — rather than someone else's edit.
   */
  sent?: JsonPatchOperation[][] | undefined
  savedAt: number
  /** `options.version` of the app that wrote it, for `migrate`. */
  schemaVersion: number
  /**
   * Drafts of closed pages this one adopted (their owner and `seq`): `data` already holds them,
   * so a later page that still finds one (its deletion never committed) must not send it again.
   */
  folded?: FoldedDraft[] | undefined
  /**
   * Written as a checkpoint of a draft log: the log entries up to `n` are in `data`; later
   * entries (`wal:` records of the same owner) patch it. Absent in 0.1.0's records (no log).
   */
  n?: number | undefined
  /**
   * Set on the log entry an acknowledgement appends: everything in the draft reached the server,
   * so a later page has nothing to send. Kept instead of deleting the log, so the next write
   * after the ack is an entry again, not a checkpoint.
   */
  done?: boolean | undefined
}

/**
 * One appended write of a draft log: the record as `OutboxRecord`, with `data` given as the
 * patch from the previous entry's (or the checkpoint's) data. Bytes follow the edit, not the document.
 */
export interface DraftLogEntry extends Omit<OutboxRecord, 'data' | 'n' | 'format' | 'key' | 'owner' | 'schemaVersion'> {
  n: number
  ops: JsonPatchOperation[]
}

/**
 * One acknowledged document (a save this device made, or a newer server copy it found): the
 * full document (`data`, a checkpoint) or the patch (`ops`) from the entry `of`. The newest
 * reachable entry is the device's acknowledged copy; those with `history` are history().
 */
export interface AckEntry {
  format: typeof RECORD_FORMAT
  key: string
  id: string
  version: number
  owner?: string | undefined
  seq: number
  updatedAt: string
  savedAt: number
  history: boolean
  folded?: FoldedDraft[] | undefined
  data?: Json | undefined
  of?: string | undefined
  ops?: JsonPatchOperation[] | undefined
}

export interface FoldedDraft {
  owner: string
  seq: number
}

export interface BaseRecord {
  format: typeof RECORD_FORMAT
  key: string
  /** The instance whose write this acknowledges, with its `seq`: tells its own outbox record is done. */
  owner?: string | undefined
  seq: number
  version: number
  data: Json
  updatedAt: string
  /** As in the outbox record: adopted drafts this acknowledged document already holds. */
  folded?: FoldedDraft[] | undefined
}

export interface HistoryIndexEntry {
  id: string
  savedAt: number
  version: number
}

export const recordKeys = (key: string) => ({
  /** One outbox record per instance (tab), so two live tabs never overwrite each other's drafts. */
  outbox: (owner: string) => `outbox:${key}:${owner}`,
  outboxPrefix: `outbox:${key}:`,
  /** Draft log entries after an owner's checkpoint (the `outbox:` record). */
  log: (owner: string, n: number) => `wal:${key}:${owner}:${n}`,
  logPrefix: (owner: string) => `wal:${key}:${owner}:`,
  /** Acknowledged copies and history, one record per acknowledgement. */
  ack: (id: string) => `ack:${key}:${id}`,
  ackPrefix: `ack:${key}:`,
  /** 0.1.0's acknowledged copy, history index and snapshots: read, carried over, pruned. */
  base: `base:${key}`,
  historyIndex: `history:${key}`,
  snapshot: (id: string) => `snapshot:${key}:${id}`,
  quarantine: (at: number) => `quarantine:${key}:${at}`,
})

const patchOperation = z.looseObject({ op: z.string(), path: z.string() })
const foldedDrafts = z.optional(z.array(z.object({ owner: z.string(), seq: z.number() })))

// Only the envelope is checked here: `data` can be megabytes, and the user's schema checks it.
const outboxSchema = z.object({
  format: z.literal(RECORD_FORMAT),
  key: z.string(),
  owner: z.string(),
  seq: z.number(),
  baseVersion: z.nullable(z.number()),
  data: z.unknown(),
  undo: z.optional(z.array(patchOperation)),
  sent: z.optional(z.array(z.array(patchOperation))),
  savedAt: z.number(),
  schemaVersion: z.number(),
  folded: foldedDrafts,
  n: z.optional(z.number()),
  done: z.optional(z.boolean()),
})

// What never changes within one instance's log (format, key, owner, schema version) is only in its checkpoint.
const logSchema = z.object({
  n: z.number(),
  seq: z.number(),
  baseVersion: z.nullable(z.number()),
  ops: z.array(patchOperation),
  undo: z.optional(z.array(patchOperation)),
  sent: z.optional(z.array(z.array(patchOperation))),
  savedAt: z.number(),
  folded: foldedDrafts,
  done: z.optional(z.boolean()),
})

const ackSchema = z.object({
  format: z.literal(RECORD_FORMAT),
  key: z.string(),
  id: z.string(),
  version: z.number(),
  owner: z.optional(z.string()),
  seq: z.number(),
  updatedAt: z.string(),
  savedAt: z.number(),
  history: z.boolean(),
  folded: foldedDrafts,
  data: z.optional(z.unknown()),
  of: z.optional(z.string()),
  ops: z.optional(z.array(patchOperation)),
})

const baseSchema = z.object({
  format: z.literal(RECORD_FORMAT),
  key: z.string(),
  owner: z.optional(z.string()),
  seq: z.number(),
  version: z.number(),
  data: z.unknown(),
  updatedAt: z.string(),
  folded: foldedDrafts,
})

const historySchema = z.array(z.object({ id: z.string(), savedAt: z.number(), version: z.number() }))

const schemas = { outbox: outboxSchema, log: logSchema, ack: ackSchema, base: baseSchema, history: historySchema }

/**
 * Reads one record and checks its envelope. A record that is not what we wrote (corrupt,
 * truncated, another program's) is moved aside under a `quarantine:` key — never deleted —
 * and reported; the caller carries on as if it were absent. A record the store cannot read at
 * all (not JSON, sealed with another key) cannot be moved aside: it is reported, left where
 * it is, and treated as absent too, so one bad record never hides the others.
 */
export async function readRecord<K extends keyof typeof schemas>(
  store: AutosaveStore,
  kind: K,
  storeKey: string,
  quarantineKey: string,
  report: (error: StorageError) => void,
): Promise<z.infer<(typeof schemas)[K]> | undefined> {
  let raw: unknown
  try {
    raw = await store.get(storeKey)
  } catch (error) {
    // Only a bad value is skipped; a store that cannot be read at all still fails the caller.
    if (!(error instanceof StorageError && (error.code === 'STORAGE_CORRUPT' || error.code === 'STORAGE_DECRYPT'))) throw error
    report(new StorageError(error.code, `${error.message}; left in place and skipped`, { cause: error }))
    return undefined
  }
  if (raw === undefined) return undefined
  const parsed = schemas[kind].safeParse(raw)
  if (parsed.success) return parsed.data as z.infer<(typeof schemas)[K]>
  const keptAs = await quarantine(store, storeKey, quarantineKey, raw)
  report(
    new StorageError(
      'STORAGE_CORRUPT',
      `The stored ${kind} record "${storeKey}" is not readable (${parsed.error.issues[0]?.message ?? 'invalid'} at ${parsed.error.issues[0]?.path.join('.') || 'root'}); kept aside as "${keptAs}"`,
    ),
  )
  return undefined
}

let quarantined = 0

/**
 * Moves a record aside so it stops being used but can still be recovered by hand. The record
 * lands under `quarantineKey` plus a unique suffix (returned): several records quarantined in
 * one millisecond, by one tab or two, must not overwrite each other.
 */
export async function quarantine(store: AutosaveStore, storeKey: string, quarantineKey: string, raw: unknown): Promise<string> {
  const keptAs = `${quarantineKey}:${++quarantined}-${Math.random().toString(36).slice(2, 10)}`
  await store.setMany([[keptAs, { quarantinedFrom: storeKey, record: raw }]])
  await store.delMany([storeKey])
  return keptAs
}

/** The old page's writes that went unanswered, rebuilt from the draft. */
export function unansweredWrites(outbox: OutboxRecord): Json[] {
  const writes: Json[] = []
  for (const write of outbox.sent ?? []) {
    const data = rebuild(outbox.data as Json, write)
    if (data !== undefined) writes.push(data)
  }
  return writes
}

/** The document a draft was edited on, rebuilt from the draft and its undo patch. */
export function draftAncestor(record: OutboxRecord): Json | undefined {
  if (!record.undo || record.baseVersion === null) return undefined
  return rebuild(record.data as Json, record.undo)
}

function rebuild(data: Json, ops: readonly JsonPatchOperation[]): Json | undefined {
  try {
    return applyDocumentPatch(data, ops)
  } catch {
    return undefined // a damaged patch only costs the three-way merge its ancestor
  }
}
