import { describe, expect, it } from 'vitest'
import { createAutosave } from '../../src/engine/autosave'
import { localTabs } from '../../src/environment/tabs'
import { fallbackStore } from '../../src/stores/fallback'
import { localStorageStore } from '../../src/stores/local-storage'
import { memoryStore } from '../../src/stores/memory'
import type { AutosaveStore } from '../../src/types'
import { fakeEnvironment, heldTransport, ids, settle, wizard, type Wizard } from '../helpers'
import { MapStorage } from '../stores/map-storage'

describe('an ack and a page-exit write racing', () => {
  const scenario = async (duringAck: boolean) => {
    const localStorage = new MapStorage()
    const records = memoryStore()
    // A stand-in for IndexedDB: durable, reads can be slow, and writes never land once the page is gone.
    let holdGets: { started: () => void; wait: Promise<void> } | undefined
    let pageGone = false
    const disk: AutosaveStore = {
      ...records,
      isDurable: () => true,
      async get(key) {
        if (holdGets) {
          const hold = holdGets
          hold.started()
          await hold.wait
        }
        return records.get(key)
      },
      setMany: (entries) => (pageGone ? new Promise<void>(() => {}) : records.setMany(entries)),
    }
    const pageStore = () =>
      fallbackStore([
        { name: 'disk', store: disk },
        { name: 'localStorage', store: localStorageStore({ localStorage }) },
      ])
    const h = heldTransport()
    const tabs = localTabs()

    // Page 1 leaves an offline draft (written normally, to "IndexedDB").
    const env1 = fakeEnvironment()
    const page1 = createAutosave<Wizard>({
      key: 'doc',
      transport: h.transport,
      store: pageStore(),
      environment: { ...env1.environment, tabs, randomId: ids('p1') },
    })
    await page1.restore()
    env1.online.setOnline(false)
    page1.save(wizard('draft of page 1'))
    await page1.dispose()

    // Page 2 adopts it and sends it.
    const env2 = fakeEnvironment()
    const page2 = createAutosave<Wizard>({
      key: 'doc',
      transport: h.transport,
      store: pageStore(),
      environment: { ...env2.environment, tabs, randomId: ids('p2') },
    })
    expect((await page2.restore())?.currentStep).toBe('draft of page 1')
    await settle(5)
    let started!: () => void
    let release!: () => void
    const getStarted = new Promise<void>((resolve) => (started = resolve))
    if (duringAck) holdGets = { started, wait: new Promise<void>((resolve) => (release = resolve)) }
    h.next().resolve() // acknowledged: the ack work stores the base, decides to delete, reads the adopted record…
    if (duringAck) await getStarted
    else await settle(5)

    // …and right then the user types and closes the page.
    page2.save(wizard('typed while the ack was being stored'))
    pageGone = true // IndexedDB writes from now on never land
    env2.lifecycle.emit('pagehide')
    expect(
      [...localStorage.items.keys()].some((k) => k.includes('outbox:doc:p2')),
      'the page-exit copy was written',
    ).toBe(true)
    holdGets = undefined
    if (duringAck) release()
    await settle(5)
    expect(
      [...localStorage.items.keys()].some((k) => k.includes('outbox:doc:p2')),
      'the page-exit copy must survive the older ack',
    ).toBe(true)

    // Page 3: the edit must come back.
    pageGone = false
    const page3 = createAutosave<Wizard>({
      key: 'doc',
      transport: h.transport,
      store: pageStore(),
      environment: { ...fakeEnvironment().environment, tabs: localTabs(), randomId: ids('p3') },
    })
    expect((await page3.restore())?.currentStep).toBe('typed while the ack was being stored')
  }
  it('an edit made after the ack was stored, then the page closed, comes back', () => scenario(false))
  it('an edit made while the ack is being stored (adopted-draft read), then the page closed, comes back', () => scenario(true))
})
