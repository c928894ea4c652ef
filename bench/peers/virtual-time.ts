/**
 * Virtual time for the peers bench, with every timer task timed on the real clock.
 *
 * A hand-rolled queue rather than sinon's clock because the bench must know when the next
 * timer is due (to stop exactly at the next scripted edit) and must time each timer task,
 * including the promise work it starts, on its own. autosave-kit gets it through its clock
 * seam (`environment.clock`); redux-persist, which has no seam, gets `setInterval` from it
 * through `installIntervals()` for the length of its run only.
 */
import type { Clock } from '../../src/index'

interface Timer {
  id: number
  at: number
  interval: number | undefined
  fn: () => void
}

/** Runs queued microtasks, process.nextTick callbacks and anything they chain, then returns. */
export const drain = () => new Promise<void>((resolve) => setImmediate(resolve))

export class VirtualTime {
  now: number
  private timers: Timer[] = []
  private ids = 0
  /** Wall-clock nanoseconds spent in timer tasks and the work they chained, harness cost removed. */
  deferredNs = 0
  /** Each timer task's time (with the promise work it chained). */
  taskNs: number[] = []

  /** Whether the work a task started has finished (store and network calls settled); set by the contender. */
  quiet: () => boolean = () => true

  /** @param drainCostNs what one empty `drain()` costs, subtracted from every task */
  constructor(
    start: number,
    private drainCostNs: number,
  ) {
    this.now = start
  }

  readonly clock: Clock = {
    now: () => this.now,
    setTimeout: (fn, ms) => this.add(fn, ms, undefined),
    clearTimeout: (handle) => this.remove(handle),
  }

  add(fn: () => void, ms: number, interval: number | undefined): number {
    const timer = { id: ++this.ids, at: this.now + Math.max(0, ms), interval, fn }
    this.timers.push(timer)
    return timer.id
  }

  remove(handle: unknown) {
    this.timers = this.timers.filter((t) => t.id !== handle)
  }

  get pendingTimers() {
    return this.timers.length
  }

  private next(): Timer | undefined {
    let first: Timer | undefined
    for (const t of this.timers) if (!first || t.at < first.at || (t.at === first.at && t.id < first.id)) first = t
    return first
  }

  /** Fires every timer due up to `until`, in order, timing each task until its work is done. */
  async runUntil(until: number) {
    for (let timer = this.next(); timer && timer.at <= until; timer = this.next()) {
      this.now = timer.at
      if (timer.interval === undefined) this.remove(timer.id)
      else timer.at += timer.interval
      const start = process.hrtime.bigint()
      timer.fn()
      let rounds = 0
      do {
        await drain()
        rounds++
      } while (!this.quiet() && rounds < 1000)
      const ns = Math.max(0, Number(process.hrtime.bigint() - start) - rounds * this.drainCostNs)
      this.deferredNs += ns
      this.taskNs.push(ns)
    }
    this.now = Math.max(this.now, until)
  }

  /**
   * Puts `setInterval`/`clearInterval` of this virtual time on `globalThis` until the returned
   * function is called. Only for redux-persist, which calls the globals and has no clock option.
   * Intervals are clamped to ≥ 1 ms, as Node and browsers do.
   */
  installIntervals(): () => void {
    const saved = { setInterval: globalThis.setInterval, clearInterval: globalThis.clearInterval }
    const g = globalThis as unknown as Record<string, unknown>
    g.setInterval = (fn: () => void, ms = 0) => this.add(fn, Math.max(1, ms), Math.max(1, ms))
    g.clearInterval = (handle: unknown) => this.remove(handle)
    return () => Object.assign(globalThis, saved)
  }
}

/** The median cost of one empty `drain()` on this machine, measured now. */
export async function measureDrainCost(samples = 2001): Promise<number> {
  const times: number[] = []
  for (let i = 0; i < samples; i++) {
    const start = process.hrtime.bigint()
    await drain()
    times.push(Number(process.hrtime.bigint() - start))
  }
  times.sort((a, b) => a - b)
  return times[Math.floor(samples / 2)]!
}
