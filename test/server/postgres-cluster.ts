/**
 * A throwaway PostgreSQL cluster for tests and benchmarks: initdb into a temp dir, pg_ctl on
 * 127.0.0.1 and a free port, stopped and deleted by `stop()`. Runs the server as the
 * `postgres` OS user when we are root (initdb refuses root).
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'

export interface ThrowawayPostgres {
  readonly url: string
  /** `pg_ctl restart -m fast`: every connection is terminated, the server is back on the same port. */
  restart(): void
  /** The cluster's data directory (its `postmaster.pid` names the server process). */
  readonly dataDir: string
  stop(): void
}

/** The directory holding initdb and pg_ctl, or undefined when PostgreSQL is not installed. */
export function findPostgresBin(): string | undefined {
  const fromPath = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' }).stdout.trim()
  if (fromPath) {
    // /usr/local/bin/initdb is often a symlink; pg_ctl sits beside the real binary.
    return execFileSync('readlink', ['-f', fromPath], { encoding: 'utf8' })
      .trim()
      .replace(/\/initdb$/, '')
  }
  const root = '/usr/lib/postgresql'
  if (!existsSync(root)) return undefined
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a))
  return versions[0] && join(root, versions[0], 'bin')
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

/**
 * `durable: false` (tests) turns off fsync and synchronous commit: faster, and nothing of
 * value is at stake. Benchmarks keep the defaults so commits cost what they cost.
 */
export async function startThrowawayPostgres(bin: string, { durable = false } = {}): Promise<ThrowawayPostgres> {
  const asRoot = userInfo().uid === 0
  const run = (command: string, args: string[]) => {
    const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, command), ...args]] : [join(bin, command), args]
    const result = spawnSync(file, argv, { encoding: 'utf8' })
    if (result.status !== 0) throw new Error(`${command} failed (${result.status}): ${result.stderr || result.stdout || result.error}`)
  }
  const dir = mkdtempSync(join(tmpdir(), 'autosave-pg-'))
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim())
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim())
    chownSync(dir, uid, gid)
  }
  const data = join(dir, 'data')
  try {
    run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync'])
    const port = await freePort()
    // Loopback only, with room for the concurrency test's pool.
    const fast = durable ? '' : ' -c fsync=off -c synchronous_commit=off -c full_page_writes=off'
    const options = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c max_connections=100${fast}`
    run('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'server.log'), '-w', '-t', '30', 'start'])
    return {
      url: `postgres://postgres@127.0.0.1:${port}/postgres`,
      restart() {
        run('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'server.log'), '-m', 'fast', '-w', '-t', '30', 'restart'])
      },
      dataDir: data,
      stop() {
        try {
          run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop'])
        } finally {
          rmSync(dir, { recursive: true, force: true })
        }
      },
    }
  } catch (error) {
    rmSync(dir, { recursive: true, force: true })
    throw error
  }
}
