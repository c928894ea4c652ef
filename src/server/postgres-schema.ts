/**
 * The smallest client `postgresDocumentStore` needs: a `pg` `Pool` or `Client`, a PGlite
 * instance, or anything with the same `query(text, params)` that resolves to `{ rows }`.
 * Every statement the store sends is atomic on its own, so no transaction API is needed
 * and a `pg` `Pool` may run each one on a different connection.
 *
 * @example
 * ```ts
 * // A driver with another shape: adapt its query function.
 * const client: SqlClient = { query: async (text, params) => ({ rows: await driver.all(text, params) }) }
 * const store = postgresDocumentStore(client)
 * ```
 */
export interface SqlClient {
  /** Runs one statement with `$1…` parameters. */
  query(text: string, params?: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }>
}

/**
 * Table names, derived from one prefix.
 *
 * @example
 * ```ts
 * const { documents } = autosaveTables('autosave_')
 * const { rows } = await pool.query(`SELECT count(*) AS n FROM ${documents}`)
 * ```
 */
export interface AutosaveTables {
  readonly documents: string
  readonly idempotency: string
  readonly versions: string
  readonly migrations: string
}

/**
 * Where the tables live: one prefix names all four (and may name a schema).
 *
 * @example
 * ```ts
 * await migrateAutosaveSchema(pool, { tablePrefix: 'tenant_a.autosave_' })
 * const store = postgresDocumentStore(pool, { tablePrefix: 'tenant_a.autosave_' })
 * ```
 */
export interface AutosaveSchemaOptions {
  /**
   * Prefix of the tables (`{prefix}documents`, `{prefix}idempotency`,
   * `{prefix}document_versions`, `{prefix}migrations`). Letters, digits and `_`; may name a
   * schema as `myschema.autosave_`. Default `'autosave_'`.
   */
  tablePrefix?: string
}

/**
 * Table names for a prefix; throws `TypeError` on a prefix that is not a plain SQL identifier.
 *
 * @example
 * ```ts
 * autosaveTables('tenant_a.autosave_').documents // 'tenant_a.autosave_documents'
 * ```
 */
export function autosaveTables(tablePrefix = 'autosave_'): AutosaveTables {
  // Identifiers cannot be query parameters, so the prefix is checked before it is interpolated.
  if (!/^([a-z_][a-z0-9_]*\.)?[a-z_][a-z0-9_]*$/i.test(tablePrefix)) {
    throw new TypeError(`tablePrefix must be letters, digits and "_" (optionally "schema."), got ${JSON.stringify(tablePrefix)}`)
  }
  return {
    documents: `${tablePrefix}documents`,
    idempotency: `${tablePrefix}idempotency`,
    versions: `${tablePrefix}document_versions`,
    migrations: `${tablePrefix}migrations`,
  }
}

/**
 * The schema, as numbered migrations of plain DDL. `migrateAutosaveSchema` applies them;
 * teams with their own migration tool can copy the statements instead.
 *
 * @example
 * ```ts
 * for (const m of autosaveMigrations()) console.log(`-- ${m.version}\n${m.statements.join(';\n')};`)
 * ```
 */
export function autosaveMigrations(options: AutosaveSchemaOptions = {}): ReadonlyArray<{ version: number; statements: string[] }> {
  const t = autosaveTables(options.tablePrefix)
  const bare = (name: string) => name.replace(/^.*\./, '')
  return [
    {
      version: 1,
      statements: [
        `CREATE TABLE IF NOT EXISTS ${t.documents} (
          key text PRIMARY KEY,
          data jsonb NOT NULL,
          version bigint NOT NULL CHECK (version > 0),
          updated_at timestamptz NOT NULL DEFAULT now()
        )`,
        // Scoped by principal and document key, so one user's key never replays another's write.
        `CREATE TABLE IF NOT EXISTS ${t.idempotency} (
          scope text NOT NULL,
          key text NOT NULL,
          idempotency_key text NOT NULL,
          version bigint NOT NULL,
          updated_at timestamptz NOT NULL,
          expires_at timestamptz NOT NULL,
          PRIMARY KEY (key, scope, idempotency_key)
        )`,
        `CREATE INDEX IF NOT EXISTS ${bare(t.idempotency)}_expires_at ON ${t.idempotency} (expires_at)`,
        `CREATE TABLE IF NOT EXISTS ${t.versions} (
          key text NOT NULL,
          version bigint NOT NULL,
          data jsonb NOT NULL,
          updated_at timestamptz NOT NULL,
          PRIMARY KEY (key, version)
        )`,
      ],
    },
    {
      // 2: idempotency records keyed by a hash of (scope, idempotency key): the longest document
      // key, principal and Idempotency-Key no longer overflow the btree row limit (2,704 bytes).
      // History rows keep either the whole document (`data`) or the patch from the version before
      // (`patch`); rows written before this migration are whole documents and stay as they are.
      version: 2,
      statements: [
        `ALTER TABLE ${t.idempotency} ADD COLUMN IF NOT EXISTS fingerprint bytea GENERATED ALWAYS AS (${idempotencyFingerprint('scope', 'idempotency_key')}) STORED`,
        `ALTER TABLE ${t.idempotency} DROP CONSTRAINT IF EXISTS ${primaryKeyName(bare(t.idempotency))}`,
        `ALTER TABLE ${t.idempotency} ADD PRIMARY KEY (key, fingerprint)`,
        `ALTER TABLE ${t.versions} ALTER COLUMN data DROP NOT NULL`,
        `ALTER TABLE ${t.versions} ADD COLUMN IF NOT EXISTS patch jsonb`,
        `ALTER TABLE ${t.versions} ADD CONSTRAINT ${bare(t.versions)}_data_or_patch CHECK ((data IS NULL) <> (patch IS NULL))`,
      ],
    },
    {
      // 3: what the first request with an idempotency key asked for (the handler's fingerprint
      // of its base version and body), returned with a replay: the same key with other content
      // is a reused key (422), not a retry. Null on records written before, which replay as before.
      version: 3,
      statements: [`ALTER TABLE ${t.idempotency} ADD COLUMN IF NOT EXISTS request_fingerprint text`],
    },
  ]
}

/**
 * What the idempotency table's primary key holds instead of the principal and the
 * Idempotency-Key themselves: the 16 bytes of an md5 (everywhere PostgreSQL-compatible) of
 * both, the scope length-prefixed so no two pairs run together. Lookups compare the columns too, so even a
 * crafted collision can only fail to record, never replay someone else's answer.
 */
export function idempotencyFingerprint(scope: string, idempotencyKey: string): string {
  return `decode(md5(length(${scope})::text || ':' || ${scope} || ${idempotencyKey}), 'hex')`
}

// PostgreSQL's default name for a table's primary key: `{table}_pkey`, the table part cut to fit 63 bytes.
function primaryKeyName(table: string): string {
  return `${table.toLowerCase().slice(0, 63 - '_pkey'.length)}_pkey`
}

/**
 * Creates or upgrades the tables `postgresDocumentStore` uses. Safe to call on every start
 * and from several processes at once: it runs as one statement under an advisory lock and
 * records applied migrations in `{prefix}migrations`.
 *
 * @example
 * ```ts
 * import pg from 'pg'
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL })
 * await migrateAutosaveSchema(pool)
 * const store = postgresDocumentStore(pool)
 * ```
 */
export async function migrateAutosaveSchema(client: SqlClient, options: AutosaveSchemaOptions = {}): Promise<void> {
  const t = autosaveTables(options.tablePrefix)
  const steps = autosaveMigrations(options)
    .map(
      (m) => `
      IF NOT EXISTS (SELECT 1 FROM ${t.migrations} WHERE version = ${m.version}) THEN
        ${m.statements.map((s) => `${s};`).join('\n')}
        INSERT INTO ${t.migrations} (version) VALUES (${m.version});
      END IF;`,
    )
    .join('\n')
  // A DO block is a single statement: one transaction, even on a pooled connection.
  await client.query(`DO $autosave$
    BEGIN
      PERFORM pg_advisory_xact_lock(hashtext(${quoteLiteral(t.migrations)}));
      CREATE TABLE IF NOT EXISTS ${t.migrations} (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());
      ${steps}
    END
  $autosave$`)
}

function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`
}
