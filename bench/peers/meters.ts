/**
 * Counting wrappers: what each contender writes to storage and, for autosave-kit, to the
 * network. They keep references only while a run is timed; sizes (UTF-8 bytes of the JSON
 * text) are computed after the run, so measuring never adds to the time measured.
 */
import { deserialize, serialize } from 'node:v8'
import type { AutosaveStore, WriteRequest } from '../../src/index'

export interface StorageMeter {
  /** Storage operations that write: setItem/removeItem, or setMany/delMany (one transaction each). */
  writes: number
  /** Records (key/value pairs) written. */
  records: number
  /** The values written, sized later by `bytes()`. */
  values: unknown[]
  /** Operations started and not yet settled (async stores). */
  pending: number
  reset(): void
  bytes(): number
  /**
   * Nanoseconds the copies of these values take, as the copying store makes them (v8.serialize,
   * the best of `runs`): the part of a contender's time its store alone charges, whatever the
   * engine does around it.
   */
  copyNs(runs?: number): number
}

const utf8 = (value: unknown) => Buffer.byteLength(typeof value === 'string' ? value : JSON.stringify(value))

function storageMeter(): StorageMeter {
  return {
    writes: 0,
    records: 0,
    values: [],
    pending: 0,
    reset() {
      this.writes = 0
      this.records = 0
      this.values = []
    },
    bytes() {
      return this.values.reduce<number>((sum, value) => sum + utf8(value), 0)
    },
    copyNs(runs = 5) {
      let best = Number.POSITIVE_INFINITY
      for (let r = 0; r < runs; r++) {
        const start = process.hrtime.bigint()
        for (const value of this.values) serialize(value)
        best = Math.min(best, Number(process.hrtime.bigint() - start))
      }
      return best
    },
  }
}

/** Nanoseconds one client spends reading a write's answer (`json()` of a prebuilt Response), the median of `count`. */
export async function answerReadNs(count = 2001): Promise<number> {
  const times: number[] = []
  for (let i = 0; i < count; i++) {
    const response = new Response(JSON.stringify({ version: i, updatedAt: new Date(0).toISOString() }), {
      status: 200,
      headers: { 'Content-Type': 'application/json' },
    })
    const start = process.hrtime.bigint()
    await response.json()
    times.push(Number(process.hrtime.bigint() - start))
  }
  times.sort((a, b) => a - b)
  return times[Math.floor(count / 2)]!
}

/** Wraps an autosave-kit store. */
export function countingStore(inner: AutosaveStore) {
  const meter = storageMeter()
  const track = async <T>(work: Promise<T>) => {
    meter.pending++
    try {
      return await work
    } finally {
      meter.pending--
    }
  }
  const store: AutosaveStore = {
    get: (key) => track(inner.get(key)),
    setMany(entries) {
      meter.writes++
      meter.records += entries.length
      for (const [, value] of entries) meter.values.push(value)
      return track(inner.setMany(entries))
    },
    delMany(keys) {
      meter.writes++
      return track(inner.delMany(keys))
    },
    keys: () => track(inner.keys()),
    clear: () => track(inner.clear()),
  }
  return { store, meter }
}

/** A Map behind the Web Storage calls (what zustand's createJSONStorage and redux-persist call). */
export function countingStorage() {
  const meter = storageMeter()
  const items = new Map<string, string>()
  const storage = {
    getItem: (key: string) => items.get(key) ?? null,
    setItem(key: string, value: string) {
      meter.writes++
      meter.records++
      meter.values.push(value)
      items.set(key, value)
    },
    removeItem(key: string) {
      meter.writes++
      items.delete(key)
    },
  }
  /** redux-persist's storage contract: the same calls, returning promises (as redux-persist/lib/storage does). */
  const asyncStorage = {
    getItem: async (key: string) => storage.getItem(key),
    setItem: async (key: string, value: string) => storage.setItem(key, value),
    removeItem: async (key: string) => storage.removeItem(key),
  }
  return { storage, asyncStorage, items, meter }
}

/**
 * A `fetch` answering every write with 200 and the next version, recording each body, plus the
 * requests the engine made (for the full-PUT counterfactual: `{ data }` of the same writes).
 */
export function countingNetwork() {
  let version = 0
  const meter = {
    requests: 0,
    bodies: [] as string[],
    methods: {} as Record<string, number>,
    requestsMade: [] as WriteRequest[],
    pending: 0,
    reset() {
      this.requests = 0
      this.bodies = []
      this.methods = {}
      this.requestsMade = []
    },
    bytes() {
      return this.bodies.reduce((sum, body) => sum + Buffer.byteLength(body), 0)
    },
    fullPutBytes() {
      return this.requestsMade.reduce((sum, request) => sum + utf8({ data: request.data }), 0)
    },
    version: () => version,
  }
  const answer = () =>
    new Response(JSON.stringify({ version: ++version, updatedAt: new Date(0).toISOString() }), {
      status: 200,
      headers: { 'Content-Type': 'application/json' },
    })
  /** Answers built ahead, in version order: building one is the server's work, not the client's. */
  const ready: Response[] = []
  const fetch: typeof globalThis.fetch = async (_url, init) => {
    meter.requests++
    meter.methods[init?.method ?? 'GET'] = (meter.methods[init?.method ?? 'GET'] ?? 0) + 1
    meter.bodies.push(typeof init?.body === 'string' ? init.body : '')
    return ready.shift() ?? answer()
  }
  /**
   * Builds the next `count` answers now, outside the timed run: in Node, constructing a
   * `Response` (undici, 40–80 µs here) would otherwise be charged to the client, while in a
   * browser the network stack makes it. Reading the answer (`json()`) stays the client's.
   */
  const prepare = (count: number) => {
    while (ready.length < count) ready.push(answer())
  }
  return { fetch, meter, prepare }
}

/**
 * An autosave-kit store that copies every record on put and on get, with `v8.serialize` (the
 * structured-clone serializer): the copy IndexedDB's `put` makes on the main thread, and the
 * bytes it keeps. Never a Map that keeps references, which would make local writes free.
 */
export function copyingStore(): AutosaveStore {
  const records = new Map<string, Buffer>()
  return {
    get: async (key) => {
      const bytes = records.get(key)
      return bytes === undefined ? undefined : deserialize(bytes)
    },
    setMany: async (entries) => {
      for (const [key, value] of entries) records.set(key, serialize(value))
    },
    delMany: async (keys) => {
      for (const key of keys) records.delete(key)
    },
    keys: async () => [...records.keys()],
    clear: async () => records.clear(),
  }
}
