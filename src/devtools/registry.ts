import { onlineManager, type Autosave, type AutosaveStore, type ConflictEvent } from 'autosave-kit'

/**
 * How `track` may reach an engine's surroundings, for the panel: its store (to show the
 * outbox) and its online source (when it is not the shared `onlineManager`).
 *
 * @example
 * ```ts
 * const online = new OnlineManager()
 * const saver = createAutosave({ key: 'project:42', transport, store, environment: { online } })
 * track(saver, { store, online, label: 'Wizard' })
 * ```
 */
export interface TrackOptions {
  /** The engine's store: the panel counts its outbox records there. */
  store?: AutosaveStore
  /** The engine's own online source, if not the shared `onlineManager`: "Simulate offline" drives it too. */
  online?: {
    /** Forces the state; `undefined` gives it back to the browser (as `OnlineManager.setOnline`). */
    setOnline(online: boolean | undefined): void
  }
  /** Shown beside the key. */
  label?: string
}

/**
 * One conflict the engine resolved, as the panel lists them: the `conflict` event and when.
 *
 * @example
 * ```ts
 * const [latest]: ConflictRecord[] = devtools.engines()[0]!.conflicts
 * console.log(latest?.paths, new Date(latest!.at))
 * ```
 */
export interface ConflictRecord extends ConflictEvent {
  /** When it happened (ms since epoch). */
  readonly at: number
}

/**
 * A tracked engine, as `devtools.engines()` lists them.
 *
 * @example
 * ```ts
 * for (const { saver, conflicts }: TrackedEngine of devtools.engines()) console.log(saver.key, saver.getStatus().phase, conflicts.length)
 * ```
 */
export interface TrackedEngine {
  readonly saver: Autosave<unknown>
  readonly options: TrackOptions
  /** The last conflicts, newest first (at most 5). */
  readonly conflicts: readonly ConflictRecord[]
}

interface Entry extends TrackedEngine {
  conflicts: ConflictRecord[]
  stop(): void
}

const entries = new Map<Autosave<unknown>, Entry>()
const listeners = new Set<() => void>()
let offline = false
let failNextSave = false

const changed = () => {
  for (const listener of [...listeners]) listener()
}

/**
 * Shows an engine in every devtools panel until it is disposed (or the returned function is
 * called). Cheap: it listens to the engine's status and conflicts, nothing more.
 *
 * @example
 * ```ts
 * const saver = createAutosave({ key: 'project:42', transport: devtoolsTransport(fetchTransport({ baseUrl: '/api/storage/projects' })), store })
 * const untrack = track(saver, { store })
 * ```
 */
export function track<State>(saver: Autosave<State>, options: TrackOptions = {}): () => void {
  const engine = saver as Autosave<unknown>
  entries.get(engine)?.stop()
  const onConflict = (event: ConflictEvent) => {
    entry.conflicts = [{ ...event, at: Date.now() }, ...entry.conflicts].slice(0, 5)
    changed()
  }
  const unsubscribe = engine.subscribe(changed)
  engine.on('conflict', onConflict)
  // A disposed engine is no longer live: wrap dispose (the engine has no event for it).
  const { dispose } = engine
  const ownDispose = Object.getOwnPropertyDescriptor(engine, 'dispose')?.writable === true
  if (ownDispose) (engine as { dispose: () => Promise<void> }).dispose = () => (entry.stop(), dispose())
  const entry: Entry = {
    saver: engine,
    options,
    conflicts: [],
    stop() {
      if (entries.get(engine) !== entry) return
      entries.delete(engine)
      unsubscribe()
      engine.off('conflict', onConflict)
      if (ownDispose) (engine as { dispose: () => Promise<void> }).dispose = dispose
      changed()
    },
  }
  entries.set(engine, entry)
  if (offline) options.online?.setOnline(false)
  changed()
  return entry.stop
}

/**
 * What the panel shows and the switches it flips, for code and tests: the tracked engines,
 * "simulate offline" and "fail the next save".
 *
 * @example
 * ```ts
 * devtools.setOffline(true) // every engine on the shared onlineManager goes offline
 * devtools.setFailNextSave(true) // the next write through a devtoolsTransport answers 503
 * ```
 */
export const devtools = {
  /** The tracked engines, by key. */
  engines(): TrackedEngine[] {
    return [...entries.values()].sort((a, b) => a.saver.key.localeCompare(b.saver.key))
  },
  /** Calls `listener` whenever an engine, its status or a switch changes; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    listeners.add(listener)
    return () => listeners.delete(listener)
  },
  /** Whether "simulate offline" is on. */
  isOffline: (): boolean => offline,
  /**
   * Simulates offline through the environment seam: the shared `onlineManager` (and each
   * tracked engine's own `online`) reports offline; off gives it back to the browser.
   */
  setOffline(next: boolean): void {
    offline = next
    const state = next ? false : undefined
    onlineManager.setOnline(state)
    for (const { options } of entries.values()) options.online?.setOnline(state)
    changed()
  },
  /** Whether the next write through a `devtoolsTransport` will fail. */
  failsNextSave: (): boolean => failNextSave,
  /** Arms (or disarms) one failed write: the next one through a `devtoolsTransport` answers 503. */
  setFailNextSave(next: boolean): void {
    failNextSave = next
    changed()
  },
}

/** Takes the armed failure, if any (for devtoolsTransport). */
export function takeFailure(): boolean {
  if (!failNextSave) return false
  failNextSave = false
  changed()
  return true
}
