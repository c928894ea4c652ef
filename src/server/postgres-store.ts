import type { Json } from '../types'
import {
  DEFAULT_HISTORY_LIMIT,
  DEFAULT_IDEMPOTENCY_TTL_MS,
  InvalidDocumentError,
  type DocumentStore,
  type DocumentStoreOptions,
  type DocumentWriteOutcome,
  type StoredDocument,
} from './document-store'
import { reportConnectionErrors } from './pool-errors'
import { autosaveTables, type AutosaveSchemaOptions, type SqlClient } from './postgres-schema'

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
}

/**
 * Documents in PostgreSQL (or PGlite, or a PostgreSQL-compatible engine). Each write is one
 * statement: a conditional `UPDATE … WHERE version = $base` (or `INSERT … ON CONFLICT DO
 * NOTHING` for the first write) that also records the idempotency key and the history entry,
 * so concurrent writers cannot both win and a write is never half-applied. Create the tables
 * first with `migrateAutosaveSchema(client)`.
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
  reportConnectionErrors(client, options.onConnectionError ?? ((error) => console.error('autosave-kit/server: a PostgreSQL connection failed (the pool reconnects):', error)))

  // $1 key, $2 scope, $3 idempotency key (null: none)
  const peekSql = `
    SELECT d.data, d.version, d.updated_at, i.version AS replay_version, i.updated_at AS replay_updated_at
    FROM (SELECT 1) AS one
    LEFT JOIN ${t.documents} AS d ON d.key = $1
    LEFT JOIN ${t.idempotency} AS i
      ON i.key = $1 AND i.scope = $2 AND i.idempotency_key = $3 AND i.expires_at > now()`

  const unseen = `NOT EXISTS (
      SELECT 1 FROM ${t.idempotency}
      WHERE key = $1 AND scope = $3 AND idempotency_key = $4 AND expires_at > now())`

  // $1 key, $2 data (JSON text), $3 scope, $4 idempotency key, $5 ttl ms, $6 history limit
  const tail = `
    remembered AS (
      INSERT INTO ${t.idempotency} AS existing (scope, key, idempotency_key, version, updated_at, expires_at)
      SELECT $3, key, $4, version, updated_at, updated_at + $5::float8 * interval '1 millisecond'
      FROM written WHERE $4::text IS NOT NULL
      ON CONFLICT (key, scope, idempotency_key) DO UPDATE
        SET version = EXCLUDED.version, updated_at = EXCLUDED.updated_at, expires_at = EXCLUDED.expires_at
        WHERE existing.expires_at <= now()
    ),
    forgotten AS (
      DELETE FROM ${t.idempotency}
      WHERE key = $1 AND expires_at <= now() AND idempotency_key IS DISTINCT FROM $4 AND EXISTS (SELECT 1 FROM written)
    ),
    kept AS (
      INSERT INTO ${t.versions} AS old (key, version, data, updated_at)
      SELECT key, version, data, updated_at FROM written WHERE $6::integer > 0
      ON CONFLICT (key, version) DO UPDATE SET data = EXCLUDED.data, updated_at = EXCLUDED.updated_at
    ),
    pruned AS (
      DELETE FROM ${t.versions} WHERE key = $1 AND version <= (SELECT version FROM written) - $6::integer
    )
    SELECT version, updated_at FROM written`

  // The version check and the write are one statement: the row lock makes a concurrent writer
  // on the same base re-check `version = $7` after the winner commits, and find it stale.
  const updateSql = `
    WITH written AS (
      UPDATE ${t.documents} SET data = $2::jsonb, version = version + 1, updated_at = now()
      WHERE key = $1 AND version = $7::bigint AND ${unseen}
      RETURNING key, version, data, updated_at
    ),${tail}`

  const insertSql = `
    WITH written AS (
      INSERT INTO ${t.documents} (key, data, version, updated_at)
      SELECT $1, $2::jsonb, 1, now() WHERE ${unseen}
      ON CONFLICT (key) DO NOTHING
      RETURNING key, version, data, updated_at
    ),${tail}`

  async function query(text: string, params: unknown[]) {
    try {
      return (await client.query(text, params)).rows
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
    const document: StoredDocument | undefined =
      row.version == null ? undefined : { data: row.data as Json, version: Number(row.version), updatedAt: iso(row.updated_at) }
    const replay = row.replay_version == null ? undefined : { version: Number(row.replay_version), updatedAt: iso(row.replay_updated_at) }
    return { document, replay }
  }

  return {
    async get(key) {
      const row = (await query(`SELECT data, version, updated_at FROM ${t.documents} WHERE key = $1`, [key]))[0]
      return row && { data: row.data as Json, version: Number(row.version), updatedAt: iso(row.updated_at) }
    },

    async write({ key, baseVersion, next, idempotency }): Promise<DocumentWriteOutcome> {
      const scope = idempotency?.scope ?? ''
      const idempotencyKey = idempotency?.key ?? null
      let data: Json
      if (typeof next === 'function') {
        const seen = await peek(key, scope, idempotencyKey)
        if (seen.replay) return { status: 'replayed', ...seen.replay }
        if ((seen.document?.version ?? 0) !== baseVersion) return { status: 'conflict', current: seen.document }
        data = next(seen.document ? seen.document.data : null)
      } else {
        data = next
      }
      const params = [key, JSON.stringify(data), scope, idempotencyKey, ttlMs, historyLimit]
      const written = (baseVersion === 0 ? await query(insertSql, params) : await query(updateSql, [...params, baseVersion]))[0]
      if (written) return { status: 'applied', version: Number(written.version), updatedAt: iso(written.updated_at) }
      // Lost the race or repeated: the winner has committed by now, so this read sees it.
      const after = await peek(key, scope, idempotencyKey)
      if (after.replay) return { status: 'replayed', ...after.replay }
      return { status: 'conflict', current: after.document }
    },

    async history(key, { limit } = {}) {
      const rows = await query(
        `SELECT version, data, updated_at FROM ${t.versions} WHERE key = $1 ORDER BY version DESC LIMIT $2::bigint`,
        [key, limit ?? null],
      )
      return rows.map((row) => ({ key, data: row.data as Json, version: Number(row.version), updatedAt: iso(row.updated_at) }))
    },

    async delete(key) {
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
}

// pg returns timestamptz as Date; other drivers may hand back strings.
function iso(value: unknown): string {
  return (value instanceof Date ? value : new Date(String(value))).toISOString()
}
