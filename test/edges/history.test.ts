import { describe, expect, it } from 'vitest'
import { createAutosave } from '../../src/autosave'
import { memoryStore } from '../../src/stores/memory'
import { memoryTransport } from '../../src/transports/memory'
import type { AutosaveOptions } from '../../src/types'
import { fakeEnvironment, wizard } from '../helpers'

type Wizard = ReturnType<typeof wizard>

function harness() {
  const env = fakeEnvironment()
  const store = memoryStore()
  const transport = memoryTransport()
  const open = (options: Partial<AutosaveOptions<Wizard>> = {}) =>
    createAutosave<Wizard>({ key: 'doc', transport, store, debounceMs: 0, environment: env.environment, ...options })
  return { env, store, transport, open }
}

async function saveSteps(saver: ReturnType<ReturnType<typeof harness>['open']>, steps: string[], h: ReturnType<typeof harness>) {
  for (const step of steps) {
    saver.save(wizard(step))
    await saver.flush()
    await h.env.clock.tickAsync(1000)
  }
}

describe('history limit across reloads', () => {
  it('a page with a smaller history.limit lists at most `limit` entries', async () => {
    const h = harness()
    const first = h.open({ history: { limit: 20 } })
    await saveSteps(first, ['a', 'b', 'c', 'd', 'e'], h)
    await first.dispose()
    const saver = h.open({ history: { limit: 2 } })
    await saver.restore()
    expect((await saver.history()).map((e) => e.version)).toEqual([5, 4])
  })

  it('history: false after a page that kept history: none listed, and its snapshots are removed once something is saved', async () => {
    const h = harness()
    const first = h.open()
    await saveSteps(first, ['a', 'b'], h)
    await first.dispose()
    const saver = h.open({ history: false })
    await saver.restore()
    await saveSteps(saver, ['c'], h)
    expect.soft(await saver.history()).toEqual([])
    expect((await h.store.keys()).filter((k) => k.startsWith('snapshot:'))).toEqual([])
  })
})
