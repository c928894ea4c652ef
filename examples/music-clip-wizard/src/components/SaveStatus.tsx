import { formatStatus, type AutosaveStatus } from 'autosave-kit'
import { useEffect, useState } from 'react'

/**
 * The save indicator: formatStatus's words, a coloured dot, and a one-second tick while a
 * retry is scheduled so "retrying in 8 s" counts down.
 */
export function SaveStatus({ status }: { status: AutosaveStatus }) {
  const [now, setNow] = useState(() => Date.now())
  const counting = status.retryAt !== null
  useEffect(() => {
    if (!counting) return
    setNow(Date.now())
    const timer = setInterval(() => setNow(Date.now()), 1000)
    return () => clearInterval(timer)
  }, [counting, status.retryAt])
  const text = formatStatus(status, counting ? now : Date.now())
  const title = status.lastSavedAt ? `Last saved to the server at ${new Date(status.lastSavedAt).toLocaleTimeString()}` : undefined
  return (
    <div className={`save-status save-status--${status.phase}`} data-testid="save-status" data-phase={status.phase} role="status" aria-live="polite" title={title}>
      <span className="save-status__dot" aria-hidden="true" />
      <span data-testid="save-status-text">{text || 'All changes saved'}</span>
    </div>
  )
}
