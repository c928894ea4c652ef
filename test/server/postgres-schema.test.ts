import { describe, expect, it } from 'vitest'
import { autosaveTables, migrateAutosaveSchema, postgresDocumentStore, type SqlClient } from '../../src/server/index'
import { storeKinds } from './stores'

const sqlKinds = storeKinds().filter((kind) => kind.name !== 'memory')
let n = 0
const prefix = () => `schema_${process.pid}_${Date.now().toString(36)}_${++n}_`

async function tables(client: SqlClient, like: string) {
  const { rows } = await client.query(`SELECT table_schema || '.' || table_name AS name FROM information_schema.tables WHERE table_name LIKE $1 ORDER BY 1`, [
    `${like}%`,
  ])
  return rows.map((row) => String(row.name))
}

describe.each(sqlKinds)('migrateAutosaveSchema on $name', (kind) => {
  it('creates the documents, idempotency, versions and migrations tables', async () => {
    const client = (await kind.client())!
    const tablePrefix = prefix()
    await migrateAutosaveSchema(client, { tablePrefix })
    expect(await tables(client, tablePrefix)).toEqual(['document_versions', 'documents', 'idempotency', 'migrations'].map((t) => `public.${tablePrefix}${t}`))
    const columns = await client.query(`SELECT column_name, data_type FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position`, [
      `${tablePrefix}documents`,
    ])
    expect(columns.rows).toEqual([
      { column_name: 'key', data_type: 'text' },
      { column_name: 'data', data_type: 'jsonb' },
      { column_name: 'version', data_type: 'bigint' },
      { column_name: 'updated_at', data_type: 'timestamp with time zone' },
    ])
  })

  it('is safe to run again, and from several processes at once', async () => {
    const client = (await kind.client())!
    const tablePrefix = prefix()
    await Promise.all(Array.from({ length: 8 }, () => migrateAutosaveSchema(client, { tablePrefix })))
    await migrateAutosaveSchema(client, { tablePrefix })
    const { rows } = await client.query(`SELECT version FROM ${tablePrefix}migrations`)
    expect(rows).toEqual([{ version: 1 }, { version: 2 }, { version: 3 }])
  })

  it('keeps data across a re-run', async () => {
    const client = (await kind.client())!
    const tablePrefix = prefix()
    await migrateAutosaveSchema(client, { tablePrefix })
    const store = postgresDocumentStore(client, { tablePrefix })
    await store.write({ key: 'k', baseVersion: 0, next: { kept: true } })
    await migrateAutosaveSchema(client, { tablePrefix })
    expect(await store.get('k')).toMatchObject({ data: { kept: true }, version: 1 })
  })

  it('accepts a schema-qualified prefix', async () => {
    const client = (await kind.client())!
    const schema = `s_${process.pid}_${++n}`
    await client.query(`CREATE SCHEMA ${schema}`)
    await migrateAutosaveSchema(client, { tablePrefix: `${schema}.autosave_` })
    const store = postgresDocumentStore(client, { tablePrefix: `${schema}.autosave_` })
    await store.write({ key: 'k', baseVersion: 0, next: [1, 2, 3] })
    expect(await store.get('k')).toMatchObject({ data: [1, 2, 3] })
    expect(await tables(client, 'autosave_documents')).toContain(`${schema}.autosave_documents`)
  })

  it('purgeExpired() deletes expired idempotency records only', async () => {
    const client = (await kind.client())!
    const tablePrefix = prefix()
    await migrateAutosaveSchema(client, { tablePrefix })
    const shortLived = postgresDocumentStore(client, { tablePrefix, idempotencyTtlMs: 1 })
    const longLived = postgresDocumentStore(client, { tablePrefix })
    await shortLived.write({ key: 'a', baseVersion: 0, next: 1, idempotency: { scope: '', key: 'old' } })
    await longLived.write({ key: 'b', baseVersion: 0, next: 1, idempotency: { scope: '', key: 'fresh' } })
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(await longLived.purgeExpired()).toBe(1)
    const { rows } = await client.query(`SELECT idempotency_key FROM ${tablePrefix}idempotency`)
    expect(rows).toEqual([{ idempotency_key: 'fresh' }])
  })
})

describe('table prefixes', () => {
  it('only plain identifiers are accepted, since they are interpolated into SQL', () => {
    expect(autosaveTables('app_').documents).toBe('app_documents')
    expect(autosaveTables('tenant1.autosave_').versions).toBe('tenant1.autosave_document_versions')
    for (const bad of ['x; DROP TABLE users; --', 'a-b_', '"quoted"', '1abc', 'a.b.c_', '']) {
      expect(() => autosaveTables(bad), bad).toThrow(TypeError)
    }
  })
})
