/**
 * Two server processes on one PGlite folder lost every acknowledged write (issue 15, item 4):
 * the second opener is refused with DataDirectoryLockedError.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { DataDirectoryLockedError, lockDataDirectory } from '../../src/server/index'

const root = mkdtempSync(join(tmpdir(), 'autosave-lock-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))
const lockModule = fileURLToPath(new URL('../../src/server/data-directory-lock.ts', import.meta.url))

/** Another server process: takes the lock, opens PGlite on the folder, says "ready" and stays. */
function otherServer(dir: string): Promise<ChildProcess> {
  const script = `
    const { lockDataDirectory } = await import(${JSON.stringify(lockModule)})
    const { PGlite } = await import('@electric-sql/pglite')
    await lockDataDirectory(${JSON.stringify(dir)})
    await PGlite.create(${JSON.stringify(dir)})
    console.log('ready')
    setInterval(() => {}, 1000)`
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] })
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk) => String(chunk).includes('ready') && resolve(child))
    child.on('exit', (code) => reject(new Error(`the other server exited with ${code}`)))
  })
}

describe('one server process per PGlite folder', () => {
  it('a second process opening the folder is refused with DataDirectoryLockedError naming the holder; once it dies, the folder is taken over', async () => {
    const dir = join(root, 'pgdata')
    const other = await otherServer(dir)
    try {
      const refused = await lockDataDirectory(dir).catch((error: unknown) => error)
      expect(refused).toBeInstanceOf(DataDirectoryLockedError)
      expect(refused).toMatchObject({ code: 'SERVER_DATA_DIR_LOCKED', lockFile: `${dir}.lock`, holder: { pid: other.pid, host: hostname() } })
      expect((refused as Error).message).toContain(`in use by process ${other.pid}`)
    } finally {
      other.kill('SIGKILL')
      await new Promise((resolve) => other.once('exit', resolve))
    }
    // kill -9 leaves the lock file behind: its process is gone, so it is stale.
    expect(existsSync(`${dir}.lock`)).toBe(true)
    const lock = await lockDataDirectory(dir)
    await lock.release()
    expect(existsSync(`${dir}.lock`)).toBe(false)
  }, 60_000)

  it('the same process opening the folder twice is refused until it releases it', async () => {
    const dir = join(root, 'twice')
    const lock = await lockDataDirectory(dir)
    await expect(lockDataDirectory(dir)).rejects.toBeInstanceOf(DataDirectoryLockedError)
    await lock.release()
    await (await lockDataDirectory(dir)).release()
  })

  it('a lock from another host is refused: it cannot be checked', async () => {
    const dir = join(root, 'elsewhere')
    writeFileSync(`${dir}.lock`, JSON.stringify({ pid: 1, host: 'another-host', since: '2026-12-01T00:00:00.000Z' }))
    await expect(lockDataDirectory(dir)).rejects.toThrow(/process 1 on another-host since 2026-12-01T00:00:00.000Z.*delete .*elsewhere\.lock/)
  })
})
