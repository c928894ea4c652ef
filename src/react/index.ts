import {
  createAutosave,
  formatStatus,
  type Autosave,
  type AutosaveOptions,
  type AutosaveStatus,
} from 'autosave-kit'
import { createContext, createElement, useContext, useEffect, useRef, useState, useSyncExternalStore, type ReactNode } from 'react'

/** Defaults shared by every `useAutosave` below an `AutosaveProvider`. */
export type AutosaveDefaults = Partial<Omit<AutosaveOptions<unknown>, 'key'>>

const Defaults = createContext<AutosaveDefaults>({})

/**
 * Shares defaults (transport, store, debounce…) with every `useAutosave` /
 * `useAutosavedState` below it, so steps only name their key.
 *
 * @example
 * ```tsx
 * <AutosaveProvider transport={fetchTransport({ baseUrl: '/api/storage/projects' })} store={indexedDBStore({ namespace: user.id })}>
 *   <Wizard />
 * </AutosaveProvider>
 * ```
 */
export function AutosaveProvider({ children, ...defaults }: AutosaveDefaults & { children?: ReactNode }) {
  const parent = useContext(Defaults)
  return createElement(Defaults.Provider, { value: { ...parent, ...defaults } }, children)
}

interface Entry {
  saver: Autosave<unknown>
  restoring: Promise<unknown>
  users: number
  release?: ReturnType<typeof setTimeout>
}

// One engine per key: StrictMode's mount → unmount → mount reuses it instead of creating a
// second engine (which would restore and send twice). Disposal waits a tick for the remount.
const engines = new Map<string, Entry>()

function acquire(options: AutosaveOptions<unknown>): Entry {
  const id = `${options.store?.id ?? ''}\u0000${options.key}`
  let entry = engines.get(id)
  if (!entry) {
    const saver = createAutosave(options)
    entry = { saver, restoring: saver.restore(), users: 0 }
    engines.set(id, entry)
  }
  clearTimeout(entry.release)
  entry.users++
  const held = entry
  return Object.assign(held, {
    releaseNow() {
      if (--held.users > 0) return
      held.release = setTimeout(() => {
        engines.delete(id)
        void held.saver.dispose()
      })
    },
  })
}

function isSaver(value: unknown): value is Autosave<unknown> {
  return typeof (value as Autosave<unknown>)?.save === 'function' && typeof (value as Autosave<unknown>)?.subscribe === 'function'
}

const noSubscribe = () => () => {}
const idleStatus: AutosaveStatus = { phase: 'idle', lastSavedAt: null, error: null, pending: false, retryAt: null, version: null }

/**
 * The engine's status, re-rendering on change (`useSyncExternalStore`). Pass `undefined`
 * while the engine is being created.
 *
 * @example
 * ```tsx
 * const status = useAutosaveStatus(saver)
 * return <span>{formatStatus(status)}</span>
 * ```
 */
export function useAutosaveStatus(saver: Autosave<unknown> | undefined): AutosaveStatus {
  return useSyncExternalStore(
    saver?.subscribe ?? noSubscribe,
    () => saver?.getStatus() ?? idleStatus,
    () => idleStatus,
  )
}

export interface UseAutosaveResult<State> {
  status: AutosaveStatus
  /** Sends now; resolves when everything saved so far is acknowledged. */
  flush: () => Promise<void>
  /** True until `restore()` has answered. */
  restoring: boolean
  /** What `restore()` found (undefined for a new document). */
  restored: State | undefined
  /** The engine (undefined during the first render and on the server). */
  saver: Autosave<State> | undefined
}

/**
 * Autosaves `value` whenever it changes (by reference). Given options, it creates the
 * engine (one per key), restores on mount and disposes on unmount; given an engine, it only
 * uses it. The value you start with never overwrites saved work: nothing is saved until
 * restore has answered, and the restored state itself is not saved back.
 *
 * @example
 * ```tsx
 * const [state, setState] = useState(initialWizard)
 * const { status, restored } = useAutosave({ key: `project:${id}` }, state)
 * useEffect(() => { if (restored) setState(restored) }, [restored])
 * ```
 */
export function useAutosave<State>(saverOrOptions: Autosave<State> | AutosaveOptions<State> | ({ key: string } & Partial<AutosaveOptions<State>>), value: State): UseAutosaveResult<State> {
  const defaults = useContext(Defaults)
  const given = isSaver(saverOrOptions) ? (saverOrOptions as Autosave<State>) : undefined
  const key = given ? given.key : (saverOrOptions as AutosaveOptions<State>).key
  const [owned, setOwned] = useState<{ saver: Autosave<State>; restoring: Promise<unknown> }>()
  const [restore, setRestore] = useState<{ done: boolean; state?: State }>({ done: false })
  const latest = useRef(value)
  latest.current = value
  const options = useRef(saverOrOptions)
  options.current = saverOrOptions
  const lastSaved = useRef<unknown>(undefined)

  // Engines are created in effects, never during render: SSR and StrictMode stay side-effect free.
  useEffect(() => {
    if (given) return
    const entry = acquire({ ...defaults, ...(options.current as AutosaveOptions<unknown>) } as AutosaveOptions<unknown>) as Entry & { releaseNow(): void }
    setOwned({ saver: entry.saver as Autosave<State>, restoring: entry.restoring })
    return () => entry.releaseNow()
  }, [given, key])

  const saver = given ?? owned?.saver
  useEffect(() => {
    if (!saver) return
    let live = true
    setRestore({ done: false })
    const restoring = given ? given.restore() : owned!.restoring
    const finish = (state: State | undefined) => {
      if (!live) return
      // Whatever the app holds now was not typed by the user after restore: don't save it.
      lastSaved.current = latest.current
      setRestore({ done: true, state })
    }
    ;(restoring as Promise<State | undefined>).then(finish, () => finish(undefined))
    return () => {
      live = false
    }
  }, [saver])

  useEffect(() => {
    if (!saver || !restore.done || value === lastSaved.current || value === restore.state) return
    lastSaved.current = value
    saver.save(value)
  }, [saver, restore, value])

  return {
    status: useAutosaveStatus(saver as Autosave<unknown> | undefined),
    flush: () => saver?.flush() ?? Promise.resolve(),
    restoring: !restore.done,
    restored: restore.state,
    saver,
  }
}

/**
 * `useState` that is restored on mount and autosaved on every set — the one-liner for a
 * wizard step. `meta` carries the status, its text, `flush`, `restoring` and `restored`;
 * changes saved in another tab arrive by themselves.
 *
 * @example
 * ```tsx
 * const [draft, setDraft, meta] = useAutosavedState('project:42', { musicDescription: '' })
 * return <><textarea value={draft.musicDescription} onChange={(e) => setDraft({ musicDescription: e.target.value })} />{meta.statusText}</>
 * ```
 */
export function useAutosavedState<State>(
  key: string,
  initial: State | (() => State),
  options: Partial<AutosaveOptions<State>> = {},
): [State, (next: State | ((prev: State) => State)) => void, UseAutosaveResult<State> & { statusText: string }] {
  const [state, setState] = useState(initial)
  const meta = useAutosave<State>({ ...options, key }, state)
  useEffect(() => {
    if (meta.restored !== undefined) setState(meta.restored)
  }, [meta.restored])
  useEffect(() => {
    const onRemote = (event: { state: State }) => setState(event.state)
    meta.saver?.on('remote-change', onRemote)
    return () => meta.saver?.off('remote-change', onRemote)
  }, [meta.saver])
  return [state, setState, { ...meta, statusText: formatStatus(meta.status) }]
}

export { formatStatus }
