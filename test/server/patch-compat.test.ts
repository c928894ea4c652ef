/**
 * The client diffs with src/patch.ts; the server applies with fast-json-patch. If the two ever
 * disagree, a PATCH would silently corrupt a document, so every shape a wizard state can take
 * is checked in both directions of growth.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { diffDocuments } from '../../src/patch'
import { applyJsonPatch } from '../../src/server/protocol'
import type { Json } from '../../src/types'

const cases: Array<[string, Json, Json]> = [
  ['an array that grows', { chat: [1, 2] }, { chat: [1, 2, 3, 4, 5] }],
  ['an array that shrinks', { chat: [1, 2, 3, 4, 5] }, { chat: [1, 2] }],
  ['an array emptied', { chat: [{ id: 'a' }, { id: 'b' }] }, { chat: [] }],
  ['an element changed in the middle', { list: ['a', 'b', 'c'] }, { list: ['a', 'X', 'c'] }],
  ['a nested object changed', { data: { a: { b: { c: 1 } } } }, { data: { a: { b: { c: 2, d: [1] } } } }],
  ['a property removed and another added', { a: 1, b: 2 }, { b: 2, c: 3 }],
  ['a value changing type', { a: [1, 2] }, { a: { 0: 1 } }],
  ['an object becoming null', { uploadedAudio: { name: 'x.mp3', size: 3 } }, { uploadedAudio: null }],
  ['a root array that shrinks', [1, 2, 3, 4], [1]],
  ['arrays of arrays', { m: [[1, 2], [3]] }, { m: [[1], [3, 4, 5], []] }],
]
const slashKeys: [Json, Json] = [
  { 'a/b': 1, 'c~d': { 'e/~f': 2 } },
  { 'a/b': 2, 'c~d': { 'e/~f': 3 } },
]

// JSON that both sides can hold: no undefined, no -0, finite numbers.
const json: fc.Arbitrary<Json> = fc.letrec<{ value: Json }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.string(),
    fc.array(tie('value'), { maxLength: 6 }),
    fc.dictionary(fc.string({ maxLength: 4 }), tie('value'), { maxKeys: 5 }),
  ),
})).value
// Through JSON text, as on the wire (fast-check builds null-prototype objects otherwise).
const viaJson = (value: Json): Json => JSON.parse(JSON.stringify(value))
const container = fc.oneof(fc.array(json, { maxLength: 6 }), fc.dictionary(fc.string({ maxLength: 4 }), json, { maxKeys: 6 })).map(viaJson)

describe('client diffs apply on the server', () => {
  it.each(cases)('%s', (_, a, b) => {
    expect(applyJsonPatch(a, diffDocuments(a, b)!)).toEqual(b)
  })

  it('keys containing "/" and "~" survive: diffDocuments escapes them as RFC 6901 requires', () => {
    const [a, b] = slashKeys
    expect(applyJsonPatch(a, diffDocuments(a, b)!)).toEqual(b)
  })

  // Regressions from just-diff 6.0.2, which src/patch.ts used to wrap: a remove nested inside an
  // array that shrank from the left got the element's new index instead of its old one, so the
  // patch failed with 400 or, worse, applied cleanly to the wrong element.
  it.each([
    ['silently wrong', [{ k: [5] }, { k: [1] }, null], [{ k: [] }, null]],
    ['refused with 400', { chat: [null, { files: ['a.mp3'] }, null] }, { chat: [{ files: [] }, null] }],
    ['three levels deep', [null, [null, [null]], null], [[[]], null]],
  ] as Array<[string, Json, Json]>)('an array shrinking from the left with a nested removal (was %s)', (_, a, b) => {
    expect(applyJsonPatch(a, diffDocuments(a, b)!)).toEqual(b)
  })

  // Seeded: with just-diff a search of ~20 000 random pairs found the bug pinned above.
  it('applyPatch(a, diff(a, b)) equals b for any two JSON containers of the same kind (diffDocuments)', () => {
    fc.assert(
      fc.property(container, container, (a, b) => {
        const patch = diffDocuments(a, b)
        if (patch === undefined) return Array.isArray(a) !== Array.isArray(b)
        expect(applyJsonPatch(a, patch)).toEqual(b)
        return true
      }),
      { numRuns: 20_000, seed: 42 },
    )
  })
})
