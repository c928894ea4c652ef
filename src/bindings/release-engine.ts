import type { Autosave } from 'autosave-kit'

/**
 * Lets go of an engine a binding created, when its component goes away: an edit made within
 * the debounce still gets one try (the outbox keeps it if that fails), then the engine is
 * disposed. Offline or failing, it is disposed at once: the store already holds the work and
 * the next engine on this key sends it.
 */
export function releaseEngine(saver: Autosave<unknown>): void {
  let stop = () => {}
  let gone = false
  const done = () => {
    if (gone) return
    gone = true
    stop()
    // Not from inside the engine's notify: it has yet to finish the transition it reports.
    setTimeout(() => void saver.dispose())
  }
  const sending = () => {
    const { pending, phase } = saver.getStatus()
    return pending && (phase === 'pending' || phase === 'saving')
  }
  if (!sending()) {
    done()
    return
  }
  stop = saver.subscribe(() => {
    if (!sending()) done()
  })
  saver.flush().then(done, done)
}
