import { listen, Subscribable } from './subscribable'

type OnlineListener = (online: boolean) => void

/**
 * Whether the network is reachable. Default: `navigator.onLine` and the window's
 * `online`/`offline` events; on the server (no `window`) it is always online.
 *
 * @example
 * ```ts
 * const online = new OnlineManager(); online.setOnline(false) // a test going offline
 * createAutosave({ key, transport, environment: { online } })
 * ```
 */
export class OnlineManager extends Subscribable<OnlineListener, [boolean]> {
  private online: boolean | undefined
  /** `online` was heard from the source (not forced by setOnline): forgotten once the source is detached. */
  private fromSource = false

  constructor(setup: ((emit: (online: boolean) => void) => (() => void) | void) | undefined = listenToWindow) {
    super(
      setup,
      (online) => {
        // Browsers fire `online`/`offline` after navigator.onLine has changed, so comparing with
        // it sees no change (e.g. a page loaded offline never heard it came back): a source's
        // first event is always an edge.
        if (this.online === undefined) this.online = !online
        this.setOnline(online)
        this.fromSource = true
      },
      () => {
        // Events are not heard while detached: what was heard before may be stale by now.
        if (this.fromSource) this.online = undefined
        this.fromSource = false
      },
    )
  }

  /** Forces the state (and tells listeners when it changes). `undefined` returns to `navigator.onLine`. */
  setOnline(online: boolean | undefined): void {
    const before = this.isOnline()
    this.fromSource = false
    this.online = online
    const after = this.isOnline()
    if (before !== after) for (const listener of [...this.listeners]) listener(after)
  }

  /** The forced state if one was set, else `navigator.onLine` (always true without `navigator`). */
  isOnline(): boolean {
    if (typeof this.online === 'boolean') return this.online
    return typeof navigator === 'undefined' || navigator.onLine !== false
  }
}

function listenToWindow(emit: (online: boolean) => void) {
  if (typeof window === 'undefined' || typeof window.addEventListener !== 'function') return
  return listen([window, { online: () => emit(true), offline: () => emit(false) }])
}

/**
 * The shared default online source, like TanStack Query's `onlineManager`: every engine
 * without an `environment.online` listens to it.
 *
 * @example
 * ```ts
 * // React Native / Capacitor: feed it from your network library.
 * onlineManager.setEventListener((setOnline) => NetInfo.addEventListener((s) => setOnline(!!s.isConnected)))
 * ```
 */
export const onlineManager = /* @__PURE__ */ new OnlineManager()
