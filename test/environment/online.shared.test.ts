import { describe, expect, it } from 'vitest'
import { OnlineManager } from '../../src/environment/online'
import { createAutosave } from '../../src/engine/autosave'
import { memoryStore } from '../../src/stores/memory'
import { memoryTransport } from '../../src/transports/memory'
import { fakeEnvironment, settle } from '../helpers'

describe('OnlineManager between subscribers', () => {
  it('a state heard from the source is not kept after the source was detached (events are missed meanwhile)', () => {
    // Stands in for window's online/offline events, which the manager only hears while subscribed.
    let emit: ((online: boolean) => void) | undefined
    const online = new OnlineManager((source) => {
      emit = source
      return () => (emit = undefined)
    })
    // The wizard page is open: its engine hears the network drop.
    const off = online.subscribe(() => {})
    emit!(false)
    expect(online.isOnline()).toBe(false)
    // The user leaves the wizard (engine disposed: last unsubscribe, window listeners removed).
    off()
    // The network comes back; nobody listens, so the 'online' event is not heard.
    // navigator.onLine is true again (in Node there is no navigator: always online).
    // The user opens the wizard again: a new engine subscribes.
    online.subscribe(() => {})
    expect(online.isOnline(), 'still "offline" from an event heard before the source was detached').toBe(true)
  })
})

describe('engine on a shared OnlineManager (the default onlineManager in an SPA)', () => {
  it('a wizard opened again after the network came back sends its edits', async () => {
    const env = fakeEnvironment()
    let emit: ((online: boolean) => void) | undefined
    const online = new OnlineManager((source) => {
      emit = source
      return () => (emit = undefined)
    })
    const transport = memoryTransport()
    const open = () =>
      createAutosave<{ step: string }>({ key: 'p', transport, store: memoryStore(), debounceMs: 50, environment: { ...env.environment, online } })

    const first = open()
    emit!(false) // the window's 'offline' event
    await first.dispose()
    // back online while no engine exists: the 'online' event is not listened to

    const second = open()
    second.save({ step: 'music' })
    await env.clock.tickAsync(1000)
    await settle(10)
    expect(second.getStatus().phase).not.toBe('offline')
    expect(transport.backend.writes, 'nothing was sent: the engine believes it is offline').toHaveLength(1)
  })
})
