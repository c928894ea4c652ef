import type { AutosaveStatus } from '../types'

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
})

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
  const localOnly = status.durable === false || status.error?.name === 'StorageError'
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
      if (status.retryAt == null || status.retryAt <= now) return 'Couldn\'t save — retrying…'
      return `Couldn't save — retrying in ${Math.ceil((status.retryAt - now) / 1000)} s`
    }
    case 'error':
      return localOnly ? 'Couldn\'t save — keep this tab open to keep your changes' : 'Couldn\'t save — your changes are kept on this device'
    case 'conflict':
      return 'Couldn\'t combine your changes with a newer version'
  }
}
