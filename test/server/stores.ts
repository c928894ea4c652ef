/**
 * The document stores every server suite runs against: memory, PGlite (embedded) and a real
 * PostgreSQL server (from the global setup). Each `create()` gets fresh tables under a new
 * prefix, so tests and files never see each other's documents.
 */
import { PGlite } from '@electric-sql/pglite'
import pg from 'pg'
import { afterAll, beforeAll, inject } from 'vitest'
import {
  memoryDocumentStore,
  migrateAutosaveSchema,
  postgresDocumentStore,
  type DocumentStore,
  type DocumentStoreOptions,
  type SqlClient,
} from '../../src/server/index'

export interface StoreKind {
  readonly name: 'memory' | 'pglite' | 'postgres'
  create(options?: DocumentStoreOptions): Promise<DocumentStore>
  /** The SQL client behind the store (undefined for memory). */
  client(): Promise<SqlClient | undefined>
}

let prefixes = 0
const uniquePrefix = () => `t${process.pid}_${Date.now().toString(36)}_${++prefixes}_`

/** Registers teardown for the databases it opens; call once per test file, at top level. */
export function storeKinds(): StoreKind[] {
  let pglite: Promise<PGlite> | undefined
  let pool: pg.Pool | undefined
  // PGlite boots in a hook with its own allowance rather than in the first test (30 s): on a
  // loaded machine the boot alone can take longer than a test may.
  beforeAll(async () => {
    pglite ??= PGlite.create()
    await pglite
  }, 180_000)
  afterAll(async () => {
    await (await pglite)?.close()
    await pool?.end()
  })

  const sqlKind = (name: 'pglite' | 'postgres', open: () => Promise<SqlClient>): StoreKind => ({
    name,
    client: open,
    async create(options) {
      const client = await open()
      const tablePrefix = uniquePrefix()
      await migrateAutosaveSchema(client, { tablePrefix })
      return postgresDocumentStore(client, { ...options, tablePrefix })
    },
  })

  const kinds: StoreKind[] = [
    { name: 'memory', create: async (options) => memoryDocumentStore(options), client: async () => undefined },
    sqlKind('pglite', async () => {
      pglite ??= PGlite.create()
      return pglite
    }),
  ]
  const databaseUrl = inject('databaseUrl')
  if (databaseUrl) {
    kinds.push(
      sqlKind('postgres', async () => {
        pool ??= new pg.Pool({ connectionString: databaseUrl, max: 20 })
        return pool
      }),
    )
  } else {
    console.warn('⚠ No PostgreSQL for this run (see test/server/postgres.global-setup.ts): testing memory and PGlite only')
  }
  return kinds
}

/** A request to the handler under test, as a browser would send it. */
export function request(path: string, init: { method?: string; body?: unknown; headers?: Record<string, string>; raw?: BodyInit } = {}): Request {
  const headers = new Headers(init.headers)
  let body: BodyInit | undefined = init.raw
  if (init.body !== undefined) {
    body = JSON.stringify(init.body)
    if (!headers.has('Content-Type')) headers.set('Content-Type', 'application/json')
  }
  return new Request(`http://api.test${path}`, { method: init.method ?? 'GET', headers, body })
}
