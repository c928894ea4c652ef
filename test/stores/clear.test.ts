/** Logout (`clearLocalData`) settles even while another tab keeps the database open. */
import { IDBFactory } from 'fake-indexeddb'
import { describe, expect, it, vi } from 'vitest'
import { clearLocalData } from '../../src/stores/clear'
import { indexedDBStore } from '../../src/stores/indexeddb'
import { localStorageStore } from '../../src/stores/local-storage'
import { MapStorage } from './map-storage'

describe('logout while another tab holds the database', () => {
  it('rejects with STORAGE_BLOCKED instead of hanging; localStorage is cleared, and the database goes once the tab closes', async () => {
    const factory = new IDBFactory()
    const storage = new MapStorage()
    await indexedDBStore({ namespace: 'u', indexedDB: factory, localStorage: null }).setMany([['outbox:p', 'secret']])
    await localStorageStore({ namespace: 'u', localStorage: storage }).setMany([['outbox:q', 'secret too']])
    // Another tab (an older build, or app code on the same database) that ignores versionchange.
    const other = await new Promise<IDBDatabase>((resolve) => {
      const request = factory.open('autosave-kit:u')
      request.onsuccess = () => resolve(request.result)
    })
    const outcome = await Promise.race([
      clearLocalData({ namespace: 'u', indexedDB: factory, localStorage: storage }).then(
        () => 'resolved',
        (error: { code?: string }) => error.code,
      ),
      new Promise((resolve) => setTimeout(() => resolve('still pending: logout awaits forever'), 2000)),
    ])
    expect(outcome).toBe('STORAGE_BLOCKED')
    expect(storage.items.size, 'localStorage drafts survived the logout').toBe(0)

    other.close()
    await vi.waitFor(async () => expect((await factory.databases()).map((db) => db.name)).not.toContain('autosave-kit:u'))
  })

  it('resolves when only our own stores hold the database (they close on versionchange)', async () => {
    const factory = new IDBFactory()
    const store = indexedDBStore({ namespace: 'u', indexedDB: factory, localStorage: null })
    await store.setMany([['outbox:p', 'secret']])
    await clearLocalData({ namespace: 'u', indexedDB: factory, localStorage: null })
    expect(await indexedDBStore({ namespace: 'u', indexedDB: factory, localStorage: null }).keys()).toEqual([])
  })
})
