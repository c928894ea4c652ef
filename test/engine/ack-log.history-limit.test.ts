import { describe, expect, it } from 'vitest'
import { saveSteps, wizardPages } from '../helpers'

const harness = () => wizardPages({ defaults: { debounceMs: 0 } })

describe('history limit across reloads', () => {
  it('a page with a smaller history.limit lists at most `limit` entries', async () => {
    const h = harness()
    const first = h.open({ history: { limit: 20 } })
    await saveSteps(first, ['a', 'b', 'c', 'd', 'e'], () => h.env.clock.tickAsync(1000))
    await first.dispose()
    const saver = h.open({ history: { limit: 2 } })
    await saver.restore()
    expect((await saver.history()).map((e) => e.version)).toEqual([5, 4])
  })

  it('history: false after a page that kept history: none listed, and its snapshots are removed once something is saved', async () => {
    const h = harness()
    const first = h.open()
    await saveSteps(first, ['a', 'b'], () => h.env.clock.tickAsync(1000))
    await first.dispose()
    const saver = h.open({ history: false })
    await saver.restore()
    await saveSteps(saver, ['c'], () => h.env.clock.tickAsync(1000))
    expect.soft(await saver.history()).toEqual([])
    expect((await h.store.keys()).filter((k) => k.startsWith('snapshot:'))).toEqual([])
  })
})
