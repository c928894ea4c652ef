import { describe, expect, it } from 'vitest'
import { createAutosave } from '../../src/engine/autosave'
import { localTabs } from '../../src/environment/tabs'
import { memoryStore } from '../../src/stores/memory'
import { fakeEnvironment, heldTransport, ids, settle, wizard, type Wizard } from '../helpers'

describe('a tab closed while another tab holds the send lock', () => {
  it('still starts a keepalive write of its edit at pagehide (hidden queued it behind the lock)', async () => {
    const h = heldTransport()
    const tabs = localTabs()
    const store = memoryStore()
    const envA = fakeEnvironment()
    const envB = fakeEnvironment()
    const a = createAutosave<Wizard>({ key: 'doc', transport: h.transport, store, environment: { ...envA.environment, tabs, randomId: ids('a') } })
    const b = createAutosave<Wizard>({ key: 'doc', transport: h.transport, store, environment: { ...envB.environment, tabs, randomId: ids('b') } })

    // Tab B is sending (its request is slow): it holds the send lock.
    b.save(wizard('from B'))
    void b.flush().catch(() => {})
    await settle()
    expect(h.pendingCount).toBe(1)

    // Tab A has an unsent edit and is closed: the browser fires visibilitychange(hidden), then pagehide.
    a.save(wizard('from A', { musicDescription: 'typed just before closing' }))
    envA.lifecycle.emit('hidden')
    envA.lifecycle.emit('pagehide')
    await settle()

    const fromA = h.writes.filter((w) => (w.data as Wizard).data?.musicDescription === 'typed just before closing')
    // Before the ifAvailable change, 'hidden' sent at once with keepalive; now nothing at all goes
    // out of the closing tab (inFlight is the queued lock wait, so pagehide skips requestSend).
    expect(fromA.length, "a keepalive write of A's edit started inside the page-exit event").toBe(1)
    expect(fromA[0]!.keepalive).toBe(true)
  })
})
