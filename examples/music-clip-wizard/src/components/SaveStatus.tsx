import { formatStatus, type AutosaveStatus } from 'autosave-kit'
import { useEffect, useState } from 'react'

/**
 * The save indicator: formatStatus's words (the library's promise about what is saved), a
 * coloured dot, and a one-second tick while a retry is scheduled so "retrying in 8 s" counts
 * down. The wizard adds what the engine cannot know:
 * - `opening`: the project is still being restored — nothing has been saved yet this visit;
 * - `problem`: the project could not be opened, so there is nothing saved to speak of;
 * - `unsentDraft`: text typed in the composer but not sent is not part of the saved state, so
 *   a "Saved" must not cover it.
 * It never shows a fallback "All changes saved": an idle engine has nothing to report.
 */
export function SaveStatus({ status, opening = false, problem, unsentDraft = false }: { status: AutosaveStatus; opening?: boolean; problem?: string | undefined; unsentDraft?: boolean }) {
  const [now, setNow] = useState(() => Date.now())
  const counting = status.retryAt !== null
  useEffect(() => {
    if (!counting) return
    setNow(Date.now())
    const timer = setInterval(() => setNow(Date.now()), 1000)
    return () => clearInterval(timer)
  }, [counting, status.retryAt])
  const text = problem ?? (opening ? 'Opening…' : withDraft(formatStatus(status, counting ? now : Date.now()), status, unsentDraft))
  const title = status.lastSavedAt ? `Last saved to the server at ${new Date(status.lastSavedAt).toLocaleTimeString()}` : undefined
  return (
    <div
      className={`save-status save-status--${problem ? 'error' : opening ? 'idle' : status.phase}`}
      data-testid="save-status"
      data-phase={status.phase}
      data-draft={unsentDraft ? 'unsent' : undefined}
      role="status"
      aria-live="polite"
      title={title}
      // Nothing to report (an idle engine): keep the place in the top bar, show nothing.
      style={text ? undefined : { visibility: 'hidden' }}
    >
      <span className="save-status__dot" aria-hidden="true" />
      <span data-testid="save-status-text">{text}</span>
    </div>
  )
}

/** "Saved" (or "saved on this device") is about the wizard's state, never the composer's draft. */
function withDraft(text: string, status: AutosaveStatus, unsentDraft: boolean): string {
  const claimsSaved = status.phase === 'saved' || (status.phase === 'offline' && status.durable !== false)
  return unsentDraft && claimsSaved ? `${text} (your unsent answer is not)` : text
}
