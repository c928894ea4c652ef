import type { Clock } from '../environment/clock'

/**
 * A trailing debounce with a ceiling, on the injected clock. `touch()` is the hot path of
 * every `save()`, so it never clears or re-creates a timer: one timer stays armed and, when
 * it fires early (because saves kept coming), re-arms itself for the remaining time.
 */
export interface Schedule {
  /** A save happened now. */
  touch(): void
  cancel(): void
  readonly armed: boolean
}

export function createSchedule(clock: Clock, debounceMs: number, maxWaitMs: number, fire: () => void): Schedule {
  let handle: unknown
  let firstAt = 0
  let lastAt = 0

  function due() {
    return Math.min(lastAt + debounceMs, firstAt + Math.max(maxWaitMs, debounceMs))
  }

  function check() {
    handle = undefined
    const now = clock.now()
    // The wall clock went back (NTP, resume, a manual change): the stamps lie in the future and
    // would hold the save for the size of the jump. Start the window again from now.
    if (now < lastAt) firstAt = lastAt = now
    // Never longer than one debounce per re-arm, whatever the clock did.
    const wait = Math.min(due() - now, debounceMs)
    if (wait > 0) {
      handle = clock.setTimeout(check, wait)
      return
    }
    fire()
  }

  return {
    touch() {
      const now = clock.now()
      // A clock that went back mid-burst would push the maxWaitMs ceiling out by the jump.
      if (handle === undefined || now < lastAt) firstAt = now
      lastAt = now
      if (handle === undefined) handle = clock.setTimeout(check, debounceMs)
    },
    cancel() {
      if (handle !== undefined) clock.clearTimeout(handle)
      handle = undefined
    },
    get armed() {
      return handle !== undefined
    },
  }
}
