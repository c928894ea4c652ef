/** Each (dbName, namespace) pair has its own IndexedDB database; existing names stay as they were. */
import { IDBFactory } from 'fake-indexeddb'
import { describe, expect, it } from 'vitest'
import { clearLocalData } from '../../src/stores/clear'
import { indexedDBStore } from '../../src/stores/indexeddb'
import { databaseName } from '../../src/stores/namespace'

describe('IndexedDB database names', () => {
  it('dbName "app" + namespace "x:y" and dbName "app:x" + namespace "y" never read each other', async () => {
    const factory = new IDBFactory()
    const a = indexedDBStore({ dbName: 'app', namespace: 'x:y', indexedDB: factory, localStorage: null })
    const b = indexedDBStore({ dbName: 'app:x', namespace: 'y', indexedDB: factory, localStorage: null })
    await a.setMany([['outbox:p', 'A']])
    expect(await b.get('outbox:p'), "another namespace's draft was read").toBeUndefined()
  })

  it('clearLocalData of one of them leaves the other', async () => {
    const factory = new IDBFactory()
    await indexedDBStore({ dbName: 'app', namespace: 'x:y', indexedDB: factory, localStorage: null }).setMany([['outbox:p', 'A']])
    await clearLocalData({ dbName: 'app:x', namespace: 'y', indexedDB: factory, localStorage: null })
    expect(
      await indexedDBStore({ dbName: 'app', namespace: 'x:y', indexedDB: factory, localStorage: null }).get('outbox:p'),
      "logging out another namespace deleted this one's draft",
    ).toBe('A')
  })

  it("names whose dbName has no ':' or '%' are unchanged, so existing users' databases stay reachable", () => {
    expect(databaseName()).toBe('autosave-kit:default')
    expect(databaseName({ namespace: 'org:7/user@x.com' })).toBe('autosave-kit:org:7/user@x.com')
    expect(databaseName({ dbName: 'my-app', namespace: 'u 1' })).toBe('my-app:u 1')
    expect(new Set([databaseName({ dbName: 'a%3A', namespace: 'b' }), databaseName({ dbName: 'a:', namespace: 'b' })]).size).toBe(2)
  })
})
