import { listen, Subscribable } from './subscribable'

/**
 * `'pagehide'`: the page is being unloaded or frozen; `'hidden'`: the tab went to the background.
 *
 * @example
 * ```ts
 * pageLifecycle.subscribe((event) => {
 *   if (event === 'pagehide') console.log('leaving: pending work is being flushed')
 * })
 * ```
 */
export type PageExitReason = 'pagehide' | 'hidden'

/** Return true to ask the user to confirm leaving. */
export type PageEventListener = (event: PageExitReason | 'beforeunload') => boolean | void

/**
 * Page exit signals: `pagehide`, `visibilitychange` to hidden and `beforeunload`. Listeners
 * run synchronously inside the browser's event, which is the only moment a `keepalive`
 * request or `sendBeacon` is sure to be started.
 *
 * @example
 * ```ts
 * const lifecycle = new PageLifecycle(() => {}) // nothing from the window
 * lifecycle.emit('pagehide')                    // a test simulating the tab closing
 * ```
 */
export class PageLifecycle extends Subscribable<PageEventListener, [PageExitReason | 'beforeunload']> {
  constructor(setup: ((emit: (event: PageExitReason | 'beforeunload') => boolean) => (() => void) | void) | undefined = listenToWindow) {
    super(setup as never, (event) => this.emit(event))
  }

  /** Delivers an event to every listener; true when one of them asked to confirm leaving. */
  emit(event: PageExitReason | 'beforeunload'): boolean {
    let confirm = false
    for (const listener of [...this.listeners]) if (listener(event) === true) confirm = true
    return confirm
  }
}

function listenToWindow(emit: (event: PageExitReason | 'beforeunload') => boolean) {
  if (typeof window === 'undefined' || typeof document === 'undefined') return
  return listen(
    [
      window,
      {
        pagehide: () => emit('pagehide'),
        beforeunload: (event) => {
          if (emit('beforeunload')) {
            event.preventDefault()
            // Older Chromium and Safari only prompt when returnValue is set.
            ;(event as BeforeUnloadEvent).returnValue = ''
          }
        },
      },
    ],
    [document, { visibilitychange: () => document.visibilityState === 'hidden' && emit('hidden') }],
  )
}

/**
 * The shared default page lifecycle source: `pagehide`, `visibilitychange` and
 * `beforeunload` on `window` (nothing on the server).
 *
 * @example
 * ```ts
 * // An embedded webview that tells you when it is about to close:
 * pageLifecycle.setEventListener((emit) => bridge.onClose(() => emit('pagehide')))
 * ```
 */
export const pageLifecycle = /* @__PURE__ */ new PageLifecycle()
