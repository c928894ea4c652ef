import { describe, expect, it } from 'vitest'
import { SerializationError } from '../src/errors'
import { serialize } from '../src/serialize'

function pathOf(fn: () => unknown): { code: string; path: string } {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(SerializationError)
    return { code: (error as SerializationError).code, path: (error as SerializationError).path }
  }
  throw new Error('expected a SerializationError')
}

describe('serialize', () => {
  it('describes a File by its metadata, with the fileId the app gives it', () => {
    const file = new File(['abc'], 'song.mp3', { type: 'audio/mpeg', lastModified: 1700000000000 })
    expect(serialize({ uploadedAudio: file }, { fileId: (f) => (f === file ? 'file-1' : undefined) })).toEqual({
      uploadedAudio: { name: 'song.mp3', size: 3, type: 'audio/mpeg', lastModified: 1700000000000, fileId: 'file-1' },
    })
    expect(serialize(file)).not.toHaveProperty('fileId')
  })

  it('describes a Blob by size and type, and raw bytes by their length', () => {
    expect(serialize(new Blob(['12345'], { type: 'image/png' }))).toEqual({ size: 5, type: 'image/png' })
    expect(serialize(new Uint8Array(7))).toEqual({ size: 7, type: '' })
  })

  it('turns Date, Map and Set into JSON and drops undefined properties', () => {
    const value = {
      at: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)),
      tags: new Set(['lofi', 'retro']),
      byId: new Map<string | number, unknown>([['a', 1], [2, { b: undefined, c: 3 }]]),
      gone: undefined,
      list: [1, undefined, 3],
    }
    expect(serialize(value)).toEqual({
      at: '2026-01-02T03:04:05.000Z',
      tags: ['lofi', 'retro'],
      byId: { a: 1, '2': { c: 3 } },
      list: [1, null, 3],
    })
  })

  it('keeps a shared (non-cyclic) object wherever it appears', () => {
    const shared = { x: 1 }
    expect(serialize({ a: shared, b: [shared] })).toEqual({ a: { x: 1 }, b: [{ x: 1 }] })
  })

  it('uses toJSON when a class provides it', () => {
    expect(serialize({ u: new URL('https://example.test/a') })).toEqual({ u: 'https://example.test/a' })
  })

  it.each([
    ['a function', () => ({ chat: [{}, {}, {}, { files: { images: [() => 1] } }] }), 'SERIALIZATION_FUNCTION', 'chat[3].files.images[0]'],
    ['a symbol', () => ({ data: { id: Symbol('x') } }), 'SERIALIZATION_SYMBOL', 'data.id'],
    ['a BigInt', () => ({ data: { size: 10n } }), 'SERIALIZATION_BIGINT', 'data.size'],
    ['NaN', () => ({ data: { score: Number.NaN } }), 'SERIALIZATION_NUMBER', 'data.score'],
    ['Infinity', () => [Number.POSITIVE_INFINITY], 'SERIALIZATION_NUMBER', '[0]'],
    ['an invalid Date', () => ({ when: new Date('nope') }), 'SERIALIZATION_NUMBER', 'when'],
    ['an odd key', () => ({ 'my key': { deep: () => 1 } }), 'SERIALIZATION_FUNCTION', '["my key"].deep'],
    ['a Map with an object key', () => ({ m: new Map([[{}, 1]]) }), 'SERIALIZATION_KEY', 'm'],
  ])('%s throws SerializationError naming the path', (_name, make, code, path) => {
    expect(pathOf(() => serialize(make()))).toEqual({ code, path })
  })

  it('a cycle throws with the path where it closes', () => {
    const chat: Record<string, unknown>[] = [{ id: 'm1' }]
    const state = { chat }
    chat[0]!.parent = state
    expect(pathOf(() => serialize(state))).toEqual({ code: 'SERIALIZATION_CYCLE', path: 'chat[0].parent' })
  })

  it('absurd nesting throws instead of overflowing the stack', () => {
    let deep: Record<string, unknown> = {}
    const root = deep
    for (let i = 0; i < 10_000; i++) deep = deep.next = {}
    expect(pathOf(() => serialize(root)).code).toBe('SERIALIZATION_DEPTH')
  })

  it('the message names the place for humans too', () => {
    expect(() => serialize({ data: { n: 1n } })).toThrow(/at data\.n/)
  })
})

describe('keys named "__proto__"', () => {
  it('an own "__proto__" key (e.g. from JSON.parse) is saved as a key, not turned into a prototype', () => {
    const state = JSON.parse('{"__proto__":{"name":"kept"},"b":2}')
    const out = serialize(state) as Record<string, unknown>
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype)
    expect(JSON.stringify(out)).toBe('{"__proto__":{"name":"kept"},"b":2}')
  })

  it('a Map entry keyed "__proto__" is saved as a key', () => {
    const out = serialize(new Map<string, unknown>([['__proto__', { x: 1 }]]))
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype)
    expect(JSON.stringify(out)).toBe('{"__proto__":{"x":1}}')
  })

  it('a lone surrogate (an emoji cut in half) is saved as U+FFFD, in values and keys; whole emoji stay', () => {
    const cut = '🎵🎶'.slice(0, 3) // '🎵' + a lone high surrogate
    expect(serialize({ title: cut, tail: '\udfffx', [`k${cut}`]: 1, ok: '🎵' })).toEqual({ title: '🎵\ufffd', tail: '\ufffdx', ['k🎵\ufffd']: 1, ok: '🎵' })
  })
})
