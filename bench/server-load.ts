/**
 * Saves per second through `createAutosaveHandler`, against a raw-SQL baseline measured in the
 * same run on the same PostgreSQL. Run: `npm run bench:server` (`node --import tsx
 * bench/server-load.ts`; `BENCH_SECONDS=n` per measurement, default 4). Loopback only:
 * PostgreSQL is DATABASE_URL or a throwaway cluster started here (default durability: fsync
 * and synchronous commit on) and removed afterwards.
 *
 * Three patterns: 1 client on 1 key; 50 clients on a key each; 50 clients over 500 keys (a
 * client picks a key at random, so some saves meet a newer version: 412, rebase, save again).
 * Each save changes one field of a ~20 KB music-clip state (an 80-message chat).
 *
 * - raw SQL: the least a save needs, `UPDATE … SET data = $1, version = version + 1 WHERE key
 *   = $2 AND version = $3 RETURNING version`, the client holding the document and sending it
 *   whole (as JSON text) — the baseline every other row is divided by.
 * - the handler: real `Request` objects handed to it in-process (handler + store, not HTTP),
 *   with If-Match and Idempotency-Key, on PostgreSQL (several store settings), PGlite and memory.
 *
 * Per row: saves/s and its ratio to raw SQL, PostgreSQL CPU per save (user + system time of
 * the postmaster and its children, from /proc; throwaway cluster only), Node CPU per save (this
 * process: client loop, handler, driver), statements per save and WAL bytes per save
 * (`pg_current_wal_lsn()` before and after).
 *
 * Then the HTTP adapters: the same PATCH over real HTTP on 127.0.0.1 (keep-alive), through
 * `toNodeListener` (Fetch `Request`/`Response`, Node streams) and `nodeListener` (direct); and
 * last the handler's own Node CPU per PATCH, with a stub SQL client instead of a database.
 */
import { readFileSync, readdirSync } from 'node:fs'
import http from 'node:http'
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import pg from 'pg'
import {
  createAutosaveHandler,
  memoryDocumentStore,
  migrateAutosaveSchema,
  postgresDocumentStore,
  type AutosaveHandler,
  type DocumentStore,
  type PostgresDocumentStoreOptions,
  type SqlClient,
} from '../src/server/index'
import { nodeListener, toNodeListener } from '../src/server/node'
import { findPostgresBin, startThrowawayPostgres, type ThrowawayPostgres } from '../test/server/postgres-cluster'
import { chatState } from './core'

const basePath = '/api/storage/projects'
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4)
const POOL_SIZE = 20

type State = ReturnType<typeof chatState>
/** The music-clip wizard's state with an 80-message chat: about 20 KB of JSON. */
function clipState(): State {
  const state = chatState(80)
  for (const message of state.chat) message.content += ` ${message.content} Keep the drums soft until the second chorus.`
  return state
}
const documentBytes = JSON.stringify(clipState()).length

interface Pattern {
  name: string
  clients: number
  keys: number
}
const patterns: Pattern[] = [
  { name: '1 client, 1 key', clients: 1, keys: 1 },
  { name: '50 clients, own key each', clients: 50, keys: 50 },
  { name: '50 clients, 500 keys', clients: 50, keys: 500 },
]

/** One save of `key` from the version the client knows; answers the version it now knows. */
type Save = (key: string, known: number, edit: number) => Promise<{ saved: boolean; version: number }>

interface Counters {
  statements: number
}

interface Row {
  pattern: string
  mode: string
  saves: number
  conflicts: number
  seconds: number
  pgCpuMs?: number
  nodeCpuMs: number
  statements?: number
  walBytes?: number
}

// ---------------------------------------------------------------- measurement

let run = 0

/**
 * Creates the pattern's documents, calls `started` (the measurement starts there), then runs
 * for `seconds`: every client saves in a loop, one request at a time.
 */
async function drive(pattern: Pattern, prepare: (key: string) => Promise<number>, save: Save, seconds: number, started: () => Promise<void> = async () => {}) {
  const prefix = `bench:${++run}`
  const keys = Array.from({ length: pattern.keys }, (_, k) => `${prefix}:${k}`)
  const versions = new Map<string, number>()
  for (let i = 0; i < keys.length; i += 50) {
    await Promise.all(keys.slice(i, i + 50).map(async (key) => versions.set(key, await prepare(key))))
  }
  await started()
  const deadline = performance.now() + seconds * 1000
  let saves = 0
  let conflicts = 0
  let edit = 0
  await Promise.all(
    Array.from({ length: pattern.clients }, async (_, client) => {
      while (performance.now() < deadline) {
        const key = pattern.keys === pattern.clients ? keys[client]! : keys[Math.floor(Math.random() * keys.length)]!
        const result = await save(key, versions.get(key)!, ++edit)
        versions.set(key, result.version)
        if (result.saved) saves++
        else conflicts++
      }
    }),
  )
  return { saves, conflicts }
}

interface Probe {
  /** PostgreSQL CPU so far, ms (undefined: not our cluster). */
  pgCpu(): number | undefined
  wal(): Promise<bigint | undefined>
  checkpoint(): Promise<void>
}

function pgProbe(cluster: ThrowawayPostgres | undefined, admin: pg.Pool | undefined): Probe {
  const ticks = 1000 / 100 // CLK_TCK is 100 on Linux
  const postmaster = cluster ? Number(readFileSync(join(cluster.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]) : undefined
  return {
    pgCpu() {
      if (postmaster === undefined) return undefined
      let total = 0
      for (const entry of readdirSync('/proc')) {
        if (!/^\d+$/.test(entry)) continue
        let stat: string
        try {
          stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
        } catch {
          continue // exited meanwhile
        }
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
        const pid = Number(entry)
        const ppid = Number(fields[1])
        if (pid !== postmaster && ppid !== postmaster) continue
        // utime, stime; for the postmaster also the children it has reaped (exited backends).
        total += Number(fields[11]) + Number(fields[12])
        if (pid === postmaster) total += Number(fields[13]) + Number(fields[14])
      }
      return total * ticks
    },
    async checkpoint() {
      // VACUUM first: autovacuum of an earlier row's tables (their dead rows, their inserts to
      // freeze) would otherwise land in this row's WAL and PostgreSQL CPU (once 2.5× and 4.5×).
      await admin?.query('VACUUM')
      await admin?.query('CHECKPOINT')
    },
    async wal() {
      if (!admin) return undefined
      const { rows } = await admin.query(`SELECT pg_current_wal_lsn()::text AS lsn`)
      const [high, low] = String(rows[0]!.lsn).split('/')
      return (BigInt(`0x${high}`) << 32n) + BigInt(`0x${low}`)
    },
  }
}

async function measure(
  pattern: Pattern,
  mode: string,
  probe: Probe | undefined,
  counters: Counters | undefined,
  prepare: (key: string) => Promise<number>,
  save: Save,
): Promise<Row> {
  await drive({ ...pattern, keys: Math.min(pattern.keys, 50) }, prepare, save, 0.5) // warm-up: connections, plans, JIT
  // A vacuum and a checkpoint now, so that full-page images after it weigh on every row alike.
  await probe?.checkpoint()
  let wal0: bigint | undefined
  let pg0: number | undefined
  let node0 = process.cpuUsage()
  let statements0 = 0
  let started = 0
  const { saves, conflicts } = await drive(pattern, prepare, save, SECONDS, async () => {
    wal0 = await probe?.wal()
    pg0 = probe?.pgCpu()
    node0 = process.cpuUsage()
    statements0 = counters?.statements ?? 0
    started = performance.now()
  })
  const seconds = (performance.now() - started) / 1000
  const node = process.cpuUsage(node0)
  const statements = counters ? counters.statements - statements0 : undefined
  const pg1 = probe?.pgCpu()
  const wal1 = await probe?.wal()
  return {
    pattern: pattern.name,
    mode,
    saves,
    conflicts,
    seconds,
    nodeCpuMs: (node.user + node.system) / 1000 / saves,
    pgCpuMs: pg0 === undefined || pg1 === undefined ? undefined : (pg1 - pg0) / saves,
    statements: statements === undefined ? undefined : statements / saves,
    walBytes: wal0 === undefined || wal1 === undefined ? undefined : Number(wal1 - wal0) / saves,
  }
}

function counting(client: SqlClient & { query: (...args: never[]) => unknown }, counters: Counters): SqlClient {
  return {
    query: ((...args: unknown[]) => {
      counters.statements++
      return (client.query as (...a: unknown[]) => Promise<{ rows: Array<Record<string, unknown>> }>)(...args)
    }) as SqlClient['query'],
  }
}

// ---------------------------------------------------------------- the two kinds of client

/** The raw-SQL baseline: the client holds each document and sends it whole. */
async function rawSql(pool: pg.Pool, counters: Counters) {
  const table = `bench_raw_${process.pid}_${++run}`
  await pool.query(`CREATE TABLE ${table} (key text PRIMARY KEY, data jsonb NOT NULL, version bigint NOT NULL)`)
  const documents = new Map<string, State>()
  const prepare = async (key: string) => {
    const data = clipState()
    documents.set(key, data)
    await pool.query(`INSERT INTO ${table} (key, data, version) VALUES ($1, $2, 1)`, [key, JSON.stringify(data)])
    return 1
  }
  const save: Save = async (key, known, edit) => {
    const data = documents.get(key)!
    data.data.musicDescription = `edit ${edit}`
    counters.statements++
    const { rows } = await pool.query({
      name: `raw_update_${table}`,
      text: `UPDATE ${table} SET data = $1, version = version + 1 WHERE key = $2 AND version = $3 RETURNING version`,
      values: [JSON.stringify(data), key, known],
    })
    if (rows[0]) return { saved: true, version: Number(rows[0].version) }
    // Stale: read the version (a real client would read the document too) and go again.
    counters.statements++
    const current = await pool.query(`SELECT version FROM ${table} WHERE key = $1`, [key])
    return { saved: false, version: Number(current.rows[0]!.version) }
  }
  return { prepare, save }
}

/** A client of the handler: PATCH (or PUT) one field, 412 → take the version and go again. */
function handlerClient(handler: AutosaveHandler, kind: 'PATCH' | 'PUT') {
  const urlOf = (key: string) => `http://bench.local${basePath}/${encodeURIComponent(key)}`
  const prepare = async (key: string) => {
    const response = await handler(new Request(urlOf(key), { method: 'PUT', body: JSON.stringify({ data: clipState() }) }))
    return ((await response.json()) as { version: number }).version
  }
  const base = clipState()
  const save: Save = async (key, known, edit) => {
    const body =
      kind === 'PATCH'
        ? JSON.stringify([{ op: 'replace', path: '/data/musicDescription', value: `edit ${edit}` }])
        : JSON.stringify({ data: { ...base, data: { ...base.data, musicDescription: `edit ${edit}` } } })
    const response = await handler(
      new Request(urlOf(key), {
        method: kind,
        body,
        headers: {
          'If-Match': `"${known}"`,
          'Idempotency-Key': `${key}#${edit}`,
          'Content-Type': kind === 'PATCH' ? 'application/json-patch+json' : 'application/json',
        },
      }),
    )
    const answer = (await response.json()) as { version: number }
    if (response.status === 200) return { saved: true, version: answer.version }
    if (response.status === 412) return { saved: false, version: answer.version }
    throw new Error(`HTTP ${response.status}: ${JSON.stringify(answer)}`)
  }
  return { prepare, save }
}

// ---------------------------------------------------------------- HTTP adapters

/** The same PATCH client over real HTTP with keep-alive. */
function httpClient(url: string, clients: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients })
  const send = (method: string, path: string, body: string, headers: Record<string, string>) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = http.request(`${url}${path}`, { method, agent, headers: { ...headers, 'Content-Length': Buffer.byteLength(body) } }, (response) => {
        const chunks: Buffer[] = []
        response.on('data', (chunk: Buffer) => chunks.push(chunk))
        response.on('end', () => resolve({ status: response.statusCode!, body: Buffer.concat(chunks).toString() }))
        response.on('error', reject)
      })
      request.on('error', reject)
      request.end(body)
    })
  const pathOf = (key: string) => `${basePath}/${encodeURIComponent(key)}`
  const prepare = async (key: string) => {
    const response = await send('PUT', pathOf(key), JSON.stringify({ data: clipState() }), { 'Content-Type': 'application/json' })
    return (JSON.parse(response.body) as { version: number }).version
  }
  const save: Save = async (key, known, edit) => {
    const response = await send('PATCH', pathOf(key), JSON.stringify([{ op: 'replace', path: '/data/musicDescription', value: `edit ${edit}` }]), {
      'Content-Type': 'application/json-patch+json',
      'If-Match': `"${known}"`,
      'Idempotency-Key': `${key}#${edit}`,
    })
    const answer = JSON.parse(response.body) as { version: number }
    if (response.status === 200) return { saved: true, version: answer.version }
    if (response.status === 412) return { saved: false, version: answer.version }
    throw new Error(`HTTP ${response.status}: ${response.body}`)
  }
  return { prepare, save, close: () => agent.destroy() }
}

// ---------------------------------------------------------------- the handler alone

/**
 * Node CPU per PATCH of the handler and the PostgreSQL store with no database: a stub client
 * answers every UPDATE at once (the cached path). What the handler tier costs, without the
 * driver, the network or PostgreSQL, and far less disturbed by other load than the rows above.
 */
async function handlerAloneCpuMs(): Promise<number> {
  let version = 0
  const stub: SqlClient = {
    query: async (text: string) => ({ rows: text.includes('WITH written') ? [{ version: ++version, updated_at: new Date(), stamp: String(version) }] : [] }),
  }
  const client = handlerClient(createAutosaveHandler({ store: postgresDocumentStore(stub), basePath }), 'PATCH')
  await client.prepare('alone')
  const saves = 2000
  const round = async () => {
    for (let edit = 0; edit < saves; edit++) await client.save('alone', version, edit)
  }
  await round() // warm-up
  const before = process.cpuUsage()
  await round()
  const cpu = process.cpuUsage(before)
  return (cpu.user + cpu.system) / 1000 / saves
}

// ---------------------------------------------------------------- main

let prefixes = 0
async function sqlStore(client: SqlClient, options: PostgresDocumentStoreOptions = {}): Promise<DocumentStore> {
  const tablePrefix = `bench_${process.pid}_${++prefixes}_`
  await migrateAutosaveSchema(client, { tablePrefix })
  return postgresDocumentStore(client, { ...options, tablePrefix })
}

async function main() {
  const load = loadavg()[0]!.toFixed(1)
  let cluster: ThrowawayPostgres | undefined
  let databaseUrl = process.env.DATABASE_URL
  if (!databaseUrl) {
    const bin = findPostgresBin()
    if (!bin) throw new Error('bench:server needs PostgreSQL: set DATABASE_URL or install initdb')
    cluster = await startThrowawayPostgres(bin, { durable: true })
    databaseUrl = cluster.url
  }
  const rows: Row[] = []
  let handlerAlone = 0
  const pool = new pg.Pool({ connectionString: databaseUrl, max: POOL_SIZE })
  const admin = new pg.Pool({ connectionString: databaseUrl, max: 1 })
  const pglite = await PGlite.create()
  const probe = pgProbe(cluster, admin)
  try {
    const counters: Counters = { statements: 0 }
    const counted = counting(pool, counters)
    const handlerOn = async (store: DocumentStore) => createAutosaveHandler({ store, basePath })
    const modes: Array<{ mode: string; probe?: Probe; counters?: Counters; client: () => Promise<ReturnType<typeof handlerClient>> }> = [
      { mode: 'raw SQL (baseline)', probe, counters, client: () => rawSql(pool, counters) },
      {
        mode: 'PATCH, PostgreSQL',
        probe,
        counters,
        client: async () => handlerClient(await handlerOn(await sqlStore(counted, { preparedStatements: true })), 'PATCH'),
      },
      {
        mode: 'PATCH, PostgreSQL, unprepared',
        probe,
        counters,
        client: async () => handlerClient(await handlerOn(await sqlStore(counted)), 'PATCH'),
      },
      {
        mode: 'PATCH, PostgreSQL, no cache (read first)',
        probe,
        counters,
        client: async () => handlerClient(await handlerOn(await sqlStore(counted, { preparedStatements: true, cachedDocuments: 0 })), 'PATCH'),
      },
      {
        mode: 'PUT, PostgreSQL',
        probe,
        counters,
        client: async () => handlerClient(await handlerOn(await sqlStore(counted, { preparedStatements: true })), 'PUT'),
      },
      { mode: 'PATCH, PGlite', client: async () => handlerClient(await handlerOn(await sqlStore(pglite)), 'PATCH') },
      { mode: 'PATCH, memory', client: async () => handlerClient(await handlerOn(memoryDocumentStore()), 'PATCH') },
    ]
    for (const pattern of patterns) {
      for (const mode of modes) {
        const client = await mode.client()
        rows.push(await measure(pattern, mode.mode, mode.probe, mode.counters, client.prepare, client.save))
      }
    }

    // HTTP: the same PATCH over 127.0.0.1, Fetch adapter against the direct one.
    const http50: Pattern = { name: '50 clients, own key each, over HTTP', clients: 50, keys: 50 }
    for (const [storeName, open] of [
      ['PostgreSQL', () => sqlStore(counted, { preparedStatements: true })],
      ['memory', async () => memoryDocumentStore()],
    ] as const) {
      for (const [adapter, listen] of [
        ['toNodeListener (Fetch)', toNodeListener],
        ['nodeListener (direct)', nodeListener],
      ] as const) {
        const handler = createAutosaveHandler({ store: await open(), basePath })
        const server = http.createServer(listen(handler))
        await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
        const client = httpClient(`http://127.0.0.1:${(server.address() as { port: number }).port}`, http50.clients)
        try {
          const isPg = storeName === 'PostgreSQL'
          rows.push(
            await measure(http50, `PATCH, ${storeName}, ${adapter}`, isPg ? probe : undefined, isPg ? counters : undefined, client.prepare, client.save),
          )
        } finally {
          client.close()
          server.closeAllConnections()
          await new Promise((done) => server.close(done))
        }
      }
    }
    handlerAlone = await handlerAloneCpuMs()
  } finally {
    await pool.end()
    await admin.end()
    await pglite.close()
    cluster?.stop()
  }

  console.log(
    `\nautosave-kit/server — saves per second (Node ${process.version}, ${cpus().length} CPUs, load average ${load} at the start and ${loadavg()[0]!.toFixed(1)} at the end;` +
      ` ${SECONDS} s per row, ${(documentBytes / 1024).toFixed(1)} KB document, pool of ${POOL_SIZE}, PostgreSQL ${cluster ? '127.0.0.1 throwaway cluster, default durability' : 'DATABASE_URL'})\n`,
  )
  const fmt = (value: number | undefined, digits: number) => (value === undefined ? 'n/a' : value.toFixed(digits))
  const table = rows.map((row) => {
    const baseline =
      rows.find((b) => b.pattern === row.pattern && b.mode.startsWith('raw SQL')) ??
      rows.find((b) => b.pattern === patterns[1]!.name && b.mode.startsWith('raw SQL'))!
    const rate = row.saves / row.seconds
    const baseRate = baseline.saves / baseline.seconds
    return {
      pattern: row.pattern,
      mode: row.mode,
      'saves/s': Math.round(rate),
      'vs raw SQL': row === baseline ? '1.00× (baseline)' : `${(rate / baseRate).toFixed(2)}×`,
      '412s': row.conflicts,
      'PG CPU ms/save': fmt(row.pgCpuMs, 2),
      'Node CPU ms/save': fmt(row.nodeCpuMs, 2),
      'statements/save': fmt(row.statements, 2),
      'WAL B/save': row.walBytes === undefined ? 'n/a' : Math.round(row.walBytes),
      'WAL vs raw': row.walBytes === undefined || baseline.walBytes === undefined ? 'n/a' : `${(row.walBytes / baseline.walBytes).toFixed(2)}×`,
    }
  })
  console.table(table)
  console.log('The HTTP rows are divided by the in-process raw-SQL row of 50 clients on their own keys.')
  console.log(
    `The handler and the PostgreSQL store alone (a stub client answering every UPDATE, no database): ${handlerAlone.toFixed(2)} ms Node CPU per PATCH, client loop included.`,
  )
}

await main()
