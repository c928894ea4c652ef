// Against the package's own jest mock (its `./jest` export: an in-memory AsyncStorage per
// database name), installed in test/react-native by `npm ci --prefix test/react-native`.
import AsyncStorage, { clearAllMockStorages, createAsyncStorage } from '@react-native-async-storage/async-storage/jest'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { asyncStorageStore, createAutosave, memoryTransport, OnlineManager, PageLifecycle, StorageError, type AsyncStorageLike } from '../../src/index'

afterEach(() => clearAllMockStorages())

describe('asyncStorageStore (React Native AsyncStorage)', () => {
  it('keeps the store contract: get, setMany, delMany, keys', async () => {
    const store = asyncStorageStore(createAsyncStorage('contract'))
    await store.setMany([
      ['a', { n: 1 }],
      ['b', [1, 2]],
      ['c', 'text'],
    ])
    expect(await store.get('a')).toEqual({ n: 1 })
    expect(await store.get('missing')).toBeUndefined()
    expect((await store.keys()).sort()).toEqual(['a', 'b', 'c'])
    await store.delMany(['a', 'missing'])
    expect(await store.get('a')).toBeUndefined()
    await store.setMany([['b', undefined]])
    expect(await store.keys(), 'an undefined value removes the record').toEqual(['c'])
  })

  it('a batch of records is one setMany call, so the records of one save travel together', async () => {
    const storage = createAsyncStorage('batched')
    const setMany = vi.spyOn(storage, 'setMany')
    await asyncStorageStore(storage).setMany([
      ['outbox:doc:1', { seq: 1 }],
      ['base:doc', { version: 3 }],
      ['history:doc', []],
    ])
    expect(setMany).toHaveBeenCalledTimes(1)
    expect(Object.keys(setMany.mock.calls[0]![0]).sort()).toEqual([
      'autosave-kit:default:base:doc',
      'autosave-kit:default:history:doc',
      'autosave-kit:default:outbox:doc:1',
    ])
  })

  it('namespaces never see each other, and clear() leaves other namespaces and the app’s own keys alone', async () => {
    await AsyncStorage.setItem('app:theme', 'dark')
    const alice = asyncStorageStore(AsyncStorage, { namespace: 'alice' })
    const bob = asyncStorageStore(AsyncStorage, { namespace: 'bob' })
    await alice.setMany([['outbox:doc:1', 'alice draft']])
    await bob.setMany([['outbox:doc:1', 'bob draft']])
    expect(await alice.get('outbox:doc:1')).toBe('alice draft')
    expect(alice.id).not.toBe(bob.id)
    await alice.clear()
    expect(await alice.keys()).toEqual([])
    expect(await bob.get('outbox:doc:1'), 'clearing alice removed bob’s draft').toBe('bob draft')
    expect(await AsyncStorage.getItem('app:theme'), 'clearing removed a key the app owns').toBe('dark')
  })

  it('works with the multiSet / multiRemove API of AsyncStorage 1 and 2', async () => {
    const v3 = createAsyncStorage('legacy-api')
    const multiSet = vi.fn(async (pairs: Array<[string, string]>) => v3.setMany(Object.fromEntries(pairs)))
    const legacy: AsyncStorageLike = { getItem: v3.getItem, getAllKeys: v3.getAllKeys, multiSet, multiRemove: async (keys) => v3.removeMany([...keys]) }
    const store = asyncStorageStore(legacy, { namespace: 'u1' })
    await store.setMany([
      ['x', 1],
      ['y', 2],
    ])
    expect(multiSet).toHaveBeenCalledTimes(1)
    await store.clear()
    expect(await v3.getAllKeys()).toEqual([])
  })

  it('a record that is not JSON is reported as STORAGE_CORRUPT, naming it', async () => {
    const storage = createAsyncStorage('corrupt')
    await storage.setItem('autosave-kit:default:base:doc', '{not json')
    const read = asyncStorageStore(storage).get('base:doc')
    await expect(read).rejects.toBeInstanceOf(StorageError)
    await expect(read).rejects.toMatchObject({ code: 'STORAGE_CORRUPT', message: expect.stringContaining('base:doc') })
  })

  it('a failing native module is a StorageError the engine can report (STORAGE_WRITE, STORAGE_QUOTA)', async () => {
    const storage = createAsyncStorage('failing')
    vi.spyOn(storage, 'setMany')
      .mockRejectedValueOnce(new Error('SQLITE_IOERR'))
      .mockRejectedValueOnce(Object.assign(new Error('disk full'), { name: 'QuotaExceededError' }))
    const store = asyncStorageStore(storage)
    await expect(store.setMany([['a', 1]])).rejects.toMatchObject({ code: 'STORAGE_WRITE', message: expect.stringContaining('SQLITE_IOERR') })
    await expect(store.setMany([['a', 1]])).rejects.toMatchObject({ code: 'STORAGE_QUOTA' })
    await store.setMany([['a', 1]])
    expect(await store.get('a'), 'a later write still works').toBe(1)
  })

  it('an edit made offline survives an app restart and is sent by the next engine', async () => {
    const storage = createAsyncStorage('restart')
    const transport = memoryTransport()
    const offline = new OnlineManager(() => {})
    offline.setOnline(false)
    const environment = { online: offline, lifecycle: new PageLifecycle(() => {}) }
    const before = createAutosave<{ text: string }>({
      key: 'doc',
      transport,
      store: asyncStorageStore(storage, { namespace: 'u1' }),
      debounceMs: 10,
      environment,
    })
    await before.restore()
    before.save({ text: 'written on the train' })
    await before.dispose()
    expect(transport.backend.writes).toHaveLength(0)

    const after = createAutosave<{ text: string }>({
      key: 'doc',
      transport,
      store: asyncStorageStore(storage, { namespace: 'u1' }),
      debounceMs: 10,
      environment: { lifecycle: new PageLifecycle(() => {}), online: new OnlineManager(() => {}) },
    })
    expect(await after.restore(), 'the offline edit was lost across the restart').toEqual({ text: 'written on the train' })
    await after.flush()
    expect(transport.backend.documents.get('doc')?.data).toEqual({ text: 'written on the train' })
    await after.dispose()
  })
})
