import { threeWayMerge, type ConflictContext, type Json } from 'autosave-kit'
import { setAt, valueAt } from './lost-edits'
import type { ChatMessage, WizardState } from './state'

/**
 * The `conflict` option of the example (the library's custom strategy): a wizard step has one
 * answer. When this tab and another tab or device both answered since they last agreed — each
 * side added an assistant question, which only happens when a step is answered — the answer
 * already on the server is kept whole and this side's turn is dropped (the wizard then tells
 * the user, see `droppedAnswers`). Any other pair of edits (an image description here, an
 * upload there) is the library's three-way merge, except where both sides changed the same
 * thing (two texts in one chat box, one image's description): there too the copy saved first
 * is kept, and the engine's `conflict` event lists this side's value in `lost`, which the
 * wizard offers to restore (see lost-edits.ts). The side that resolves is the side that saved
 * second, so the one whose edit is replaced is always the one that is told. Unsent chat-box
 * drafts of both are kept when both answered, so no typed text is lost without a notice.
 */
export function oneAnswerPerStep({ base, local, remote }: ConflictContext<Json>): Json {
  const [b, l, r] = [base as WizardState | undefined, local as unknown as WizardState, remote as unknown as WizardState]
  // What both sides agreed on: the last acknowledged chat, or (no base: two first writes
  // raced) the messages both already hold.
  const agreed = new Set((b?.chat ?? l.chat.filter((m) => r.chat.some((n) => n.id === m.id))).map((m) => m.id))
  if (!(answered(l.chat, agreed) && answered(r.chat, agreed))) return savedFirstWhereBothChanged(base, local, remote)
  // The drafts of both, so text typed for a step the kept answer has left behind is still
  // there for the wizard to offer (see Wizard.tsx).
  const drafts = threeWayMerge((b?.drafts ?? {}) as Json, (l.drafts ?? {}) as Json, (r.drafts ?? {}) as Json).merged as NonNullable<WizardState['drafts']>
  const { drafts: _remoteDrafts, ...kept } = r
  return (Object.keys(drafts).length ? { ...kept, drafts } : kept) as unknown as Json
}

/** The three-way merge, with the server's value wherever both sides changed the same place. */
function savedFirstWhereBothChanged(base: Json | undefined, local: Json, remote: Json): Json {
  const { merged, conflicts } = threeWayMerge(base, local, remote)
  return conflicts.reduce((doc, path) => setAt(doc, path, valueAt(remote, path, merged)), merged)
}

function answered(chat: readonly ChatMessage[], agreed: ReadonlySet<string>): boolean {
  return chat.some((message) => message.role === 'assistant' && !agreed.has(message.id))
}

/** The user's messages of `before` that `after` no longer holds: answers a conflict dropped. */
export function droppedAnswers(before: WizardState | undefined, after: WizardState): string[] {
  if (!before) return []
  const kept = new Set(after.chat.map((message) => message.id))
  return before.chat.filter((message) => message.role === 'user' && !kept.has(message.id)).map((message) => message.content)
}
