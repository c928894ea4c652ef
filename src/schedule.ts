import type { Clock } from './environment/clock'

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
    const wait = due() - clock.now()
    if (wait > 0) {
      handle = clock.setTimeout(check, wait)
      return
    }
    fire()
  }

  return {
    touch() {
      lastAt = clock.now()
      if (handle === undefined) {
        firstAt = lastAt
        handle = clock.setTimeout(check, debounceMs)
      }
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
