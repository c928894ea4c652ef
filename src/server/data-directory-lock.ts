import { AutosaveError } from '../errors'

// Node built-ins load on first use, so `autosave-kit/server` still imports in Workers.
const nodeFs = () => import('node:fs')
const nodeOs = () => import('node:os')
const nodePath = () => import('node:path')

/**
 * Another server process (or this one) holds the data directory: two PGlite instances on one
 * folder each keep their own copy of the database in memory and overwrite each other's files,
 * so the folder reopens empty or corrupt. `holder` says who, from the lock file.
 *
 * @example
 * ```ts
 * try { await lockDataDirectory('./data/autosave') }
 * catch (e) { if (e instanceof DataDirectoryLockedError) console.error(e.message); process.exit(1) }
 * ```
 */
export class DataDirectoryLockedError extends AutosaveError {
  constructor(
    /** The lock file, e.g. `./data/autosave.lock`. */
    readonly lockFile: string,
    /** What the lock file says: `{ pid, host, since }`, when it could be read. */
    readonly holder: LockHolder | undefined,
  ) {
    const who = holder ? `process ${holder.pid} on ${holder.host} since ${holder.since}` : 'another process'
    super(
      'SERVER_DATA_DIR_LOCKED',
      `The data directory is in use by ${who}: two servers on one PGlite folder lose each other's writes. ` +
        `Stop the other server, or, if it is gone and was on another host, delete ${lockFile}.`,
    )
  }
}

/**
 * Who holds a data directory lock, as written in its lock file.
 *
 * @example
 * ```ts
 * const holder: LockHolder | undefined = error.holder // { pid: 4242, host: 'web-1', since: '2026-12-07T05:00:00.000Z' }
 * ```
 */
export interface LockHolder {
  readonly pid: number
  readonly host: string
  /** ISO 8601. */
  readonly since: string
}

/**
 * A held data directory lock, from `lockDataDirectory`.
 *
 * @example
 * ```ts
 * const lock = await lockDataDirectory('./data/autosave')
 * // … serve …
 * await lock.release()
 * ```
 */
export interface DataDirectoryLock {
  /** The lock file beside the directory: `{dir}.lock`. */
  readonly lockFile: string
  /** Deletes the lock file (also done when the process exits normally). */
  release(): Promise<void>
}

/** Lock files this process holds: a second open in the same process is refused too. */
const held = new Set<string>()

/**
 * Takes the data directory `dir` for this process, or throws `DataDirectoryLockedError`
 * when another live process holds it. Call it before `new PGlite(dir)`: PGlite itself does
 * not stop a second process from opening the same folder. The lock is a file beside the
 * directory (`{dir}.lock`, created atomically) naming the process; one left behind by a
 * process that died (kill -9, a crash) on this host is taken over. A lock from another host
 * cannot be checked and is refused: delete the file once that host's server is gone.
 *
 * @example
 * ```ts
 * import { PGlite } from '@electric-sql/pglite'
 * await lockDataDirectory('./data/autosave') // throws DataDirectoryLockedError if another server has it
 * const db = await PGlite.create('./data/autosave')
 * ```
 */
export async function lockDataDirectory(dir: string): Promise<DataDirectoryLock> {
  const fs = await nodeFs()
  const { hostname } = await nodeOs()
  const { resolve } = await nodePath()
  const lockFile = `${resolve(dir).replace(/[\\/]+$/, '')}.lock`
  if (held.has(lockFile)) throw new DataDirectoryLockedError(lockFile, readHolder(fs, lockFile))
  const me: LockHolder = { pid: process.pid, host: hostname(), since: new Date().toISOString() }

  for (let attempt = 0; ; attempt++) {
    try {
      // 'wx': created only if absent, atomically — of two processes starting at once, one wins.
      fs.writeFileSync(lockFile, `${JSON.stringify(me)}\n`, { flag: 'wx' })
      break
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      const holder = readHolder(fs, lockFile)
      if (attempt > 0 || !isStale(holder, me)) throw new DataDirectoryLockedError(lockFile, holder)
      fs.rmSync(lockFile, { force: true })
    }
  }
  held.add(lockFile)
  const releaseSync = () => {
    if (!held.delete(lockFile)) return
    process.off('exit', releaseSync)
    if (readHolder(fs, lockFile)?.since === me.since) fs.rmSync(lockFile, { force: true })
  }
  process.on('exit', releaseSync)
  return { lockFile, release: async () => releaseSync() }
}

function readHolder(fs: typeof import('node:fs'), lockFile: string): LockHolder | undefined {
  try {
    const holder = JSON.parse(fs.readFileSync(lockFile, 'utf8')) as LockHolder
    return typeof holder.pid === 'number' && typeof holder.host === 'string' ? holder : undefined
  } catch {
    return undefined
  }
}

/** Left behind by a process of this host that is gone (or by this process's pid, reused: a container's pid 1). */
function isStale(holder: LockHolder | undefined, me: LockHolder): boolean {
  if (!holder || holder.host !== me.host) return false
  if (holder.pid === me.pid) return true
  try {
    process.kill(holder.pid, 0)
    return false
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH'
  }
}
