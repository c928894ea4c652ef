/**
 * After a fallback the store still reads the newest copy of every record, in this page and the
 * next — and a write that could only land in memory never costs the copy a reload would find.
 */
import { IDBFactory } from 'fake-indexeddb'
import { describe, expect, it } from 'vitest'
import { createAutosave } from '../../src/engine/autosave'
import { TransportError } from '../../src/errors'
import { fallbackStore } from '../../src/stores/fallback'
import { indexedDBStore } from '../../src/stores/indexeddb'
import { memoryStore } from '../../src/stores/memory'
import { memoryTransport } from '../../src/transports/memory'
import type { Transport } from '../../src/types'
import { fakeEnvironment } from '../helpers'
import { MapStorage } from './map-storage'

/** IndexedDB that fails in this page only (Safari's "Connection to Indexed Database server lost"). */
const brokenFactory = {
  open() {
    throw new DOMException('Connection to Indexed Database server lost. Refresh the page to try again', 'UnknownError')
  },
} as unknown as IDBFactory

describe('reads find the newest copy after a fallback', () => {
  it('a page that fell back to localStorage: the next page (IndexedDB working again) reads its copy, not the older one in IndexedDB', async () => {
    const factory = new IDBFactory()
    const storage = new MapStorage()
    await indexedDBStore({ namespace: 'u1', indexedDB: factory, localStorage: storage }).setMany([['base:p', 'v1']])
    await indexedDBStore({ namespace: 'u1', indexedDB: brokenFactory, localStorage: storage }).setMany([['base:p', 'v2']])
    const next = indexedDBStore({ namespace: 'u1', indexedDB: factory, localStorage: storage })
    expect(await next.get('base:p'), 'the older IndexedDB copy was read').toBe('v2')
    // Its next write goes to IndexedDB again and removes the localStorage copy.
    await next.setMany([['base:p', 'v3']])
    expect(storage.items.size).toBe(0)
    expect(await indexedDBStore({ namespace: 'u1', indexedDB: factory, localStorage: storage }).get('base:p')).toBe('v3')
  })

  it('an offline restore after such a page returns the newest acknowledged document', async () => {
    const factory = new IDBFactory()
    const storage = new MapStorage()
    const transport = memoryTransport()
    let pages = 0
    const page = async (indexedDB: IDBFactory, text: string) => {
      const env = fakeEnvironment()
      const prefix = `page${++pages}`
      let ids = 0
      const environment = { ...env.environment, randomId: () => `${prefix}-${++ids}` }
      const saver = createAutosave<{ text: string }>({
        key: 'project:1',
        transport,
        store: indexedDBStore({ namespace: 'u1', indexedDB, localStorage: storage }),
        environment,
        localDelayMs: 0,
      })
      await saver.restore()
      saver.save({ text })
      await saver.flush()
      await saver.dispose()
    }
    await page(factory, 'version one')
    await page(brokenFactory, 'version two') // acknowledged as version 2; its base record is in localStorage
    expect(transport.backend.writes).toHaveLength(2)

    const offline: Transport = {
      load: async () => {
        throw new TransportError('TRANSPORT_NETWORK', 'offline', { retryable: true })
      },
      write: async () => {
        throw new TransportError('TRANSPORT_NETWORK', 'offline', { retryable: true })
      },
    }
    const env = fakeEnvironment()
    const saver = createAutosave<{ text: string }>({
      key: 'project:1',
      transport: offline,
      store: indexedDBStore({ namespace: 'u1', indexedDB: factory, localStorage: storage }),
      environment: env.environment,
    })
    const restored = await saver.restore()
    await saver.dispose()
    expect(restored, 'the older acknowledged document came back').toEqual({ text: 'version two' })
  })
})

describe('falling back to memory keeps the durable copy', () => {
  it('the last draft that fit on disk survives a reload after the disk filled up', async () => {
    const disk = memoryStore() // stands in for IndexedDB: survives the reload
    const fullDisk = {
      ...disk,
      isDurable: () => true,
      setMany: async (entries: ReadonlyArray<readonly [string, unknown]>) => {
        if (JSON.stringify(entries).length > 100) throw new DOMException('disk full', 'QuotaExceededError')
        return disk.setMany(entries)
      },
    }
    const page1 = fallbackStore([
      { name: 'IndexedDB', store: fullDisk },
      { name: 'memory', store: memoryStore() },
    ])
    await page1.setMany([['outbox:p:tab', { text: 'draft v1' }]])
    await page1.setMany([['outbox:p:tab', { text: 'draft v2 '.repeat(50) }]]) // too big: goes to memory
    expect(await page1.get('outbox:p:tab'), 'this page must read its newest draft').toEqual({ text: 'draft v2 '.repeat(50) })

    // The tab crashes; the next page only has the disk.
    const page2 = fallbackStore([
      { name: 'IndexedDB', store: disk },
      { name: 'memory', store: memoryStore() },
    ])
    expect(await page2.get('outbox:p:tab'), 'draft v1 was deleted from disk when v2 went to memory').toEqual({ text: 'draft v1' })
  })

  it('a delete still removes the key from every backend, memory and disk', async () => {
    const disk = memoryStore()
    const flaky = { ...disk, isDurable: () => true, setMany: async () => Promise.reject(new DOMException('full', 'QuotaExceededError')) }
    await disk.setMany([['k', 'old']])
    const store = fallbackStore([
      { name: 'disk', store: flaky },
      { name: 'memory', store: memoryStore() },
    ])
    await store.setMany([['k', 'new']])
    await store.delMany(['k'])
    expect(await store.get('k')).toBeUndefined()
    expect(await disk.get('k')).toBeUndefined()
  })
})
