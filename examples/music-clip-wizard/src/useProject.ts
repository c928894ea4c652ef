import { TransportError, type AutosaveStatus } from 'autosave-kit'
import { useAutosavedState } from 'autosave-kit/react'
import { useCallback, useEffect, useRef } from 'react'
import type { WizardState } from './state'
import { initialState } from './workflow'

export interface Project {
  /** Undefined while restoring (or when it cannot be opened, see `error`). */
  state: WizardState | undefined
  /** Applies a pure transition; the autosave hook saves the result. */
  update(transition: (current: WizardState) => WizardState): void
  status: AutosaveStatus
  /** Sends what is not yet on the server; resolves once the server has it. */
  flush(): Promise<void>
  /** True while the project is being restored (no state to show yet, no error). */
  opening: boolean
  /** The server cannot be reached and this device holds nothing: there is nothing to show. */
  unreachable: boolean
  error: string | undefined
}

/**
 * One project through `useAutosavedState` (options from the `<AutosaveProvider>` in App.tsx):
 * restored on open — the newest of IndexedDB and the server — saved on every `update`, and
 * kept in step with other tabs. All this adds is when an empty wizard may start.
 */
export function useProject(projectId: string, isNew = false): Project {
  const [state, setState, meta] = useAutosavedState<WizardState | null>(projectId, null)
  const restoredNothing = !meta.restoring && meta.restored == null && meta.restoreError === undefined
  // restore() answers undefined both for "no such project" and for "server unreachable and
  // nothing on this device"; only the first may start an empty wizard.
  const unreachable = restoredNothing && !isNew && meta.status.error instanceof TransportError && state === null
  const started = useRef(false)
  useEffect(() => {
    // A new project: save its first state at once, so it is on the server (and in the list).
    if (restoredNothing && !unreachable && state === null && !started.current) {
      started.current = true
      setState(initialState())
    }
  }, [restoredNothing, unreachable, state, setState])
  const update = useCallback(
    (transition: (current: WizardState) => WizardState) => setState((current) => (current ? transition(current) : current)),
    [setState],
  )
  const { flush } = meta
  return {
    state: meta.restoring || state === null ? undefined : state,
    update,
    status: meta.status,
    flush,
    opening: meta.restoring || (state === null && !unreachable && meta.restoreError === undefined),
    unreachable,
    error:
      meta.restoreError !== undefined
        ? `This project could not be opened: ${meta.restoreError instanceof Error ? meta.restoreError.message : String(meta.restoreError)}. Your saved data is kept.`
        : unreachable
          ? "Can't reach the server, and this project is not saved on this device yet."
          : undefined,
  }
}
