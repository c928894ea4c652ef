import FakeTimers from '@sinonjs/fake-timers'
import { describe, expect, it } from 'vitest'
import { createSchedule } from '../../src/engine/schedule'

function setup(debounceMs = 3000, maxWaitMs = 10_000) {
  const fake = FakeTimers.createClock(Date.UTC(2026, 10, 25))
  const clock = { now: () => fake.now, setTimeout: fake.setTimeout, clearTimeout: fake.clearTimeout }
  let fired = 0
  const schedule = createSchedule(clock, debounceMs, maxWaitMs, () => fired++)
  return { fake, schedule, fired: () => fired }
}

describe('the save schedule', () => {
  it('fires debounceMs after the last touch, and no later than maxWaitMs into a burst', () => {
    const { fake, schedule, fired } = setup()
    schedule.touch()
    fake.tick(2999)
    expect(fired()).toBe(0)
    fake.tick(1)
    expect(fired()).toBe(1)
    for (let t = 0; t < 12_000; t += 1000) {
      schedule.touch()
      fake.tick(1000)
    }
    expect(fired()).toBe(2) // the burst hit the 10 s ceiling once
  })

  it('a wall clock stepping back an hour does not hold the save for an hour', () => {
    const { fake, schedule, fired } = setup()
    schedule.touch()
    fake.tick(1000)
    fake.setSystemTime(fake.now - 3_600_000) // NTP correction, VM or laptop resume: Date.now() jumps back
    fake.tick(10_000) // well past debounceMs and maxWaitMs of real time
    expect(fired()).toBe(1)
  })

  it('a wall clock stepping back during a burst of edits still saves within maxWaitMs', () => {
    const { fake, schedule, fired } = setup()
    schedule.touch()
    fake.tick(1000)
    fake.setSystemTime(fake.now - 3_600_000)
    // Typing goes on, one edit a second: only the ceiling can fire.
    for (let t = 0; t < 12_000; t += 1000) {
      schedule.touch()
      fake.tick(1000)
    }
    expect(fired()).toBeGreaterThanOrEqual(1)
  })
})
