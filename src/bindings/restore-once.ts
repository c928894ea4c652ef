import type { Autosave } from 'autosave-kit'

// One restore per engine, however many components use it: a later one reads the engine's
// current state, which is newer than anything a second restore could find.
const restores = new WeakMap<object, Promise<{ found: unknown; error: unknown }>>()

/** `saver.restore()` the first time, the same answer after; never rejects (the error is in `error`). */
export function restoreOnce<State>(saver: Autosave<State>): Promise<{ found: State | undefined; error: unknown }> {
  let restoring = restores.get(saver)
  if (!restoring) {
    restoring = saver.restore().then(
      (found) => ({ found, error: undefined }),
      (error: unknown) => ({ found: undefined, error }),
    )
    restores.set(saver, restoring)
  }
  return restoring as Promise<{ found: State | undefined; error: unknown }>
}
