import { StorageError, type AutosaveError, type StorageErrorCode } from '../errors'
import type { AutosaveStore } from '../types'
import { toStorageError } from './storage-error'

/**
 * One link of a fallback chain.
 *
 * @example
 * ```ts
 * const links: StoreBackend[] = [
 *   { name: 'localStorage', store: localStorageStore({ namespace: userId }) },
 *   { name: 'memory', store: memoryStore() },
 * ]
 * const store = fallbackStore(links)
 * ```
 */
export interface StoreBackend {
  /** How error messages name it, e.g. `'IndexedDB'`. */
  readonly name: string
  readonly store: AutosaveStore
  /** Rejects when the backend cannot be used at all (missing, blocked); awaited before it is first written. */
  readonly ready?: () => Promise<unknown>
}

interface Batch {
  /** Each value with the writeNow() count when it was given: see `write`. */
  readonly entries: Map<string, { value: unknown; since: number }>
  done?: Promise<void>
}

/** Failures of the data itself: every backend would fail the same way, so falling back cannot help. */
const isDataError = (error: unknown) =>
  (error as { name?: unknown } | null)?.name === 'DataCloneError' ||
  (error instanceof StorageError && (error.code === 'STORAGE_DECRYPT' || error.code === 'STORAGE_CORRUPT'))

/**
 * Chains stores so the engine keeps working when one breaks: writes go to the first backend
 * that works; when it fails (unavailable, blocked, full), the store moves to the next one for
 * good, writes the failed batch there so no edit is lost, and reports one `StorageError`
 * through `onError`. Reads fall through every backend, so records written before a fallback —
 * or by an earlier page that had fallen back — are still found. Reads try the LAST backend
 * first: a key is only ever written to a later backend after every earlier one failed for it,
 * and a write to an earlier one (this page or the next) removes the later copies, so a copy
 * in a later backend is the newest one even when the earlier backend's older copy could not
 * be removed (it was down). A write to a durable backend removes the key from the others;
 * a write that could only land in memory leaves the older durable copies alone, so a reload
 * still finds the last draft that fit on disk.
 * Writes and deletes run one after another; `setMany` calls queued together share one
 * transaction. Methods reject only when no backend could do the work.
 *
 * @example
 * ```ts
 * const store = fallbackStore([
 *   { name: 'localStorage', store: localStorageStore({ namespace: userId }) },
 *   { name: 'memory', store: memoryStore() },
 * ])
 * ```
 */
export function fallbackStore(backends: readonly StoreBackend[], id?: string): AutosaveStore {
  const listeners = new Set<(error: AutosaveError) => void>()
  let current = 0
  let started: Promise<number> | undefined
  let degraded: StorageError | undefined
  /** Keys written by writeNow(), with the count at that moment: an async write begun before must not delete them. */
  const writtenNow = new Map<string, number>()
  let writtenNowCount = 0
  /** `key` was written by writeNow() since the count was `since`: that copy is the newer one. */
  const writtenNowSince = (key: string, since: number) => (writtenNow.get(key) ?? -1) >= since
  let queue: Promise<unknown> = Promise.resolve()
  /** The `setMany` waiting at the end of the queue, which later calls join. */
  let batch: Batch | undefined

  function report(error: StorageError) {
    degraded = error
    for (const listener of listeners) {
      try {
        listener(error)
      } catch {
        // A listener's bug must not fail the write that is about to land elsewhere.
      }
    }
  }

  /** The first backend from `from` on that is ready; one report when it had to skip any. */
  async function pick(from: number, failed?: { at: number; error: unknown; code: StorageErrorCode }): Promise<number> {
    for (let at = from; at < backends.length; at++) {
      try {
        await backends[at]!.ready?.()
      } catch (error) {
        failed ??= { at, error, code: 'STORAGE_UNAVAILABLE' }
        continue
      }
      current = at
      if (failed) {
        const where = at === backends.length - 1 ? `${backends[at]!.name} only` : backends[at]!.name
        report(toStorageError(failed.error, failed.code, `${backends[failed.at]!.name} failed; drafts are kept in ${where} from now on`))
      }
      return at
    }
    throw toStorageError(failed?.error, failed?.code ?? 'STORAGE_UNAVAILABLE', 'No local store works here')
  }

  function enqueue<T>(work: () => Promise<T>): Promise<T> {
    const run = queue.then(work)
    queue = run.catch(() => undefined)
    return run
  }

  async function write(batched: Batch['entries']): Promise<void> {
    const newerNow = (key: string) => writtenNowSince(key, batched.get(key)!.since)
    const entries = new Map([...batched].map(([key, { value }]) => [key, value]))
    await (started ??= pick(0))
    let at = current
    for (let first = true; ; first = false) {
      try {
        // Rewritten elsewhere after a failure: never over (or, memory, in front of) a newer writeNow() copy.
        await backends[at]!.store.setMany([...entries].filter(([key]) => first || !newerNow(key)))
        break
      } catch (error) {
        if (isDataError(error)) throw toStorageError(error, 'STORAGE_WRITE', `Writing to ${backends[at]!.name} failed`)
        at = await pick(at + 1, { at, error, code: 'STORAGE_WRITE' })
      }
    }
    // Memory is read first and gone after a reload: deleting the durable copy would protect
    // no read in this page and lose the last draft that survives a crash.
    if (backends[at]!.store.isDurable?.() === false) return
    // One copy per key, so a durable older copy never outlives this one — except a copy that
    // writeNow() made after this write began: that one is newer.
    const keys = [...batched.keys()].filter((key) => !newerNow(key))
    await Promise.allSettled(backends.map((backend, other) => other !== at && backend.store.delMany(keys)))
  }

  /** Runs `work` on every backend; rejects only when none of them could. */
  async function everywhere<T>(work: (store: AutosaveStore) => Promise<T>, what: string): Promise<T[]> {
    const settled = await Promise.allSettled(backends.map((backend) => work(backend.store)))
    const done = settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []))
    if (!done.length) throw toStorageError((settled[0] as PromiseRejectedResult | undefined)?.reason, 'STORAGE_UNAVAILABLE', `${what} failed everywhere`)
    return done
  }

  return {
    ...(id !== undefined && { id }),
    async get(key) {
      await (started ??= pick(0))
      let failure: unknown
      let failures = 0
      // Later backends first: their copy was written after the earlier ones failed (see above).
      for (const at of [...backends.keys()].reverse()) {
        try {
          const value = await backends[at]!.store.get(key)
          if (value !== undefined) return value
        } catch (error) {
          if (isDataError(error)) throw error
          failure ??= error
          failures++
        }
      }
      if (failures === backends.length) throw toStorageError(failure, 'STORAGE_READ', `Reading "${key}" failed everywhere`)
      return undefined
    },
    setMany(entries) {
      if (!batch) {
        const pending: Batch = { entries: new Map() }
        pending.done = enqueue(() => {
          if (batch === pending) batch = undefined
          return write(pending.entries)
        })
        batch = pending
      }
      for (const [key, value] of entries) batch.entries.set(key, { value, since: writtenNowCount })
      return batch.done!
    },
    delMany(keys) {
      // A later setMany must not join a batch queued before this delete.
      batch = undefined
      const since = writtenNowCount
      // A copy writeNow() made after this call is newer than what the caller meant to delete.
      return enqueue(() => everywhere((store) => store.delMany(keys.filter((key) => !writtenNowSince(key, since))), 'Deleting')).then(() => undefined)
    },
    async keys() {
      return [...new Set((await everywhere((store) => store.keys(), 'Listing keys')).flat())]
    },
    clear() {
      batch = undefined
      return enqueue(() => everywhere((store) => store.clear(), 'Clearing')).then(() => undefined)
    },
    isDurable: () => backends[current]!.store.isDurable?.() ?? true,
    // Reads look at later backends first, so a copy written here (localStorage) is the one found.
    writeNow(entries) {
      for (const { store } of backends) {
        if (store.isDurable?.() === false || !store.writeNow?.(entries)) continue
        for (const [key] of entries) writtenNow.set(key, writtenNowCount)
        writtenNowCount++
        return true
      }
      return false
    },
    onError(listener) {
      listeners.add(listener)
      // A store already degraded tells late subscribers too (after this call, not inside it).
      if (degraded) {
        const known = degraded
        queueMicrotask(() => listeners.has(listener) && listener(known))
      }
      return () => listeners.delete(listener)
    },
  }
}
