import type { Emitter } from 'mitt'
import type { AutosaveError } from '../errors'
import { createDevWarnings } from '../dev-warnings'
import type { AutosaveEvents, AutosaveStatus, Phase, StatusReason } from '../types'

/**
 * The status before anything was saved or restored: what a UI shows before an engine exists
 * (and what `useAutosaveStatus` returns during server rendering).
 *
 * @example
 * ```ts
 * const status = saver?.getStatus() ?? initialStatus
 * ```
 */
export const initialStatus: AutosaveStatus = Object.freeze({
  phase: 'idle',
  lastSavedAt: null,
  error: null,
  pending: false,
  retryAt: null,
  version: null,
  durable: true,
  reason: null,
})

/** Why a save is not through, from the phase and the error (`AutosaveStatus.reason`). */
export function reasonOf(phase: Phase, error: AutosaveError | null): StatusReason | null {
  if (phase === 'offline') return 'offline'
  if (phase === 'conflict') return 'conflict'
  if ((phase !== 'retrying' && phase !== 'error') || !error) return null
  const { code } = error
  if (code.startsWith('SERIALIZATION_')) return 'unserializable'
  if (code.startsWith('STORAGE_')) return 'storage'
  if (code === 'TRANSPORT_NETWORK' || code === 'TRANSPORT_TIMEOUT') return 'unreachable'
  if ('retryable' in error) return error.retryable ? 'server-error' : 'refused'
  return null
}

/** What a refused save's HTTP status means to a user. */
function refusal(status: number | undefined): string {
  if (status === 401) return 'please sign in again'
  if (status === 403) return 'you are not allowed to change this'
  if (status === 413) return 'it is too large'
  if (status === 400 || status === 422) return 'the server found it invalid'
  return 'the server refused it'
}

/**
 * The words a save indicator shows for a status: "Saving…", "Saved", "Offline — saved on
 * this device", "Couldn't save — retrying in 8 s". `now` defaults to `Date.now()`; pass the
 * time you render at to count down.
 *
 * @example
 * ```ts
 * saver.subscribe(() => { indicator.textContent = formatStatus(saver.getStatus()) })
 * ```
 */
export function formatStatus(status: AutosaveStatus, now: number = Date.now()): string {
  // `durable` is absent from statuses built by hand: count it as true.
  // Codes, not class names: minifiers rename classes.
  const localOnly = status.durable === false || status.error?.code.startsWith('STORAGE_') === true
  switch (status.phase) {
    case 'idle':
      return ''
    case 'pending':
    case 'saving':
      return 'Saving…'
    case 'saved':
      return 'Saved'
    case 'offline':
      return localOnly ? 'Offline — keep this tab open to keep your changes' : 'Offline — saved on this device'
    case 'retrying': {
      // Online, but no answer: the server (or the way to it) is down, not the user's Wi-Fi.
      const lead = status.reason === 'unreachable' ? "Can't reach the server" : "Couldn't save"
      if (status.retryAt == null || status.retryAt <= now) return `${lead} — retrying…`
      return `${lead} — retrying in ${Math.ceil((status.retryAt - now) / 1000)} s`
    }
    case 'error':
      // Nothing was kept: the state itself cannot be turned into JSON (a function, a cycle…).
      if (status.error?.code.startsWith('SERIALIZATION_')) return "Couldn't save — this change can't be stored"
      if (status.reason === 'refused') {
        const code = (status.error as { status?: number } | null)?.status
        return `Couldn't save — ${refusal(code)}${code ? ` (${code})` : ''}; ${localOnly ? 'keep this tab open to keep your changes' : 'your changes are kept on this device'}`
      }
      return localOnly ? "Couldn't save — keep this tab open to keep your changes" : "Couldn't save — your changes are kept on this device"
    case 'conflict':
      return "Couldn't combine your changes with a newer version"
  }
}

/**
 * What happened to the engine, as the status sees it. Each event names one moment of the data
 * path; `reduceStatus` says what the status becomes.
 */
export type StatusEvent =
  /** A save() on a clean engine: something is pending now (a send under way keeps its phase). */
  | { type: 'edited' }
  /** The browser went offline while edits wait. */
  | { type: 'went-offline' }
  /** A send found the browser offline. */
  | { type: 'send-offline' }
  /** An attempt is on the wire. */
  | { type: 'sending' }
  /** An attempt failed and the next one waits until `retryAt`. */
  | { type: 'retry-scheduled'; offline: boolean; retryAt: number; error: AutosaveError }
  /** The server acknowledged a write (at `savedAt`), or there was nothing to send (`savedAt: null`). */
  | { type: 'acknowledged'; done: boolean; savedAt: number | null; version: number | null }
  /**
   * A save failed: a refusal waits for the next edit, retry() or reload; a retryable failure past
   * the retry budget is tried again at `retryAt` (the slow cadence).
   */
  | { type: 'failed'; conflict: boolean; error: AutosaveError; retryAt: number | null }
  | { type: 'error'; error: AutosaveError }
  /** The store reported whether it still keeps the drafts on the device. */
  | { type: 'durability'; durable: boolean }
  /** Another tab's (or the server's) newer version became the base. */
  | { type: 'rebased'; version: number }
  /** restore() took over a local draft: it is pending until sent. */
  | { type: 'restored-draft'; version: number | null }
  /** restore() found nothing to send: the restored copy is saved. */
  | { type: 'restored'; version: number | null }

/** The status after `event`: the same object when nothing changed. */
export function reduceStatus(status: AutosaveStatus, event: StatusEvent): AutosaveStatus {
  const next = settle(status, changes(status, event))
  // Unchanged (every save() of a pending burst): nothing to derive, on the hot path.
  if (next === status) return status
  const reason = reasonOf(next.phase, next.error)
  return reason === next.reason ? next : { ...next, reason }
}

function changes(status: AutosaveStatus, event: StatusEvent): Partial<AutosaveStatus> {
  switch (event.type) {
    case 'edited': {
      if (status.pending) return {}
      const busy = status.phase === 'saving' || status.phase === 'offline' || status.phase === 'retrying'
      return { pending: true, phase: busy ? status.phase : 'pending' }
    }
    case 'went-offline':
      return status.pending ? { phase: 'offline', retryAt: null } : {}
    case 'send-offline':
      return { phase: 'offline', retryAt: null }
    case 'sending':
      return { phase: 'saving', retryAt: null }
    case 'retry-scheduled':
      return { phase: event.offline ? 'offline' : 'retrying', retryAt: event.retryAt, error: event.error }
    case 'acknowledged':
      return {
        phase: event.done ? 'saved' : status.phase === 'saving' ? 'pending' : status.phase,
        pending: !event.done,
        lastSavedAt: event.savedAt ?? status.lastSavedAt,
        // A failure of a later state (phase error/conflict kept) is still the current error.
        error: event.done || status.phase === 'saving' ? null : status.error,
        retryAt: null,
        version: event.version,
      }
    case 'failed':
      return { phase: event.conflict ? 'conflict' : event.retryAt !== null ? 'retrying' : 'error', retryAt: event.retryAt, error: event.error }
    case 'error':
      return { error: event.error }
    case 'durability':
      return { durable: event.durable }
    case 'rebased':
      return { version: event.version }
    case 'restored-draft':
      return { pending: true, phase: 'pending', version: event.version }
    case 'restored':
      return { phase: status.phase === 'idle' ? 'saved' : status.phase, version: event.version }
  }
}

function settle(status: AutosaveStatus, patch: Partial<AutosaveStatus>): AutosaveStatus {
  // A loop rather than Object.keys().every(): two events per request, no array or closure for it.
  for (const key in patch) if (patch[key as keyof AutosaveStatus] !== status[key as keyof AutosaveStatus]) return { ...status, ...patch }
  return status
}

/** The engine's status: a reducer's state that tells listeners and `status` events of each change. */
export interface StatusStore {
  readonly current: AutosaveStatus
  /** Applies an event; whether the status changed (and listeners heard of it). */
  dispatch(event: StatusEvent): boolean
  /** Tells `subscribe()` listeners something changed (the state, not only the status). */
  notify(): void
  /** Sets the status's error and emits it as an `error` event. */
  report(error: AutosaveError): void
  readonly listeners: Set<() => void>
}

export function createStatusStore<State>(emitter: Emitter<AutosaveEvents<State>>, key: string): StatusStore {
  const warnUnheard = createDevWarnings(key)
  let status: AutosaveStatus = initialStatus
  const listeners = new Set<() => void>()
  const notify = () => {
    // A copy: a listener may subscribe another, which must wait for the next change.
    if (listeners.size) for (const listener of [...listeners]) listener()
  }
  const dispatch = (event: StatusEvent) => {
    const next = reduceStatus(status, event)
    if (next === status) return false
    status = next
    emitter.emit('status', status)
    notify()
    return true
  }
  return {
    get current() {
      return status
    },
    dispatch,
    notify,
    report(error) {
      dispatch({ type: 'error', error })
      if (!emitter.all.get('error')?.length) warnUnheard(error)
      emitter.emit('error', error)
    },
    listeners,
  }
}
