/**
 * The Vue 3 binding: `useAutosave` restores into a `ref` or `reactive` state, saves it on every
 * change and exposes the status as a ref; `useAutosaveStatus` reads an engine's status. A thin
 * layer over `subscribe`/`getState`, like the React binding.
 *
 * @module autosave-kit/vue
 */
import { createAutosave, formatStatus, initialStatus, type Autosave, type AutosaveOptions, type AutosaveStatus } from 'autosave-kit'
import {
  computed,
  getCurrentInstance,
  getCurrentScope,
  isRef,
  onMounted,
  onScopeDispose,
  shallowRef,
  toRaw,
  watch,
  type ComputedRef,
  type Ref,
  type ShallowRef,
} from 'vue'
import { releaseEngine } from '../bindings/release-engine'
import { restoreOnce } from '../bindings/restore-once'

/**
 * The engine's status as a read-only ref, updated on every change until the component (or
 * effect scope) is disposed. Pass `undefined` while there is no engine: it reads `idle`.
 *
 * @example
 * ```ts
 * const status = useAutosaveStatus(saver)
 * const text = computed(() => formatStatus(status.value))
 * ```
 */
export function useAutosaveStatus<State>(saver: Autosave<State> | undefined): Readonly<ShallowRef<AutosaveStatus>> {
  const status = shallowRef(saver?.getStatus() ?? initialStatus)
  const stop = saver?.subscribe(() => (status.value = saver.getStatus()))
  if (stop && getCurrentScope()) onScopeDispose(stop)
  return status
}

/**
 * What `useAutosave` returns: refs that follow the engine.
 *
 * @example
 * ```ts
 * const { statusText, restoring, flush }: UseAutosaveResult<WizardState> = useAutosave({ key: 'project:42', transport }, draft)
 * ```
 */
export interface UseAutosaveResult<State> {
  status: Readonly<ShallowRef<AutosaveStatus>>
  /** `formatStatus(status)`: "Saving…", "Saved", "Offline — saved on this device"… */
  statusText: ComputedRef<string>
  /** True until `restore()` has answered (and always during server rendering). */
  restoring: Readonly<Ref<boolean>>
  /** What `restore()` found (undefined for a new document). */
  restored: Readonly<ShallowRef<State | undefined>>
  /** Why `restore()` failed (e.g. a `ValidationError`; the stored data is kept). */
  restoreError: Readonly<ShallowRef<unknown>>
  /** The engine (undefined until mounted, and on the server). */
  saver: Readonly<ShallowRef<Autosave<State> | undefined>>
  /** Sends now; resolves when everything saved so far is acknowledged. */
  flush: () => Promise<void>
}

/**
 * Autosaves a `ref` or `reactive` state: restores the saved draft into it on mount, saves a
 * plain copy of it on every change (deep), and writes changes that arrive from another tab or
 * a rollback back into it. Given options, it creates the engine on mount and lets it go when
 * the component (or effect scope) is disposed; given an engine, it only uses it. Nothing is
 * saved until restore has answered, so the initial value never overwrites saved work.
 *
 * @example
 * ```ts
 * const draft = ref({ musicDescription: '' })
 * const { statusText } = useAutosave({ key: 'project:42', transport: fetchTransport({ baseUrl: '/api/storage/projects' }) }, draft)
 * ```
 */
export function useAutosave<State extends object>(
  saverOrOptions: Autosave<State> | ({ key: string } & Omit<AutosaveOptions<State>, 'key'>),
  source: Ref<State> | State,
): UseAutosaveResult<State> {
  // Options never carry a `subscribe` function; an engine always does.
  const given = 'subscribe' in saverOrOptions ? (saverOrOptions as Autosave<State>) : undefined
  const saver = shallowRef<Autosave<State>>()
  const restoring = shallowRef(true)
  const restored = shallowRef<State>()
  const restoreError = shallowRef<unknown>()
  const status = shallowRef(initialStatus)
  let stopped = false
  let unfollow: (() => void) | undefined
  let applying = false
  let typedWhileRestoring = false
  // The engine's state last seen or given: anything else in getState() came from elsewhere.
  let known: State | undefined

  const read = (): State => (isRef(source) ? source.value : source)
  const write = (next: State) => {
    applying = true
    try {
      if (isRef(source)) source.value = next
      else replaceContents(source, next)
    } finally {
      applying = false
    }
  }
  const saveNow = (engine: Autosave<State>) => {
    known = plainCopy(read())
    engine.save(known)
  }

  // Synchronous, so a write from the engine is told apart from the user's edits.
  watch(
    source as object,
    () => {
      if (applying) return
      const engine = saver.value
      if (!engine || restoring.value) typedWhileRestoring = true
      else saveNow(engine)
    },
    { deep: true, flush: 'sync' },
  )

  function start() {
    if (stopped) return
    const engine = given ?? createAutosave(saverOrOptions as AutosaveOptions<State>)
    saver.value = engine
    status.value = engine.getStatus()
    unfollow = engine.subscribe(() => {
      status.value = engine.getStatus()
      const now = engine.getState()
      if (restoring.value || now === known || now === undefined) return
      known = now
      write(plainCopy(now))
    })
    void restoreOnce(engine).then(({ found, error }) => finishRestore(engine, found, error))
  }

  function finishRestore(engine: Autosave<State>, found: State | undefined, error: unknown) {
    if (stopped) return
    const current = engine.getState()
    restored.value = found
    restoreError.value = error
    restoring.value = false
    if (current !== undefined) {
      known = current
      write(plainCopy(current))
    } else if (typedWhileRestoring) {
      saveNow(engine)
    }
  }

  if (getCurrentInstance()) onMounted(start)
  else start()
  if (getCurrentScope()) {
    onScopeDispose(() => {
      stopped = true
      unfollow?.()
      if (!given && saver.value) releaseEngine(saver.value as Autosave<unknown>)
    })
  }

  return {
    status,
    statusText: computed(() => formatStatus(status.value)),
    restoring,
    restored,
    restoreError,
    saver,
    flush: async () => saver.value?.flush(),
  }
}

/**
 * A deep copy without Vue's proxies, so the engine keeps a snapshot that later edits in place
 * cannot change underneath it (and the engine's own object never becomes the reactive source).
 * Files, Dates, Maps… are kept as they are, for the serializer.
 */
function plainCopy<T>(value: T): T {
  const raw: unknown = isRef(value) ? value.value : toRaw(value)
  if (Array.isArray(raw)) return raw.map(plainCopy) as T
  if (raw !== null && typeof raw === 'object') {
    const proto = Object.getPrototypeOf(raw)
    if (proto !== Object.prototype && proto !== null) return raw as T
    const copy: Record<string, unknown> = {}
    for (const [key, entry] of Object.entries(raw)) copy[key] = plainCopy(entry)
    return copy as T
  }
  return raw as T
}

function replaceContents(target: object, next: object) {
  const into = target as Record<string, unknown>
  for (const key of Object.keys(into)) if (!(key in next)) delete into[key]
  Object.assign(into, next)
}

export { formatStatus }
