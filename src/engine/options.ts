import type { Clock } from '../environment/clock'
import { resolveEnvironment, type Environment } from '../environment/environment'
import { AutosaveError, ValidationError } from '../errors'
import { plainIndexedDBStore } from '../stores/indexeddb'
import type { AutosaveOptions, AutosaveStore, ConflictStrategy, Json, RetryOptions, SerializeOptions, StandardSchema, Transport } from '../types'
import { recordKeys } from './outbox'
import { defaultRetry } from './retry'

/** Every default of `createAutosave`'s options, in one place. */
export const defaults = {
  conflict: 'merge',
  debounceMs: 3000,
  maxWaitMs: 10_000,
  // Half the IndexedDB transactions of 300 ms while typing (each costs the main thread ~1 ms in
  // Chromium), and still well inside the 1 s durability bound (p95 ~0.6 s).
  localDelayMs: 600,
  historyLimit: 20,
  version: 1,
  maxConflictRounds: 5,
  requestTimeoutMs: 120_000,
  revalidate: { onFocus: true, onReconnect: true, intervalMs: 0, push: false },
} as const

/** The options with every default filled in: what the engine's parts read. */
export interface ResolvedOptions {
  readonly key: string
  readonly transport: Transport
  readonly store: AutosaveStore
  readonly env: Environment
  readonly clock: Clock
  readonly keys: ReturnType<typeof recordKeys>
  // The user's function sees its own State type; states in the engine are their JSON form.
  readonly conflict: ConflictStrategy<Json>
  readonly debounceMs: number
  readonly maxWaitMs: number
  /** Never longer than the debounce: a local write must not wait for the network's window. */
  readonly localDelayMs: number
  readonly retry: Required<RetryOptions>
  /** 0 keeps no history (`history: false`). */
  readonly historyLimit: number
  readonly schemaVersion: number
  readonly maxConflictRounds: number
  /** The engine's own deadline for one transport call. */
  readonly requestTimeoutMs: number
  /** When to ask the server for a newer copy; undefined: never. */
  readonly revalidate: { readonly onFocus: boolean; readonly onReconnect: boolean; readonly intervalMs: number; readonly push: boolean } | undefined
  readonly warnOnUnload: boolean
  readonly serialize: SerializeOptions | undefined
  readonly schema: StandardSchema<unknown> | undefined
  readonly migrate: ((persisted: unknown, fromVersion: number) => unknown) | undefined
}

/** Checks the options (a clear error naming the option) and fills in the defaults. */
export function resolveOptions<State>(options: AutosaveOptions<State>): ResolvedOptions {
  checkOptions(options as AutosaveOptions<unknown>)
  const env = resolveEnvironment(options.environment)
  const { clock } = env
  const debounceMs = options.debounceMs ?? defaults.debounceMs
  return {
    key: options.key,
    transport: options.transport,
    store: options.store ?? plainIndexedDBStore({ clock }),
    env,
    clock,
    keys: recordKeys(options.key),
    conflict: (options.conflict ?? defaults.conflict) as ConflictStrategy<Json>,
    debounceMs,
    maxWaitMs: options.maxWaitMs ?? defaults.maxWaitMs,
    localDelayMs: Math.min(options.localDelayMs ?? defaults.localDelayMs, debounceMs),
    retry: { ...defaultRetry, ...options.retry },
    historyLimit: options.history === false ? 0 : (options.history?.limit ?? defaults.historyLimit),
    schemaVersion: options.version ?? defaults.version,
    maxConflictRounds: options.maxConflictRounds ?? defaults.maxConflictRounds,
    requestTimeoutMs: options.requestTimeoutMs ?? defaults.requestTimeoutMs,
    revalidate: options.revalidate === false ? undefined : { ...defaults.revalidate, ...options.revalidate },
    warnOnUnload: options.warnOnUnload === true,
    serialize: options.serialize,
    schema: options.schema,
    migrate: options.migrate,
  }
}

export function checkOptions(options: AutosaveOptions<unknown>) {
  const where = 'createAutosave'
  if (!options || typeof options !== 'object') throw new AutosaveError('INVALID_OPTIONS', `${where}: options must be an object`)
  if (typeof options.key !== 'string' || options.key === '') {
    throw new AutosaveError('INVALID_OPTIONS', `${where}: "key" must be a non-empty string, got ${JSON.stringify(options.key)}`)
  }
  const t = options.transport
  if (!t || typeof t.load !== 'function' || typeof t.write !== 'function') {
    throw new AutosaveError('INVALID_OPTIONS', `${where}({ key: "${options.key}" }): "transport" must have load() and write()`)
  }
  for (const name of ['debounceMs', 'maxWaitMs', 'localDelayMs', 'requestTimeoutMs'] as const) {
    const value = options[name]
    if (value !== undefined && !(typeof value === 'number' && value >= 0 && Number.isFinite(value))) {
      throw new AutosaveError('INVALID_OPTIONS', `${where}({ key: "${options.key}" }): "${name}" must be a finite number ≥ 0, got ${String(value)}`)
    }
  }
}

/** The `schema` option applied to a state about to be sent or just restored. */
export async function validate(options: ResolvedOptions, data: Json, stage: 'send' | 'restore'): Promise<void> {
  if (!options.schema) return
  const result = await options.schema['~standard'].validate(data)
  if (result.issues) throw new ValidationError(result.issues, stage, `"${options.key}": `)
}
