/**
 * A signal source in the style of TanStack Query's `onlineManager`: it listens to the
 * environment only while someone listens to it, and `setEventListener` swaps where the
 * signal comes from (tests, SSR, React Native, Capacitor…).
 */
export class Subscribable<Listener extends (...args: never[]) => unknown, Emit extends unknown[]> {
  protected readonly listeners = new Set<Listener>()
  private cleanup: (() => void) | undefined
  private setup: ((emit: (...args: Emit) => void) => (() => void) | void) | undefined

  constructor(
    setup: ((emit: (...args: Emit) => void) => (() => void) | void) | undefined,
    private readonly onEmit: (...args: Emit) => void,
    private readonly onDetach?: () => void,
  ) {
    this.setup = setup
  }

  /** Adds a listener (the first one hooks the source up); returns the unsubscribe function. */
  subscribe(listener: Listener): () => void {
    const first = this.listeners.size === 0
    this.listeners.add(listener)
    if (first) this.attach()
    return () => {
      this.listeners.delete(listener)
      if (this.listeners.size === 0) this.detach()
    }
  }

  /** Replaces the environment hook-up; `setup` gets an `emit` to call and returns a cleanup. */
  setEventListener(setup: (emit: (...args: Emit) => void) => (() => void) | void): void {
    this.detach()
    this.setup = setup
    if (this.listeners.size > 0) this.attach()
  }

  private attach() {
    this.cleanup = this.setup?.((...args) => this.onEmit(...args)) ?? undefined
  }

  private detach() {
    this.cleanup?.()
    this.cleanup = undefined
    this.onDetach?.()
  }
}

/**
 * Adds each `type → listener` of every pair to its target; returns the function that removes
 * them all (the sources' cleanups).
 */
export function listen(...pairs: Array<[EventTarget, Record<string, (event: Event) => void>]>): () => void {
  const each = (method: 'addEventListener' | 'removeEventListener') => {
    for (const [target, listeners] of pairs) for (const type in listeners) target[method](type, listeners[type]!)
  }
  each('addEventListener')
  return () => each('removeEventListener')
}
