/**
 * The chaos suite in CI: a fresh seed on every run (printed; `CHAOS_SEED=<seed>` repeats it),
 * so CI keeps exploring instead of replaying the same schedules forever, plus every schedule
 * that once failed (known-bad.ts). A red build prints the replay command. Every page (tab,
 * reload) opens its own connection to one fake IndexedDB per schedule. `npm run chaos`
 * explores further; see docs/reliability.md.
 */
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { knownBad } from './known-bad'
import { chaosProperty, emptyTotals, inProcess } from './property'
import { fakeIndexedDBDevice, memoryDevice, runSchedule } from './world'

const SEED = process.env.CHAOS_SEED !== undefined ? Number(process.env.CHAOS_SEED) : (Date.now() ^ Math.floor(Math.random() * 0x7fffffff)) | 0
const RUNS = Number(process.env.CHAOS_RUNS ?? 2000)

describe('chaos: random schedules of edits, faults, reloads and a second tab', () => {
  // runSchedule collects rejections per schedule; this catches any that surface between
  // schedules or after one ended (a promise nobody awaited, settling late).
  const unhandled: unknown[] = []
  const collect = (reason: unknown) => unhandled.push(reason)
  beforeAll(() => {
    process.on('unhandledRejection', collect)
    console.log(`chaos: seed ${SEED}, ${RUNS} schedules (repeat with CHAOS_SEED=${SEED} npm test, or npm run chaos -- --runs ${RUNS} --seed ${SEED})`)
  })
  afterAll(() => {
    process.off('unhandledRejection', collect)
  })

  it.each(knownBad.map((entry, i) => [i + 1, entry] as const))('known-bad schedule %i holds on both stores', async (_, { found, schedule }) => {
    for (const device of [fakeIndexedDBDevice, memoryDevice]) {
      const { violations } = await runSchedule(schedule, { backend: inProcess, device })
      expect(violations, `found by ${found}`).toEqual([])
    }
  })

  it(`${RUNS} schedules on a fresh seed (${SEED}): after the network heals and flush() resolves, the server holds the promised merge`, async () => {
    const totals = emptyTotals()
    const outcome = await fc.check(chaosProperty({ totals }), { numRuns: RUNS, seed: SEED, endOnFailure: true })
    const replay = `npm run chaos -- --runs 1 --seed ${outcome.seed} --path "${outcome.counterexamplePath}" --trace`
    expect(outcome.failed, outcome.failed ? `${String(outcome.errorInstance)}\nreplay: ${replay}` : '').toBe(false)
    expect(outcome.numRuns).toBe(RUNS)
    // The schedules really exercised the machinery (a generator bug would make these 0, and
    // fast-check's default size would keep every schedule under a dozen commands).
    expect(totals.commands / RUNS).toBeGreaterThan(12)
    expect(totals.writesApplied).toBeGreaterThan(RUNS / 2)
    expect(totals.remoteWrites).toBeGreaterThan(RUNS / 10)
    expect(totals.reloads).toBeGreaterThan(RUNS / 20)
    expect(totals.faults).toBeGreaterThan(RUNS / 2)
    expect(unhandled).toEqual([])
  }, 300_000)

  it('no unhandled rejection escaped any schedule', async () => {
    await new Promise((resolve) => setImmediate(resolve))
    expect(unhandled).toEqual([])
  })
})
