import type { AutosaveError } from './errors'
import type { AutosaveStatus, Phase, StatusReason } from './types'

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
      const lead = status.reason === 'unreachable' ? 'Can\'t reach the server' : 'Couldn\'t save'
      if (status.retryAt == null || status.retryAt <= now) return `${lead} — retrying…`
      return `${lead} — retrying in ${Math.ceil((status.retryAt - now) / 1000)} s`
    }
    case 'error':
      // Nothing was kept: the state itself cannot be turned into JSON (a function, a cycle…).
      if (status.error?.code.startsWith('SERIALIZATION_')) return 'Couldn\'t save — this change can\'t be stored'
      if (status.reason === 'refused') {
        const code = (status.error as { status?: number } | null)?.status
        return `Couldn't save — ${refusal(code)}${code ? ` (${code})` : ''}; ${localOnly ? 'keep this tab open to keep your changes' : 'your changes are kept on this device'}`
      }
      return localOnly ? 'Couldn\'t save — keep this tab open to keep your changes' : 'Couldn\'t save — your changes are kept on this device'
    case 'conflict':
      return 'Couldn\'t combine your changes with a newer version'
  }
}
