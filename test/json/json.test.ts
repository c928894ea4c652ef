import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { escapePointer, jsonSize, pointerTokens } from '../../src/json/json'

describe('jsonSize', () => {
  it('is the length of the JSON text, give or take the escapes in strings', () => {
    for (const value of [
      { a: [1, 'xy'] },
      [],
      {},
      0,
      -5,
      1.5,
      -0.25,
      123,
      1764061200000,
      null,
      true,
      false,
      'abc',
      { a: undefined, b: null },
      [undefined, 1],
      [[], {}],
    ])
      expect(jsonSize(value)).toBe(JSON.stringify(value).length)
  })

  it('is never more than the text, and at least a seventh of it (a string of escapes) for any document', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const exact = JSON.stringify(value).length
        const estimate = jsonSize(value)
        expect(estimate).toBeGreaterThanOrEqual(exact / 7)
        expect(estimate).toBeLessThanOrEqual(exact)
      }),
      { numRuns: 500 },
    )
  })

  it('counts an own "__proto__" key, and nothing inherited', () => {
    const withProto = JSON.parse('{"__proto__": {"x": 1}}')
    expect(jsonSize(withProto)).toBe(JSON.stringify(withProto).length)
    const child = Object.create({ inherited: 'not counted' })
    child.own = 1
    expect(jsonSize(child)).toBe(JSON.stringify(child).length)
  })
})

describe('JSON Pointer tokens', () => {
  it('escape and unescape "/" and "~" both ways', () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { minLength: 1, maxLength: 4 }), (keys) => {
        expect(pointerTokens(keys.map((key) => `/${escapePointer(key)}`).join(''))).toEqual(keys)
      }),
    )
  })
})
