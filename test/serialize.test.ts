import { describe, expect, it, vi } from 'vitest'
import { SerializationError } from '../src/errors'
import { createAutosave } from '../src/engine/autosave'
import { createSerializer, serialize } from '../src/serialize'
import { memoryStore } from '../src/stores/memory'
import { memoryTransport } from '../src/transports/memory'
import { fakeEnvironment } from './helpers'
import type { WriteRequest } from '../src/types'

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
      byId: new Map<string | number, unknown>([
        ['a', 1],
        [2, { b: undefined, c: 3 }],
      ]),
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
    expect(serialize({ title: cut, tail: '\udfffx', [`k${cut}`]: 1, ok: '🎵' })).toEqual({ title: '🎵\ufffd', tail: '\ufffdx', 'k🎵\ufffd': 1, ok: '🎵' })
  })
})

describe('keys and app code that fail', () => {
  it('two Map keys saved as the same text (1 and "1") throw instead of losing one value', () => {
    const m = new Map<string | number, number>([
      [1, 1],
      ['1', 2],
    ])
    expect(pathOf(() => serialize({ data: { m } }))).toEqual({ code: 'SERIALIZATION_KEY', path: 'data.m' })
  })

  it('two keys that differ only in a lone surrogate throw instead of losing one value', () => {
    expect(pathOf(() => serialize({ list: [{ '\ud800': 1, '\udc00': 2 }] }))).toEqual({ code: 'SERIALIZATION_KEY', path: 'list[0]' })
  })

  it('a getter that throws gives a SerializationError naming its property, with the cause', () => {
    const profile = {
      name: 'Ada',
      get token(): string {
        throw new Error('session expired')
      },
    }
    let caught: unknown
    try {
      serialize({ data: { profile } })
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(SerializationError)
    expect(caught).toMatchObject({ code: 'SERIALIZATION_THREW', path: 'data.profile.token' })
    expect((caught as Error).message).toMatch(/session expired/)
    expect((caught as Error).cause).toBeInstanceOf(Error)
  })

  it('a toJSON that throws gives a SerializationError naming where', () => {
    const broken = {
      toJSON: () => {
        throw new RangeError('no')
      },
    }
    expect(pathOf(() => serialize({ chat: [{}, { at: broken }] }))).toEqual({ code: 'SERIALIZATION_THREW', path: 'chat[1].at' })
  })
})

describe('createSerializer: an unchanged subtree keeps its identity', () => {
  const chatOf = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `m${i}`, text: `message ${i}` }))

  it('an immutable update walks only the edited path; the rest is the same output object', () => {
    const toJson = createSerializer()
    const state = { step: 'a', chat: chatOf(3), data: { title: 't', tags: new Set(['x']) } }
    const first = toJson(state) as any
    const next = { ...state, data: { ...state.data, title: 'u' } }
    const second = toJson(next) as any
    expect(second).toEqual({ step: 'a', chat: state.chat, data: { title: 'u', tags: ['x'] } })
    expect(second.chat).toBe(first.chat)
    expect(second.data.tags).toBe(first.data.tags)
    expect(second.data).not.toBe(first.data)
    // Appending one message: a new array of the same message objects.
    const third = toJson({ ...next, chat: [...state.chat, { id: 'm3', text: 'new' }] }) as any
    expect(third.chat).not.toBe(first.chat)
    expect(third.chat[0]).toBe(first.chat[0])
    expect(third.chat[3]).toEqual({ id: 'm3', text: 'new' })
  })

  it('a new array of the same items takes their outputs by position, with no lookup per item', () => {
    const toJson = createSerializer()
    const chat = chatOf(500)
    const first = toJson({ chat }) as any
    const lookups = vi.spyOn(WeakMap.prototype, 'get')
    const second = toJson({ chat: [...chat, { id: 'm500', text: 'new' }] }) as any
    const counted = lookups.mock.calls.length
    lookups.mockRestore()
    // The root, the array and the new message: not one per message.
    expect(counted).toBeLessThan(10)
    expect(second.chat.slice(0, 500)).toEqual(first.chat)
    expect(second.chat.slice(0, 500).every((item: unknown, i: number) => item === first.chat[i])).toBe(true)
    expect(second.chat[500]).toEqual({ id: 'm500', text: 'new' })
  })

  it('positions that no longer hold the same item are walked: a replaced, a removed, an inserted one', () => {
    const toJson = createSerializer()
    const chat = chatOf(5)
    toJson({ chat })
    const edited = { ...chat[2]!, text: 'edited' }
    const inserted = { id: 'new', text: 'in the middle' }
    expect((toJson({ chat: [chat[1], inserted, edited, chat[3], chat[4]] }) as any).chat).toEqual([chat[1], inserted, edited, chat[3], chat[4]])
    expect((toJson({ chat: [] }) as any).chat).toEqual([])
    expect((toJson({ chat: [undefined, chat[0]] }) as any).chat).toEqual([null, chat[0]])
  })

  it('an array changed in place after it was serialized is not trusted item by item', () => {
    const toJson = createSerializer()
    const chat = chatOf(3)
    const first = toJson({ chat }) as any
    // The old array itself is edited, then copied: position 1 holds a new object, and must be read.
    chat[1] = { id: 'm1', text: 'replaced in place' }
    const second = toJson({ chat: [...chat] }) as any
    expect(second.chat[1]).toEqual({ id: 'm1', text: 'replaced in place' })
    expect(second.chat[0]).toBe(first.chat[0])
  })

  it('a File inside an array is described again even at an unchanged position', () => {
    const uploads = new Map<File, string>()
    const toJson = createSerializer({ fileId: (f) => uploads.get(f) })
    const file = new File(['abc'], 'cover.png', { type: 'image/png', lastModified: 1 })
    const images = [{ file }]
    expect((toJson({ images }) as any).images[0].file.fileId).toBeUndefined()
    uploads.set(file, 'f-9')
    expect((toJson({ images: [...images] }) as any).images[0].file.fileId).toBe('f-9')
  })

  it('a remembered subtree is not read again (its getters are not called)', () => {
    const toJson = createSerializer()
    let reads = 0
    const big = {
      get items() {
        reads++
        return [1, 2, 3]
      },
    }
    const state = { a: 1, big }
    toJson(state)
    expect(reads).toBe(1)
    toJson({ ...state, a: 2 })
    expect(reads).toBe(1)
  })

  it('the same root mutated in place is walked again, and saves the mutation', () => {
    const toJson = createSerializer()
    const state = { step: 'a', chat: chatOf(2), data: { title: 't' } }
    const first = toJson(state) as any
    state.data.title = 'changed in place'
    state.chat.push({ id: 'm2', text: 'pushed' })
    const second = toJson(state) as any
    expect(second.data.title).toBe('changed in place')
    expect(second.chat).toHaveLength(3)
    expect(second.chat[0]).toEqual(first.chat[0])
    // Walked again from scratch: nothing remembered from before the mutation is trusted.
    expect(second.chat[0]).not.toBe(first.chat[0])
    // …and remembered again from here on.
    expect((toJson({ ...state, step: 'b' }) as any).chat).toBe(second.chat)
  })

  it('an object mutated in place under a new root is taken as unchanged (documented: copy the path you change)', () => {
    const toJson = createSerializer()
    const state = { step: 'a', data: { title: 't' } }
    toJson(state)
    state.data.title = 'mutated'
    expect((toJson({ ...state, step: 'b' }) as any).data.title).toBe('t')
    // Saving the same root again (or copying the path) brings it in.
    const copied = { ...state, step: 'c', data: { ...state.data } }
    expect((toJson(copied) as any).data.title).toBe('mutated')
  })

  it('a File is described again each time: its fileId may arrive later (an upload finishing)', () => {
    const uploads = new Map<File, string>()
    const toJson = createSerializer({ fileId: (f) => uploads.get(f) })
    const file = new File(['abc'], 'song.mp3', { type: 'audio/mpeg', lastModified: 1 })
    const state = { files: { audio: file } }
    expect((toJson(state) as any).files.audio.fileId).toBeUndefined()
    uploads.set(file, 'f-1')
    expect((toJson({ ...state }) as any).files.audio.fileId).toBe('f-1')
  })

  it('an error still names the path, and the next valid state serializes', () => {
    const toJson = createSerializer()
    const state = { chat: chatOf(2), data: { n: 1 as unknown } }
    toJson(state)
    expect(pathOf(() => toJson({ ...state, data: { n: 2n } }))).toEqual({ code: 'SERIALIZATION_BIGINT', path: 'data.n' })
    expect(toJson({ ...state, data: { n: 3 } })).toEqual({ chat: state.chat, data: { n: 3 } })
  })

  it('a cycle is still found, with its path', () => {
    const toJson = createSerializer()
    const node: Record<string, unknown> = { id: 'x' }
    const state = { list: [node] }
    toJson({ other: 1 })
    node.self = state
    expect(pathOf(() => toJson(state))).toEqual({ code: 'SERIALIZATION_CYCLE', path: 'list[0].self' })
  })

  it('an object shared many times over is walked once (no exponential walk)', () => {
    let level: unknown = { leaf: true }
    for (let i = 0; i < 40; i++) level = [level, level]
    const out = serialize({ level }) as any
    expect(out.level[0]).toBe(out.level[1])
  })
})

describe('createAutosave saves states mutated in place', () => {
  it('save() of the same state object after an in-place edit sends the edit', async () => {
    const transport = memoryTransport()
    const { environment } = fakeEnvironment()
    const saver = createAutosave<{ title: string; chat: Array<{ id: string }> }>({ key: 'doc', transport, store: memoryStore(), environment })
    const state = { title: 'first', chat: [{ id: 'a' }] }
    saver.save(state)
    await saver.flush()
    state.title = 'second'
    state.chat.push({ id: 'b' })
    saver.save(state)
    await saver.flush()
    expect(transport.backend.documents.get('doc')?.data).toEqual({ title: 'second', chat: [{ id: 'a' }, { id: 'b' }] })
    await saver.dispose()
  })

  it('immutable updates send only the change, and the server ends on the last state', async () => {
    const backend = memoryTransport()
    const patches: unknown[] = []
    const transport = { ...backend, write: (request: WriteRequest) => (patches.push(request.patch), backend.write(request)) }
    const { environment } = fakeEnvironment()
    const saver = createAutosave<{ title: string; chat: Array<{ id: string }> }>({ key: 'doc', transport, store: memoryStore(), environment })
    let state = { title: 'first', chat: Array.from({ length: 100 }, (_, i) => ({ id: `m${i}` })) }
    saver.save(state)
    await saver.flush()
    state = { ...state, chat: [...state.chat, { id: 'new' }] }
    saver.save(state)
    await saver.flush()
    expect(patches.at(-1)).toEqual([{ op: 'add', path: '/chat/100', value: { id: 'new' } }])
    expect(backend.backend.documents.get('doc')?.data).toEqual(state)
    await saver.dispose()
  })
})
