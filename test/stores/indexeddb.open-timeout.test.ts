/**
 * Some browsers leave `indexedDB.open` unanswered forever (Safari private windows, Safari 14.1,
 * a broken profile). The store must give up after `openTimeoutMs` and keep drafts in localStorage.
 */
import FakeTimers from '@sinonjs/fake-timers'
import { IDBFactory } from 'fake-indexeddb'
import { describe, expect, it } from 'vitest'
import { createAutosave } from '../../src/engine/autosave'
import type { AutosaveError } from '../../src/errors'
import { indexedDBStore } from '../../src/stores/indexeddb'
import { memoryTransport } from '../../src/transports/memory'
import { fakeEnvironment } from '../helpers'
import { MapStorage } from './map-storage'

/** indexedDB.open returns a request that fires no event until the test says so. */
function silentFactory() {
  const requests: Array<Partial<IDBOpenDBRequest> & { onsuccess?: (() => void) | null }> = []
  const factory = {
    open: () => {
      const request = {} as Partial<IDBOpenDBRequest>
      requests.push(request as never)
      return request
    },
  } as unknown as IDBFactory
  return { factory, requests }
}

const fakeClock = () => {
  const clock = FakeTimers.createClock()
  return { fake: clock, clock: { now: () => clock.now, setTimeout: clock.setTimeout, clearTimeout: clock.clearTimeout } }
}

describe('an IndexedDB open that never answers', () => {
  it('writes move to localStorage after openTimeoutMs, with one STORAGE_UNAVAILABLE report', async () => {
    const { factory } = silentFactory()
    const { fake, clock } = fakeClock()
    const storage = new MapStorage()
    const errors: AutosaveError[] = []
    const store = indexedDBStore({ namespace: 'u1', indexedDB: factory, localStorage: storage, clock })
    store.onError!((error) => errors.push(error))
    let settled = false
    const writing = store.setMany([['outbox:p', 'draft']]).then(() => (settled = true))
    await fake.tickAsync(2999)
    expect(settled).toBe(false)
    await fake.tickAsync(1)
    await writing
    expect([...storage.items.keys()], 'the draft was not kept anywhere').toEqual(['autosave-kit:u1:outbox:p'])
    expect(errors.map((error) => error.code)).toEqual(['STORAGE_UNAVAILABLE'])
    // Reads do not wait on the dead open either.
    expect(await store.get('outbox:p')).toBe('draft')
    expect(await store.get('missing')).toBeUndefined()
  })

  it('openTimeoutMs sets the wait', async () => {
    const { factory } = silentFactory()
    const { fake, clock } = fakeClock()
    const storage = new MapStorage()
    const store = indexedDBStore({ indexedDB: factory, localStorage: storage, clock, openTimeoutMs: 500 })
    const writing = store.setMany([['outbox:p', 'draft']])
    await fake.tickAsync(500)
    await writing
    expect(storage.items.size).toBe(1)
  })

  it('an open that answers late still serves reads of the drafts kept in IndexedDB; writes stay on localStorage', async () => {
    const factory = new IDBFactory()
    await indexedDBStore({ namespace: 'u1', indexedDB: factory, localStorage: null }).setMany([['outbox:p:earlier-page', 'earlier draft']])
    // The same database, but this page's open answers only when the test releases it.
    let release = () => {}
    const slow = {
      open(name: string) {
        const real = factory.open(name)
        const held = {
          get result() {
            return real.result
          },
          get error() {
            return real.error
          },
        } as Record<string, unknown>
        real.onupgradeneeded = () => (held.onupgradeneeded as () => void)()
        real.onerror = () => (held.onerror as () => void)()
        real.onsuccess = () => (release = () => (held.onsuccess as () => void)())
        return held
      },
    } as unknown as IDBFactory
    const { fake, clock } = fakeClock()
    const storage = new MapStorage()
    const store = indexedDBStore({ namespace: 'u1', indexedDB: slow, localStorage: storage, clock })
    const writing = store.setMany([['outbox:p:this-page', 'new draft']])
    await fake.tickAsync(3000)
    await writing
    expect(storage.items.size).toBe(1)
    release()
    expect(await store.get('outbox:p:earlier-page'), "the earlier page's draft is unreachable for the rest of the page").toBe('earlier draft')
    await store.setMany([['outbox:p:this-page', 'newer draft']])
    expect(await store.get('outbox:p:this-page')).toBe('newer draft')
    expect(storage.items.size).toBe(1)
  })

  it('the engine stores the draft and reaches "saved" instead of staying "pending"', async () => {
    const { factory } = silentFactory()
    const env = fakeEnvironment()
    const storage = new MapStorage()
    const saver = createAutosave<{ text: string }>({
      key: 'project:1',
      transport: memoryTransport(),
      store: indexedDBStore({ namespace: 'u1', indexedDB: factory, localStorage: storage, clock: env.environment.clock }),
      environment: env.environment,
      localDelayMs: 10,
      debounceMs: 10,
    })
    saver.save({ text: 'draft' })
    await env.clock.tickAsync(3100)
    const stored = storage.items.size
    const phase = saver.getStatus().phase
    await saver.dispose()
    expect({ stored: stored > 0, phase }, 'nothing stored, nothing sent').toEqual({ stored: true, phase: 'saved' })
  })
})
