import { describe, expect, it } from 'vitest'
import { createAckLog } from '../../src/engine/ack-log'
import { recordKeys } from '../../src/engine/outbox'
import { memoryStore } from '../../src/stores/memory'
import type { Json } from '../../src/types'

function log(limit = 20) {
  const store = memoryStore()
  const errors: string[] = []
  const open = () =>
    createAckLog({
      store,
      keys: recordKeys('doc'),
      key: 'doc',
      historyLimit: limit,
      report: (error) => errors.push(error.code),
      quarantineKey: () => 'quarantine:doc:t',
    })
  return { store, errors, open }
}

const doc = (n: number): Json => ({ step: `s${n}`, chat: Array.from({ length: 50 }, (_, i) => ({ id: `m${i}`, text: `message ${i}` })) })
const fields = (id: string, version: number) => ({ id, version, owner: 'tab', seq: version, updatedAt: 'now', savedAt: version, history: true })

describe('the log of acknowledgements', () => {
  it('writes a full copy first, then patches; the newest version is the acknowledged copy', async () => {
    const { store, open } = log()
    const acks = open()
    for (let v = 1; v <= 4; v++) await acks.append(fields(`a${v}`, v), doc(v))
    const records = await Promise.all((await store.keys()).sort().map(async (key) => (await store.get(key)) as { data?: unknown; of?: string }))
    expect(records.map((record) => (record.data === undefined ? `patch of ${record.of}` : 'full'))).toEqual([
      'full',
      'patch of a1',
      'patch of a2',
      'patch of a3',
    ])
    expect(await open().newest()).toMatchObject({ version: 4, data: doc(4) })
    expect(await open().snapshot('a2')).toEqual(doc(2))
  })

  it('an older acknowledgement appended late never steps the copy back', async () => {
    const { open } = log()
    const acks = open()
    await acks.append(fields('a1', 1), doc(1))
    await acks.append(fields('a3', 3), doc(3))
    await acks.append(fields('a2', 2), doc(2)) // a late answer, another tab's: appended after
    expect((await open().newest())?.version).toBe(3)
  })

  it('a missing full copy or a cycle costs only the versions that need them', async () => {
    const { store, open } = log()
    const acks = open()
    for (let v = 1; v <= 3; v++) await acks.append(fields(`a${v}`, v), doc(v))
    // A server that lies, a tab that crashed mid-prune, a hand-edited store: the full copy is gone…
    await store.delMany(['ack:doc:a1'])
    expect(await open().newest(), 'nothing can be rebuilt: no copy rather than a wrong one').toBeUndefined()
    // …and a later full copy plus a cycle among patches.
    await store.setMany([['ack:doc:b4', { format: 1, key: 'doc', ...fields('b4', 4), data: doc(4) }]])
    await store.setMany([['ack:doc:c5', { format: 1, key: 'doc', ...fields('c5', 5), of: 'c6', ops: [] }]])
    await store.setMany([['ack:doc:c6', { format: 1, key: 'doc', ...fields('c6', 6), of: 'c5', ops: [] }]])
    expect(await open().newest()).toMatchObject({ version: 4, data: doc(4) })
  })

  it('a record that is not an acknowledgement is kept aside and reported, the others still read', async () => {
    const { store, errors, open } = log()
    await open().append(fields('a1', 1), doc(1))
    await store.setMany([['ack:doc:bad', { format: 1, key: 'doc', version: 'nine' }]])
    expect((await open().newest())?.version).toBe(1)
    expect(errors).toEqual(['STORAGE_CORRUPT'])
    expect((await store.keys()).filter((key) => key.startsWith('quarantine:'))).toHaveLength(1)
  })
})
