/**
 * The React binding (React 18 and 19): `AutosaveProvider` shares options, `useAutosave`
 * autosaves a value, `useAutosavedState` is `useState` that restores and autosaves,
 * `useAutosaveStatus` reads an engine's status. A thin layer over `subscribe`/`getState`.
 *
 * @module autosave-kit/react
 */
import {
  createAutosave,
  formatStatus,
  initialStatus as idleStatus,
  type Autosave,
  type AutosaveOptions,
  type AutosaveStatus,
  type Restored,
} from 'autosave-kit'
import { createContext, createElement, useContext, useEffect, useRef, useState, useSyncExternalStore, type ReactNode } from 'react'

/**
 * Defaults shared by every `useAutosave` below an `AutosaveProvider`: any option of
 * `createAutosave` but `key`.
 *
 * @example
 * ```tsx
 * const defaults: AutosaveDefaults = { transport: fetchTransport({ baseUrl: '/api/storage/projects' }), debounceMs: 1000 }
 * return <AutosaveProvider {...defaults}><Wizard /></AutosaveProvider>
 * ```
 */
export type AutosaveDefaults = Partial<Omit<AutosaveOptions<unknown>, 'key'>>

const Defaults = createContext<AutosaveDefaults>({})

/**
 * Shares defaults (transport, store, debounce…) with every `useAutosave` /
 * `useAutosavedState` below it, so steps only name their key. A nested provider overrides
 * its parent's defaults.
 *
 * @example
 * ```tsx
 * function App({ user }: { user: { id: string } }) {
 *   // One store per user (engines are shared per store object); remount on a user switch.
 *   const store = useMemo(() => indexedDBStore({ namespace: user.id }), [user.id])
 *   return (
 *     <AutosaveProvider key={user.id} transport={fetchTransport({ baseUrl: '/api/storage/projects' })} store={store}>
 *       <Wizard />
 *     </AutosaveProvider>
 *   )
 * }
 * ```
 */
export function AutosaveProvider({ children, ...defaults }: AutosaveDefaults & { children?: ReactNode }) {
  const parent = useContext(Defaults)
  return createElement(Defaults.Provider, { value: { ...parent, ...defaults } }, children)
}

interface Entry {
  saver: Autosave<unknown>
  users: number
  release?: ReturnType<typeof setTimeout>
}

// One engine per (store, key): StrictMode's mount → unmount → mount reuses it instead of
// creating a second engine (which would restore and send twice), so disposal waits a tick for
// the remount. Scoped by the store object (or the transport), not the key alone, so a fresh
// store — e.g. each test's — never gets an engine still bound to the previous one.
const engines = new WeakMap<object, Map<string, Entry>>()

function acquire(options: AutosaveOptions<unknown>, hook: string): [Autosave<unknown>, () => void] {
  const scope = options.store ?? options.transport ?? engines
  const byKey = engines.get(scope) ?? new Map<string, Entry>()
  engines.set(scope, byKey)
  const held: Entry = byKey.get(options.key) ?? { saver: create(options, hook), users: 0 }
  byKey.set(options.key, held)
  clearTimeout(held.release)
  held.users++
  return [
    held.saver,
    () => {
      if (--held.users) return
      held.release = setTimeout(() => {
        const { saver } = held
        // A step left within the debounce still sends its last edit: one try, then let go (the
        // outbox keeps it if that fails: offline, retrying, refused). A remount takes it back.
        // At first only `offline` gives up at once (flush() sends nothing then): an earlier
        // failure is no answer for the newer edit.
        const check = (first?: unknown) => {
          const { pending, phase } = saver.getStatus()
          if (pending && (first ? phase !== 'offline' : phase === 'pending' || phase === 'saving')) return
          stop()
          // Not from inside the engine's notify: acknowledge() has yet to tell other tabs, and
          // flush() callers are settled once the store agrees (before this flush resolves).
          setTimeout(() => {
            if (held.users || byKey.get(options.key) !== held) return
            byKey.delete(options.key)
            void (pending ? saver.dispose() : saver.flush().then(saver.dispose))
          })
        }
        const stop = saver.subscribe(check)
        saver.flush().catch(check)
        check(1)
      })
    },
  ]
}

/** createAutosave, its errors naming the hook the app called (and the provider it may lack). */
function create(options: AutosaveOptions<unknown>, hook: string) {
  try {
    return createAutosave(options)
  } catch (error) {
    const e = error as Error
    e.message = e.message.replace('createAutosave', hook) + (options.transport ? '' : ' (no <AutosaveProvider> above)')
    throw e
  }
}

// One restore per engine, whoever mounts it and however often: later mounts read the engine's
// current state, which is newer than anything restore could find.
const restores = new WeakMap<object, Promise<unknown>>()

const noSubscribe = () => () => {}

/**
 * The engine's status, re-rendering on change (`useSyncExternalStore`). Pass `undefined`
 * while the engine is being created; on the server it is always `idle`.
 *
 * @example
 * ```tsx
 * const status = useAutosaveStatus(saver)
 * return <span>{formatStatus(status)}</span>
 * ```
 */
export function useAutosaveStatus<State>(saver: Autosave<State> | undefined): AutosaveStatus {
  return useSyncExternalStore(
    saver?.subscribe ?? noSubscribe,
    () => saver?.getStatus() ?? idleStatus,
    () => idleStatus,
  )
}

/**
 * What `useAutosave` returns (and the third element of `useAutosavedState`, with `statusText`).
 * `Restored` is what a restore gives back: `State` for a plain-JSON state, else its JSON form
 * (`Jsonified<State>`: a Date is a string, a Set an array, a File its `FileMetadata`).
 *
 * @example
 * ```tsx
 * const { status, flush, restoring, restoreError }: UseAutosaveResult<WizardState> = useAutosave({ key: 'project:42' }, state)
 * if (restoring) return <Spinner />
 * if (restoreError) return <p>Your saved draft could not be read; it is kept on this device.</p>
 * return <button onClick={() => void flush()} disabled={status.phase === 'saving'}>Save now</button>
 * ```
 */
export interface UseAutosaveResult<State, Restored = State> {
  status: AutosaveStatus
  /** Sends now; resolves when everything saved so far is acknowledged. */
  flush: () => Promise<void>
  /**
   * True until `restore()` has answered and the restored state has been handed over (and always
   * during server rendering): the render after it already holds the restored value.
   */
  restoring: boolean
  /** What `restore()` found (undefined for a new document), in its JSON form. */
  restored: Restored | undefined
  /** Why `restore()` failed (e.g. a `ValidationError`; the stored data is kept). */
  restoreError: unknown
  /** The engine (undefined during the first render and on the server). */
  saver: Autosave<State> | undefined
}

/**
 * Options of `useAutosave` / `useAutosavedState`: `key` and any option of `createAutosave`
 * (the rest come from `AutosaveProvider`).
 *
 * @example
 * ```tsx
 * const options: UseAutosaveOptions<WizardState> = { key: 'project:42', debounceMs: 1000 }
 * ```
 */
export type UseAutosaveOptions<State> = { key: string } & Partial<AutosaveOptions<State>>

/**
 * Autosaves `value` whenever it changes (by reference). Given options (or a key), it creates
 * the engine (one per key), restores on mount and disposes on unmount; given an engine, it only
 * uses it. The value you start with never overwrites saved work: nothing is saved until
 * restore has answered, and neither the restored state nor one that arrived from another tab
 * is saved back. `restoring` stays true until the render in which `restored` is handed over,
 * so an effect that copies it into state runs before the form is first shown.
 *
 * @example
 * ```tsx
 * const [state, setState] = useState(initialWizard)
 * const { status, restoring, restored } = useAutosave(`project:${id}`, state) // or useAutosave({ key: `project:${id}` }, state)
 * useEffect(() => { if (restored) setState(restored) }, [restored])
 * if (restoring) return <p>Loading your draft…</p>
 * ```
 */
export function useAutosave<State>(key: string, value: State, options?: Omit<UseAutosaveOptions<State>, 'key'>): UseAutosaveResult<State, Restored<State>>
export function useAutosave<State>(options: UseAutosaveOptions<State>, value: State): UseAutosaveResult<State, Restored<State>>
export function useAutosave<State>(saver: Autosave<State>, value: State): UseAutosaveResult<State, Restored<State>>
export function useAutosave<State>(
  saverOrOptions: string | Autosave<State> | UseAutosaveOptions<State>,
  value: State,
  options?: Omit<UseAutosaveOptions<State>, 'key'>,
): UseAutosaveResult<State, unknown> {
  return useEngine(saverOrOptions, value, options, 'useAutosave')[0]
}

function useEngine<State>(
  saverOrOptions: string | Autosave<State> | UseAutosaveOptions<State>,
  value: State,
  options: object | undefined,
  hook: string,
): [UseAutosaveResult<State, unknown>, boolean] {
  const defaults = useContext(Defaults)
  // Options never carry a `subscribe` function; an engine always does.
  const given = (saverOrOptions as Autosave<State>).subscribe ? (saverOrOptions as Autosave<State>) : undefined
  const own = (typeof saverOrOptions === 'string' ? { ...options, key: saverOrOptions } : saverOrOptions) as UseAutosaveOptions<State>
  const key = own.key
  const [owned, setOwned] = useState<Autosave<State>>()
  const [restore, setRestore] = useState<{ saver: Autosave<State>; state: State | undefined; error: unknown }>()
  const [shown, setShown] = useState<object>()
  const latest = useRef(value)
  latest.current = value
  const skip = useRef<unknown>(undefined)

  // Engines are created in effects, never during render: SSR and StrictMode stay side-effect free.
  // biome-ignore lint/correctness/useExhaustiveDependencies: one engine per key; options are read when it is made
  useEffect(() => {
    if (given) return
    // Options are read when the engine is made (this render's); later changes to them are ignored.
    const [saver, release] = acquire({ ...defaults, ...own } as AutosaveOptions<unknown>, hook)
    setOwned(saver as Autosave<State>)
    return release
  }, [given, key])

  const saver = given ?? owned
  // Right after the key changed, `owned` is still the previous document's engine.
  const current = saver?.key === key ? saver : undefined
  const restored = restore?.saver === current ? restore : undefined

  useEffect(() => {
    if (!current) return
    let live = true
    const before = latest.current
    const restoring =
      restores.get(current) ??
      current.restore().then(
        () => undefined,
        (error: unknown) => error,
      )
    restores.set(current, restoring)
    void restoring.then((error) => {
      if (!live) return
      // What the app held when restore began must not overwrite saved work; what was typed
      // since is kept when there was nothing to restore, so it must be saved.
      skip.current = current.getState() === undefined ? before : latest.current
      setRestore({ saver: current, state: current.getState(), error })
    })
    return () => {
      live = false
      // Coming back to this engine later must wait for its restore again, not reuse this one.
      setRestore(undefined)
    }
  }, [current])

  // `restoring` ends one render after `restored` arrives: the app's effects that copy it into
  // state run in between, so the first render without the loading screen already shows it.
  useEffect(() => setShown(restored), [restored])

  // biome-ignore lint/correctness/useExhaustiveDependencies: `current` changes only with `restored`, which is listed
  useEffect(() => {
    // The engine already holding this very value means it came from there (restore, another tab).
    if (!restored || value === skip.current || value === current!.getState()) return
    skip.current = value
    current!.save(value)
  }, [restored, value])

  return [
    {
      status: useAutosaveStatus(current as Autosave<unknown> | undefined),
      flush: async () => current?.flush(),
      restoring: !restored || shown !== restored,
      restored: restored?.state,
      restoreError: restored?.error,
      saver: current,
    },
    !!restored,
  ]
}

/**
 * `useState` that is restored on mount and autosaved on every set — the one-liner for a
 * wizard step. `meta` carries the status, its text, `flush`, `restoring` and `restored`;
 * changes saved in another tab arrive by themselves. The first render after loading shows the
 * restored state, never `initial`. Takes the key alone or inside the options.
 *
 * @example
 * ```tsx
 * const [draft, setDraft, meta] = useAutosavedState('project:42', { musicDescription: '' })
 * // or: useAutosavedState({ key: 'project:42', debounceMs: 1000 }, { musicDescription: '' })
 * return <><textarea value={draft.musicDescription} onChange={(e) => setDraft({ musicDescription: e.target.value })} />{meta.statusText}</>
 * ```
 */
export function useAutosavedState<State>(key: string, initial: State | (() => State), options?: Omit<UseAutosaveOptions<State>, 'key'>): AutosavedState<State>
export function useAutosavedState<State>(options: UseAutosaveOptions<State>, initial: State | (() => State)): AutosavedState<State>
export function useAutosavedState<State>(
  keyOrOptions: string | UseAutosaveOptions<State>,
  initial: State | (() => State),
  options?: Omit<UseAutosaveOptions<State>, 'key'>,
): AutosavedState<State> {
  const key = typeof keyOrOptions === 'string' ? keyOrOptions : keyOrOptions.key
  const [state, setState] = useState(initial)
  // Another document starts from `initial`, never from the previous document's draft.
  const [stateKey, setStateKey] = useState(key)
  if (stateKey !== key) {
    setStateKey(key)
    setState(initial)
  }
  const [meta, answered] = useEngine<State>(keyOrOptions, state, options, 'useAutosavedState')
  const { saver } = meta
  // Once restore has answered, show the engine's state and follow it: the restored state, then
  // saves by other components on this key, other tabs' saves, merges. Set in the same batch as
  // the end of `restoring`, so `initial` is never shown after loading.
  useEffect(() => {
    // Answered implies an engine.
    if (!answered) return
    let seen: unknown
    const follow = () => {
      const now = saver!.getState()
      if (now !== seen && (seen = now) !== undefined) setState(now as State)
    }
    follow()
    return saver!.subscribe(follow)
  }, [saver, answered])
  return [state, setState, { ...meta, statusText: formatStatus(meta.status) } as AutosavedState<State>[2]]
}

/**
 * What `useAutosavedState` returns: the state (its JSON form once restored, until you set it), the
 * setter, and `meta` — `useAutosave`'s result plus `statusText`.
 *
 * @example
 * ```tsx
 * const [draft, setDraft, meta]: AutosavedState<{ note: string }> = useAutosavedState('note:1', { note: '' })
 * ```
 */
export type AutosavedState<State> = [
  State | Restored<State>,
  (next: State | ((prev: State | Restored<State>) => State)) => void,
  UseAutosaveResult<State, Restored<State>> & { statusText: string },
]

export { formatStatus }
