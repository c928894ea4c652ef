import { describe, expect, it } from 'vitest'
import { NO_BASE } from '../../src/engine/ledger'
import { chooseBase } from '../../src/engine/restore'
import type { Json } from '../../src/types'

const stored = (version: number, data: Json = { from: 'device' }) => ({ format: 1 as const, key: 'k', seq: 1, version, data, updatedAt: '' })
const remote = (version: number, data: { from: string } = { from: 'server' }) => ({ version, data, updatedAt: '' })

describe("restore's choice of base: the newest copy, the server's on a tie", () => {
  it('keeps what the engine has when nothing newer was read (the same object)', () => {
    const current = { version: 5, data: { from: 'engine' } }
    expect(chooseBase(current, stored(4), remote(3))).toBe(current)
    expect(chooseBase(NO_BASE, undefined, undefined)).toBe(NO_BASE)
  })

  it("the server's copy wins over an older or equal device copy", () => {
    expect(chooseBase(NO_BASE, stored(3), remote(3))).toEqual({ version: 3, data: { from: 'server' } })
    expect(chooseBase(NO_BASE, stored(2), remote(3))).toEqual({ version: 3, data: { from: 'server' } })
  })

  it('a newer device copy (read only when a draft waits or the server is unreachable) wins', () => {
    expect(chooseBase(NO_BASE, stored(4), remote(3))).toEqual({ version: 4, data: { from: 'device' } })
    expect(chooseBase(NO_BASE, stored(4), undefined)).toEqual({ version: 4, data: { from: 'device' } })
  })
})
