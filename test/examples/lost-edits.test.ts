/** The music-clip example's conflict rules: the copy saved first wins a same-field edit, and the loser gets its value back. */
import { describe, expect, it } from 'vitest'
import { lostEdits, restoreEdit } from '../../examples/music-clip-wizard/src/lost-edits'
import { oneAnswerPerStep } from '../../examples/music-clip-wizard/src/one-answer-per-step'
import type { WizardState } from '../../examples/music-clip-wizard/src/state'
import { initialState } from '../../examples/music-clip-wizard/src/workflow'
import { resolveConflict, type Json } from '../../src/index'

const image = (id: string, description: string) => ({ id, name: `${id}.png`, size: 1, type: 'image/png', description })
const base: WizardState = { ...initialState(new Date(0)), currentStep: 'reference_image_description' }
const withImages = (images: ReturnType<typeof image>[], drafts?: WizardState['drafts']): WizardState => ({
  ...base,
  data: { ...base.data, referenceImages: images },
  ...(drafts ? { drafts } : {}),
})

/** The `conflict` event the engine emits for a same-field edit at `conflicts[0]`: mine lost to theirs. */
const conflictEvent = (conflicts: string[], merged: Json, mine: string, theirs: string) => ({
  strategy: 'custom' as const,
  paths: conflicts,
  remoteVersion: 2,
  resolved: merged,
  lost: [{ path: conflicts[0]!, local: mine, remote: theirs }],
})

function resolve(b: WizardState, local: WizardState, remote: WizardState) {
  const resolved = resolveConflict(oneAnswerPerStep, { base: b as unknown as Json, local: local as unknown as Json, remote: remote as unknown as Json })
  return resolved
}

describe('music-clip example: a same-field edit', () => {
  it('keeps the copy saved first in the chat box, and the loser can restore its text', () => {
    const local = withImages([], { reference_image_description: 'mine' })
    const remote = withImages([], { reference_image_description: 'theirs' })
    const { merged, conflicts } = resolve(base, local, remote)
    expect(conflicts).toEqual(['/drafts/reference_image_description'])
    expect((merged as unknown as WizardState).drafts).toEqual({ reference_image_description: 'theirs' })
    const [edit] = lostEdits(conflictEvent(conflicts, merged, 'mine', 'theirs'))
    expect(edit).toMatchObject({ label: 'the message you were typing', mine: 'mine' })
    expect(restoreEdit(merged as unknown as WizardState, edit!).drafts).toEqual({ reference_image_description: 'mine' })
  })

  it('keeps their description of an image the other side moved down, and restores mine on the same image', () => {
    const b = withImages([image('x', '')])
    const local = withImages([image('x', 'my words')])
    const remote = withImages([image('new', ''), image('x', 'their words')])
    const { merged, conflicts } = resolve(b, local, remote)
    const kept = (merged as unknown as WizardState).data.referenceImages
    expect(kept.map((i) => [i.id, i.description])).toEqual([
      ['new', ''],
      ['x', 'their words'],
    ])
    expect(conflicts).toEqual(['/data/referenceImages/1/description'])
    const [edit] = lostEdits(conflictEvent(conflicts, merged, 'my words', 'their words'))
    expect(edit).toMatchObject({ label: 'the description of x.png', mine: 'my words' })
    expect(restoreEdit(merged as unknown as WizardState, edit!).data.referenceImages.map((i) => i.description)).toEqual(['', 'my words'])
  })

  it('edits of different fields still combine, with nothing lost', () => {
    const local = withImages([], { reference_image_description: 'mine' })
    const remote = { ...withImages([]), data: { ...base.data, videoDescription: 'theirs' } }
    const { merged, conflicts } = resolve(base, local, remote)
    expect(conflicts).toEqual([])
    expect(merged).toMatchObject({ drafts: { reference_image_description: 'mine' }, data: { videoDescription: 'theirs' } })
  })
})
