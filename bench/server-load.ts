/**
 * Saves per second through `createAutosaveHandler` on memory, PGlite and PostgreSQL.
 * Run: `node --import tsx bench/server-load.ts`. Loopback only: PostgreSQL is DATABASE_URL
 * or a throwaway cluster started here (when initdb is installed, default durability settings:
 * fsync and synchronous commit on) and removed afterwards.
 *
 * Each workload is a bounded loop (a fixed number of saves, cut short after a time cap) over
 * a realistic wizard document (~9 KB, a 40-message chat). Requests are real `Request`
 * objects handed to the handler in-process, so the figures are handler + store, not HTTP.
 * Every figure is printed beside the memory store measured in the same run.
 */
import { PGlite } from '@electric-sql/pglite'
import pg from 'pg'
import {
  createAutosaveHandler,
  memoryDocumentStore,
  migrateAutosaveSchema,
  postgresDocumentStore,
  type AutosaveHandler,
  type DocumentStore,
} from '../src/server/index'
import { findPostgresBin, startThrowawayPostgres, type ThrowawayPostgres } from '../test/server/postgres-cluster'
import { chatState } from './core'

const basePath = '/api/storage/projects'
const TIME_CAP_MS = 8_000

interface Workload {
  name: string
  keys: number
  savesPerKey: number
  kind: 'PUT' | 'PATCH'
}

const workloads: Workload[] = [
  { name: 'PUT whole document, 1 key, sequential', keys: 1, savesPerKey: 1000, kind: 'PUT' },
  { name: 'PATCH one field, 1 key, sequential', keys: 1, savesPerKey: 1000, kind: 'PATCH' },
  { name: 'PUT whole document, 16 keys concurrently', keys: 16, savesPerKey: 200, kind: 'PUT' },
  { name: 'PATCH one field, 16 keys concurrently', keys: 16, savesPerKey: 200, kind: 'PATCH' },
]

let run = 0

async function measure(handler: AutosaveHandler, workload: Workload): Promise<{ saves: number; ms: number }> {
  const document = chatState(40)
  const started = performance.now()
  const deadline = started + TIME_CAP_MS
  let saves = 0
  await Promise.all(
    Array.from({ length: workload.keys }, async (_, k) => {
      const url = `http://bench.local${basePath}/${encodeURIComponent(`bench:${++run}:${k}`)}`
      const first = await handler(new Request(url, { method: 'PUT', body: JSON.stringify({ data: document }) }))
      let version = ((await first.json()) as { version: number }).version
      for (let i = 0; i < workload.savesPerKey && performance.now() < deadline; i++) {
        const headers = { 'If-Match': `"${version}"`, 'Idempotency-Key': `${url}#${i}` }
        const body =
          workload.kind === 'PUT'
            ? JSON.stringify({ data: { ...document, data: { ...document.data, musicDescription: `edit ${i}` } } })
            : JSON.stringify([{ op: 'replace', path: '/data/musicDescription', value: `edit ${i}` }])
        const response = await handler(
          new Request(url, {
            method: workload.kind,
            body,
            headers: { ...headers, 'Content-Type': workload.kind === 'PUT' ? 'application/json' : 'application/json-patch+json' },
          }),
        )
        if (response.status !== 200) throw new Error(`${workload.name}: HTTP ${response.status} ${await response.text()}`)
        version = ((await response.json()) as { version: number }).version
        saves++
      }
    }),
  )
  return { saves, ms: performance.now() - started }
}

interface Target {
  name: string
  open(): Promise<{ store: () => Promise<DocumentStore>; close(): Promise<void> }>
}

let prefixes = 0
const sqlStore = (client: pg.Pool | PGlite) => async () => {
  const tablePrefix = `bench_${process.pid}_${++prefixes}_`
  await migrateAutosaveSchema(client, { tablePrefix })
  return postgresDocumentStore(client, { tablePrefix })
}

async function main() {
  const targets: Target[] = [
    { name: 'memory', open: async () => ({ store: async () => memoryDocumentStore(), close: async () => {} }) },
    {
      name: 'PGlite',
      open: async () => {
        const db = await PGlite.create()
        return { store: sqlStore(db), close: () => db.close() }
      },
    },
  ]

  let cluster: ThrowawayPostgres | undefined
  let databaseUrl = process.env.DATABASE_URL
  if (!databaseUrl) {
    const bin = findPostgresBin()
    if (bin) {
      cluster = await startThrowawayPostgres(bin, { durable: true })
      databaseUrl = cluster.url
    }
  }
  if (databaseUrl) {
    const url = databaseUrl
    targets.push({
      name: cluster ? 'PostgreSQL 127.0.0.1' : 'PostgreSQL (DATABASE_URL)',
      open: async () => {
        const pool = new pg.Pool({ connectionString: url, max: 16 })
        return { store: sqlStore(pool), close: () => pool.end() }
      },
    })
  } else {
    console.warn('No DATABASE_URL and no initdb: PostgreSQL is left out.')
  }

  const results: Array<{ target: string; workload: string; saves: number; ms: number }> = []
  try {
    for (const target of targets) {
      const opened = await target.open()
      try {
        for (const workload of workloads) {
          const handler = createAutosaveHandler({ store: await opened.store(), basePath })
          await measure(handler, { ...workload, savesPerKey: Math.min(20, workload.savesPerKey) }) // warm-up
          const { saves, ms } = await measure(handler, workload)
          results.push({ target: target.name, workload: workload.name, saves, ms })
        }
      } finally {
        await opened.close()
      }
    }
  } finally {
    cluster?.stop()
  }

  console.log(`\nautosave-kit/server — saves per second through the handler (Node ${process.version}, ${(await import('node:os')).cpus().length} CPUs)\n`)
  const rows = results.map((r) => {
    const perSecond = (r.saves / r.ms) * 1000
    const baseline = results.find((b) => b.target === 'memory' && b.workload === r.workload)!
    const baselinePerSecond = (baseline.saves / baseline.ms) * 1000
    return {
      store: r.target,
      workload: r.workload,
      saves: r.saves,
      seconds: (r.ms / 1000).toFixed(2),
      'saves/s': Math.round(perSecond),
      'vs memory': r.target === 'memory' ? 'baseline' : `${(perSecond / baselinePerSecond).toFixed(2)}×`,
    }
  })
  console.table(rows)
}

await main()
