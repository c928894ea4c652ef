import { formatStatus, type AutosaveStatus } from 'autosave-kit'
import { useEffect, useState } from 'react'

/**
 * The save indicator: formatStatus's words (the library's promise about what is saved), a
 * coloured dot, and a one-second tick while a retry is scheduled so "retrying in 8 s" counts
 * down. The wizard adds what the engine cannot know:
 * - `opening`: the project is still being restored — nothing has been saved yet this visit;
 * - `problem`: the project could not be opened, so there is nothing saved to speak of;
 * - `unsaved`: a new project nobody has edited yet is saved nowhere, on purpose (it would only
 *   add an empty "Untitled clip" to the list); its first edit saves it.
 * The chat box's unsent text is part of the saved state, so "Saved" covers it too. It never shows a fallback "All changes saved": an idle engine has nothing to report.
 */
export function SaveStatus({
  status,
  opening = false,
  unsaved = false,
  problem,
}: {
  status: AutosaveStatus
  opening?: boolean
  unsaved?: boolean
  problem?: string | undefined
}) {
  const [now, setNow] = useState(() => Date.now())
  const counting = status.retryAt !== null
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new retry time restarts the countdown from now
  useEffect(() => {
    if (!counting) return
    setNow(Date.now())
    const timer = setInterval(() => setNow(Date.now()), 1000)
    return () => clearInterval(timer)
  }, [counting, status.retryAt])
  const text = problem ?? (opening ? 'Opening…' : unsaved ? 'Not saved yet' : formatStatus(status, counting ? now : Date.now()))
  const title = unsaved
    ? 'A new project is saved from your first edit on'
    : status.lastSavedAt
      ? `Last saved to the server at ${new Date(status.lastSavedAt).toLocaleTimeString()}`
      : undefined
  return (
    <div
      className={`save-status save-status--${problem ? 'error' : opening ? 'idle' : status.phase}`}
      data-testid="save-status"
      data-phase={status.phase}
      data-unsaved={unsaved ? 'true' : undefined}
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
