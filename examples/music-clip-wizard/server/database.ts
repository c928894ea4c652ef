import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { lockDataDirectory, migrateAutosaveSchema, type SqlClient } from '../../../src/server/index'

/** The SQL database behind the example: PGlite in a folder, or PostgreSQL from DATABASE_URL. */
export interface Database {
  readonly client: SqlClient
  /** e.g. `PGlite (examples/music-clip-wizard/data/pgdata)` or `PostgreSQL (db.example:5432/app)`. */
  readonly description: string
  close(): Promise<void>
}

export async function openDatabase(options: { dataDir: string; databaseUrl?: string | undefined }): Promise<Database> {
  let database: Database
  if (options.databaseUrl) {
    const { default: pg } = await import('pg')
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 10 })
    // Without it, an idle connection that dies (PostgreSQL restarted) ends the process; the pool reconnects by itself.
    pool.on('error', (error) => console.error(`PostgreSQL connection lost (the pool reconnects): ${error.message}`))
    const url = new URL(options.databaseUrl)
    database = { client: pool, description: `PostgreSQL (${url.host}${url.pathname})`, close: () => pool.end() }
  } else {
    // PGlite is PostgreSQL compiled to WebAssembly: the same SQL, no server to install.
    const { PGlite } = await import('@electric-sql/pglite')
    const dir = join(options.dataDir, 'pgdata')
    await mkdir(dir, { recursive: true })
    // Two server processes on one PGlite folder lose acknowledged writes: the second is refused.
    const lock = await lockDataDirectory(dir)
    const pglite = await PGlite.create(dir)
    database = { client: pglite, description: `PGlite (${dir})`, close: async () => (await pglite.close(), await lock.release()) }
  }
  await migrateAutosaveSchema(database.client)
  return database
}
