/**
 * What the SQL store does beyond the protocol: history kept as patches between snapshots,
 * the migration that carries version-1 tables over, the per-key cache a PATCH skips its read
 * with (and its guard), prepared statements, and idempotency records for the longest inputs.
 */
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  autosaveMigrations,
  autosaveTables,
  createAutosaveHandler,
  migrateAutosaveSchema,
  postgresDocumentStore,
  type PostgresDocumentStoreOptions,
  type SqlClient,
} from '../../src/server/index'
import { request, storeKinds } from './stores'

const base = '/api/storage/projects'
const kinds = storeKinds()
const sqlKinds = kinds.filter((kind) => kind.name !== 'memory')
let n = 0
const uniquePrefix = () => `ps${process.pid}_${Date.now().toString(36)}_${++n}_`

/** A client that counts the statements it is asked to run. */
function counting(client: SqlClient) {
  const counted = {
    statements: 0,
    query(...args: Parameters<SqlClient['query']>) {
      counted.statements++
      return client.query(...args)
    },
  }
  return counted
}

async function freshStore(client: SqlClient, options: PostgresDocumentStoreOptions = {}) {
  const tablePrefix = uniquePrefix()
  await migrateAutosaveSchema(client, { tablePrefix })
  return { tablePrefix, tables: autosaveTables(tablePrefix), store: postgresDocumentStore(client, { ...options, tablePrefix }) }
}

const patchOf = (i: number) => [{ op: 'add', path: '/log/-', value: i }] as const

describe.each(kinds)('the longest inputs on the $name store', (kind) => {
  // A btree index row holds at most 2,704 bytes: the key (512 four-byte characters), the
  // principal and the Idempotency-Key together used to overflow it (a 500 on PostgreSQL).
  it('the longest key, a 255-character Idempotency-Key and a 400-character principal are stored and replayed', async () => {
    const store = await kind.create()
    // Random, so that PostgreSQL's compression of index entries cannot shrink them.
    const bytes = randomBytes(1200)
    const principal = bytes.subarray(0, 300).toString('base64').slice(0, 400)
    const key = String.fromCodePoint(...Array.from(bytes.subarray(300, 812), (b, i) => 0x1f300 + ((b + i) % 0x300)))
    const handler = createAutosaveHandler({ store, basePath: base, authorize: () => ({ principal }) })
    const url = `${base}/${encodeURIComponent(key)}`
    const headers = { 'Idempotency-Key': bytes.subarray(812, 1004).toString('base64').slice(0, 255) }
    expect([[...key].length, new TextEncoder().encode(key).length, principal.length, headers['Idempotency-Key'].length]).toEqual([512, 2048, 400, 255])
    const first = await handler(request(url, { method: 'PUT', body: { data: { a: 1 } }, headers }))
    expect(first.status, await first.clone().text()).toBe(200)
    const again = await handler(request(url, { method: 'PUT', body: { data: { a: 1 } }, headers }))
    expect(again.status).toBe(200)
    expect(again.headers.get('Idempotent-Replayed')).toBe('true')
    expect(await (await handler(request(url))).json()).toMatchObject({ data: { a: 1 }, version: 1 })
  })
})

describe.each(sqlKinds)('postgresDocumentStore on $name', (kind) => {
  describe('history kept as patches between snapshots', () => {
    it('stores the patch for most versions, and rebuilds every kept version exactly', async () => {
      const client = (await kind.client())!
      const { store, tables } = await freshStore(client, { historyLimit: 12, snapshotEvery: 5 })
      const expected: unknown[] = []
      let data: { log: number[]; big: string } = { log: [], big: randomBytes(3000).toString('base64') } // incompressible
      await store.write({ key: 'h', baseVersion: 0, next: data })
      expected[1] = structuredClone(data)
      for (let version = 1; version < 30; version++) {
        const patch = patchOf(version)
        const outcome = await store.write({
          key: 'h',
          baseVersion: version,
          patch: [...patch],
          next: (current) => ({ ...(current as typeof data), log: [...(current as typeof data).log, version] }),
        })
        expect(outcome).toMatchObject({ status: 'applied', version: version + 1 })
        data = { ...data, log: [...data.log, version] }
        expected[version + 1] = structuredClone(data)
      }
      const history = await store.history('h')
      expect(history.map((entry) => entry.version)).toEqual(Array.from({ length: 12 }, (_, i) => 30 - i))
      for (const entry of history) expect(entry.data, `version ${entry.version}`).toEqual(expected[entry.version])
      expect((await store.history('h', { limit: 2 })).map((entry) => entry.data)).toEqual([expected[30], expected[29]])

      // Snapshots at versions 1, 6, 11, …: the rows kept start at the newest one at or before
      // version 19 (the oldest of the 12 kept), and only snapshots hold the document.
      const { rows } = await client.query(`SELECT version, data IS NOT NULL AS snapshot FROM ${tables.versions} WHERE key = 'h' ORDER BY version`)
      expect(rows.map((row) => Number(row.version))).toEqual(Array.from({ length: 15 }, (_, i) => 16 + i))
      expect(rows.filter((row) => row.snapshot).map((row) => Number(row.version))).toEqual([16, 21, 26])
      const sizes = await client.query(
        `SELECT sum(coalesce(pg_column_size(data), 0) + coalesce(pg_column_size(patch), 0))::int AS bytes FROM ${tables.versions} WHERE key = 'h'`,
      )
      const documentBytes = await client.query(`SELECT pg_column_size(data)::int AS bytes FROM ${tables.documents} WHERE key = 'h'`)
      // 15 rows of which 3 whole documents: far less than a copy per version.
      expect(Number(sizes.rows[0]!.bytes)).toBeLessThan(4 * Number(documentBytes.rows[0]!.bytes))
    })

    it('version() reads one old version, and writing it back is a rollback', async () => {
      const client = (await kind.client())!
      const { store } = await freshStore(client, { snapshotEvery: 4 })
      const handler = createAutosaveHandler({ store, basePath: base })
      const url = `${base}/r`
      await handler(request(url, { method: 'PUT', body: { data: { log: [] } } }))
      for (let version = 1; version <= 9; version++) {
        const response = await handler(
          request(url, { method: 'PATCH', body: patchOf(version), headers: { 'If-Match': `"${version}"`, 'Content-Type': 'application/json-patch+json' } }),
        )
        expect(response.status).toBe(200)
      }
      const old = await store.version('r', 7)
      expect(old).toMatchObject({ key: 'r', version: 7, data: { log: [1, 2, 3, 4, 5, 6] } })
      expect(await store.version('r', 11)).toBeUndefined()
      const rollback = await handler(request(url, { method: 'PUT', body: { data: old!.data }, headers: { 'If-Match': '"10"' } }))
      expect(rollback.status).toBe(200)
      expect(await (await handler(request(url))).json()).toMatchObject({ data: { log: [1, 2, 3, 4, 5, 6] }, version: 11 })
      expect((await store.history('r', { limit: 2 })).map((entry) => entry.data)).toEqual([{ log: [1, 2, 3, 4, 5, 6] }, { log: [1, 2, 3, 4, 5, 6, 7, 8, 9] }])
    })
  })

  it('migration 2 carries version-1 tables over: old history, documents and idempotency records', async () => {
    const client = (await kind.client())!
    const tablePrefix = uniquePrefix()
    const t = autosaveTables(tablePrefix)
    // Larger than a one-operation patch, so new versions keep patches.
    const note = 'n'.repeat(200)
    const doc = (log: number[]) => ({ log, note })
    // The tables as migration 1 left them, with rows written the old way (a copy per version).
    await client.query(`CREATE TABLE ${t.migrations} (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`)
    for (const statement of autosaveMigrations({ tablePrefix })[0]!.statements) await client.query(statement)
    await client.query(`INSERT INTO ${t.migrations} (version) VALUES (1)`)
    await client.query(`INSERT INTO ${t.documents} (key, data, version) VALUES ('old', $1, 3)`, [JSON.stringify(doc([1, 2]))])
    for (const [version, log] of [
      [1, []],
      [2, [1]],
      [3, [1, 2]],
    ] as const) {
      await client.query(`INSERT INTO ${t.versions} (key, version, data, updated_at) VALUES ('old', $1, $2, now())`, [version, JSON.stringify(doc([...log]))])
    }
    await client.query(
      `INSERT INTO ${t.idempotency} (scope, key, idempotency_key, version, updated_at, expires_at) VALUES ('', 'old', 'retry-me', 3, now(), now() + interval '1 hour')`,
    )

    await migrateAutosaveSchema(client, { tablePrefix })
    const store = postgresDocumentStore(client, { tablePrefix, snapshotEvery: 2 })
    expect((await store.history('old')).map((entry) => entry.data)).toEqual([doc([1, 2]), doc([1]), doc([])])
    // A retry of a write acknowledged before the upgrade is still a replay.
    expect(await store.write({ key: 'old', baseVersion: 2, next: { log: [9] }, idempotency: { scope: '', key: 'retry-me' } })).toMatchObject({
      status: 'replayed',
      version: 3,
    })
    for (const version of [3, 4]) {
      await store.write({
        key: 'old',
        baseVersion: version,
        patch: [...patchOf(version)],
        next: (current) => doc([...(current as { log: number[] }).log, version]),
      })
    }
    expect((await store.history('old')).map((entry) => entry.data)).toEqual([doc([1, 2, 3, 4]), doc([1, 2, 3]), doc([1, 2]), doc([1]), doc([])])
    const { rows } = await client.query(`SELECT version, patch IS NOT NULL AS patched FROM ${t.versions} WHERE key = 'old' ORDER BY version`)
    expect(rows.map((row) => [Number(row.version), row.patched])).toEqual([
      [1, false],
      [2, false],
      [3, false],
      [4, true],
      [5, false],
    ])
  })

  describe('the per-key cache of the last written document', () => {
    it('a PATCH on the version this store wrote is one statement, as is a PUT; without the copy, a read and a write', async () => {
      const client = counting((await kind.client())!)
      const { store } = await freshStore(client)
      const append = (version: number) => ({
        key: 'c',
        baseVersion: version,
        patch: [...patchOf(version)],
        next: (current: unknown) => ({ log: [...(current as { log: number[] }).log, version] }),
      })
      await store.write({ key: 'c', baseVersion: 0, next: { log: [] } })
      client.statements = 0
      expect(await store.write(append(1))).toMatchObject({ status: 'applied', version: 2 })
      expect(await store.write(append(2))).toMatchObject({ status: 'applied', version: 3 })
      expect(client.statements).toBe(2)
      await store.write({ key: 'c', baseVersion: 3, next: { log: [1, 2, 3] } })
      expect(client.statements).toBe(3)
      // Not cached (a new store, as after a restart): read, then write.
      const { store: fresh, tablePrefix } = await freshStore(client)
      await fresh.write({ key: 'c', baseVersion: 0, next: { log: [] } })
      const restarted = postgresDocumentStore(client, { tablePrefix })
      client.statements = 0
      expect(await restarted.write(append(1))).toMatchObject({ status: 'applied', version: 2 })
      expect(client.statements).toBe(2)
    })

    it('another process deleting and rewriting the document up to the same version: the PATCH applies to what is stored', async () => {
      const client = (await kind.client())!
      const { store, tablePrefix } = await freshStore(client)
      const elsewhere = postgresDocumentStore(client, { tablePrefix })
      const append = (version: number, value: string) => ({
        key: 'd',
        baseVersion: version,
        patch: [{ op: 'add' as const, path: '/log/-', value }],
        next: (current: unknown) => ({ log: [...(current as { log: string[] }).log, value] }),
      })
      await store.write({ key: 'd', baseVersion: 0, next: { log: ['mine'] } })
      await store.write(append(1, 'mine'))
      // Same key, same version 2, other data: only the row's timestamp tells the copies apart.
      await elsewhere.delete('d')
      await elsewhere.write({ key: 'd', baseVersion: 0, next: { log: ['theirs'] } })
      await elsewhere.write(append(1, 'theirs'))
      expect(await store.write(append(2, 'next'))).toMatchObject({ status: 'applied', version: 3 })
      expect(await store.get('d')).toMatchObject({ data: { log: ['theirs', 'theirs', 'next'] }, version: 3 })
      expect((await store.history('d')).map((entry) => entry.data)).toEqual([
        { log: ['theirs', 'theirs', 'next'] },
        { log: ['theirs', 'theirs'] },
        { log: ['theirs'] },
      ])
    })

    it('a write by another process makes the cached version stale: 412 with the stored document', async () => {
      const client = (await kind.client())!
      const { store, tablePrefix } = await freshStore(client)
      const elsewhere = postgresDocumentStore(client, { tablePrefix })
      await store.write({ key: 'e', baseVersion: 0, next: { n: 1 } })
      await elsewhere.write({ key: 'e', baseVersion: 1, next: { n: 2 } })
      const outcome = await store.write({ key: 'e', baseVersion: 1, patch: [{ op: 'replace', path: '/n', value: 3 }], next: () => ({ n: 3 }) })
      expect(outcome).toMatchObject({ status: 'conflict', current: { data: { n: 2 }, version: 2 } })
    })

    it('a patch that fails on the cached copy writes nothing, and the copy is not left half-patched', async () => {
      const client = (await kind.client())!
      const { store } = await freshStore(client)
      const handler = createAutosaveHandler({ store, basePath: base })
      const url = `${base}/f`
      await handler(request(url, { method: 'PUT', body: { data: { a: 1, list: [1] } } }))
      const patch = (ops: unknown, version: number) =>
        handler(request(url, { method: 'PATCH', body: ops, headers: { 'If-Match': `"${version}"`, 'Content-Type': 'application/json-patch+json' } }))
      // The first operation applies to the copy, the second fails: the whole patch is refused.
      expect(
        (
          await patch(
            [
              { op: 'replace', path: '/a', value: 2 },
              { op: 'remove', path: '/missing' },
            ],
            1,
          )
        ).status,
      ).toBe(400)
      expect((await patch([{ op: 'add', path: '/list/-', value: 2 }], 1)).status).toBe(200)
      expect(await (await handler(request(url))).json()).toMatchObject({ data: { a: 1, list: [1, 2] }, version: 2 })
    })

    it('a patch refused midway for its cost (413) leaves neither the cached copy nor the stored document half-patched', async () => {
      const client = (await kind.client())!
      const { store } = await freshStore(client)
      const handler = createAutosaveHandler({ store, basePath: base, maxBodyBytes: 2000 })
      const url = `${base}/g`
      await handler(request(url, { method: 'PUT', body: { data: { a: 1, big: 'x'.repeat(500), list: [1] } } }))
      const patch = (ops: unknown, version: number) =>
        handler(request(url, { method: 'PATCH', body: ops, headers: { 'If-Match': `"${version}"`, 'Content-Type': 'application/json-patch+json' } }))
      // The first operations apply in place, then the copies grow the document past its limit.
      const costly = [
        { op: 'replace', path: '/a', value: 2 },
        { op: 'add', path: '/list/-', value: 9 },
        ...Array.from({ length: 20 }, (_, i) => ({ op: 'copy', from: '/big', path: `/c${i}` })),
      ]
      const refused = await patch(costly, 1)
      expect(refused.status).toBe(413)
      expect((await refused.json()).error).toMatch(/operation \d+: copy/)
      expect((await patch([{ op: 'add', path: '/list/-', value: 2 }], 1)).status).toBe(200)
      const { data } = await (await handler(request(url))).json()
      expect(data).toEqual({ a: 1, big: 'x'.repeat(500), list: [1, 2] })
    })

    it('a value the patch adds is copied in: a later operation changing it does not change the patch kept as history', async () => {
      const client = (await kind.client())!
      const { store } = await freshStore(client)
      const handler = createAutosaveHandler({ store, basePath: base })
      const url = `${base}/h`
      await handler(request(url, { method: 'PUT', body: { data: { note: 'n'.repeat(300) } } }))
      const ops = [
        { op: 'add', path: '/list', value: [1] },
        { op: 'add', path: '/list/-', value: 2 },
        { op: 'copy', from: '/list', path: '/copy' },
        { op: 'add', path: '/list/-', value: 3 },
      ]
      const answer = await handler(request(url, { method: 'PATCH', body: ops, headers: { 'If-Match': '"1"', 'Content-Type': 'application/json-patch+json' } }))
      expect(answer.status).toBe(200)
      const expected = { note: 'n'.repeat(300), list: [1, 2, 3], copy: [1, 2] }
      expect((await (await handler(request(url))).json()).data).toEqual(expected)
      // Version 2 is kept as its patch and rebuilt from version 1 by applying it again.
      expect((await store.history('h'))[0]).toMatchObject({ version: 2, data: expected })
    })
  })
})

describe.runIf(sqlKinds.some((kind) => kind.name === 'postgres'))('prepared statements (pg)', () => {
  const kind = sqlKinds.find((k) => k.name === 'postgres')!
  it('sends named statements, and behaves as without them', async () => {
    const client = (await kind.client())!
    const names = new Set<string>()
    const spy = {
      query(config: unknown, params?: unknown[]) {
        if (typeof config === 'object' && config !== null) names.add((config as { name: string }).name)
        return (client.query as (c: unknown, p?: unknown[]) => ReturnType<SqlClient['query']>)(config, params)
      },
    } as unknown as SqlClient
    const { store } = await freshStore(spy, { preparedStatements: true })
    const handler = createAutosaveHandler({ store, basePath: base })
    const url = `${base}/prepared`
    expect((await handler(request(url, { method: 'PUT', body: { data: { log: [] } }, headers: { 'Idempotency-Key': 'a' } }))).status).toBe(200)
    for (let version = 1; version <= 5; version++) {
      const response = await handler(
        request(url, {
          method: 'PATCH',
          body: patchOf(version),
          headers: { 'If-Match': `"${version}"`, 'Content-Type': 'application/json-patch+json', 'Idempotency-Key': `p${version}` },
        }),
      )
      expect(response.status).toBe(200)
    }
    const stale = await handler(
      request(url, { method: 'PATCH', body: patchOf(0), headers: { 'If-Match': '"2"', 'Content-Type': 'application/json-patch+json' } }),
    )
    expect(stale.status).toBe(412)
    expect(await (await handler(request(url))).json()).toMatchObject({ data: { log: [1, 2, 3, 4, 5] }, version: 6 })
    expect(names.size).toBeGreaterThanOrEqual(3) // insert, update, read
    for (const name of names) expect(name).toMatch(/^autosave_[0-9a-z]+_[0-9a-z]+$/)
  })
})
