import { IDBFactory } from 'fake-indexeddb'
import { describe, expect, it } from 'vitest'
import { createAutosave } from '../../src/engine/autosave'
import { fallbackStore } from '../../src/stores/fallback'
import { indexedDBStore } from '../../src/stores/indexeddb'
import { localStorageStore } from '../../src/stores/local-storage'
import { memoryStore } from '../../src/stores/memory'
import { memoryTransport } from '../../src/transports/memory'
import { fakeEnvironment, settle, wizard, type Wizard } from '../helpers'
import { MapStorage } from './map-storage'

describe('page exit: the draft is written synchronously where it can be', () => {
  it('an edit made offline just before the page is left survives a reload whose IndexedDB write never landed', async () => {
    const localStorage = new MapStorage()
    const transport = memoryTransport()
    const env = fakeEnvironment()
    env.online.setOnline(false)
    const page = createAutosave<Wizard>({
      key: 'project:1',
      transport,
      store: indexedDBStore({ indexedDB: new IDBFactory(), localStorage }),
      environment: env.environment,
    })
    page.save(wizard('answered, then reloaded at once'))
    // Within localDelayMs (300 ms): nothing on disk yet. The page is left now.
    env.lifecycle.emit('pagehide')
    expect(localStorage.items.size, 'written inside the event, before any await').toBe(1)

    // The next page: its IndexedDB never got the write (the old page died first); localStorage did.
    const next = fakeEnvironment()
    const reloaded = createAutosave<Wizard>({
      key: 'project:1',
      transport,
      store: indexedDBStore({ indexedDB: new IDBFactory(), localStorage }),
      environment: { ...next.environment, randomId: () => 'page-2' },
    })
    expect((await reloaded.restore())?.currentStep).toBe('answered, then reloaded at once')
    await reloaded.flush()
    expect(transport.backend.documents.get('project:1')?.data).toMatchObject({ currentStep: 'answered, then reloaded at once' })
    expect(localStorage.items.size, 'acknowledged: the page-exit copy is gone').toBe(0)
  })

  it('an IndexedDB write still in progress when the page-exit copy is made does not delete that newer copy', async () => {
    const localStorage = new MapStorage()
    const disk = memoryStore()
    let release!: () => void
    let hold: Promise<void> | undefined = new Promise<void>((resolve) => (release = resolve))
    const slowDisk = {
      ...disk,
      isDurable: () => true,
      setMany: async (entries: ReadonlyArray<readonly [string, unknown]>) => {
        const wait = hold
        hold = undefined // only the first write is slow
        await wait
        await disk.setMany(entries)
      },
    }
    const store = fallbackStore([
      { name: 'disk', store: slowDisk },
      { name: 'localStorage', store: localStorageStore({ localStorage }) },
    ])
    const older = store.setMany([['k', 'older']]) // on its way to disk when the page is left
    await settle()
    expect(store.writeNow!([['k', 'newer']])).toBe(true)
    release()
    await older
    expect(await store.get('k'), 'the newer copy is read, and kept').toBe('newer')

    await store.setMany([['k', 'newest']]) // the normal write after it takes over
    expect(await store.get('k')).toBe('newest')
    expect(localStorage.items.size, 'one copy per key again').toBe(0)
  })

  it('without a synchronous backend (memory only, or encrypted) nothing is written at exit and the normal write goes on', () => {
    expect(memoryStore().writeNow).toBeUndefined()
    const store = fallbackStore([{ name: 'memory', store: memoryStore() }])
    expect(store.writeNow!([['k', 1]])).toBe(false)
  })
})
