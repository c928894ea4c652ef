import { describe, expect, it } from 'vitest'
import { saveSteps, wizardPages } from './helpers'

const harness = () => wizardPages({ defaults: { debounceMs: 0 } })

describe('history', () => {
  it('lists acknowledged versions newest first, at most `limit`, and drops the snapshots it no longer lists', async () => {
    const h = harness()
    const saver = h.open({ history: { limit: 3 } })
    await saveSteps(saver, ['a', 'b', 'c', 'd', 'e'], () => h.env.clock.tickAsync(1000))
    const entries = await saver.history()
    expect(entries.map((e) => e.version)).toEqual([5, 4, 3])
    expect(entries[0]!.savedAt).toBeGreaterThan(entries[1]!.savedAt)
    // A small document: each full copy is soon smaller than the patches after it, so full copies
    // come often and every one prunes what the history no longer lists.
    const kept = (await h.store.keys()).filter((k) => k.startsWith('ack:doc:'))
    expect(kept, 'evicted entries are deleted from the store').toHaveLength(3)
  })

  it('rollback(id) after a reload makes that snapshot current and saves it as a new version', async () => {
    const h = harness()
    const first = h.open()
    await saveSteps(first, ['track_input', 'video_description', 'video_styles'], () => h.env.clock.tickAsync(1000))
    await first.dispose()

    const saver = h.open()
    await saver.restore()
    const entries = await saver.history()
    const target = entries.find((e) => e.version === 1)!
    const restored = await saver.rollback(target.id)
    expect(restored.currentStep).toBe('track_input')
    expect(saver.getState()?.currentStep).toBe('track_input')
    await saver.flush()
    const doc = h.transport.backend.documents.get('doc')!
    expect(doc, 'the server keeps its past; the rollback is version 4').toMatchObject({ version: 4, data: { currentStep: 'track_input' } })
  })

  it('history: false keeps no snapshots', async () => {
    const h = harness()
    const saver = h.open({ history: false })
    await saveSteps(saver, ['a', 'b'], () => h.env.clock.tickAsync(10))
    expect(await saver.history()).toEqual([])
    expect((await h.store.keys()).some((k) => k.startsWith('snapshot:'))).toBe(false)
  })

  it('rollback of an unknown id is a typed error and changes nothing', async () => {
    const h = harness()
    const saver = h.open()
    await saveSteps(saver, ['a'], () => h.env.clock.tickAsync(10))
    await expect(saver.rollback('nope')).rejects.toMatchObject({ code: 'HISTORY_NOT_FOUND' })
    expect(saver.getState()?.currentStep).toBe('a')
  })
})
