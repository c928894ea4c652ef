import { TransportError, ValidationError, type AutosaveStatus, type ConflictEvent, type RemoteChangeEvent } from 'autosave-kit'
import { useAutosavedState } from 'autosave-kit/react'
import { useCallback, useEffect, useState } from 'react'
import { lostEdits, restoreEdit, type LostEdit } from './lost-edits'
import { droppedAnswers } from './one-answer-per-step'
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
  /** Not saved anywhere yet: an empty wizard, saved (and listed) from its first edit on. */
  unsaved: boolean
  /** The server cannot be reached and this device holds nothing: there is nothing to show. */
  unreachable: boolean
  error: string | undefined
  /** Answers another tab or device gave first replaced this tab's (see one-answer-per-step.ts). */
  replaced: { mine: string[]; kept: string } | undefined
  dismissReplaced(): void
  /**
   * Edits of this page a newer one from another tab or device replaced (the `conflict` event's
   * `lost`), each with what the user had: the wizard offers them back.
   */
  lost: { edits: LostEdit[]; from: 'tab' | 'device' } | undefined
  restoreLost(edit: LostEdit): void
  dismissLost(): void
  /** Another tab or device's save just arrived and is on screen (until the next action). */
  arrived: 'tab' | 'device' | undefined
  dismissArrived(): void
}

/**
 * One project through `useAutosavedState` (options from the `<AutosaveProvider>` in App.tsx):
 * restored on open — the newest of IndexedDB and the server — saved on every `update`, and
 * kept in step with other tabs. What this adds: a project nobody has edited yet is shown but
 * not saved (so "New clip" and a mistyped link create nothing), and the answers a conflict
 * dropped and the edits it replaced (offered back), and a note when another device's or tab's
 * save arrives, for the wizard to tell the user.
 */
export function useProject(projectId: string, isNew = false): Project {
  const [saved, setState, meta] = useAutosavedState<WizardState | null>(projectId, null)
  const [empty] = useState(() => initialState())
  const [replaced, setReplaced] = useState<Project['replaced']>()
  const [lost, setLost] = useState<Project['lost']>()
  const [arrived, setArrived] = useState<Project['arrived']>()
  const restoredNothing = !meta.restoring && meta.restored == null && meta.restoreError === undefined
  // restore() answers undefined both for "no such project" and for "server unreachable and
  // nothing on this device"; only the first may show an empty wizard.
  const unreachable = restoredNothing && !isNew && meta.status.error instanceof TransportError && saved === null
  const unsaved = restoredNothing && !unreachable && saved === null
  const state = meta.restoring ? undefined : (saved ?? (unsaved ? empty : undefined))

  const { saver } = meta
  useEffect(() => {
    if (!saver) return
    // The engine emits `conflict` before it adopts the resolution: getState() is still ours.
    // `remote-change` follows at once and says where the other side's save came from.
    let justLost: LostEdit[] = []
    const onConflict = (event: ConflictEvent) => {
      const mine = saver.getState() ?? undefined
      const answers = droppedAnswers(mine, event.resolved as unknown as WizardState)
      if (event.strategy === 'custom' && answers.length > 0) {
        const kept = event.resolved as unknown as WizardState
        const answer = [...kept.chat].reverse().find((message) => message.role === 'user')
        setReplaced({ mine: answers, kept: answer?.content ?? '' })
        // The answer notice says it all: the fields that answer set went with it.
        return
      }
      justLost = lostEdits(event)
    }
    const onRemoteChange = ({ source }: RemoteChangeEvent<WizardState | null>) => {
      const from = source === 'tab' ? 'tab' : 'device'
      const edits = justLost
      justLost = []
      if (edits.length > 0) {
        setLost((shown) => ({ from, edits: [...(shown?.edits.filter((e) => !edits.some((n) => n.path === e.path)) ?? []), ...edits] }))
      }
      setArrived(from)
    }
    saver.on('conflict', onConflict)
    saver.on('remote-change', onRemoteChange)
    return () => {
      saver.off('conflict', onConflict)
      saver.off('remote-change', onRemoteChange)
    }
  }, [saver])

  const update = useCallback(
    (transition: (current: WizardState) => WizardState) => {
      // The first edit that changes something creates the project.
      setState((current) => {
        const from = current ?? empty
        const next = transition(from)
        return next === from ? current : next
      })
    },
    [setState, empty],
  )
  const { flush } = meta
  return {
    state,
    update,
    status: meta.status,
    flush,
    opening: meta.restoring || (state === undefined && !unreachable && meta.restoreError === undefined),
    unsaved,
    unreachable,
    replaced,
    dismissReplaced: useCallback(() => setReplaced(undefined), []),
    lost,
    restoreLost: useCallback(
      (edit: LostEdit) => {
        setState((current) => (current ? restoreEdit(current, edit) : current))
        setLost((shown) => {
          const edits = shown?.edits.filter((e) => e !== edit) ?? []
          return shown && edits.length ? { ...shown, edits } : undefined
        })
      },
      [setState],
    ),
    dismissLost: useCallback(() => setLost(undefined), []),
    arrived,
    dismissArrived: useCallback(() => setArrived(undefined), []),
    error:
      meta.restoreError !== undefined
        ? meta.restoreError instanceof ValidationError
          ? 'This project was saved by a different version of the wizard and cannot be opened here. Nothing was deleted.'
          : 'This project could not be opened. Nothing was deleted; try again in a moment.'
        : unreachable
          ? "Can't reach the server, and this project is not saved on this device yet."
          : undefined,
  }
}
