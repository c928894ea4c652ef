import { describe, expect, it } from 'vitest'
import { createAutosave } from '../../src/engine/autosave'
import { localTabs, type Tabs } from '../../src/environment/tabs'
import { memoryStore } from '../../src/stores/memory'
import { fakeEnvironment, heldTransport, ids, settle, wizard, type Wizard } from '../helpers'

/**
 * A send asks for the send lock without a signal first (most sends find it free) and queues
 * with one only when another tab holds it. The guarantees of the queued wait hold in the moment
 * between the two: pagehide sends a keepalive at once, disposal sends nothing.
 */

type LockOptions = { ifAvailable?: boolean; signal?: AbortSignal }

/** localTabs whose send-lock calls are recorded per tab, and whose "is it free?" answers wait for `release()` after `gate()`. */
function recordingTabs() {
  const inner = localTabs()
  /** Calls for the send lock. */
  const calls: Array<{ tab: string; ifAvailable: boolean; signal: boolean }> = []
  let gate: Promise<void> | undefined
  let open = () => {}
  const forTab = (tab: string): Tabs => ({
    ...inner,
    lock: async <T>(name: string, options: LockOptions, fn: (granted: boolean) => Promise<T> | T) => {
      // The send lock only (others guard restores and shared records).
      if (name.includes(':send:')) calls.push({ tab, ifAvailable: options.ifAvailable === true, signal: options.signal !== undefined })
      if (options.ifAvailable && gate !== undefined) await gate
      return inner.lock!(name, options, fn)
    },
  })
  return {
    forTab,
    calls,
    gate() {
      gate = new Promise<void>((resolve) => (open = resolve))
    },
    release() {
      gate = undefined
      open()
    },
  }
}

function twoTabs() {
  const h = heldTransport()
  const tabs = recordingTabs()
  const store = memoryStore()
  const envA = fakeEnvironment()
  const envB = fakeEnvironment()
  const a = createAutosave<Wizard>({
    key: 'doc',
    transport: h.transport,
    store,
    environment: { ...envA.environment, tabs: tabs.forTab('A'), randomId: ids('a') },
  })
  const b = createAutosave<Wizard>({
    key: 'doc',
    transport: h.transport,
    store,
    environment: { ...envB.environment, tabs: tabs.forTab('B'), randomId: ids('b') },
  })
  const writesOf = (text: string) => h.writes.filter((w) => (w.data as Wizard).data?.musicDescription === text)
  return { h, tabs, envA, a, b, writesOf }
}

/** A types, flushes, and its page goes away while its "is the lock free?" is unanswered; A's writes of that edit. */
async function typeThenCloseWhileAsking({ tabs, envA, a, writesOf }: Pick<ReturnType<typeof twoTabs>, 'tabs' | 'envA' | 'a' | 'writesOf'>) {
  tabs.gate()
  a.save(wizard('x', { musicDescription: 'typed just before closing' }))
  void a.flush().catch(() => {})
  await settle(5)
  envA.lifecycle.emit('pagehide')
  tabs.release()
  await settle(5)
  return writesOf('typed just before closing')
}

describe('the send lock is asked for before it is queued for', () => {
  it('a send that finds it free takes it without a signal; one that finds it taken queues with one, and goes after', async () => {
    const { h, tabs, a, b, writesOf } = twoTabs()
    a.save(wizard('x', { musicDescription: 'from A' }))
    const fa = a.flush()
    await settle(5)
    expect(tabs.calls.filter((c) => c.tab === 'A')).toEqual([{ tab: 'A', ifAvailable: true, signal: false }])
    expect(h.pendingCount).toBe(1)

    b.save(wizard('x', { musicDescription: 'from B' }))
    const fb = b.flush()
    await settle(5)
    expect(tabs.calls.filter((c) => c.tab === 'B')).toEqual([
      { tab: 'B', ifAvailable: true, signal: false },
      { tab: 'B', ifAvailable: false, signal: true },
    ])
    expect(writesOf('from B'), 'B waits for the lock A holds').toHaveLength(0)

    h.next().resolve()
    await fa
    await settle(5)
    expect(writesOf('from B'), 'B sends once A is done').toHaveLength(1)
    h.next().resolve()
    await fb
    expect(h.maxInFlight).toBe(1)
  })

  it('pagehide while the answer is on its way and the lock is taken: a keepalive write at once', async () => {
    const { h, tabs, envA, a, b, writesOf } = twoTabs()
    b.save(wizard('x', { musicDescription: 'from B' }))
    void b.flush().catch(() => {})
    await settle(5)
    expect(h.pendingCount, 'B holds the lock').toBe(1)

    const fromA = await typeThenCloseWhileAsking({ tabs, envA, a, writesOf })
    expect(fromA.length, "A's edit went out inside the page's last moments, not after B").toBe(1)
    expect(fromA[0]!.keepalive).toBe(true)
    expect(
      tabs.calls.filter((c) => c.tab === 'A' && c.signal),
      'A never queued',
    ).toEqual([])
  })

  it('pagehide while the answer is on its way and the lock is free: the write it starts is a keepalive', async () => {
    const { h, tabs, envA, a, writesOf } = twoTabs()
    const fromA = await typeThenCloseWhileAsking({ tabs, envA, a, writesOf })
    expect(fromA.length).toBe(1)
    expect(fromA[0]!.keepalive).toBe(true)
    expect(h.maxInFlight).toBe(1)
  })

  it('disposed while the answer is on its way and the lock is taken: nothing is sent, nothing is queued', async () => {
    const { h, tabs, a, b, writesOf } = twoTabs()
    b.save(wizard('x', { musicDescription: 'from B' }))
    void b.flush().catch(() => {})
    await settle(5)

    tabs.gate()
    a.save(wizard('x', { musicDescription: 'from A' }))
    const fa = a.flush().catch((error: { code?: string }) => error.code)
    await settle(5)
    void a.dispose()
    tabs.release()
    await settle(5)
    expect(await fa).toBe('DISPOSED')
    h.next().resolve()
    await settle(10)
    expect(writesOf('from A')).toHaveLength(0)
    expect(tabs.calls.filter((c) => c.tab === 'A' && c.signal)).toEqual([])
  })
})
