import { describe, expect, it } from 'vitest'
import { createLedger, NO_BASE } from '../../src/engine/ledger'
import type { Json } from '../../src/types'

/** A ledger over JSON states, counting how often it serializes. */
function ledger() {
  let serializations = 0
  const l = createLedger<Json>((state) => {
    serializations++
    return structuredClone(state ?? null)
  })
  return Object.assign(l, { serializations: () => serializations })
}

describe('ledger: the document state and its transitions (no timers, no I/O)', () => {
  it('starts empty: nothing to save, no base', () => {
    const l = ledger()
    expect([l.state, l.seq, l.persistedSeq, l.ackedSeq, l.unsaved]).toEqual([undefined, 0, 0, 0, false])
    expect(l.acked).toBe(NO_BASE)
    expect(l.outboxDue(l.seq)).toBe(false)
  })

  it('an edit bumps seq past the clock, so reloads and tabs order by time', () => {
    const l = ledger()
    l.edit({ a: 1 }, 1000)
    expect(l.seq).toBe(1000)
    l.edit({ a: 2 }, 1000) // the same millisecond still moves on
    expect(l.seq).toBe(1001)
    l.edit({ a: 3 }, 5) // a clock that went back never moves seq back
    expect(l.seq).toBe(1002)
    expect(l.unsaved).toBe(true)
    expect(l.state).toEqual({ a: 3 })
  })

  it('serializes once per edit, however often the JSON is asked for', () => {
    const l = ledger()
    l.edit({ a: 1 }, 1)
    const first = l.json()
    expect(l.json()).toBe(first)
    expect(l.serializations()).toBe(1)
    l.edit({ a: 2 }, 2)
    expect(l.json()).toEqual({ a: 2 })
    expect(l.serializations()).toBe(2)
  })

  it('the outbox is due until written, and again once an edit or a rebase outdates it', () => {
    const l = ledger()
    l.edit({ a: 1 }, 1)
    expect(l.outboxDue(l.seq)).toBe(true)
    l.outboxWriting()
    l.outboxWritten(l.seq, l.json())
    expect(l.outboxDue(l.seq)).toBe(false)
    l.outboxOutdated()
    expect(l.outboxDue(l.seq)).toBe(true)
    l.outboxWriting()
    expect(l.outboxStale).toBe(false)
    l.edit({ a: 2 }, 2)
    expect(l.outboxDue(l.seq)).toBe(true)
  })

  it('a send takes the data with the base it is a change of; the ack makes it the base', () => {
    const l = ledger()
    l.edit({ a: 1 }, 1)
    const { target, data, base } = l.startSend()
    expect([target, data, base]).toEqual([1, { a: 1 }, NO_BASE])
    expect(l.sending).toBe(data)
    l.markSending(data)
    expect(l.unacked).toEqual([data])
    expect(l.outboxStale).toBe(true)
    expect(l.acknowledge(target, data, 1)).toBe(true)
    l.endSend()
    expect(l.acked).toEqual({ version: 1, data })
    expect([l.ackedSeq, l.unsaved, l.unacked, l.sending]).toEqual([1, false, [], undefined])
  })

  it('a send of exactly what the draft on disk holds needs no new record; any other data does', () => {
    const l = ledger()
    l.edit({ a: 1 }, 1)
    l.outboxWriting()
    l.outboxWritten(l.seq, l.json())
    const { data } = l.startSend()
    l.markSending(data)
    expect(l.outboxDue(l.seq), 'the draft already holds what goes on the wire').toBe(false)
    expect(l.unacked).toEqual([data])
    // A merge sends other data at the same seq: the record must name it.
    const merged = { a: 1, b: 2 }
    l.replaceState(merged)
    l.resend(merged)
    l.markSending(merged)
    expect(l.outboxDue(l.seq)).toBe(true)
  })

  it('an ack of an older state leaves the newer edit unsaved and outdates a newer draft on disk', () => {
    const l = ledger()
    l.edit({ a: 1 }, 1)
    const { target, data } = l.startSend()
    l.edit({ a: 2 }, 2)
    l.outboxWriting()
    l.outboxWritten(l.seq, l.json())
    expect(l.acknowledge(target, data, 1)).toBe(false)
    expect(l.unsaved).toBe(true)
    expect(l.outboxStale).toBe(true)
  })

  it('an ack never steps the base back below a newer one another tab brought', () => {
    const l = ledger()
    l.edit({ a: 1 }, 1)
    const { target, data } = l.startSend()
    l.baseFromTab(5, { a: 'tab' })
    l.acknowledge(target, data, 4)
    expect(l.acked).toEqual({ version: 5, data: { a: 'tab' } })
    expect(l.ackedSeq).toBe(1)
  })

  it('keeps the last three unanswered writes, and the same write once', () => {
    const l = ledger()
    const writes = [1, 2, 3, 4].map((n) => ({ n }))
    for (const write of writes) {
      l.markSending(write)
      l.markSending(write)
    }
    expect(l.unacked).toEqual(writes.slice(1))
  })

  it('a rebase replaces the state without an edit: no new seq, no serialization', () => {
    const l = ledger()
    l.edit({ a: 1 }, 1)
    l.rebaseOnto(3, { a: 'server' })
    l.replaceState({ a: 'merged' })
    expect(l.seq).toBe(1)
    expect(l.json()).toEqual({ a: 'merged' })
    expect(l.serializations()).toBe(0)
    expect(l.acked).toEqual({ version: 3, data: { a: 'server' } })
    expect(l.outboxStale).toBe(true)
  })

  it("another tab's ack moves the base without outdating the outbox by itself", () => {
    const l = ledger()
    l.baseFromTab(2, { b: 1 })
    expect(l.acked).toEqual({ version: 2, data: { b: 1 } })
    expect(l.outboxStale).toBe(false)
  })

  it('restore commits a draft as pending and a saved copy as acknowledged', () => {
    const draft = ledger()
    draft.restored({ d: 1 }, 8, 7)
    expect([draft.seq, draft.persistedSeq, draft.ackedSeq, draft.unsaved]).toEqual([8, 7, 0, true])
    expect(draft.json()).toEqual({ d: 1 })

    const saved = ledger()
    saved.takeBase({ version: 4, data: { s: 1 } })
    saved.restored({ s: 1 }, 3, undefined)
    expect([saved.seq, saved.persistedSeq, saved.ackedSeq, saved.unsaved]).toEqual([3, 3, 3, false])
    expect(saved.acked).toEqual({ version: 4, data: { s: 1 } })
    expect(saved.serializations()).toBe(0)
  })

  it("restore keeps the old page's unanswered writes as this engine's own", () => {
    const l = ledger()
    l.addUnacked([{ w: 1 }, { w: 2 }])
    expect(l.unacked).toEqual([{ w: 1 }, { w: 2 }])
  })
})
