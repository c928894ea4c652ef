/** Records the engine cannot use are kept aside under `quarantine:` keys: none may overwrite another. */
import { describe, expect, it } from 'vitest'
import { createAutosave } from '../../src/engine/autosave'
import { quarantine } from '../../src/engine/outbox'
import { memoryStore } from '../../src/stores/memory'
import { memoryTransport } from '../../src/transports/memory'
import type { AutosaveStore } from '../../src/types'
import { fakeEnvironment } from '../helpers'

const outbox = (owner: string, text: string, extra: Record<string, unknown> = {}) => ({
  format: 1,
  key: 'project:1',
  owner,
  seq: 5,
  baseVersion: null,
  data: { text },
  savedAt: 5,
  schemaVersion: 1,
  ...extra,
})

/** Every raw record still somewhere in the store, under its own key or quarantined. */
async function everything(store: AutosaveStore) {
  const all: unknown[] = []
  for (const key of await store.keys()) all.push(await store.get(key))
  return JSON.stringify(all)
}

describe('quarantined records are all kept', () => {
  it('two records quarantined under the same key in the same millisecond land under two keys', async () => {
    const store = memoryStore()
    await store.setMany([
      ['outbox:p:a', 'A'],
      ['outbox:p:b', 'B'],
    ])
    const first = await quarantine(store, 'outbox:p:a', 'quarantine:p:1000', 'A')
    const second = await quarantine(store, 'outbox:p:b', 'quarantine:p:1000', 'B')
    expect(first).not.toBe(second)
    expect(first.startsWith('quarantine:p:1000:') && second.startsWith('quarantine:p:1000:')).toBe(true)
    expect(await store.get(first)).toEqual({ quarantinedFrom: 'outbox:p:a', record: 'A' })
    expect(await store.get(second)).toEqual({ quarantinedFrom: 'outbox:p:b', record: 'B' })
  })

  it('two drafts of a newer app (record format 2) left by two tabs both survive one restore', async () => {
    const store = memoryStore()
    await store.setMany([
      ['outbox:project:1:tab-a', outbox('tab-a', 'DRAFT-A', { format: 2 })],
      ['outbox:project:1:tab-b', outbox('tab-b', 'DRAFT-B', { format: 2 })],
    ])
    const env = fakeEnvironment()
    const saver = createAutosave({ key: 'project:1', transport: memoryTransport(), store, environment: env.environment })
    await saver.restore()
    await saver.dispose()
    const kept = await everything(store)
    expect(kept, 'draft A was overwritten by draft B in quarantine').toContain('DRAFT-A')
    expect(kept, 'draft B lost').toContain('DRAFT-B')
  })

  it('a corrupt history index and a draft of a newer app version, quarantined in one restore, are both kept', async () => {
    const store = memoryStore()
    await store.setMany([
      ['history:project:1', { not: 'an array', text: 'HISTORY-INDEX' }],
      ['outbox:project:1:tab-a', outbox('tab-a', 'DRAFT-V2', { schemaVersion: 2 })],
    ])
    const env = fakeEnvironment()
    const saver = createAutosave({ key: 'project:1', transport: memoryTransport(), store, environment: env.environment, version: 1 })
    await saver.restore().catch(() => undefined) // STORAGE_VERSION: no migrate option
    await saver.dispose()
    const kept = await everything(store)
    expect(kept, 'the newer draft was overwritten in quarantine').toContain('DRAFT-V2')
    expect(kept, 'the history index was overwritten in quarantine').toContain('HISTORY-INDEX')
  })
})
