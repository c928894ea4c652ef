/**
 * The Svelte binding. `autosaved` is a draft for Svelte 5 components: read `draft.current`,
 * `draft.status`, `draft.statusText` in markup, `$derived` or `$effect` and they update by
 * themselves (runes, through `createSubscriber`); assign `draft.current` to save. `autosaveStatus`
 * is the status as a readable store (`$status`), for Svelte 4 syntax and plain code.
 *
 * @module autosave-kit/svelte
 */
import { createAutosave, formatStatus, initialStatus, type Autosave, type AutosaveOptions, type AutosaveStatus } from 'autosave-kit'
import { onMount } from 'svelte'
import { createSubscriber } from 'svelte/reactivity'
import { readable, type Readable } from 'svelte/store'
import { releaseEngine } from '../bindings/release-engine'
import { restoreOnce } from '../bindings/restore-once'

/**
 * The engine's status as a readable store: `$status.phase`, `formatStatus($status)`. It
 * listens to the engine only while something subscribes.
 *
 * @example
 * ```ts
 * const status = autosaveStatus(saver)
 * const stop = status.subscribe((now) => (indicator.textContent = formatStatus(now)))
 * ```
 */
export function autosaveStatus<State>(saver: Autosave<State>): Readable<AutosaveStatus> {
  return readable(saver.getStatus(), (set) => {
    set(saver.getStatus())
    return saver.subscribe(() => set(saver.getStatus()))
  })
}

/**
 * A draft that restores and autosaves itself, reactive in Svelte 5 runes. Every getter is
 * tracked where it is read (markup, `$derived`, `$effect`).
 *
 * @example
 * ```ts
 * const draft: Autosaved<WizardState> = autosaved({ key: 'project:42', transport }, initialWizard)
 * draft.current = { ...draft.current, currentStep: 'video_styles' } // saved
 * ```
 */
export interface Autosaved<State> {
  /** The draft: the initial value, then the restored state, then each edit. Assign a new object to save it. */
  current: State
  readonly status: AutosaveStatus
  /** `formatStatus(status)`: "Saving…", "Saved", "Offline — saved on this device"… */
  readonly statusText: string
  /** True until `restore()` has answered (and always during server rendering). */
  readonly restoring: boolean
  /** What `restore()` found (undefined for a new document). */
  readonly restored: State | undefined
  /** Why `restore()` failed (e.g. a `ValidationError`; the stored data is kept). */
  readonly restoreError: unknown
  /** The engine (undefined until mounted, and on the server). */
  readonly saver: Autosave<State> | undefined
  /** Sends now; resolves when everything saved so far is acknowledged. */
  flush(): Promise<void>
  /** Stops following the engine, and lets go of one it created (done on unmount by itself). */
  dispose(): void
}

/**
 * Creates an autosaved draft. In a component's `<script>`, the engine is created on mount
 * (never during server rendering), restored, and let go on unmount (an edit within the debounce
 * still gets sent); outside a component it starts at once and `dispose()` is yours to call.
 * Given an engine instead of options, it only uses it. Nothing is saved until restore has
 * answered, so `initial` never overwrites saved work. Assign plain objects (`$state.snapshot`
 * of a `$state`), not `$state` proxies.
 *
 * @example
 * ```ts
 * // <script lang="ts"> of a wizard step
 * const draft = autosaved({ key: `project:${projectId}`, transport: fetchTransport({ baseUrl: '/api/storage/projects' }) }, { musicDescription: '' })
 * const words = $derived(draft.current.musicDescription.split(/\s+/).length)
 * // <textarea value={draft.current.musicDescription} oninput={(e) => (draft.current = { musicDescription: e.currentTarget.value })} />
 * // <span>{draft.statusText}</span>
 * ```
 */
export function autosaved<State>(saverOrOptions: Autosave<State> | ({ key: string } & Omit<AutosaveOptions<State>, 'key'>), initial: State): Autosaved<State> {
  return new AutosavedDraft(saverOrOptions, initial)
}

class AutosavedDraft<State> implements Autosaved<State> {
  #local: State
  #saver: Autosave<State> | undefined
  #given: Autosave<State> | undefined
  #restoring = true
  #restored: State | undefined
  #restoreError: unknown
  #typedWhileRestoring = false
  #stopped = false
  #unfollow: (() => void) | undefined
  #updates = new Set<() => void>()
  #track = createSubscriber((update) => {
    this.#updates.add(update)
    return () => this.#updates.delete(update)
  })

  constructor(saverOrOptions: Autosave<State> | ({ key: string } & Omit<AutosaveOptions<State>, 'key'>), initial: State) {
    this.#local = initial
    // Options never carry a `subscribe` function; an engine always does.
    this.#given = 'subscribe' in saverOrOptions ? (saverOrOptions as Autosave<State>) : undefined
    const start = () => this.#start(saverOrOptions as AutosaveOptions<State>)
    try {
      // Not during server rendering (Svelte's server build never runs onMount).
      onMount(() => {
        start()
        return () => this.dispose()
      })
    } catch {
      // Outside a component's initialisation.
      start()
    }
  }

  get current(): State {
    this.#track()
    return this.#local
  }

  set current(next: State) {
    this.#local = next
    if (this.#saver && !this.#restoring) {
      this.#saver.save(next)
      return
    }
    this.#typedWhileRestoring = true
    this.#notify()
  }

  get status(): AutosaveStatus {
    this.#track()
    return this.#saver?.getStatus() ?? initialStatus
  }

  get statusText(): string {
    return formatStatus(this.status)
  }

  get restoring(): boolean {
    this.#track()
    return this.#restoring
  }

  get restored(): State | undefined {
    this.#track()
    return this.#restored
  }

  get restoreError(): unknown {
    this.#track()
    return this.#restoreError
  }

  get saver(): Autosave<State> | undefined {
    this.#track()
    return this.#saver
  }

  flush = async (): Promise<void> => this.#saver?.flush()

  dispose = (): void => {
    if (this.#stopped) return
    this.#stopped = true
    this.#unfollow?.()
    if (!this.#given && this.#saver) releaseEngine(this.#saver as Autosave<unknown>)
  }

  #notify() {
    for (const update of [...this.#updates]) update()
  }

  #start(options: AutosaveOptions<State>) {
    if (this.#stopped || this.#saver) return
    const saver = this.#given ?? createAutosave(options)
    this.#saver = saver
    // The engine's state once restored: the user's saves, other tabs' saves, rollbacks, merges.
    this.#unfollow = saver.subscribe(() => {
      const state = saver.getState()
      if (!this.#restoring && state !== undefined) this.#local = state
      this.#notify()
    })
    const finish = (found: State | undefined, error: unknown) => {
      if (this.#stopped) return
      this.#restoring = false
      this.#restored = found
      this.#restoreError = error
      const state = saver.getState()
      if (state !== undefined) this.#local = state
      else if (this.#typedWhileRestoring) saver.save(this.#local)
      this.#notify()
    }
    void restoreOnce(saver).then(({ found, error }) => finish(found, error))
    this.#notify()
  }
}

export { formatStatus }
