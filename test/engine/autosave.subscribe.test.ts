import { describe, expect, it } from 'vitest'
import { createAutosave } from '../../src/engine/autosave'
import type { Tabs } from '../../src/environment/tabs'
import { memoryStore } from '../../src/stores/memory'
import { fakeEnvironment, heldTransport, wizard, type Wizard } from '../helpers'

/** A tab channel the test posts on, as another tab would. */
function testTabs() {
  const listeners = new Set<(m: unknown) => void>()
  const tabs: Tabs = {
    channel: () => ({
      post: () => {},
      subscribe: (fn) => (listeners.add(fn), () => listeners.delete(fn)),
      close: () => {},
    }),
  }
  const postFromOtherTab = (message: unknown) => {
    for (const fn of listeners) fn(message)
  }
  return { tabs, postFromOtherTab }
}

describe("subscribe() on every state change ('local-wins' 412 after another tab's ack)", () => {
  it('getState() never changes without subscribers being called', async () => {
    const env = fakeEnvironment()
    const { tabs, postFromOtherTab } = testTabs()
    const v1 = wizard('one')
    const server = heldTransport({ data: v1, version: 1, updatedAt: '' })
    const saver = createAutosave<Wizard>({
      key: 'doc',
      transport: server.transport,
      store: memoryStore(),
      debounceMs: 50,
      conflict: 'local-wins',
      environment: { ...env.environment, tabs },
    })
    await saver.restore()

    let notified = saver.getState()
    const stale: string[] = []
    saver.subscribe(() => (notified = saver.getState()))
    const check = (when: string) => {
      if (JSON.stringify(notified) !== JSON.stringify(saver.getState())) stale.push(when)
    }

    saver.save((prev) => ({ ...prev!, data: { ...prev!.data, musicDescription: 'mine' } }))
    void saver.flush().catch(() => {})
    await env.clock.tickAsync(0)
    expect(server.pendingCount).toBe(1) // on version 1

    // Another tab saves version 2 (its write reached the server) and broadcasts its ack.
    const fromTab = wizard('from other tab')
    server.setDocument({ data: fromTab, version: 2, updatedAt: '' })
    postFromOtherTab({ type: 'ack', version: 2, data: fromTab })
    check('after the tab ack')
    // 'local-wins' decides between tabs as at a 412: this tab's unsent state is kept whole.
    expect(saver.getState()?.currentStep).toBe('one')
    expect(saver.getState()?.data.musicDescription).toBe('mine')

    server.next().resolve() // 412 (version 2): 'local-wins' resolves to the local state
    await env.clock.tickAsync(0)
    check('after the 412 was resolved')
    expect(stale, 'moments where getState() differed from what subscribers last saw').toEqual([])
  })
})
