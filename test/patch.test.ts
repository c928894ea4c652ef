import fc from 'fast-check'
import jsonpatch, { type Operation } from 'fast-json-patch'
import { describe, expect, it } from 'vitest'
import { applyDocumentPatch, diffDocuments } from '../src/patch'
import type { Json } from '../src/types'

const json = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(null, true, false),
    fc.integer(),
    fc.string({ maxLength: 5 }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd/e', 'f~g', ''), tie('value'), { maxKeys: 4, noNullPrototype: true }),
  ),
})).value as fc.Arbitrary<Json>
const doc = fc.dictionary(fc.constantFrom('currentStep', 'chat', 'data', 'x'), json, { maxKeys: 4, noNullPrototype: true })

describe('diffDocuments', () => {
  it('applying the patch to the base gives the new document (checked by an RFC 6902 implementation)', () => {
    fc.assert(
      fc.property(doc, doc, (base, next) => {
        const patch = diffDocuments(base, next)!
        const applied = jsonpatch.applyPatch(structuredClone(base), patch as Operation[], true, true).newDocument
        expect(applied).toEqual(next)
      }),
      { numRuns: 2000 },
    )
  })

  it('appending one chat message to a long chat is a single add', () => {
    const chat = Array.from({ length: 1000 }, (_, i) => ({ id: `m${i}`, role: 'user', content: `message ${i}` }))
    const patch = diffDocuments({ chat }, { chat: [...chat, { id: 'new', role: 'assistant', content: 'hi' }] })
    expect(patch).toEqual([{ op: 'add', path: '/chat/1000', value: { id: 'new', role: 'assistant', content: 'hi' } }])
  })

  it('dropping the first message of a long chat is a single remove, not a shift of every message', () => {
    const chat = Array.from({ length: 1000 }, (_, i) => ({ id: `m${i}`, content: `message ${i}` }))
    expect(diffDocuments({ chat }, { chat: chat.slice(1) })).toEqual([{ op: 'remove', path: '/chat/0' }])
  })

  it('editing one message deep inside a long chat touches only that message', () => {
    const chat = Array.from({ length: 1000 }, (_, i) => ({ id: `m${i}`, content: `message ${i}`, files: { images: [] as string[] } }))
    const edited = structuredClone(chat)
    edited[500]!.files.images.push('cover.png')
    expect(diffDocuments({ chat }, { chat: edited })).toEqual([{ op: 'add', path: '/chat/500/files/images/0', value: 'cover.png' }])
  })

  it('keys with "/" and "~" are escaped in every kind of operation', () => {
    const base = { 'a/b': { 'm~n': 1, gone: true, keep: 'same' }, '~/': 1 }
    const next = { 'a/b': { 'm~n': 2, 'new/~': 3, keep: 'same' }, '/~': 1 }
    expect(diffDocuments(base, next)).toEqual([
      { op: 'remove', path: '/~0~1' },
      { op: 'remove', path: '/a~1b/gone' },
      { op: 'replace', path: '/a~1b/m~0n', value: 2 },
      { op: 'add', path: '/a~1b/new~1~0', value: 3 },
      { op: 'add', path: '/~1~0', value: 1 },
    ])
  })

  it('a root that is not an object cannot be patched', () => {
    expect(diffDocuments('a', 'b')).toBeUndefined()
    expect(diffDocuments(undefined, { a: 1 })).toBeUndefined()
    expect(diffDocuments([1], { a: 1 })).toBeUndefined()
  })
})

describe('diffDocuments follows the edited path', () => {
  /** A JSON array that counts every read of it. */
  function counted(length: number) {
    const reads = { n: 0 }
    const items = Array.from({ length }, (_, i) => ({ id: `m${i}` }))
    const proxy = new Proxy(items, {
      get(target, property, receiver) {
        reads.n++
        return Reflect.get(target, property, receiver)
      },
    }) as unknown as Json
    return { proxy, reads }
  }

  it('a subtree that is the same object on both sides is not read', () => {
    const { proxy, reads } = counted(1000)
    const base = { chat: proxy, data: { title: 'a' } }
    expect(diffDocuments(base, { chat: proxy, data: { title: 'b' } })).toEqual([{ op: 'replace', path: '/data/title', value: 'b' }])
    expect(diffDocuments(base, base)).toEqual([])
    expect(reads.n).toBe(0)
  })

  it('an appended message costs one comparison per message, each by reference', () => {
    const messages = Array.from({ length: 1000 }, (_, i) => ({ id: `m${i}` }))
    const { proxy, reads } = counted(0)
    const shared = messages.map(() => proxy)
    expect(diffDocuments({ chat: shared }, { chat: [...shared, { id: 'new' }] })).toEqual([{ op: 'add', path: '/chat/1000', value: { id: 'new' } }])
    expect(reads.n).toBe(0)
  })
})

describe('applyDocumentPatch', () => {
  it('rebuilds next from base and the diff when next adds a "__proto__" key', () => {
    const base = { a: 1, nested: {} }
    const next = JSON.parse('{"a":1,"nested":{"__proto__":{"y":2}},"__proto__":{"x":1}}')
    const applied = applyDocumentPatch(base, diffDocuments(base, next)!)
    expect(JSON.stringify(applied)).toBe(JSON.stringify(next))
    expect(Object.getPrototypeOf(applied)).toBe(Object.prototype)
  })

  it('a path through an inherited "__proto__" does not exist, and touches no prototype', () => {
    expect(() => applyDocumentPatch({ a: 1 }, [{ op: 'add', path: '/__proto__/polluted', value: true }])).toThrow(/does not exist/)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })
})
