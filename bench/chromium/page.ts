/**
 * The in-page half of `npm run bench:chromium` (bundled by esbuild): runs one contender over
 * one edit script in Chromium, on real IndexedDB (autosave-kit) or real localStorage (zustand
 * persist), with autosave-kit's timers on a virtual clock so a 100-second script takes a few
 * seconds. Main-thread time is read outside, from the DevTools protocol (TaskDuration).
 */
import { createJSONStorage, persist } from 'zustand/middleware'
import { createStore } from 'zustand/vanilla'
import {
  createAutosave,
  fetchTransport,
  indexedDBStore,
  localTabs,
  OnlineManager,
  PageLifecycle,
  type AutosaveStore,
  type Clock,
  type Transport,
} from '../../src/index'
import { chatScript, initialState, keystrokeScript, type Edit, type WizardState } from '../peers/edit-script'

interface Timer {
  id: number
  at: number
  fn: () => void
}

/** A yield to the event loop without setTimeout's 4 ms clamp. */
const macrotask = () =>
  new Promise<void>((resolve) => {
    const channel = new MessageChannel()
    channel.port1.onmessage = () => resolve()
    channel.port2.postMessage(null)
  })

class VirtualTime {
  now = Date.UTC(2026, 10, 25, 9)
  private timers: Timer[] = []
  private ids = 0
  /** Store and network work not yet settled, awaited (never polled) after each task. */
  readonly pending = new Set<Promise<unknown>>()
  readonly clock: Clock = {
    now: () => this.now,
    setTimeout: (fn, ms) => {
      const timer = { id: ++this.ids, at: this.now + Math.max(0, ms), fn }
      this.timers.push(timer)
      return timer.id
    },
    clearTimeout: (handle) => {
      this.timers = this.timers.filter((t) => t.id !== handle)
    },
  }

  track<T>(work: Promise<T>): Promise<T> {
    this.pending.add(work)
    void work.finally(() => this.pending.delete(work)).catch(() => {})
    return work
  }

  async settle() {
    for (let round = 0; round < 1000; round++) {
      await macrotask()
      if (this.pending.size === 0) return
      await Promise.allSettled([...this.pending])
    }
  }

  async runUntil(until: number) {
    for (;;) {
      let first: Timer | undefined
      for (const t of this.timers) if (!first || t.at < first.at || (t.at === first.at && t.id < first.id)) first = t
      if (!first || first.at > until) break
      this.now = first.at
      this.timers = this.timers.filter((t) => t !== first)
      first.fn()
      await this.settle()
    }
    this.now = Math.max(this.now, until)
  }
}

interface Meter {
  writes: number
  bytes: number
}

const utf8 = new TextEncoder()
const size = (value: unknown) => utf8.encode(typeof value === 'string' ? value : JSON.stringify(value)).byteLength

interface Instance {
  edit(state: WizardState): void
  /** Counting starts here: the warm start is done. */
  reset(): void
  meter: Meter
  requests: () => number
  dispose(): Promise<void>
}

type ContenderName = 'harness' | 'autosave-kit' | 'zustand persist'

async function open(name: ContenderName, initial: WizardState, time: VirtualTime, runId: string): Promise<Instance> {
  const meter: Meter = { writes: 0, bytes: 0 }
  let counting = false
  if (name === 'harness') {
    return { edit: () => {}, reset: () => {}, meter, requests: () => 0, dispose: async () => {} }
  }
  if (name === 'zustand persist') {
    const storage = {
      getItem: (key: string) => localStorage.getItem(key),
      setItem(key: string, value: string) {
        if (counting) {
          meter.writes++
          meter.bytes += size(value)
        }
        localStorage.setItem(key, value)
      },
      removeItem: (key: string) => localStorage.removeItem(key),
    }
    const store = createStore<WizardState>()(persist(() => initial, { name: `zustand:${runId}`, storage: createJSONStorage(() => storage) }))
    await macrotask()
    return {
      edit: (state) => store.setState(state),
      reset: () => (counting = true),
      meter,
      requests: () => 0,
      dispose: async () => localStorage.removeItem(`zustand:${runId}`),
    }
  }
  const inner = indexedDBStore({ namespace: runId })
  // What is handed to IndexedDB, kept and sized after the run: sizing now would add main-thread time.
  const values: unknown[] = []
  const store: AutosaveStore = {
    ...inner,
    get: (key) => time.track(inner.get(key)),
    keys: () => time.track(inner.keys()),
    setMany(entries) {
      if (counting) {
        meter.writes++
        for (const [, value] of entries) values.push(value)
      }
      return time.track(inner.setMany(entries))
    },
    delMany(keys) {
      if (counting) meter.writes++
      return time.track(inner.delMany(keys))
    },
  }
  let requests = 0
  let version = 0
  const fakeFetch: typeof fetch = async () => {
    if (counting) requests++
    return new Response(JSON.stringify({ version: ++version, updatedAt: new Date(0).toISOString() }), {
      status: 200,
      headers: { 'Content-Type': 'application/json' },
    })
  }
  const http = fetchTransport({ baseUrl: 'http://bench.local/api/storage/projects', fetch: fakeFetch, clock: time.clock })
  const transport: Transport = { load: http.load, write: (request) => time.track(http.write(request)) }
  let ids = 0
  const saver = createAutosave<WizardState>({
    key: 'project:42',
    transport,
    store,
    environment: {
      clock: time.clock,
      online: new OnlineManager(() => {}),
      lifecycle: new PageLifecycle(() => {}),
      tabs: localTabs(),
      randomId: () => `id-${++ids}`,
    },
  })
  saver.save(initial)
  const flushed = saver.flush()
  await time.runUntil(time.now + 60_000)
  await flushed
  return {
    edit: (state) => saver.save(state),
    reset: () => (counting = true),
    get meter() {
      return { writes: meter.writes, bytes: values.reduce<number>((sum, value) => sum + size(value), 0) }
    },
    requests: () => requests,
    dispose: () => saver.dispose(),
  }
}

let prepared: { instance: Instance; time: VirtualTime; script: Edit[] } | undefined

/** Builds the state and script and opens the contender (warm start): not measured. */
async function prepare(name: ContenderName, scriptName: 'keystrokes' | 'chat', messages: number, runId: string) {
  const initial = initialState(messages)
  const script = scriptName === 'keystrokes' ? keystrokeScript(initial, 1000, 100) : chatScript(initial, 100, 5000)
  const time = new VirtualTime()
  const instance = await open(name, initial, time, runId)
  instance.reset()
  prepared = { instance, time, script }
  return script.length
}

/** The measured part: every edit at its virtual time, then a minute for timers to finish. */
async function run() {
  const { instance, time, script } = prepared!
  const start = time.now
  let callMs = 0
  for (const edit of script) {
    await time.runUntil(start + edit.at)
    const before = performance.now()
    instance.edit(edit.state)
    callMs += performance.now() - before
    await time.settle()
  }
  await time.runUntil(start + script.at(-1)!.at + 60_000)
  return { callMs }
}

async function finish() {
  const { instance } = prepared!
  const result = { writes: instance.meter.writes, bytes: instance.meter.bytes, requests: instance.requests() }
  await instance.dispose()
  prepared = undefined
  return result
}

Object.assign(globalThis, { bench: { prepare, run, finish } })
