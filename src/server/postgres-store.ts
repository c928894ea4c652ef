import type { Json, JsonPatchOperation, VersionedDocument } from '../types'
import { DocumentCache } from './document-cache'
import {
  DEFAULT_HISTORY_LIMIT,
  DEFAULT_IDEMPOTENCY_TTL_MS,
  InvalidDocumentError,
  rememberOrigin,
  serializedJson,
  type DocumentStore,
  type DocumentStoreOptions,
  type DocumentWriteOutcome,
  type StoredVersion,
} from './document-store'
import { reportConnectionErrors } from './pool-errors'
import { autosaveTables, idempotencyFingerprint, type AutosaveSchemaOptions, type SqlClient } from './postgres-schema'
import { applyJsonPatch } from './protocol'

/**
 * Options of `postgresDocumentStore`: the table prefix, idempotency expiry and history length.
 *
 * @example
 * ```ts
 * postgresDocumentStore(pool, { tablePrefix: 'app.autosave_', historyLimit: 20 })
 * ```
 */
export interface PostgresDocumentStoreOptions extends DocumentStoreOptions, AutosaveSchemaOptions {
  /**
   * Sends each statement as a named prepared statement (`{ name, text, values }`, as `pg`
   * accepts), parsed and planned once per connection instead of on every call. Needs a client
   * that takes that form (`pg`'s `Pool` or `Client`, not PGlite) and connections that keep
   * their prepared statements: not PgBouncer in transaction mode before 1.21 (or without
   * `max_prepared_statements`). Default `false`.
   */
  preparedStatements?: boolean
  /**
   * The history keeps the whole document every this many versions (and on every PUT); the
   * versions between keep only their patch. Default 50.
   */
  snapshotEvery?: number
  /**
   * Documents this store remembers as it last wrote them, so a PATCH on that version sends
   * one statement and reads nothing (the UPDATE checks the version and timestamp, so another
   * process's write only costs a read). Default 1000; `0` turns it off.
   */
  cachedDocuments?: number
  /**
   * Called when an idle connection of a `pg` `Pool` dies (PostgreSQL restarted): the pool
   * reconnects by itself. Installed only if the pool has no `'error'` listener of its own,
   * without which Node would end the process. Default `console.error`.
   */
  onConnectionError?: (error: unknown) => void
}

/**
 * `postgresDocumentStore()` plus maintenance.
 *
 * @example
 * ```ts
 * const store = postgresDocumentStore(pool)
 * setInterval(() => void store.purgeExpired(), 60 * 60 * 1000) // hourly, or from a cron job
 * ```
 */
export interface PostgresDocumentStore extends DocumentStore {
  /** Deletes expired idempotency records of every document; returns how many. Run it from a cron job. */
  purgeExpired(): Promise<number>
  /** One version from the history (rebuilt from its snapshot and patches), or `undefined` when it is not kept. */
  version(key: string, version: number): Promise<StoredVersion | undefined>
}

/**
 * Documents in PostgreSQL (or PGlite, or a PostgreSQL-compatible engine). Each write is one
 * statement: a conditional `UPDATE … WHERE version = $base` (or `INSERT … ON CONFLICT DO
 * NOTHING` for the first write) that also records the idempotency key and the history entry,
 * so concurrent writers cannot both win and a write is never half-applied. A PATCH on the
 * version this store last wrote is that one statement; otherwise a read comes first. Create
 * the tables first with `migrateAutosaveSchema(client)`.
 *
 * @example
 * ```ts
 * import { PGlite } from '@electric-sql/pglite'
 * const db = new PGlite('./data/autosave')   // or: new pg.Pool({ connectionString: process.env.DATABASE_URL })
 * await migrateAutosaveSchema(db)
 * const handler = createAutosaveHandler({ store: postgresDocumentStore(db), basePath: '/api/storage/projects' })
 * ```
 */
export function postgresDocumentStore(client: SqlClient, options: PostgresDocumentStoreOptions = {}): PostgresDocumentStore {
  const t = autosaveTables(options.tablePrefix)
  const ttlMs = options.idempotencyTtlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS
  const historyLimit = options.historyLimit ?? DEFAULT_HISTORY_LIMIT
  reportConnectionErrors(
    client,
    options.onConnectionError ?? ((error) => console.error('autosave-kit/server: a PostgreSQL connection failed (the pool reconnects):', error)),
  )
  const snapshotEvery = Math.max(1, Math.floor(options.snapshotEvery ?? DEFAULT_SNAPSHOT_EVERY))
  const cache = new DocumentCache(options.cachedDocuments ?? DEFAULT_CACHED_DOCUMENTS)
  const prepared = options.preparedStatements === true

  // The row's timestamp to the microsecond (a JS Date keeps milliseconds): the cache's guard.
  const stamp = (column: string) => `(extract(epoch FROM ${column}) * 1000000)::bigint::text`

  // $1 key, $2 scope, $3 idempotency key (null: none). The document as text, parsed here (as
  // the driver would): its length is the patch budget's starting size, so a PATCH after a read
  // does not serialize the whole document to measure it.
  const peekSql = `
    SELECT d.data::text AS data_text, d.version, d.updated_at, ${stamp('d.updated_at')} AS stamp,
      i.version AS replay_version, i.updated_at AS replay_updated_at, i.request_fingerprint AS replay_fingerprint
    FROM (SELECT 1) AS one
    LEFT JOIN ${t.documents} AS d ON d.key = $1
    LEFT JOIN ${t.idempotency} AS i
      ON i.key = $1 AND i.fingerprint = ${idempotencyFingerprint('$2::text', '$3::text')}
      AND i.scope = $2 AND i.idempotency_key = $3 AND i.expires_at > now()`

  const unseen = `NOT EXISTS (
      SELECT 1 FROM ${t.idempotency}
      WHERE key = $1 AND fingerprint = ${idempotencyFingerprint('$3::text', '$4::text')}
        AND scope = $3 AND idempotency_key = $4 AND expires_at > now())`

  // $1 key, $2 data (JSON text), $3 scope, $4 idempotency key, $5 ttl ms, $6 history limit,
  // $7 the patch from the previous version as JSON text (null: this version is a snapshot),
  // $8 the request's fingerprint (null: none).
  // Expired idempotency records of the document go every 32nd version: the scan is the
  // document's records, so once per write would cost more the busier the document.
  const tail = `
    remembered AS (
      INSERT INTO ${t.idempotency} AS existing (scope, key, idempotency_key, version, updated_at, expires_at, request_fingerprint)
      SELECT $3, key, $4, version, updated_at, updated_at + $5::float8 * interval '1 millisecond', $8::text
      FROM written WHERE $4::text IS NOT NULL
      ON CONFLICT (key, fingerprint) DO UPDATE
        SET scope = EXCLUDED.scope, idempotency_key = EXCLUDED.idempotency_key, version = EXCLUDED.version,
          updated_at = EXCLUDED.updated_at, expires_at = EXCLUDED.expires_at, request_fingerprint = EXCLUDED.request_fingerprint
        WHERE existing.expires_at <= now()
    ),
    forgotten AS (
      DELETE FROM ${t.idempotency}
      WHERE key = $1 AND expires_at <= now() AND idempotency_key IS DISTINCT FROM $4
        AND EXISTS (SELECT 1 FROM written WHERE version % 32 = 0)
    ),
    kept AS (
      INSERT INTO ${t.versions} AS old (key, version, data, patch, updated_at)
      SELECT key, version, CASE WHEN $7::jsonb IS NULL THEN data END, $7::jsonb, updated_at FROM written WHERE $6::integer > 0
      ON CONFLICT (key, version) DO UPDATE SET data = EXCLUDED.data, patch = EXCLUDED.patch, updated_at = EXCLUDED.updated_at
    ),
    pruned AS (
      -- Versions older than the newest snapshot the kept ones are rebuilt from. That snapshot
      -- moves on every snapshotEvery versions, so the prune runs only then.
      DELETE FROM ${t.versions}
      WHERE key = $1 AND EXISTS (SELECT 1 FROM written WHERE $6::integer = 0 OR (version - $6::integer) % ${snapshotEvery} = 0) AND (
        ($6::integer = 0 AND version <= (SELECT version FROM written))
        OR version < (
          SELECT max(s.version) FROM ${t.versions} AS s
          WHERE s.key = $1 AND s.data IS NOT NULL AND s.version <= (SELECT version FROM written) - $6::integer + 1))
    )
    SELECT version, updated_at, ${stamp('updated_at')} AS stamp FROM written`

  // The version check and the write are one statement: the row lock makes a concurrent writer
  // on the same base re-check `version = $9` after the winner commits, and find it stale.
  // $10, when set, is the timestamp of the cached copy `data` was computed from.
  const updateSql = `
    WITH written AS (
      UPDATE ${t.documents} SET data = $2::jsonb, version = version + 1, updated_at = now()
      WHERE key = $1 AND version = $9::bigint AND ($10::text IS NULL OR ${stamp('updated_at')} = $10::text) AND ${unseen}
      RETURNING key, version, data, updated_at
    ),${tail}`

  const insertSql = `
    WITH written AS (
      INSERT INTO ${t.documents} (key, data, version, updated_at)
      SELECT $1, $2::jsonb, 1, now() WHERE ${unseen}
      ON CONFLICT (key) DO NOTHING
      RETURNING key, version, data, updated_at
    ),${tail}`

  const getSql = `SELECT data, version, updated_at FROM ${t.documents} WHERE key = $1`

  // $1 key, $2 the oldest version wanted (null: every kept one). From the newest snapshot at or
  // before it, so every wanted version can be rebuilt.
  const historySql = `
    SELECT version, data, patch, updated_at FROM ${t.versions}
    WHERE key = $1 AND version >= coalesce((
      SELECT max(version) FROM ${t.versions} WHERE key = $1 AND data IS NOT NULL AND version <= $2::bigint), 0)
    ORDER BY version`

  const names = new Map<string, string>()
  async function query(text: string, params: unknown[]) {
    try {
      if (!prepared) return (await client.query(text, params)).rows
      let name = names.get(text)
      if (name === undefined) names.set(text, (name = `autosave_${fnv1a(text)}`))
      return (await (client as unknown as PreparingClient).query({ name, text, values: params })).rows
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code
      // 22P05: jsonb refuses U+0000; 54001: nesting deeper than the server's stack allows;
      // 22P02: text jsonb cannot parse (a lone surrogate; checkDocument refuses those first,
      // this keeps anything it misses a 400 rather than a 500 the client retries forever).
      if (code === '22P05' || code === '22P02' || code === '22021' || code === '54001') {
        throw new InvalidDocumentError(`The document cannot be stored: ${(error as Error).message}`, { cause: error })
      }
      throw error
    }
  }

  async function peek(key: string, scope: string, idempotencyKey: string | null) {
    const row = (await query(peekSql, [key, scope, idempotencyKey]))[0] ?? {}
    let document: VersionedDocument | undefined
    if (row.version != null) {
      const text = String(row.data_text)
      const data = JSON.parse(text) as Json
      // jsonb's text spaces its separators and writes numbers in full: never shorter than JSON.stringify's.
      rememberOrigin(data, { text })
      document = { data, version: Number(row.version), updatedAt: iso(row.updated_at) }
    }
    const replay =
      row.replay_version == null
        ? undefined
        : { version: Number(row.replay_version), updatedAt: iso(row.replay_updated_at), fingerprint: (row.replay_fingerprint as string | null) ?? undefined }
    return { document, replay }
  }

  /** Versions from the newest snapshot at or before `from` to `to`, rebuilt, oldest first. */
  async function rebuild(key: string, from: number | null, to = Number.POSITIVE_INFINITY): Promise<StoredVersion[]> {
    const rows = await query(historySql, [key, from])
    const versions: StoredVersion[] = []
    let previous: StoredVersion | undefined
    for (const row of rows) {
      const version = Number(row.version)
      if (version > to) break
      let data: Json | undefined
      if (row.data != null) data = row.data as Json
      // A patch applies to the version just before it only (a gap: that one is not kept).
      else if (previous?.version === version - 1) data = applyJsonPatch(structuredClone(previous.data), row.patch as JsonPatchOperation[], { inPlace: true })
      previous = data === undefined ? undefined : { key, data, version, updatedAt: iso(row.updated_at) }
      if (previous && (from === null || version >= from)) versions.push(previous)
    }
    return versions
  }

  const store: PostgresDocumentStore = {
    async get(key) {
      const row = (await query(getSql, [key]))[0]
      return row && { data: row.data as Json, version: Number(row.version), updatedAt: iso(row.updated_at) }
    },

    async write({ key, baseVersion, next, patch, idempotency }): Promise<DocumentWriteOutcome> {
      const scope = idempotency?.scope ?? ''
      const idempotencyKey = idempotency?.key ?? null
      let data: Json | undefined
      let guard: string | null = null
      if (typeof next === 'function') {
        // This process wrote the version the client started from: patch that, no read.
        const cached = baseVersion > 0 ? cache.take(key) : undefined
        if (cached?.version === baseVersion) {
          try {
            data = next(cached.data)
            guard = cached.stamp
          } catch {
            // Answered from the stored document below, as without a cache.
          }
        }
        if (data === undefined) {
          const seen = await peek(key, scope, idempotencyKey)
          if (seen.replay) return { status: 'replayed', ...seen.replay }
          if ((seen.document?.version ?? 0) !== baseVersion) return { status: 'conflict', current: seen.document }
          data = next(seen.document ? seen.document.data : null)
        }
      } else {
        data = next
      }
      const json = serializedJson(data)
      const text = json.text
      const params: unknown[] = [
        key,
        text,
        scope,
        idempotencyKey,
        ttlMs,
        historyLimit,
        historyPatch(baseVersion, patch, text),
        idempotency?.fingerprint ?? null,
      ]
      const written = (baseVersion === 0 ? await query(insertSql, params) : await query(updateSql, [...params, baseVersion, guard]))[0]
      if (written) {
        const version = Number(written.version)
        cache.put(key, { version, stamp: String(written.stamp), data, json })
        return { status: 'applied', version, updatedAt: iso(written.updated_at) }
      }
      // Lost the race or repeated: the winner has committed by now, so this read sees it.
      const after = await peek(key, scope, idempotencyKey)
      if (after.replay) return { status: 'replayed', ...after.replay }
      // The cached copy was not what is stored under that version (deleted and written again
      // by another process): the cache entry is gone, so this goes through the read.
      if (guard !== null && after.document?.version === baseVersion) return store.write({ key, baseVersion, next, patch, idempotency })
      return { status: 'conflict', current: after.document }
    },

    async history(key, { limit } = {}) {
      const wanted = Math.min(limit ?? historyLimit, historyLimit)
      if (!(wanted > 0)) return []
      const newest = Number((await query(`SELECT max(version) AS v FROM ${t.versions} WHERE key = $1`, [key]))[0]?.v ?? 0)
      if (newest === 0) return []
      return (await rebuild(key, Math.max(1, newest - wanted + 1))).reverse()
    },

    async version(key, version) {
      return (await rebuild(key, version, version))[0]
    },

    async delete(key) {
      cache.delete(key)
      await query(
        `WITH a AS (DELETE FROM ${t.idempotency} WHERE key = $1), b AS (DELETE FROM ${t.versions} WHERE key = $1)
         DELETE FROM ${t.documents} WHERE key = $1`,
        [key],
      )
    },

    async purgeExpired() {
      const rows = await query(`WITH gone AS (DELETE FROM ${t.idempotency} WHERE expires_at <= now() RETURNING 1) SELECT count(*) AS n FROM gone`, [])
      return Number(rows[0]?.n ?? 0)
    },
  }
  return store

  /** The history entry of version `baseVersion + 1`: the patch, unless that version is a snapshot. */
  function historyPatch(baseVersion: number, patch: readonly JsonPatchOperation[] | undefined, documentText: string): string | null {
    if (patch === undefined || historyLimit === 0 || baseVersion % snapshotEvery === 0) return null
    const text = JSON.stringify(patch)
    return text.length < documentText.length ? text : null
  }
}

const DEFAULT_SNAPSHOT_EVERY = 50
const DEFAULT_CACHED_DOCUMENTS = 1000

/** The form of `query` a `pg` client also accepts, for named prepared statements. */
interface PreparingClient {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: Array<Record<string, unknown>> }>
}

// A stable statement name per statement text (prefixes differ, so texts do): FNV-1a twice,
// with two offsets, so two stores on one pool do not collide in 32 bits.
function fnv1a(text: string): string {
  let a = 0x811c9dc5
  let b = 0x050c5d1f
  for (let i = 0; i < text.length; i++) {
    a = Math.imul(a ^ text.charCodeAt(i), 0x01000193)
    b = Math.imul(b ^ text.charCodeAt(i), 0x01000193)
  }
  return `${(a >>> 0).toString(36)}_${(b >>> 0).toString(36)}`
}

// pg returns timestamptz as Date; other drivers may hand back strings.
function iso(value: unknown): string {
  return (value instanceof Date ? value : new Date(String(value))).toISOString()
}
