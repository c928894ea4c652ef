import { threeWayMerge, type ConflictContext, type Json } from 'autosave-kit'
import type { ChatMessage, WizardState } from './state'

/**
 * The `conflict` option of the example (the library's custom strategy): a wizard step has one
 * answer. When this tab and another tab or device both answered since they last agreed — each
 * side added an assistant question, which only happens when a step is answered — the answer
 * already on the server is kept whole and this side's turn is dropped (the wizard then tells
 * the user, see `droppedAnswers`). Any other pair of edits (two image descriptions, uploads
 * in one step, typing) is the library's three-way merge. Unsent chat-box drafts are merged
 * either way, so no typed text is lost.
 */
export function oneAnswerPerStep({ base, local, remote }: ConflictContext<Json>): Json {
  const [b, l, r] = [base as WizardState | undefined, local as unknown as WizardState, remote as unknown as WizardState]
  // What both sides agreed on: the last acknowledged chat, or (no base: two first writes
  // raced) the messages both already hold.
  const agreed = new Set((b?.chat ?? l.chat.filter((m) => r.chat.some((n) => n.id === m.id))).map((m) => m.id))
  if (!(answered(l.chat, agreed) && answered(r.chat, agreed))) return threeWayMerge(base, local, remote).merged
  // The drafts of both, so text typed for a step the kept answer has left behind is still
  // there for the wizard to offer (see Wizard.tsx).
  const drafts = threeWayMerge((b?.drafts ?? {}) as Json, (l.drafts ?? {}) as Json, (r.drafts ?? {}) as Json).merged as NonNullable<WizardState['drafts']>
  const { drafts: _remoteDrafts, ...kept } = r
  return (Object.keys(drafts).length ? { ...kept, drafts } : kept) as unknown as Json
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
