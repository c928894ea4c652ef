/**
 * autosave-kit against its peers — zustand's `persist` middleware and redux-persist — in one
 * run, on the same 500-message wizard state and the same edit scripts (bench/peers/
 * edit-script.ts): 1,000 keystrokes at 10/s, and 100 chat messages one every 5 s. Run:
 * `npm run bench:peers` (`-- --runs 9` for more timing runs, `-- --script mixed` for the
 * older mixed script, `-- --messages 5000` for another chat length, `-- --only autosave-kit --exact
 * --profile /tmp/prof` for CPU profiles of the timed runs).
 *
 * autosave-kit's store copies every record (v8.serialize, the structured clone IndexedDB
 * makes on put): a store that keeps references would hide the cost of its local writes.
 *
 * Measured per contender:
 * - storage writes per 1,000 edits and bytes written per edit (UTF-8 bytes of the JSON text
 *   of every value handed to storage; a delete counts as a write of 0 bytes);
 * - main-thread time of the call the app makes per edit (`save()` / `setState()` / `dispatch()`);
 * - the deferred main-thread work each library does later: every timer task it set, with the
 *   promise work that task chained, timed on the real clock while time itself is virtual;
 * - for autosave-kit, network requests and bytes (PATCH as sent, and the full PUT the same
 *   writes would have been). The fake server's answers are built before the timed run: making
 *   a `Response` is the server's (or, in a browser, the network stack's) work; the client's
 *   reading of it, and everything else on the request path, is timed.
 * Times are the best of the timed runs. Ratios are against zustand persist, measured in the same run. See docs/benchmarks.md.
 */
import { writeFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'
import { availableParallelism, loadavg } from 'node:os'
import { IDBFactory } from 'fake-indexeddb'
import { legacy_createStore, type Reducer } from 'redux'
import { persistReducer, persistStore } from 'redux-persist'
import { createJSONStorage, persist } from 'zustand/middleware'
import { createStore } from 'zustand/vanilla'
import {
  createAutosave,
  fetchTransport,
  indexedDBStore,
  jsonEqual,
  localTabs,
  OnlineManager,
  PageLifecycle,
  type AutosaveOptions,
  type AutosaveStore,
  type Json,
  type Transport,
} from '../src/index'
import { ackedCopy, draftOf } from '../test/helpers'
import { printTable } from './core'
import { chatScript, editScript, initialState, keystrokeScript, type Edit, type WizardState } from './peers/edit-script'
import { answerReadNs, copyingStore, countingNetwork, countingStorage, countingStore, type StorageMeter } from './peers/meters'
import { drain, measureDrainCost, VirtualTime } from './peers/virtual-time'

// Production mode for every library: redux and redux-persist skip their development checks.
process.env.NODE_ENV = 'production'

const KEY = 'project:42'
const T0 = Date.UTC(2026, 10, 25, 9)
/** Virtual time left after the last edit for debounces, throttles and retries to finish. */
const SETTLE_MS = 60_000

interface Instance {
  /** The one call the app makes per edit. */
  edit(state: WizardState): void
  storage: StorageMeter
  network?: ReturnType<typeof countingNetwork>['meter']
  /** What the contender has persisted locally, parsed back, to check it ended on the last state. */
  persisted(): Promise<unknown>
  dispose(): Promise<void>
}

interface Contender {
  name: string
  settings: string
  /** false: counts only (the storage itself is a JS model whose time says nothing about a browser). */
  timed: boolean
  /** Stores through `copyingStore()`: the floor line reports what its copies alone cost. */
  copying?: boolean
  open(initial: WizardState, time: VirtualTime): Promise<Instance>
}

// --- autosave-kit -----------------------------------------------------------------------------

interface Variant {
  options?: Partial<AutosaveOptions<WizardState>>
  store?: () => AutosaveStore
  /** false: counts only. */
  timed?: boolean
  /** Offline for the whole script: local persistence alone, nothing sent (the peers' scope). */
  offline?: boolean
}

function autosaveKit(
  name: string,
  settings: string,
  { options = {}, store: makeStore = copyingStore, timed = true, offline = false }: Variant = {},
): Contender {
  return {
    name,
    settings,
    timed,
    copying: makeStore === copyingStore,
    async open(initial, time) {
      const inner = makeStore()
      const { store, meter } = countingStore(inner)
      const network = countingNetwork()
      const http = fetchTransport({ baseUrl: 'http://bench.local/api/storage/projects', fetch: network.fetch, clock: time.clock })
      let inFlight = 0
      const transport: Transport = {
        load: http.load,
        async write(request) {
          network.meter.requestsMade.push(request)
          inFlight++
          try {
            return await http.write(request)
          } finally {
            inFlight--
          }
        },
      }
      time.quiet = () => meter.pending === 0 && inFlight === 0
      let ids = 0
      const online = new OnlineManager(() => {})
      const saver = createAutosave<WizardState>({
        key: KEY,
        transport,
        store,
        environment: {
          clock: time.clock,
          online,
          lifecycle: new PageLifecycle(() => {}),
          // One tab; posting each ack to other tabs (a structured clone) is still paid, as BroadcastChannel would.
          tabs: localTabs(),
          randomId: () => `id-${++ids}`,
        },
        ...options,
      })
      // Warm start: the initial document is saved and acknowledged before the script begins.
      saver.save(initial)
      const flushed = saver.flush()
      await time.runUntil(time.now + SETTLE_MS)
      await flushed
      if (offline) online.setOnline(false)
      meter.reset()
      network.meter.reset()
      // One answer per request the scripts make (one per burst), and a margin.
      if (!offline) network.prepare(300)
      return {
        edit: (state) => saver.save(state),
        storage: meter,
        network: offline ? undefined : network.meter,
        async persisted() {
          // Read back as a reload would: the draft log (checkpoint + entries) and the log of acknowledgements.
          const draft = await draftOf(inner, KEY)
          // Online, everything is acknowledged: no draft left to send, and the acknowledged copy is the last state.
          if (!offline) return draft ? 'a draft was left unsent' : (await ackedCopy(inner, KEY))?.data
          return draft ? draft.data : 'no draft'
        },
        dispose: () => saver.dispose(),
      }
    },
  }
}

// --- zustand persist --------------------------------------------------------------------------

const zustandPersist: Contender = {
  name: 'zustand persist',
  settings: 'createJSONStorage over a counting Web Storage; no throttle option exists',
  timed: true,
  async open(initial) {
    const { storage, items, meter } = countingStorage()
    const store = createStore<WizardState>()(persist(() => initial, { name: KEY, storage: createJSONStorage(() => storage) }))
    await drain()
    meter.reset()
    return {
      // What an action's `set(...)` does; the state is already computed, as for every contender.
      edit: (state) => store.setState(state),
      storage: meter,
      persisted: async () => (JSON.parse(items.get(KEY) ?? 'null') as { state: unknown } | null)?.state,
      dispose: async () => {},
    }
  },
}

// --- redux-persist ----------------------------------------------------------------------------

type EditAction = { type: 'edit'; state: WizardState } | { type: string; state?: undefined }

function reduxPersist(throttle: number): Contender {
  return {
    name: `redux-persist, throttle ${throttle}`,
    settings: `persistReducer({ throttle: ${throttle}, timeout: 0 }) over the root reducer, async counting storage${throttle === 0 ? ' (the default)' : ''}`,
    timed: true,
    async open(initial, time) {
      const { asyncStorage, items, meter } = countingStorage()
      const reducer: Reducer<WizardState, EditAction, WizardState | undefined> = (state = initial, action) =>
        action.type === 'edit' && action.state ? action.state : state
      // redux-persist calls the global setInterval and has no clock option: it gets virtual time for this run only.
      const restore = time.installIntervals()
      const store = legacy_createStore(persistReducer({ key: KEY, storage: asyncStorage, throttle, timeout: 0 }, reducer))
      await new Promise<void>((resolve) => persistStore(store, null, resolve))
      // Warm start: its first write of the rehydrated state happens before the script.
      await time.runUntil(time.now + SETTLE_MS)
      meter.reset()
      return {
        edit: (state) => void store.dispatch({ type: 'edit', state }),
        storage: meter,
        async persisted() {
          const outer = JSON.parse(items.get(`persist:${KEY}`) ?? '{}') as Record<string, string>
          const { _persist, ...rest } = Object.fromEntries(Object.entries(outer).map(([k, v]) => [k, JSON.parse(v) as unknown]))
          void _persist
          return rest
        },
        dispose: async () => restore(),
      }
    },
  }
}

const defaults = 'debounceMs 3000, maxWaitMs 10000, localDelayMs 600, history 20'
const contenders: Contender[] = [
  autosaveKit(
    'autosave-kit',
    `defaults (${defaults}); a store that copies every record with v8.serialize (as IndexedDB's put does); fetchTransport on a counting fetch whose answers are built before the timed run (building one is the server's work; reading it is the client's)`,
  ),
  autosaveKit('autosave-kit, offline', 'as the first, offline from the first edit: local writes only, nothing sent (what the peers do)', { offline: true }),
  autosaveKit(
    'autosave-kit on fake-indexeddb',
    'as the first, on indexedDBStore({ indexedDB: new IDBFactory() }) from fake-indexeddb (a JS model of IndexedDB: its time is indicative only)',
    { store: () => indexedDBStore({ indexedDB: new IDBFactory(), localStorage: null }) },
  ),
  zustandPersist,
  reduxPersist(600),
]
const BASELINE = 'zustand persist'

/** `--only <text>`: run the contenders whose name contains the text (with `--exact`: is the text), and the baseline. */
function selected(): Contender[] {
  const at = process.argv.indexOf('--only')
  if (at < 0) return contenders
  const text = process.argv[at + 1] ?? ''
  return contenders.filter((c) => c.name === BASELINE || (process.argv.includes('--exact') ? c.name === text : c.name.includes(text)))
}

// --- the run ----------------------------------------------------------------------------------

interface RunResult {
  writes: number
  records: number
  bytes: number
  syncNs: number[]
  deferredNs: number
  taskNs: number[]
  requests?: number
  methods?: Record<string, number>
  patchBytes?: number
  fullPutBytes?: number
  /** The copying store's own time for this run's writes (counting run only). */
  copyNs?: number
  endsOnLastState: boolean
}

/** What timing an empty call costs (two hrtime reads and a call), subtracted from every sample. */
function callOverheadNs() {
  const noop = (_: unknown) => {}
  const samples: number[] = []
  for (let i = 0; i < 20_001; i++) {
    const start = process.hrtime.bigint()
    noop(i)
    samples.push(Number(process.hrtime.bigint() - start))
  }
  samples.sort((a, b) => a - b)
  return samples[10_000]!
}

/** With `--expose-gc` (as `npm run bench:peers` runs), each run starts on a clean heap, not on the last one's garbage. */
const collectGarbage = (globalThis as { gc?: () => void }).gc ?? (() => {})

async function runOnce(
  contender: Contender,
  initial: WizardState,
  script: Edit[],
  costs: { drainNs: number; callNs: number },
  count: boolean,
): Promise<RunResult> {
  collectGarbage()
  const time = new VirtualTime(T0, costs.drainNs)
  const instance = await contender.open(initial, time)
  const profiling = profiler !== undefined && !count && contender.name !== BASELINE
  if (profiling) await profiler.post('Profiler.start')
  time.deferredNs = 0
  time.taskNs = []
  const start = time.now
  const syncNs: number[] = []
  for (const edit of script) {
    await time.runUntil(start + edit.at)
    const before = process.hrtime.bigint()
    instance.edit(edit.state)
    syncNs.push(Number(process.hrtime.bigint() - before) - costs.callNs)
    // None of the calls queues promise work (checked in their sources); this only keeps the loop honest.
    await drain()
  }
  await time.runUntil(start + script.at(-1)!.at + SETTLE_MS)
  if (profiling) {
    const { profile } = await profiler.post('Profiler.stop')
    const file = `${profileDir}/${contender.name.replace(/\W+/g, '-')}-${++profiles}.cpuprofile`
    writeFileSync(file, JSON.stringify(profile))
  }
  const last = JSON.parse(JSON.stringify(script.at(-1)!.state)) as Json
  const result: RunResult = {
    writes: instance.storage.writes,
    records: instance.storage.records,
    bytes: count ? instance.storage.bytes() : 0,
    syncNs,
    deferredNs: time.deferredNs,
    taskNs: time.taskNs,
    endsOnLastState: jsonEqual((await instance.persisted()) as Json, last),
    copyNs: count && contender.copying ? instance.storage.copyNs() : undefined,
  }
  if (instance.network) {
    result.requests = instance.network.requests
    result.methods = instance.network.methods
    result.patchBytes = count ? instance.network.bytes() : 0
    result.fullPutBytes = count ? instance.network.fullPutBytes() : 0
    const lastSent = instance.network.requestsMade.at(-1)?.data
    result.endsOnLastState &&= lastSent !== undefined && jsonEqual(lastSent, last)
  }
  await instance.dispose()
  return result
}

/**
 * `--profile <dir>`: a CPU profile of each timed run of every contender but the baseline, from
 * its first edit to the end of its settle time (not its setup, nor the checks after), one
 * `.cpuprofile` file per run (open in Chrome DevTools). Profiling slows what it measures:
 * read the table of a profiled run for proportions only.
 */
const profileDir = process.argv[process.argv.indexOf('--profile') + 1]
const profiler = process.argv.includes('--profile') ? new Session() : undefined
let profiles = 0
if (profiler) {
  profiler.connect()
  await profiler.post('Profiler.enable')
  await profiler.post('Profiler.setSamplingInterval', { interval: 50 })
}

/** The least disturbed of the timed runs: other processes only ever add time. */
const best = (values: number[]) => Math.min(...values)
const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))]!
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0)

function fmtNs(ns: number) {
  return ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : ns >= 1e3 ? `${(ns / 1e3).toFixed(1)} µs` : `${Math.max(0, ns).toFixed(0)} ns`
}
const fmtBytes = (b: number) => (b >= 1e6 ? `${(b / 1e6).toFixed(2)} MB` : b >= 1e3 ? `${(b / 1e3).toFixed(1)} kB` : `${Math.round(b)} B`)
function ratio(value: number, base: number) {
  if (base === 0) return '—'
  const r = value / base
  return `${r >= 10 ? r.toFixed(0) : r >= 0.1 ? r.toFixed(2) : r.toPrecision(2)}×`
}
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')

/** `--script keystrokes|chat|mixed` (repeatable): the scripts to run; default keystrokes and chat. */
function scripts(initial: WizardState): Array<{ name: string; script: Edit[] }> {
  const all = {
    keystrokes: () => ({ name: '1,000 keystrokes at 10/s into data.musicDescription', script: keystrokeScript(initial, 1000, 100) }),
    chat: () => ({ name: '100 chat messages appended, one every 5 s', script: chatScript(initial, 100, 5000) }),
    mixed: () => ({ name: '1,000 mixed edits (typing, chat, steps, toggles, files)', script: editScript(initial, 1000) }),
  }
  const wanted = process.argv.flatMap((arg, i) => (process.argv[i - 1] === '--script' ? [arg] : []))
  return (wanted.length ? wanted : ['keystrokes', 'chat']).map((name) => all[name as keyof typeof all]())
}

async function main() {
  const runsArg = process.argv.indexOf('--runs')
  const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 5
  const messagesArg = process.argv.indexOf('--messages')
  const initial = initialState(messagesArg > 0 ? Number(process.argv[messagesArg + 1]) : 500)
  const stateBytes = Buffer.byteLength(JSON.stringify(initial))
  const costs = { drainNs: await measureDrainCost(), callNs: callOverheadNs() }
  console.log(`autosave-kit vs peers — node ${process.version}, ${process.platform}/${process.arch}`)
  console.log(`state: ${initial.chat.length} messages, ${fmtBytes(stateBytes)} of JSON at the start`)
  console.log(`load average at the start: ${load()} (other processes share these ${availableParallelism()} CPUs)`)
  console.log(
    `harness: one empty drain ${fmtNs(costs.drainNs)}, one timed empty call ${fmtNs(costs.callNs)} (both subtracted); ${runs} timed runs per contender after one warm-up; times are the best of them (the least disturbed by other processes)`,
  )
  const contenders = selected()
  let failed = false
  for (const { name, script } of scripts(initial)) failed = (await runScript(name, script, contenders, initial, runs, costs)) || failed
  console.log(`\nload average at the end: ${load()}`)
  console.log('\nSettings:')
  for (const contender of contenders) console.log(`- ${contender.name}: ${contender.settings}`)
  if (failed) process.exitCode = 1
}

async function runScript(
  title: string,
  script: Edit[],
  contenders: Contender[],
  initial: WizardState,
  runs: number,
  costs: { drainNs: number; callNs: number },
): Promise<boolean> {
  const edits = script.length
  const finalBytes = Buffer.byteLength(JSON.stringify(script.at(-1)!.state))
  console.log(
    `\n## ${title}: ${edits} edits over ${(script.at(-1)!.at / 60_000).toFixed(1)} virtual minutes, then ${SETTLE_MS / 1000} s idle; ${fmtBytes(finalBytes)} of JSON at the end`,
  )
  const results = new Map<string, RunResult[]>()
  const counted = new Map<string, RunResult>()
  for (const contender of contenders) {
    // Warm-up (JIT) and the counting run: byte sizes are computed after it, outside any timing.
    counted.set(contender.name, await runOnce(contender, initial, script, costs, true))
    results.set(contender.name, [])
  }
  for (let r = 0; r < runs; r++) {
    for (const contender of contenders) {
      if (!contender.timed) continue
      const result = await runOnce(contender, initial, script, costs, false)
      const first = counted.get(contender.name)!
      if (result.writes !== first.writes) console.warn(`${contender.name}: ${result.writes} writes in a timed run, ${first.writes} in the counting run`)
      results.get(contender.name)!.push(result)
    }
  }

  const summary = contenders.map((contender) => {
    const c = counted.get(contender.name)!
    const timedRuns = results.get(contender.name)!
    const sync = contender.timed ? best(timedRuns.map((r) => sum(r.syncNs) / edits)) : NaN
    const syncP99 = contender.timed ? best(timedRuns.map((r) => percentile(r.syncNs, 0.99))) : NaN
    const deferred = contender.timed ? best(timedRuns.map((r) => r.deferredNs / edits)) : NaN
    const taskP95 = contender.timed ? best(timedRuns.map((r) => (r.taskNs.length ? percentile(r.taskNs, 0.95) : 0))) : NaN
    const total = contender.timed ? best(timedRuns.map((r) => (sum(r.syncNs) + r.deferredNs) / edits)) : NaN
    return { contender, c, sync, syncP99, deferred, taskP95, total }
  })
  const base = summary.find((s) => s.contender.name === BASELINE)!
  const timedCell = (s: (typeof summary)[number], text: string) => (s.contender.timed ? text : '—')

  printTable(
    `${title} (baseline: ${BASELINE}, same run)`,
    [
      'contender',
      'local writes',
      'local bytes / edit',
      'main-thread CPU / edit',
      'call: mean (p99)',
      'deferred / edit (task p95)',
      'requests',
      'ends on last state',
    ],
    summary.map((s) => [
      s.contender.name,
      `${s.c.writes} (${ratio(s.c.writes, base.c.writes)})`,
      `${fmtBytes(s.c.bytes / edits)} (${ratio(s.c.bytes, base.c.bytes)})`,
      timedCell(s, `${fmtNs(s.total)} (${ratio(s.total, base.total)})`),
      timedCell(s, `${fmtNs(s.sync)} (${fmtNs(s.syncP99)})`),
      timedCell(s, `${fmtNs(s.deferred)} (${s.c.taskNs.length ? fmtNs(s.taskP95) : '—'})`),
      s.c.requests === undefined ? '—' : `${s.c.requests}: ${fmtBytes(s.c.patchBytes! / edits)}/edit sent, full PUT ${fmtBytes(s.c.fullPutBytes! / edits)}`,
      s.c.endsOnLastState ? 'yes' : 'NO',
    ]),
  )
  // What the environment alone charges the rows that store through the copying store: its copies,
  // and reading each answer. No engine could cost less on this script with these writes and requests.
  const readNs = await answerReadNs()
  for (const s of summary) {
    if (s.c.copyNs === undefined || !s.contender.timed) continue
    const floor = (s.c.copyNs + (s.c.requests ?? 0) * readNs) / edits
    console.log(
      `\nFloor of "${s.contender.name}": the store's copies ${fmtNs(s.c.copyNs / edits)}/edit + reading ${s.c.requests ?? 0} answers (${fmtNs(readNs)} each) ${fmtNs(((s.c.requests ?? 0) * readNs) / edits)}/edit = ${fmtNs(floor)}/edit (${ratio(floor, base.total)}); the engine's own work is the rest of its ${fmtNs(s.total)} (${fmtNs(s.total - floor)}/edit).`,
    )
  }
  const failed = summary.filter((s) => !s.c.endsOnLastState)
  if (failed.length) console.error(`\nDid not end with the last state persisted: ${failed.map((s) => s.contender.name).join(', ')}`)
  return failed.length > 0
}

await main()
