import { describe, expect, it } from 'vitest'
import { fallbackStore } from '../../src/stores/fallback'
import { localStorageStore } from '../../src/stores/local-storage'
import { memoryStore } from '../../src/stores/memory'
import { MapStorage } from '../stores/map-storage'
import { settle } from '../helpers'

describe('an older async write that falls back to localStorage after a writeNow()', () => {
  it('does not overwrite the newer page-exit copy with the older value', async () => {
    const localStorage = new MapStorage()
    const disk = memoryStore()
    let fail!: (error: unknown) => void
    let first = true
    const flakyDisk = {
      ...disk,
      isDurable: () => true,
      // The first write is in flight when the page is hidden, then IndexedDB drops the
      // connection (Safari does when a page goes to the background) and the write fails.
      setMany: (entries: ReadonlyArray<readonly [string, unknown]>) => {
        if (!first) return disk.setMany(entries)
        first = false
        return new Promise<void>((_, reject) => (fail = reject))
      },
    }
    const store = fallbackStore([
      { name: 'disk', store: flakyDisk },
      { name: 'localStorage', store: localStorageStore({ localStorage }) },
    ])
    const older = store.setMany([['outbox:doc:p1', { seq: 5 }]])
    await settle()
    expect(store.writeNow!([['outbox:doc:p1', { seq: 10 }]])).toBe(true)
    fail(new DOMException('Connection to Indexed Database server lost', 'UnknownError'))
    await older
    expect(await store.get('outbox:doc:p1'), 'the page-exit copy is newer than the batch that fell back').toEqual({ seq: 10 })
  })
})
