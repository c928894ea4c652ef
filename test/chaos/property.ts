/**
 * The chaos property, shared by the vitest suite and `npm run chaos`: for every generated
 * schedule, runSchedule finds no broken promise.
 */
import fc from 'fast-check'
import { inProcessBackend } from './backend'
import { scheduleArbitrary, type Command, type Schedule } from './model'
import { runSchedule, type RunOptions, type RunResult } from './world'

export const inProcess: RunOptions['backend'] = (clock, latencyMs, initial) => inProcessBackend(clock, { latencyMs, initial })

export interface ChaosTotals {
  runs: number
  commands: number
  writesApplied: number
  remoteWrites: number
  reloads: number
  faults: number
  crossTabOverlaps: number
}

export function chaosProperty(options: Partial<RunOptions> & { maxCommands?: number; without?: Command['t'][]; totals?: ChaosTotals } = {}) {
  return fc.asyncProperty(scheduleArbitrary(options.maxCommands, options.without), async (schedule: Schedule) => {
    const result: RunResult = await runSchedule(schedule, { backend: options.backend ?? inProcess, device: options.device, trace: options.trace })
    const totals = options.totals
    if (totals) {
      totals.runs++
      totals.commands += schedule.commands.length
      totals.writesApplied += result.stats.writesApplied
      totals.remoteWrites += result.stats.remoteWrites
      totals.reloads += result.stats.reloads
      totals.faults += result.stats.faults
      totals.crossTabOverlaps += result.stats.crossTabOverlaps
    }
    if (result.violations.length) throw new Error(`broken promises:\n- ${result.violations.join('\n- ')}`)
  })
}

export const emptyTotals = (): ChaosTotals => ({ runs: 0, commands: 0, writesApplied: 0, remoteWrites: 0, reloads: 0, faults: 0, crossTabOverlaps: 0 })
