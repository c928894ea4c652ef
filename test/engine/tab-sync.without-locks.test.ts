import { describe, expect, it } from 'vitest'
import { createAutosave } from '../../src/engine/autosave'
import { OnlineManager } from '../../src/environment/online'
import { browserTabs, hasLocks } from '../../src/environment/tabs'
import { memoryStore } from '../../src/stores/memory'
import { fakeEnvironment, heldTransport, settle } from '../helpers'

// A platform without Web Locks (old WebView): browserTabs' lock() runs fn(true) at once.
describe('tabs without Web Locks', () => {
  it("a tab that adopts a live tab's draft does not delete that tab's newer draft from the store", async () => {
    expect(hasLocks(browserTabs), 'this test needs a platform without navigator.locks').toBe(false)
    const env = fakeEnvironment()
    const server = heldTransport()
    const store = memoryStore() // one IndexedDB shared by both tabs
    const offlineA = new OnlineManager(() => {})
    offlineA.setOnline(false)
    const open = (online: OnlineManager) =>
      createAutosave<{ text: string }>({
        key: 'doc',
        transport: server.transport,
        store,
        debounceMs: 50,
        environment: { ...env.environment, online, tabs: browserTabs },
      })

    // Tab A is open and offline: its draft waits in the outbox.
    const a = open(offlineA)
    await a.restore()
    a.save({ text: 'one' })
    await env.clock.tickAsync(400)
    await settle(20)

    // Tab B opens (online) while A is still open; it adopts A's draft and sends it.
    const b = open(new OnlineManager(() => {}))
    await b.restore()
    await settle(20)
    expect(server.pendingCount).toBe(1)

    // Meanwhile A, still open, keeps typing; the edit is stored on this device.
    a.save({ text: 'one two' })
    await env.clock.tickAsync(400)
    await settle(20)
    const draftsBefore = await Promise.all((await store.keys()).filter((k) => k.includes('outbox')).map((k) => store.get(k)))
    expect(draftsBefore.map((r) => (r as { data: unknown }).data)).toContainEqual({ text: 'one two' })

    // B's write of the adopted draft is acknowledged.
    server.next().resolve()
    await settle(20)

    // A's unsent edit must still be on disk (A is offline and may be closed at any time).
    const drafts = await Promise.all((await store.keys()).filter((k) => k.includes('outbox')).map((k) => store.get(k)))
    expect(
      drafts.map((r) => (r as { data: unknown }).data),
      "A's unsent 'one two' was deleted from the store by B's ack",
    ).toContainEqual({ text: 'one two' })
  })
})
