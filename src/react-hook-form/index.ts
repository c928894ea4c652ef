/**
 * The react-hook-form binding: `useAutosaveForm(form, options)` restores a saved draft into
 * the form with `reset()` (fields are dirty exactly where the draft differs from the form's
 * defaults), saves the values on every change without re-rendering, and flushes on submit.
 * A thin layer over `autosave-kit/react`'s `useAutosave`.
 *
 * @module autosave-kit/react-hook-form
 */
import { formatStatus, type Autosave, type AutosaveOptions, type Restored } from 'autosave-kit'
import { useAutosave, type UseAutosaveResult } from 'autosave-kit/react'
import { useEffect, useRef } from 'react'
import type { FieldValues, KeepStateOptions, UseFormHandleSubmit, UseFormReturn } from 'react-hook-form'

/**
 * Options of `useAutosaveForm`: the engine's (`key`, and anything an `AutosaveProvider` does not
 * already give), plus how a restored draft is put into the form.
 *
 * @example
 * ```ts
 * const options: UseAutosaveFormOptions<WizardState> = { key: 'project:42', debounceMs: 1000, resetOptions: { keepDefaultValues: true } }
 * ```
 */
export type UseAutosaveFormOptions<Values> = { key: string } & Partial<Omit<AutosaveOptions<Values>, 'key'>> & {
    /**
     * Given to `reset()` with the restored draft (and with changes from other tabs). Default
     * `{ keepDefaultValues: true }`: the form's defaults stay the baseline, so a field is dirty
     * exactly when the draft differs from it.
     */
    resetOptions?: KeepStateOptions
  }

/**
 * What `useAutosaveForm` returns: `useAutosave`'s result, the status text, and a
 * `handleSubmit` that flushes the draft first.
 *
 * @example
 * ```tsx
 * const { statusText, restoring, handleSubmit }: UseAutosaveFormResult<WizardState> = useAutosaveForm(form, { key: 'project:42' })
 * ```
 */
export interface UseAutosaveFormResult<Values extends FieldValues> extends UseAutosaveResult<Values, Restored<Values>> {
  /** `formatStatus(status)`: "Saving…", "Saved", "Offline — saved on this device"… */
  statusText: string
  /**
   * `form.handleSubmit` that saves the values and waits until the server has them (`flush()`)
   * before calling `onValid`; a failed flush rejects the submit, as an error in `onValid` would.
   */
  handleSubmit: UseFormHandleSubmit<Values, Values>
}

/** The part of `useForm()`'s result this binding uses. */
type Form<Values extends FieldValues> = Pick<UseFormReturn<Values, unknown, Values>, 'watch' | 'getValues' | 'reset' | 'handleSubmit'>

/**
 * Autosaves a react-hook-form form. On mount it restores the draft into the form with
 * `reset(draft, { keepDefaultValues: true })`; until then nothing is saved, so the defaults
 * never overwrite saved work (what was typed meanwhile is saved when there was nothing to
 * restore). Every change is saved (a plain copy, `FileList`s as arrays of `File`, which the
 * serializer describes by name, size, type and `fileId`), without re-rendering the form.
 * Changes saved in another tab arrive through `reset()` too.
 *
 * @example
 * ```tsx
 * function MusicStep() {
 *   const form = useForm<WizardState['data']>({ defaultValues: { musicDescription: '', isInstrumental: false, videoDescription: '', videoStyles: [] } })
 *   const { statusText, handleSubmit } = useAutosaveForm(form, { key: 'project:42:music' })
 *   return (
 *     <form onSubmit={handleSubmit((values) => console.log('submitted', values))}>
 *       <textarea {...form.register('musicDescription')} />
 *       <span>{statusText}</span>
 *     </form>
 *   )
 * }
 * ```
 */
export function useAutosaveForm<Values extends FieldValues>(
  form: Form<Values>,
  saverOrOptions: Autosave<Values> | UseAutosaveFormOptions<Values>,
): UseAutosaveFormResult<Values> {
  const { resetOptions = { keepDefaultValues: true }, ...engineOptions } = 'subscribe' in saverOrOptions ? { resetOptions: undefined } : saverOrOptions
  // A value that never changes: `useAutosave` then never saves by itself; this hook saves the
  // form's values when the form says they changed.
  // Two calls of one hook on two branches that never switch for one component: the same hook order.
  const meta =
    'subscribe' in saverOrOptions
      ? // biome-ignore lint/correctness/useHookAtTopLevel: the branch never switches for one component (an engine or options, for its whole life)
        useAutosave<Values>(saverOrOptions, unchanged as Values)
      : // biome-ignore lint/correctness/useHookAtTopLevel: see above
        useAutosave<Values>(engineOptions as { key: string } & Partial<AutosaveOptions<Values>>, unchanged as Values)
  const { saver, restoring } = meta
  const ready = !restoring && saver ? saver : undefined
  const live = useRef<Autosave<Values> | undefined>(undefined)
  live.current = ready
  const applying = useRef(false)
  const typedWhileRestoring = useRef(false)
  // The engine's state last saved or applied here: anything else came from elsewhere.
  const known = useRef<unknown>(undefined)
  const latestReset = useRef(resetOptions)
  latestReset.current = resetOptions

  const saveValues = (engine: Autosave<Values>) => {
    const values = plainValues(form.getValues()) as Values
    known.current = values
    engine.save(values)
  }

  // biome-ignore lint/correctness/useExhaustiveDependencies: saveValues reads refs only; a new one each render changes nothing
  useEffect(() => {
    // Synchronous: reset() notifies watchers before it returns, so its own change is skipped.
    const subscription = form.watch(() => {
      if (applying.current) return
      if (live.current) saveValues(live.current)
      else typedWhileRestoring.current = true
    })
    return () => subscription.unsubscribe()
  }, [form])

  // biome-ignore lint/correctness/useExhaustiveDependencies: saveValues reads refs only; a new one each render changes nothing
  useEffect(() => {
    if (!ready) return
    const apply = (state: Values) => {
      known.current = state
      applying.current = true
      try {
        form.reset(state, latestReset.current)
      } finally {
        applying.current = false
      }
    }
    const state = ready.getState()
    if (state !== undefined) apply(state)
    else if (typedWhileRestoring.current) saveValues(ready)
    typedWhileRestoring.current = false
    return ready.subscribe(() => {
      const now = ready.getState()
      if (now !== undefined && now !== known.current) apply(now)
    })
  }, [ready, form])

  return {
    ...meta,
    statusText: formatStatus(meta.status),
    handleSubmit: (onValid, onInvalid) =>
      form.handleSubmit(async (values, event) => {
        const engine = live.current
        if (engine) {
          saveValues(engine)
          await engine.flush()
        }
        return onValid(values, event)
      }, onInvalid),
  }
}

const unchanged = {}

/**
 * A deep copy of the form's values (react-hook-form keeps mutating its own object): `FileList`s
 * become arrays of `File`; Files, Blobs and Dates are kept for the serializer.
 */
function plainValues(value: unknown): unknown {
  if (typeof FileList !== 'undefined' && value instanceof FileList) return Array.from(value)
  if (Array.isArray(value)) return value.map(plainValues)
  if (value !== null && typeof value === 'object') {
    const proto = Object.getPrototypeOf(value)
    if (proto !== Object.prototype && proto !== null) return value
    const copy: Record<string, unknown> = {}
    for (const [key, entry] of Object.entries(value)) copy[key] = plainValues(entry)
    return copy
  }
  return value
}

export { formatStatus }
