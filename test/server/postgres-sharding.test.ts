/**
 * The schema shards by document key: on tables hash-partitioned by `key` (what Citus does
 * across machines with `create_distributed_table(…, 'key')`, done here by PostgreSQL itself),
 * every statement of get, write, history, version and delete touches one partition of each
 * table it uses — the precondition for single-shard (router) statements on a distributed
 * PostgreSQL. Citus itself is not on this machine.
 */
import { describe, expect, it } from 'vitest'
import { autosaveTables, postgresDocumentStore, type SqlClient } from '../../src/server/index'
import { idempotencyFingerprint } from '../../src/server/postgres-schema'
import { storeKinds } from './stores'

const PARTITIONS = 4
let n = 0

async function partitionedTables(client: SqlClient, tablePrefix: string) {
  const t = autosaveTables(tablePrefix)
  const statements = [
    `CREATE TABLE ${t.documents} (key text PRIMARY KEY, data jsonb NOT NULL, version bigint NOT NULL CHECK (version > 0),
       updated_at timestamptz NOT NULL DEFAULT now()) PARTITION BY HASH (key)`,
    `CREATE TABLE ${t.idempotency} (scope text NOT NULL, key text NOT NULL, idempotency_key text NOT NULL, version bigint NOT NULL,
       updated_at timestamptz NOT NULL, expires_at timestamptz NOT NULL, request_fingerprint text,
       fingerprint bytea GENERATED ALWAYS AS (${idempotencyFingerprint('scope', 'idempotency_key')}) STORED,
       PRIMARY KEY (key, fingerprint)) PARTITION BY HASH (key)`,
    `CREATE INDEX ON ${t.idempotency} (expires_at)`,
    `CREATE TABLE ${t.versions} (key text NOT NULL, version bigint NOT NULL, data jsonb, patch jsonb, updated_at timestamptz NOT NULL,
       PRIMARY KEY (key, version), CHECK ((data IS NULL) <> (patch IS NULL))) PARTITION BY HASH (key)`,
  ]
  for (const statement of statements) await client.query(statement)
  for (const table of [t.documents, t.idempotency, t.versions]) {
    for (let r = 0; r < PARTITIONS; r++) {
      await client.query(`CREATE TABLE ${table}_p${r} PARTITION OF ${table} FOR VALUES WITH (MODULUS ${PARTITIONS}, REMAINDER ${r})`)
    }
  }
  return t
}

/** Runs each statement, and before it its plan: the partitions it would touch, by table. */
function planning(client: SqlClient, tables: string[]) {
  const touched: Array<{ text: string; partitions: Record<string, string[]> }> = []
  const relations = (node: unknown, found: Set<string>) => {
    if (Array.isArray(node)) for (const child of node) relations(child, found)
    else if (node && typeof node === 'object') {
      for (const [name, value] of Object.entries(node)) {
        if (name === 'Relation Name' && typeof value === 'string') found.add(value)
        else relations(value, found)
      }
    }
    return found
  }
  const wrapped: SqlClient = {
    async query(text, params) {
      const { rows } = await client.query(`EXPLAIN (FORMAT JSON) ${text}`, params)
      const plan = rows[0]!['QUERY PLAN']
      const found = relations(typeof plan === 'string' ? JSON.parse(plan) : plan, new Set())
      const partitions: Record<string, string[]> = {}
      for (const table of tables) partitions[table] = [...found].filter((name) => name.startsWith(`${table.replace(/^.*\./, '')}_p`))
      touched.push({ text, partitions })
      return client.query(text, params)
    },
  }
  return { wrapped, touched }
}

describe.each(storeKinds().filter((kind) => kind.name !== 'memory'))('sharding by document key ($name)', (kind) => {
  it('every statement of get, write, history, version and delete touches one partition per table', async () => {
    const client = (await kind.client())!
    const tablePrefix = `shard_${process.pid}_${Date.now().toString(36)}_${++n}_`
    const t = await partitionedTables(client, tablePrefix)
    const { wrapped, touched } = planning(client, [t.documents, t.idempotency, t.versions])
    const store = postgresDocumentStore(wrapped, { tablePrefix, snapshotEvery: 2, historyLimit: 3 })
    const restarted = postgresDocumentStore(wrapped, { tablePrefix }) // no cached copy
    const append = (version: number) => ({
      key: 'doc:1',
      baseVersion: version,
      patch: [{ op: 'add' as const, path: '/log/-', value: version }],
      next: (current: unknown) => ({ log: [...(current as { log: number[] }).log, version], pad: 'x'.repeat(100) }),
      idempotency: { scope: 'user', key: `w${version}` },
    })

    await store.write({ key: 'doc:1', baseVersion: 0, next: { log: [], pad: 'x'.repeat(100) }, idempotency: { scope: 'user', key: 'w0' } })
    for (let version = 1; version <= 6; version++) expect(await store.write(append(version))).toMatchObject({ status: 'applied' })
    expect(await restarted.write(append(7))).toMatchObject({ status: 'applied', version: 8 })
    expect(await store.write(append(7))).toMatchObject({ status: 'replayed', version: 8 })
    expect(await store.write({ ...append(3), idempotency: undefined })).toMatchObject({ status: 'conflict' })
    await store.write({ key: 'doc:2', baseVersion: 0, next: { other: true } })
    expect((await store.history('doc:1')).map((entry) => entry.version)).toEqual([8, 7, 6])
    expect(await store.version('doc:1', 7)).toMatchObject({ data: { log: [1, 2, 3, 4, 5, 6] } })
    expect(await store.get('doc:1')).toMatchObject({ version: 8 })
    await store.delete('doc:1')
    expect(await store.get('doc:2')).toMatchObject({ data: { other: true } })

    expect(touched.length).toBeGreaterThan(10)
    for (const { text, partitions } of touched) {
      for (const [table, names] of Object.entries(partitions)) {
        expect(names.length, `${table} in:\n${text}`).toBeLessThanOrEqual(1)
      }
    }
    // And the statements did reach partitions (the check above is not vacuous)…
    expect(touched.some(({ partitions }) => Object.values(partitions).every((names) => names.length === 1))).toBe(true)
    // …and it sees a statement across documents: purgeExpired() (a cron job) scans every partition.
    touched.length = 0
    await store.purgeExpired()
    expect(touched[0]!.partitions[t.idempotency]).toHaveLength(PARTITIONS)
  })
})
