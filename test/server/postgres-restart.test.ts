/**
 * PostgreSQL restarts under load (issue 15, item 3). A `pg` Pool whose idle connections die
 * emits 'error'; without a listener Node ends the process. The store listens for it, so the
 * server answers 500s while PostgreSQL is down (the client retries those) and keeps every
 * acknowledged write.
 */
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createAutosaveHandler, migrateAutosaveSchema, postgresDocumentStore } from '../../src/server/index'
import { findPostgresBin, startThrowawayPostgres, type ThrowawayPostgres } from './postgres-cluster'
import { request } from './stores'

const bin = findPostgresBin()
const base = '/api/storage/projects'
let postgres: ThrowawayPostgres | undefined

beforeAll(async () => {
  if (bin) postgres = await startThrowawayPostgres(bin)
}, 60_000)
afterAll(() => postgres?.stop())

describe.skipIf(!bin)('a PostgreSQL restart under load', () => {
  it('the server process survives, answers 500 while PostgreSQL is down, and every acknowledged write is kept', async () => {
    // The pool exactly as docs/server.md set it up before: no 'error' listener of its own.
    const pool = new pg.Pool({ connectionString: postgres!.url, max: 4 })
    const connectionErrors = vi.fn()
    try {
      await migrateAutosaveSchema(pool)
      const handler = createAutosaveHandler({ store: postgresDocumentStore(pool, { onConnectionError: connectionErrors }), basePath: base, onError: () => {} })
      const writers = 4
      const acknowledged = new Map<string, { n: number; version: number }>()
      let statuses: number[] = []
      let running = true

      // Each writer PUTs n = 1, 2, 3… on its own key, retrying a 5xx as the client does.
      async function writer(index: number) {
        const key = `project:${index}`
        let version = 0
        for (let n = 1; running; n++) {
          for (;;) {
            const headers: Record<string, string> = { 'Idempotency-Key': `${key}-${n}` }
            if (version > 0) headers['If-Match'] = `"${version}"`
            const response = await handler(request(`${base}/${encodeURIComponent(key)}`, { method: 'PUT', body: { data: { n } }, headers }))
            statuses.push(response.status)
            if (response.status === 200) {
              version = (await response.json()).version
              acknowledged.set(key, { n, version })
              break
            }
            expect(response.status, 'only a 5xx may answer while PostgreSQL restarts').toBeGreaterThanOrEqual(500)
            await new Promise((resolve) => setTimeout(resolve, 20))
          }
        }
      }

      const load = Array.from({ length: writers }, (_, i) => writer(i))
      // Writes before, the restart (which ends every pooled connection), writes after.
      while (statuses.filter((s) => s === 200).length < 40) await new Promise((resolve) => setTimeout(resolve, 10))
      postgres!.restart()
      statuses = []
      while (statuses.filter((s) => s === 200).length < 40) await new Promise((resolve) => setTimeout(resolve, 10))
      running = false
      await Promise.all(load)

      expect(connectionErrors, 'the pool reported its dead idle connections').toHaveBeenCalled()
      for (const [key, { n, version }] of acknowledged) {
        const response = await handler(request(`${base}/${encodeURIComponent(key)}`))
        expect(await response.json(), `${key} lost an acknowledged write`).toMatchObject({ data: { n }, version })
      }
    } finally {
      await pool.end()
    }
  }, 90_000)
})
