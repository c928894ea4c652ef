/**
 * Runs one chaos schedule against real engines: two tabs (createAutosave on one device store, one
 * `localTabs()`), a fake clock, a fake online state, page lifecycles, and a server that
 * fails on command. Returns every broken promise it saw; an empty list is a pass.
 */
import FakeTimers from '@sinonjs/fake-timers'
import { createAutosave } from '../../src/engine/autosave'
import type { Clock } from '../../src/environment/clock'
import { PageLifecycle } from '../../src/environment/lifecycle'
import { OnlineManager } from '../../src/environment/online'
import { localTabs } from '../../src/environment/tabs'
import { AutosaveError, TransportError } from '../../src/errors'
import { IDBFactory } from 'fake-indexeddb'
import { indexedDBStore } from '../../src/stores/indexeddb'
import { memoryStore } from '../../src/stores/memory'
import { fetchTransport } from '../../src/transports/fetch'
import type { Autosave, AutosaveStore, Json } from '../../src/types'
import { pendingDraftKeys } from '../helpers'
import { BASE_URL, type ChaosBackend } from './backend'
import {
  checkFinal,
  checkHistory,
  Expectation,
  fileMeta,
  initialDocument,
  KEY,
  type AField,
  type BField,
  type Command,
  type Schedule,
  type TabName,
  type WizardJson,
} from './model'

export interface RunOptions {
  /** Builds the server for this run (default: the in-process one). */
  backend: (clock: Clock, latencyMs: number, initial: Json) => ChaosBackend
  /** The device's durable storage, shared by both tabs and across reloads (default: fake IndexedDB). */
  device?: Device
  /** Log each command as it runs (for replaying a failing seed). */
  trace?: (line: string) => void
}

export interface RunResult {
  violations: string[]
  stats: { writesApplied: number; remoteWrites: number; reloads: number; faults: number; crossTabOverlaps: number; fakeMs: number }
}

/** Makes one device's storage; each call of the result is one page's connection to it. */
export type Device = () => () => AutosaveStore

/** A fresh fake IndexedDB per schedule; every page (tab, reload) opens its own connection to it. */
export const fakeIndexedDBDevice: Device = () => {
  const indexedDB = new IDBFactory()
  return () => indexedDBStore({ indexedDB, localStorage: null })
}

/** One memoryStore per schedule, shared by every page: faster, and the same engine paths. */
export const memoryDevice: Device = () => {
  const store = memoryStore()
  return () => store
}

interface Tab {
  readonly name: TabName
  /** The page is gone: store writes it starts from now on never commit. */
  kill(): void
  saver: Autosave<WizardJson>
  lifecycle: PageLifecycle
  ready: boolean
  generation: number
  inFlight: { now: number; max: number }
}

const START = Date.UTC(2026, 10, 25)

export async function runSchedule(schedule: Schedule, options: RunOptions): Promise<RunResult> {
  const { config, commands } = schedule
  const violations: string[] = []
  const trace = options.trace ?? (() => {})
  const unhandled: unknown[] = []
  const onUnhandled = (reason: unknown) => unhandled.push(reason)
  process.on('unhandledRejection', onUnhandled)

  const clock = FakeTimers.createClock(START)
  const engineClock: Clock = { now: () => clock.now, setTimeout: clock.setTimeout, clearTimeout: clock.clearTimeout }
  const online = new OnlineManager(() => {})
  const tabs = localTabs()
  const connect = (options.device ?? fakeIndexedDBDevice)()
  const backend = options.backend(engineClock, config.latencyMs, initialDocument() as unknown as Json)
  const expected = new Expectation()
  const counters = { music: 0, step: 0, audio: 0, image: 0, styles: 0, remote: 0 }
  const stats = { writesApplied: 0, remoteWrites: 0, reloads: 0, faults: 0, crossTabOverlaps: 0, fakeMs: 0 }
  let ids = 0
  const randomId = () => `id-${++ids}`
  let clientWritesInFlight = 0

  function countingFetch(counter: Tab['inFlight'], label: string): typeof globalThis.fetch {
    return async (input, init) => {
      const write = (init?.method ?? 'GET') !== 'GET'
      counter.now++
      counter.max = Math.max(counter.max, counter.now)
      if (write && ++clientWritesInFlight > 1) stats.crossTabOverlaps++
      const headers = new Headers(init?.headers)
      const request = `${label}: ${init?.method ?? 'GET'} ${String(input).slice(BASE_URL.length)}${init?.keepalive ? ' keepalive' : ''} if-match ${headers.get('If-Match')} key ${headers.get('Idempotency-Key')} (t=${clock.now - START})${typeof init?.body === 'string' && init.body.length < 400 ? ` ${init.body}` : ''}`
      try {
        const response = await backend.fetch(input, init)
        trace(`  ${request} → ${response.status}`)
        return response
      } catch (error) {
        trace(`  ${request} → ${String(error)}`)
        throw error
      } finally {
        counter.now--
        if (write) clientWritesInFlight--
      }
    }
  }

  function open(name: TabName, generation: number): Tab {
    const lifecycle = new PageLifecycle(() => {})
    const inFlight = { now: 0, max: 0 }
    const label = `tab ${name}#${generation}`
    let killed = false
    const connection = connect()
    const store: AutosaveStore = {
      ...connection,
      get: (key) => connection.get(key),
      keys: () => connection.keys(),
      clear: () => connection.clear(),
      setMany: async (entries) => (killed ? trace(`  ${label}: lost write of ${entries.map(([k]) => k).join(', ')}`) : connection.setMany(entries)),
      delMany: async (keys) => (killed ? trace(`  ${label}: lost delete of ${keys.join(', ')}`) : connection.delMany(keys)),
      writeNow: connection.writeNow && ((entries) => !killed && connection.writeNow!(entries)),
      onError: connection.onError && ((listener) => connection.onError!(listener)),
      isDurable: connection.isDurable && (() => connection.isDurable!()),
    }
    const saver = createAutosave<WizardJson>({
      key: KEY,
      transport: fetchTransport({ baseUrl: BASE_URL, fetch: countingFetch(inFlight, label), clock: engineClock, timeoutMs: config.timeoutMs }),
      store,
      debounceMs: config.debounceMs,
      maxWaitMs: config.maxWaitMs,
      localDelayMs: config.localDelayMs,
      retry: { retries: config.retries, minTimeout: config.minTimeout, maxTimeout: config.minTimeout * 16, randomize: false },
      environment: { clock: engineClock, online, lifecycle, tabs, randomId },
    })
    saver.on('saved', (event) => trace(`  ${label}: saved v${event.version} (t=${clock.now - START})`))
    saver.on('retry', (event) => trace(`  ${label}: retry ${(event.error as AutosaveError).code} (t=${clock.now - START})`))
    saver.on('conflict', () => trace(`  ${label}: conflict (t=${clock.now - START})`))
    saver.on('remote-change', (event) =>
      trace(`  ${label}: remote-change from ${event.source} v${event.version}: ${JSON.stringify((event.state as WizardJson).data)} (t=${clock.now - START})`),
    )
    saver.on('error', (error) => trace(`  ${label}: error ${error.code} ${error.message} (t=${clock.now - START})`))
    let lastSaved = 0
    saver.on('saved', (event) => {
      if (event.version <= lastSaved) violations.push(`${label}: 'saved' reported v${event.version} after v${lastSaved}: versions must only grow`)
      lastSaved = event.version
    })
    let lastVersion: number | null = null
    saver.on('status', (status) => {
      if (status.version !== null && lastVersion !== null && status.version < lastVersion)
        violations.push(`${label}: status.version went back from ${lastVersion} to ${status.version}`)
      if (status.version !== null) lastVersion = status.version
    })
    saver.on('error', (error) => {
      const bad =
        !(error instanceof AutosaveError) ||
        error.code === 'UNEXPECTED' ||
        (error instanceof TransportError && error.code === 'TRANSPORT_HTTP' && !error.retryable) ||
        error.code === 'TRANSPORT_RESPONSE' ||
        error.code.startsWith('SERIALIZATION') ||
        error.code.startsWith('STORAGE')
      if (bad) violations.push(`${label}: unexpected error ${(error as AutosaveError).code}: ${error.message}`)
    })
    return { name, saver, lifecycle, ready: false, generation, inFlight, kill: () => (killed = true) }
  }

  /** Waits for `promise` while fake time passes (requests and retries run on the fake clock). */
  async function drive<T>(promise: Promise<T>, what: string, limitMs = 30 * 60_000): Promise<T> {
    let settled = false
    promise.then(
      () => (settled = true),
      () => (settled = true),
    )
    for (let i = 0, spent = 0; !settled; i++) {
      if (spent > limitMs) throw new Error(`${what} did not settle within ${limitMs} ms of fake time`)
      const step = i < 5 ? 0 : 50
      await clock.tickAsync(step)
      spent += step
    }
    return promise
  }

  async function ensureReady(tab: Tab) {
    if (tab.ready) return
    try {
      const restored = await drive(tab.saver.restore(), `restore() of tab ${tab.name}`)
      tab.ready = restored !== undefined
    } catch (error) {
      violations.push(`tab ${tab.name}: restore() rejected: ${String(error)}`)
    }
  }

  const live = new Map<TabName, Tab>()
  const generations = { A: 0, B: 0 }
  async function openTab(name: TabName) {
    const tab = open(name, ++generations[name])
    live.set(name, tab)
    await ensureReady(tab)
  }

  function editA(tab: Tab, field: AField) {
    const saver = tab.saver
    switch (field) {
      case 'music': {
        const value = `m${++counters.music}`
        saver.save((prev) => ({ ...prev!, data: { ...prev!.data, musicDescription: value } }))
        expected.music = value
        break
      }
      case 'step': {
        const value = `s${++counters.step}`
        saver.save((prev) => ({ ...prev!, currentStep: value }))
        expected.step = value
        break
      }
      case 'chat': {
        const n = ++expected.chat.A
        saver.save((prev) => ({ ...prev!, chat: [...prev!.chat, { id: `A-${n}`, role: 'user', content: `typed on A ${n}`, timestamp: n }] }))
        break
      }
      case 'audio': {
        const n = ++counters.audio
        const file = new File([`audio ${n}`], `a${n}.mp3`, { type: 'audio/mpeg', lastModified: n })
        saver.save((prev) => ({ ...prev!, data: { ...prev!.data, uploadedAudio: file as unknown as Json } }))
        expected.audio = fileMeta(file.name, file.size, file.type, n)
        break
      }
      case 'image': {
        const n = ++counters.image
        const file = new File([`image ${n}`], `i${n}.png`, { type: 'image/png', lastModified: n })
        saver.save((prev) => ({ ...prev!, data: { ...prev!.data, referenceImages: [...prev!.data.referenceImages, file as unknown as Json] } }))
        expected.images = [...expected.images, fileMeta(file.name, file.size, file.type, n)]
        break
      }
    }
  }

  function editB(tab: Tab, field: BField) {
    if (field === 'styles') {
      const value = `v${++counters.styles}`
      tab.saver.save((prev) => ({ ...prev!, data: { ...prev!.data, videoStyles: [value, 'retro'] } }))
      expected.styles = [value, 'retro']
    } else {
      const n = ++expected.chat.B
      tab.saver.save((prev) => ({ ...prev!, chat: [...prev!.chat, { id: `B-${n}`, role: 'assistant', content: `from B ${n}`, timestamp: n }] }))
    }
  }

  /** Another device's edit, applied to whatever the server holds when it lands. */
  function remoteChange(chat: boolean) {
    return (current: Json): Json => {
      const doc = structuredClone(current) as unknown as WizardJson
      const value = `r${++counters.remote}`
      doc.data.videoDescription = value
      expected.videoDescription = value
      if (chat) {
        const n = ++expected.chat.R
        doc.chat.push({ id: `R-${n}`, role: 'user', content: `from the phone ${n}`, timestamp: n })
      }
      stats.remoteWrites++
      return doc as unknown as Json
    }
  }

  async function run(command: Command) {
    switch (command.t) {
      case 'edit': {
        const tab = live.get(command.tab)
        if (!tab) return
        await ensureReady(tab)
        if (!tab.ready) return trace('  (skipped: the tab has nothing restored yet)')
        if (command.tab === 'A') editA(tab, command.field as AField)
        else editB(tab, command.field as BField)
        break
      }
      case 'advance':
        await clock.tickAsync(command.ms)
        break
      case 'flush':
        live
          .get(command.tab)
          ?.saver.flush()
          .catch(() => {})
        break
      case 'online':
        online.setOnline(command.online)
        backend.setNetwork(command.online)
        break
      case 'fault':
        stats.faults += command.count
        backend.fail(command.fault, command.count)
        break
      case 'remote':
        backend.remoteWrite(remoteChange(command.chat), command.when)
        break
      case 'reload': {
        const tab = live.get(command.tab)
        if (!tab) return
        stats.reloads++
        if (command.pagehide) {
          tab.lifecycle.emit('pagehide')
          // The page lives until the event handlers return and the keepalive request is out.
          await clock.tickAsync(0)
        }
        await drive(tab.saver.dispose(), `dispose() of tab ${tab.name}`)
        // What dispose() promised is in the store; what the engine starts after it never lands.
        if (command.crash) tab.kill()
        await openTab(command.tab)
        break
      }
      case 'hidden':
        live.get(command.tab)?.lifecycle.emit('hidden')
        break
      case 'clock-jump':
        clock.setSystemTime(clock.now + command.ms)
        break
    }
    await clock.tickAsync(0)
  }

  try {
    await openTab('A')
    if (config.secondTab) await openTab('B')
    for (const [i, command] of commands.entries()) {
      trace(`${i}: ${JSON.stringify(command)}`)
      await run(command)
    }

    // --- the network heals; everything must arrive ---------------------------------------
    trace('heal')
    // A request already on the wire took its fault before the heal; if it was the last retry,
    // the save fails with that fault and so does a flush() waiting on it. The save is still
    // pending and the next flush() sends it: only that first rejection is tolerated.
    const onTheWire = new Set([...live.values()].filter((tab) => tab.inFlight.now > 0).map((tab) => tab.name))
    online.setOnline(true)
    backend.heal()
    for (const tab of live.values()) await ensureReady(tab)
    for (let round = 0; round < 2; round++) {
      const outcomes = await drive(Promise.allSettled([...live.values()].map((tab) => tab.saver.flush())), 'flush() after the network healed')
      for (const [i, outcome] of outcomes.entries()) {
        if (outcome.status === 'fulfilled') continue
        const name = [...live.keys()][i]!
        const reason = outcome.reason as AutosaveError
        const staleFault = round === 0 && onTheWire.has(name) && reason instanceof TransportError && reason.retryable
        if (staleFault) trace(`  flush() of tab ${name} rejected by the fault of a request sent before the heal (${reason.code}): tolerated once`)
        else violations.push(`flush() of tab ${name} rejected after the network healed: ${reason?.code} ${String(reason)}`)
      }
      await drive(backend.settled(), 'keepalive requests')
      for (let i = 0; i < 3; i++) await clock.tickAsync(0)
    }

    for (const tab of live.values()) {
      if (!tab.ready) violations.push(`tab ${tab.name}: restore() still has nothing after the network healed`)
      const status = tab.saver.getStatus()
      if (status.pending) violations.push(`tab ${tab.name}: still pending after flush() resolved (phase ${status.phase})`)
      if (tab.inFlight.max > 1) violations.push(`tab ${tab.name}#${tab.generation}: ${tab.inFlight.max} requests in flight at once`)
    }

    violations.push(...checkFinal(backend.document()?.data, expected))
    const applied = await backend.applied()
    for (const write of applied)
      trace(`  server v${write.version} by ${write.by}${write.idempotencyKey ? ` (key ${write.idempotencyKey})` : ''}: ${JSON.stringify(write.data)}`)
    stats.writesApplied = applied.filter((w) => w.by === 'client').length
    violations.push(...checkHistory(applied, backend.firstVersion))

    const stored = connect()
    const leftovers = [...(await pendingDraftKeys(stored)), ...(await stored.keys()).filter((k) => k.startsWith('quarantine:'))]
    if (leftovers.length) violations.push(`the store still holds ${leftovers.join(', ')} after flush() resolved`)

    await drive(Promise.all([...live.values()].map((tab) => tab.saver.dispose())), 'dispose()')
    if (clock.countTimers() > 0) violations.push(`${clock.countTimers()} timers still armed after every instance was disposed`)
  } catch (error) {
    violations.push(`the run crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
  } finally {
    // Unhandled rejections are reported after the microtask queue drains.
    await new Promise((resolve) => setImmediate(resolve))
    process.off('unhandledRejection', onUnhandled)
    backend.close?.()
  }
  for (const reason of unhandled) violations.push(`unhandled rejection: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`)
  stats.fakeMs = clock.now - START
  return { violations, stats }
}
