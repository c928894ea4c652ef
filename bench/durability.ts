/**
 * Durability benchmarks (IndexedDB semantics through fake-indexeddb, real timers):
 * how long after the last save() a state is durable in the store, and how long restore()
 * takes for a 5 MB document. Run: `npm run bench:durability`.
 */
import { IDBFactory } from 'fake-indexeddb'
import { createAutosave, indexedDBStore, memoryTransport, OnlineManager, PageLifecycle, TransportError, type AutosaveStore } from '../src/index'
import { chatState, printTable } from './core'

const environment = () => ({ online: new OnlineManager(() => {}), lifecycle: new PageLifecycle(() => {}) })

/** Wraps a store so the moment each write lands is known. */
function timed(store: AutosaveStore) {
  let resolveNext: ((at: number) => void) | undefined
  return {
    store: {
      ...store,
      async setMany(entries) {
        await store.setMany(entries)
        // The draft: its checkpoint (`outbox:`) or, since the write-ahead log, an entry after it (`wal:`).
        if (entries.some(([k]) => k.startsWith('outbox:') || k.startsWith('wal:'))) resolveNext?.(performance.now())
      },
    } as AutosaveStore,
    nextWrite: () => new Promise<number>((resolve) => (resolveNext = resolve)),
  }
}

async function timeToDurable(localDelayMs: number, samples: number) {
  const factory = new IDBFactory()
  const { store, nextWrite } = timed(indexedDBStore({ indexedDB: factory }))
  const transport = memoryTransport()
  const saver = createAutosave({ key: 'bench', transport, store, localDelayMs, debounceMs: 60_000, maxWaitMs: 60_000, environment: environment() })
  const state = chatState(1000)
  const times: number[] = []
  for (let i = 0; i < samples; i++) {
    const written = nextWrite()
    // A short burst, then measure from its last save().
    for (let k = 0; k < 5; k++) saver.save({ ...state, data: { ...state.data, musicDescription: `edit ${i}.${k}` } })
    const last = performance.now()
    // A draft written under keys this bench does not know would hang it silently: fail instead.
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(
        () => reject(new Error(`no draft write seen ${localDelayMs + 5000} ms after save(): did the record keys change?`)),
        localDelayMs + 5000,
      ).unref(),
    )
    times.push((await Promise.race([written, timeout])) - last)
  }
  await saver.dispose()
  times.sort((a, b) => a - b)
  return { p50: times[Math.floor(samples * 0.5)]!, p95: times[Math.floor(samples * 0.95)]! }
}

async function restoreTime(bytes: number, offline: boolean) {
  const factory = new IDBFactory()
  const online = memoryTransport()
  // Offline: the server cannot be asked, so the copy comes from IndexedDB.
  const transport = { ...online, load: offline ? () => Promise.reject(new TransportError('TRANSPORT_NETWORK', 'offline', { retryable: true })) : online.load }
  const messages = Math.ceil(bytes / 160)
  const state = chatState(messages)
  const size = JSON.stringify(state).length
  const first = createAutosave({ key: 'big', transport, store: indexedDBStore({ indexedDB: factory }), environment: environment() })
  first.save(state)
  await first.flush()
  await first.dispose()
  const runs: number[] = []
  for (let i = 0; i < 7; i++) {
    const saver = createAutosave({ key: 'big', transport, store: indexedDBStore({ indexedDB: factory }), environment: environment() })
    const start = performance.now()
    await saver.restore()
    runs.push(performance.now() - start)
    await saver.dispose()
  }
  runs.sort((a, b) => a - b)
  const parseStart = performance.now()
  JSON.parse(JSON.stringify(state))
  const baseline = performance.now() - parseStart
  return { size, median: runs[3]!, baseline }
}

const ms = (n: number) => `${n.toFixed(1)} ms`
const rows: string[][] = []
for (const localDelayMs of [600, 300, 50]) {
  const t = await timeToDurable(localDelayMs, 60)
  rows.push([
    `last save() → outbox durable, localDelayMs ${localDelayMs}`,
    `p50 ${ms(t.p50)}, p95 ${ms(t.p95)}`,
    `${localDelayMs} ms (the configured delay)`,
    `${(t.p95 / localDelayMs).toFixed(2)}×`,
    '≤ 1000 ms',
  ])
}
for (const offline of [false, true]) {
  const r = await restoreTime(5 * 1024 * 1024, offline)
  const from = offline ? 'offline, from IndexedDB' : 'from the server (memory transport)'
  rows.push([
    `restore() of a ${(r.size / 1024 / 1024).toFixed(1)} MB document, ${from}`,
    ms(r.median),
    `${ms(r.baseline)} (JSON round trip of it)`,
    `${(r.median / r.baseline).toFixed(2)}×`,
    '≤ 100 ms',
  ])
}
printTable(`autosave-kit durability — node ${process.version}, fake-indexeddb`, ['measure', 'autosave-kit', 'baseline', 'ratio', 'target'], rows)
