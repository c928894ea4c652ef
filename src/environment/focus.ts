import { listen, Subscribable } from './subscribable'

type FocusListener = () => void

/**
 * The page came back to the user: `visibilitychange` to visible, or the window regained focus.
 * The engine then tries a pending save at once and revalidates the server's copy, as TanStack
 * Query's `focusManager` refetches. Nothing fires on the server (no `window`).
 *
 * @example
 * ```ts
 * const focus = new FocusManager(() => {}) // nothing from the window
 * createAutosave({ key, transport, environment: { focus } })
 * focus.emit()                               // a test: the user came back to the tab
 * ```
 */
export class FocusManager extends Subscribable<FocusListener, []> {
  constructor(setup: ((emit: () => void) => (() => void) | void) | undefined = listenToWindow) {
    super(setup, () => this.emit())
  }

  /** Tells every listener the page is back in front of the user. */
  emit(): void {
    for (const listener of [...this.listeners]) listener()
  }
}

function listenToWindow(emit: () => void) {
  if (typeof window === 'undefined' || typeof document === 'undefined' || typeof window.addEventListener !== 'function') return
  // Coming back to a tab fires both: one look is enough.
  let last = 0
  const once = () => {
    const now = Date.now()
    if (now - last > 1000) emit()
    last = now
  }
  return listen([document, { visibilitychange: () => document.visibilityState === 'visible' && once() }], [window, { focus: once }])
}

/**
 * The shared default focus source: every engine without an `environment.focus` listens to it.
 *
 * @example
 * ```ts
 * // React Native: feed it from AppState.
 * focusManager.setEventListener((emit) => AppState.addEventListener('change', (s) => s === 'active' && emit()).remove)
 * ```
 */
export const focusManager = /* @__PURE__ */ new FocusManager()
