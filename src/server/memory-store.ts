import type { Json, VersionedDocument } from '../types'
import {
  DEFAULT_HISTORY_LIMIT,
  DEFAULT_IDEMPOTENCY_TTL_MS,
  rememberedJson,
  rememberOrigin,
  type DocumentStore,
  type JsonText,
  type DocumentStoreOptions,
  type StoredVersion,
} from './document-store'

/**
 * Options of `memoryDocumentStore`: idempotency expiry, history length and the clock.
 *
 * @example
 * ```ts
 * let now = Date.parse('2025-06-01T12:00:00Z')
 * const store = memoryDocumentStore({ now: () => now, idempotencyTtlMs: 1000 })
 * now += 1001 // idempotency records written before this have expired
 * ```
 */
export interface MemoryDocumentStoreOptions extends DocumentStoreOptions {
  /** Clock for `updatedAt` and idempotency expiry (ms since epoch). Default `Date.now`. */
  now?: () => number
}

/**
 * `memoryDocumentStore()` plus direct access for tests and demos.
 *
 * @example
 * ```ts
 * const store = memoryDocumentStore()
 * store.set('project:42', { currentStep: 'video_styles' }) // as another client would write it
 * store.peek('project:42')?.version // 1
 * ```
 */
export interface MemoryDocumentStore extends DocumentStore {
  /** Writes unconditionally, as another client would: the version grows by one. */
  set(key: string, data: Json): VersionedDocument
  /** A copy of the current document, synchronously. */
  peek(key: string): VersionedDocument | undefined
  /** Copies of every document, by key. */
  entries(): Array<[string, VersionedDocument]>
  /** Forgets every document, history entry and idempotency record. */
  clear(): void
}

interface IdempotencyRecord {
  readonly fingerprint: string | undefined
  readonly version: number
  readonly updatedAt: string
  readonly expiresAt: number
}

/**
 * Documents in a `Map`, for tests, demos and single-process prototypes. Every write runs
 * synchronously between two awaits, so the version check and the write are atomic.
 *
 * @example
 * ```ts
 * const handler = createAutosaveHandler({ store: memoryDocumentStore(), basePath: '/api/storage/projects' })
 * ```
 */
export function memoryDocumentStore(options: MemoryDocumentStoreOptions = {}): MemoryDocumentStore {
  const now = options.now ?? Date.now
  const ttl = options.idempotencyTtlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS
  const historyLimit = options.historyLimit ?? DEFAULT_HISTORY_LIMIT
  const documents = new Map<string, VersionedDocument>()
  const histories = new Map<string, VersionedDocument[]>()
  // Each document's JSON text, when the handler serialized it (to check it): a PATCH on it is
  // measured from that text instead of serializing the document again.
  const texts = new Map<string, JsonText>()
  // Per document key: records by scope + idempotency key (JSON-joined, so no separator clash).
  const idempotency = new Map<string, Map<string, IdempotencyRecord>>()
  let nextSweepAt = now()

  function commit(key: string, data: Json): VersionedDocument {
    const written: VersionedDocument = {
      data: structuredClone(data),
      version: (documents.get(key)?.version ?? 0) + 1,
      updatedAt: new Date(now()).toISOString(),
    }
    documents.set(key, written)
    const json = rememberedJson(data)
    if (json) texts.set(key, json)
    else texts.delete(key)
    if (historyLimit > 0) {
      const history = histories.get(key) ?? []
      history.push(written)
      if (history.length > historyLimit) history.splice(0, history.length - historyLimit)
      histories.set(key, history)
    }
    return written
  }

  function liveRecord(key: string, id: string): IdempotencyRecord | undefined {
    const record = idempotency.get(key)?.get(id)
    return record && record.expiresAt > now() ? record : undefined
  }

  // Expired records would otherwise pile up for documents that are never written again.
  function sweep() {
    if (now() < nextSweepAt) return
    nextSweepAt = now() + Math.min(ttl, 60_000)
    for (const [key, records] of idempotency) {
      for (const [id, record] of records) if (record.expiresAt <= now()) records.delete(id)
      if (records.size === 0) idempotency.delete(key)
    }
  }

  return {
    async get(key) {
      const document = documents.get(key)
      return document && structuredClone(document)
    },

    async write({ key, baseVersion, next, idempotency: idem }) {
      sweep()
      const id = idem && JSON.stringify([idem.scope, idem.key])
      const seen = id === undefined ? undefined : liveRecord(key, id)
      if (seen) return { status: 'replayed', version: seen.version, updatedAt: seen.updatedAt, fingerprint: seen.fingerprint }

      const current = documents.get(key)
      if ((current?.version ?? 0) !== baseVersion) {
        return { status: 'conflict', current: current && structuredClone(current) }
      }
      let data: Json
      if (typeof next === 'function') {
        const copy = current ? structuredClone(current.data) : null
        const json = texts.get(key)
        if (copy !== null && json) rememberOrigin(copy, json)
        data = next(copy)
      } else data = next
      const written = commit(key, data)
      if (id !== undefined) {
        const records = idempotency.get(key) ?? new Map<string, IdempotencyRecord>()
        records.set(id, { fingerprint: idem?.fingerprint, version: written.version, updatedAt: written.updatedAt, expiresAt: now() + ttl })
        idempotency.set(key, records)
      }
      return { status: 'applied', version: written.version, updatedAt: written.updatedAt }
    },

    async history(key, { limit = Number.POSITIVE_INFINITY } = {}) {
      const history = histories.get(key) ?? []
      return history
        .slice()
        .reverse()
        .slice(0, limit)
        .map((entry): StoredVersion => ({ key, ...structuredClone(entry) }))
    },

    async delete(key) {
      documents.delete(key)
      texts.delete(key)
      histories.delete(key)
      idempotency.delete(key)
    },

    set: (key, data) => structuredClone(commit(key, data)),
    peek: (key) => {
      const document = documents.get(key)
      return document && structuredClone(document)
    },
    entries: () => [...documents].map(([key, document]) => [key, structuredClone(document)]),
    clear() {
      documents.clear()
      texts.clear()
      histories.clear()
      idempotency.clear()
    },
  }
}
