import { describe, expect, it } from 'vitest'
import { createTabSync } from '../../src/engine/tab-sync'
import type { Base } from '../../src/engine/ledger'
import { localTabs } from '../../src/environment/tabs'
import type { Json } from '../../src/types'
import { settle } from '../helpers'

const chat = (n: number): Json => ({ step: 'chat', chat: Array.from({ length: n }, (_, i) => ({ id: `m${i}`, content: `message ${i}` })) })

function pair() {
  const tabs = localTabs()
  const forever = new Promise<void>(() => {})
  const a = createTabSync(tabs, { storeId: 's', key: 'doc', instanceId: 'a', untilDisposed: forever })
  const b = createTabSync(tabs, { storeId: 's', key: 'doc', instanceId: 'b', untilDisposed: forever })
  return { a, b }
}

describe('tab sync: acks between tabs', () => {
  it('an ack travels as the patch from the version both tabs hold, and arrives as the whole document', async () => {
    const { a, b } = pair()
    const v1 = chat(300)
    const v2 = { ...(v1 as object), chat: [...(v1 as { chat: Json[] }).chat, { id: 'new', content: 'hello' }] } as Json
    let bHolds: Base = { version: 1, data: v1 }
    const got: Array<[number, Json | undefined]> = []
    b.onAck(
      (version, data) => got.push([version, data]),
      () => bHolds,
    )
    const posted: unknown[] = []
    const spy = createTabSync(
      { ...localTabs(), channel: () => ({ post: (m: unknown) => posted.push(m), subscribe: () => () => {}, close() {} }) },
      { storeId: 's', key: 'doc', instanceId: 'c', untilDisposed: new Promise(() => {}) },
    )
    spy.postAck(2, v2, { version: 1, data: v1 })
    expect(JSON.stringify(posted[0]).length, 'the message is the patch, not the 300-message chat').toBeLessThan(200)
    a.postAck(2, v2, { version: 1, data: v1 })
    await settle()
    expect(got).toEqual([[2, v2]])
    // A tab that missed version 2 cannot apply the patch from 2 to 3: it learns only that it is behind.
    bHolds = { version: 1, data: v1 }
    a.postAck(3, { ...(v2 as object), step: 'done' } as Json, { version: 2, data: v2 })
    await settle()
    expect(got[1]).toEqual([3, undefined])
  })

  it('a tab that cannot apply the patch asks, and a tab holding that version answers with the whole document', async () => {
    const { a, b } = pair()
    const v3: Json = { step: 'three' }
    a.onAck(
      () => {},
      () => ({ version: 3, data: v3 }),
    )
    const got: Array<[number, Json | undefined]> = []
    b.onAck(
      (version, data) => got.push([version, data]),
      () => ({ version: null, data: undefined }),
    )
    a.postAck(3, v3, { version: 2, data: { step: 'two' } })
    await settle(5)
    expect(got, 'first "behind", then the document itself').toEqual([
      [3, undefined],
      [3, v3],
    ])
  })

  it('without an earlier version (the first save) the whole document goes', async () => {
    const { a, b } = pair()
    const got: Array<[number, Json | undefined]> = []
    b.onAck(
      (version, data) => got.push([version, data]),
      () => ({ version: null, data: undefined }),
    )
    a.postAck(1, chat(2), { version: null, data: undefined })
    await settle()
    expect(got).toEqual([[1, chat(2)]])
  })
})
