import { describe, expect, it } from 'vitest'
import { createAutosave } from '../../src/engine/autosave'
import { localTabs } from '../../src/environment/tabs'
import { memoryStore } from '../../src/stores/memory'
import type { AutosaveStore } from '../../src/types'
import { fakeEnvironment, heldTransport, ids, settle, wizard, type Wizard } from '../helpers'

describe('a tab holds the send lock until its ack is stored', () => {
  const scenario = async (hidden: boolean) => {
    const h = heldTransport()
    const tabs = localTabs()
    const disk = memoryStore()
    // Reads of the shared history index wait until the test lets them go (a slow IndexedDB read).
    let gate: Promise<void> | undefined
    let open!: () => void
    const store: AutosaveStore = {
      ...disk,
      isDurable: () => true,
      async get(key) {
        if (key === 'history:doc' && gate !== undefined) {
          await gate
        }
        return disk.get(key)
      },
    }
    const envA = fakeEnvironment()
    const envB = fakeEnvironment()
    const a = createAutosave<Wizard>({ key: 'doc', transport: h.transport, store, environment: { ...envA.environment, tabs, randomId: ids('a') } })
    const b = createAutosave<Wizard>({ key: 'doc', transport: h.transport, store, environment: { ...envB.environment, tabs, randomId: ids('b') } })

    // v1 from A, acknowledged and in history.
    a.save(wizard('one'))
    const f1 = a.flush()
    await settle(5)
    h.next().resolve()
    await f1
    await settle(5)
    expect((await a.history()).map((e) => e.version)).toEqual([1])

    // A edits and goes to the background: the lock is free, so A sends at once (keepalive) under it.
    a.save(wizard('two'))
    if (hidden) envA.lifecycle.emit('hidden')
    else void a.flush()
    await settle(5)
    expect(h.pendingCount).toBe(1)

    // Meanwhile B (visible) edits and flushes: it queues for the send lock.
    b.save((prev) => ({ ...(prev ?? wizard('x')), data: { ...(prev ?? wizard('x')).data, videoDescription: 'from B' } }))
    const fb = b.flush()
    await settle(5)
    expect(h.pendingCount, 'B waits for the lock').toBe(1)

    gate = new Promise<void>((resolve) => (open = resolve))
    h.next().resolve() // A's v2 acknowledged; its ack (base + history) is stored asynchronously
    await settle(5)
    // With (c), A should hold the lock until its ack is stored. It does not (keepalive path):
    // B already got the lock and its write is out while A's history update is still reading.
    if (h.pendingCount === 1) h.next().resolve() // B's v3
    await settle(5)
    open()
    gate = undefined
    await settle(5)
    if (h.pendingCount === 1) h.next().resolve() // control: B only got the lock now
    await fb
    await settle(10)
    const versions = (await a.history()).map((e) => e.version).sort()
    expect(h.document?.version).toBe(3)
    expect(versions, 'every acknowledged version is in the shared history').toEqual([1, 2, 3])
  }
  it("A visible (flush): both tabs' history entries are kept", () => scenario(false))
  it("A hidden (keepalive under the lock it took if free): both tabs' history entries are kept", () => scenario(true))
})
