/**
 * Gives the server tests a real PostgreSQL: `DATABASE_URL` when set, otherwise a throwaway
 * cluster on 127.0.0.1 (see postgres-cluster.ts), stopped and deleted on teardown. Tests
 * read the URL with `inject('databaseUrl')`; `''` means none. Without DATABASE_URL and
 * without initdb: fails under CI, otherwise warns and the PostgreSQL variant is left out.
 */
import type { TestProject } from 'vitest/node'
import { findPostgresBin, startThrowawayPostgres } from './postgres-cluster'

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string
  }
}

export default async function setup(project: TestProject) {
  if (process.env.DATABASE_URL) {
    project.provide('databaseUrl', process.env.DATABASE_URL)
    return
  }
  const bin = findPostgresBin()
  if (!bin) {
    const message = 'PostgreSQL tests: neither DATABASE_URL nor initdb is available'
    if (process.env.CI) throw new Error(`${message} (CI must run them: install postgresql)`)
    console.warn(`\n⚠ ${message}; the PostgreSQL variant of the server suite is left out.\n`)
    project.provide('databaseUrl', '')
    return
  }
  const postgres = await startThrowawayPostgres(bin)
  project.provide('databaseUrl', postgres.url)
  return () => postgres.stop()
}
