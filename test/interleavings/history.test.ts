import { describe, expect, it } from 'vitest'
import { memoryStore } from '../../src/stores/memory'
import type { AutosaveStore } from '../../src/types'
import { settle, wizard } from '../helpers'
import { twoTabWorld } from './world'

/** Reads see the data when issued and answer a few ms later (an IndexedDB read transaction). */
function slowReads(inner: AutosaveStore = memoryStore()): AutosaveStore {
  return {
    ...inner,
    get: async (k) => {
      const v = await inner.get(k)
      await new Promise((r) => setTimeout(r, 5))
      return v
    },
  }
}

describe('recordHistory() across tabs', () => {
  it('two tabs acknowledging back to back both get their history entry', async () => {
    const { store, server, open } = twoTabWorld({ store: slowReads() })
    const a = open()
    const b = open()
    a.save(wizard('from A'))
    b.save(wizard('from B'))
    await Promise.all([a.flush(), b.flush()])
    for (let i = 0; i < 10; i++) await settle()
    expect(server.backend.writes.length).toBe(2)
    const versions = (await a.history()).map((entry) => entry.version)
    const snapshots = (await store.keys()).filter((k) => k.startsWith('ack:'))
    expect({ versions, snapshots: snapshots.length }).toEqual({ versions: [2, 1], snapshots: 2 })
  })
})
