/**
 * `npm run chaos -- --runs 10000` runs the chaos property outside vitest and prints how many
 * schedules ran, with which seed. A failure prints the seed, the path and the shrunk
 * schedule; `npm run chaos -- --seed <seed> --path <path> --trace` replays exactly that one.
 *
 * Options: --runs N (default 1000), --seed S, --path P, --max-commands N (default 40),
 * --store indexeddb|memory (the device's storage; default indexeddb, i.e. fake-indexeddb),
 * --without reload,hidden (leave these command kinds out), --trace (log each command of
 * the failing schedule, the requests, the engines' events and the versions the server held).
 */
import fc from 'fast-check'
import { fakeIndexedDBDevice, memoryDevice, runSchedule } from '../test/chaos/world'
import { chaosProperty, emptyTotals, inProcess } from '../test/chaos/property'
import type { Command, Schedule } from '../test/chaos/model'

function arg(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`)
  if (at === -1) return undefined
  return process.argv[at + 1]
}

const runs = Number(arg('runs') ?? 1000)
const seed = arg('seed') !== undefined ? Number(arg('seed')) : (Date.now() ^ Math.floor(Math.random() * 0x7fffffff)) | 0
const path = arg('path')
const maxCommands = Number(arg('max-commands') ?? 40)
const traceWanted = process.argv.includes('--trace')
const without = (arg('without') ?? '').split(',').filter(Boolean) as Command['t'][]
const storeName = arg('store') ?? 'indexeddb'
const devices = { indexeddb: fakeIndexedDBDevice, memory: memoryDevice }
if (!(storeName in devices)) throw new Error(`--store must be indexeddb or memory, got ${storeName}`)
const device = devices[storeName as keyof typeof devices]

if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, got ${arg('runs')}`)
console.log(
  `chaos: ${runs} schedules, seed ${seed}${path ? `, path ${path}` : ''}, up to ${maxCommands} commands each, ${storeName} store${without.length ? `, without ${without.join(',')}` : ''}`,
)

const totals = emptyTotals()
const started = performance.now()
let lastReport = started
const property = chaosProperty({ maxCommands, totals, without, device })
property.afterEach(() => {
  const now = performance.now()
  if (now - lastReport > 10_000) {
    lastReport = now
    console.log(`  … ${totals.runs} schedules in ${((now - started) / 1000).toFixed(0)} s`)
  }
})
const outcome = await fc.check(property, { numRuns: runs, seed, path, endOnFailure: false })
const seconds = (performance.now() - started) / 1000

if (!outcome.failed) {
  console.log(
    `chaos: ${outcome.numRuns} schedules passed in ${seconds.toFixed(1)} s (seed ${seed}) — ` +
      `${(totals.commands / totals.runs).toFixed(1)} commands on average, ${totals.writesApplied} client writes applied, ${totals.remoteWrites} writes from another device, ` +
      `${totals.reloads} reloads, ${totals.faults} injected faults`,
  )
  process.exit(0)
}

const schedule = outcome.counterexample?.[0] as Schedule | undefined
console.error(`\nchaos: FAILED after ${outcome.numRuns} schedules (${outcome.numShrinks} shrinks) in ${seconds.toFixed(1)} s`)
console.error(
  `replay: npm run chaos -- --runs 1 --seed ${outcome.seed} --path "${outcome.counterexamplePath}" --store ${storeName} --max-commands ${maxCommands}${without.length ? ` --without ${without.join(',')}` : ''} --trace`,
)
console.error(`\nshrunk schedule:\n${JSON.stringify(schedule, null, 2)}`)
console.error(`\n${outcome.errorInstance instanceof Error ? outcome.errorInstance.message : String(outcome.errorInstance)}`)
if (traceWanted && schedule) {
  console.error('\ntrace:')
  await runSchedule(schedule, { backend: inProcess, device, trace: (line) => console.error(`  ${line}`) })
}
process.exit(1)
