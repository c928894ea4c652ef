import { describe, expect, it } from 'vitest'
import { createAutosave } from '../../src/autosave'
import { localTabs } from '../../src/environment/tabs'
import { memoryStore } from '../../src/stores/memory'
import { memoryTransport } from '../../src/transports/memory'
import type { AutosaveStore } from '../../src/types'
import { fakeEnvironment, wizard } from '../helpers'

type Wizard = ReturnType<typeof wizard>
const settle = () => new Promise((resolve) => setTimeout(resolve, 0))

/** Reads see the data when issued and answer a few ms later (an IndexedDB read transaction). */
function slowReads(inner: AutosaveStore = memoryStore()): AutosaveStore {
  return { ...inner, get: async (k) => { const v = await inner.get(k); await new Promise((r) => setTimeout(r, 5)); return v } }
}

describe('recordHistory() across tabs', () => {
  it('two tabs acknowledging back to back both get their history entry', async () => {
    const env = fakeEnvironment()
    const tabs = localTabs()
    const store = slowReads()
    const transport = memoryTransport()
    const open = () => createAutosave<Wizard>({ key: 'project:7', transport, store, debounceMs: 50, environment: { ...env.environment, tabs } })
    const a = open()
    const b = open()
    a.save(wizard('from A'))
    b.save(wizard('from B'))
    await Promise.all([a.flush(), b.flush()])
    for (let i = 0; i < 10; i++) await settle()
    expect(transport.backend.writes.length).toBe(2)
    const versions = (await a.history()).map((entry) => entry.version)
    const snapshots = (await store.keys()).filter((k) => k.startsWith('snapshot:'))
    expect({ versions, snapshots: snapshots.length }).toEqual({ versions: [2, 1], snapshots: 2 })
  })
})
