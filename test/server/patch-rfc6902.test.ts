/**
 * PATCH applies RFC 6902 exactly, or refuses with 400 and writes nothing. fast-json-patch on its
 * own accepted indices with leading zeros or past the end, inherited members (`/toString`), a
 * `from` that is not a pointer and members added to a number, writing a wrong document.
 */
import { describe, expect, it } from 'vitest'
import { createAutosaveHandler, type DocumentStore } from '../../src/server/index'
import { applyJsonPatch } from '../../src/server/protocol'
import type { Json, JsonPatchOperation } from '../../src/types'
import { request, storeKinds } from './stores'

const base = '/api/storage/projects'
const doc = `${base}/${encodeURIComponent('project:42')}`

// RFC 6902 Appendix A, and the edges around array ends and move within one array.
const applies: Array<[string, Json, unknown[], Json]> = [
  ['A.1 adding an object member', { foo: 'bar' }, [{ op: 'add', path: '/baz', value: 'qux' }], { baz: 'qux', foo: 'bar' }],
  ['A.2 adding an array element', { foo: ['bar', 'baz'] }, [{ op: 'add', path: '/foo/1', value: 'qux' }], { foo: ['bar', 'qux', 'baz'] }],
  ['A.3 removing an object member', { baz: 'qux', foo: 'bar' }, [{ op: 'remove', path: '/baz' }], { foo: 'bar' }],
  ['A.4 removing an array element', { foo: ['bar', 'qux', 'baz'] }, [{ op: 'remove', path: '/foo/1' }], { foo: ['bar', 'baz'] }],
  ['A.5 replacing a value', { baz: 'qux', foo: 'bar' }, [{ op: 'replace', path: '/baz', value: 'boo' }], { baz: 'boo', foo: 'bar' }],
  [
    'A.6 moving a value',
    { foo: { bar: 'baz', waldo: 'fred' }, qux: { corge: 'grault' } },
    [{ op: 'move', from: '/foo/waldo', path: '/qux/thud' }],
    { foo: { bar: 'baz' }, qux: { corge: 'grault', thud: 'fred' } },
  ],
  // The target index is read after the removal: /foo/3 is then the end of a 3-element array.
  [
    'A.7 moving an array element',
    { foo: ['all', 'grass', 'cows', 'eat'] },
    [{ op: 'move', from: '/foo/1', path: '/foo/3' }],
    { foo: ['all', 'cows', 'eat', 'grass'] },
  ],
  [
    'A.8 testing a value: success',
    { baz: 'qux', foo: ['a', 2, 'c'] },
    [
      { op: 'test', path: '/baz', value: 'qux' },
      { op: 'test', path: '/foo/1', value: 2 },
    ],
    { baz: 'qux', foo: ['a', 2, 'c'] },
  ],
  ['A.10 adding a nested member object', { foo: 'bar' }, [{ op: 'add', path: '/child', value: { grandchild: {} } }], { foo: 'bar', child: { grandchild: {} } }],
  ['A.14 ~ escape ordering', { '/': 9, '~1': 10 }, [{ op: 'test', path: '/~01', value: 10 }], { '/': 9, '~1': 10 }],
  ['A.16 adding an array value', { foo: ['bar'] }, [{ op: 'add', path: '/foo/-', value: ['abc', 'def'] }], { foo: ['bar', ['abc', 'def']] }],
  ['add at index == length appends', { list: [1, 2] }, [{ op: 'add', path: '/list/2', value: 3 }], { list: [1, 2, 3] }],
  [
    'copy to "-" appends a copy, not a reference',
    { a: { n: 1 }, list: [] },
    [
      { op: 'copy', from: '/a', path: '/list/-' },
      { op: 'replace', path: '/a/n', value: 2 },
    ],
    { a: { n: 2 }, list: [{ n: 1 }] },
  ],
  ['move an array element towards the front', { list: ['a', 'b', 'c'] }, [{ op: 'move', from: '/list/2', path: '/list/0' }], { list: ['c', 'a', 'b'] }],
  ['move onto itself is a no-op', { a: 1 }, [{ op: 'move', from: '/a', path: '/a' }], { a: 1 }],
  [
    'numeric-looking object members are members, not indices',
    { '01': 'x' },
    [
      { op: 'replace', path: '/01', value: 'y' },
      { op: 'add', path: '/-', value: 'z' },
    ],
    { '01': 'y', '-': 'z' },
  ],
  ['the empty member name', { '': 1 }, [{ op: 'replace', path: '/', value: 2 }], { '': 2 }],
  ['replacing the root', { a: 1 }, [{ op: 'replace', path: '', value: [1] }], [1]],
]

// [name, stored document, patch]: each must be refused with 400 and nothing written.
const refused: Array<[string, Json, unknown[]]> = [
  ['A.9 testing a value: error', { baz: 'qux' }, [{ op: 'test', path: '/baz', value: 'bar' }]],
  ['A.12 adding to a nonexistent target', { foo: 'bar' }, [{ op: 'add', path: '/baz/bat', value: 'qux' }]],
  ['A.15 comparing strings and numbers', { '/': 9, '~1': 10 }, [{ op: 'test', path: '/~01', value: '10' }]],
  // RFC 6901 §4: an array index is "0" or [1-9][0-9]*.
  ['an array index with a leading zero', { list: [1, 2] }, [{ op: 'add', path: '/list/01', value: 'X' }]],
  ['an array index that is not a number', { list: [1, 2] }, [{ op: 'replace', path: '/list/first', value: 'X' }]],
  ['"length" of an array as the from location', { list: [1, 2] }, [{ op: 'copy', from: '/list/length', path: '/n' }]],
  ['add at index 2^32 (fast-json-patch wrapped it to 0)', { list: [1, 2] }, [{ op: 'add', path: '/list/4294967296', value: 'X' }]],
  ['add past the end of an array', { list: [1] }, [{ op: 'add', path: '/list/2', value: 'X' }]],
  ['replace at index == length', { list: [1] }, [{ op: 'replace', path: '/list/1', value: 'X' }]],
  ['remove "-"', { list: [1] }, [{ op: 'remove', path: '/list/-' }]],
  ['copy to an array index past the end', { a: 'A', list: [1] }, [{ op: 'copy', from: '/a', path: '/list/5' }]],
  ['move to an array index past the end', { a: 'A', list: [1] }, [{ op: 'move', from: '/a', path: '/list/5' }]],
  // A.7's mirror: after removing /list/0 the array has 1 element, so /list/2 is past its end.
  ['move to an index that is past the end once the element is removed', { list: ['a', 'b'] }, [{ op: 'move', from: '/list/0', path: '/list/2' }]],
  ['move into its own child', { a: { b: 1 } }, [{ op: 'move', from: '/a', path: '/a/c' }]],
  ['a from that is not a JSON pointer (copy)', { a: 1 }, [{ op: 'copy', from: 'a', path: '/x' }]],
  ['a from that is not a JSON pointer (move)', { a: 1 }, [{ op: 'move', from: 'a', path: '/x' }]],
  ['a path that is not a JSON pointer', { a: 1 }, [{ op: 'add', path: 'a', value: 1 }]],
  ['a pointer with a bad escape', { 'a~2': 1 }, [{ op: 'remove', path: '/a~2' }]],
  // RFC 6902 §4.2/4.3: the target must exist; Object.prototype members are not members.
  ['remove /toString', { a: 1 }, [{ op: 'remove', path: '/toString' }]],
  ['replace /hasOwnProperty', { a: 1 }, [{ op: 'replace', path: '/hasOwnProperty', value: 2 }]],
  ['copy from /constructor (was a 500: an Object function cannot be cloned)', { a: 1 }, [{ op: 'copy', from: '/constructor', path: '/x' }]],
  ['test /constructor/name', { a: 1 }, [{ op: 'test', path: '/constructor/name', value: 'Object' }]],
  ['add /__proto__/polluted', { a: 1 }, [{ op: 'add', path: '/__proto__/polluted', value: true }]],
  ['add a member to a document that is a number', 5, [{ op: 'add', path: '/x', value: 1 }]],
  ['add a member to a document that is a string', 'str', [{ op: 'add', path: '/x', value: 1 }]],
  ['add a member below a string', { a: 'str' }, [{ op: 'add', path: '/a/x', value: 1 }]],
  ['remove the whole document', { a: 1 }, [{ op: 'remove', path: '' }]],
  ['replace the whole document with null', { a: 1 }, [{ op: 'replace', path: '', value: null }]],
  ['move the whole document away', { a: 1 }, [{ op: 'move', from: '', path: '/a' }]],
]

describe('applyJsonPatch follows RFC 6902 exactly', () => {
  it.each(applies)('%s', (_, document, patch, expected) => {
    expect(applyJsonPatch(document, patch as JsonPatchOperation[])).toEqual(expected)
  })

  it.each(refused)('refuses: %s', (_, document, patch) => {
    expect(() => applyJsonPatch(document, patch as JsonPatchOperation[])).toThrow(expect.objectContaining({ status: 400 }))
  })
})

describe.each(storeKinds())('PATCH on the $name store applies exactly or writes nothing', (kind) => {
  async function setup(initial: Json | undefined) {
    const errors: unknown[] = []
    const store: DocumentStore = await kind.create()
    const handler = createAutosaveHandler({ store, basePath: base, onError: (error) => errors.push(error) })
    if (initial !== undefined) expect((await handler(request(doc, { method: 'PUT', body: { data: initial } }))).status).toBe(200)
    const patch = (ops: unknown, headers: Record<string, string> = { 'If-Match': '"1"' }) =>
      handler(request(doc, { method: 'PATCH', body: ops, headers: { 'Content-Type': 'application/json-patch+json', ...headers } }))
    return { store, patch, errors }
  }

  it.each(refused)('%s → 400 with { error }, nothing written', async (_, initial, ops) => {
    const { store, patch, errors } = await setup(initial)
    const response = await patch(ops)
    expect(response.status).toBe(400)
    expect(await response.json()).toEqual({ error: expect.stringMatching(/\S/) })
    expect(await store.get('project:42')).toMatchObject({ version: 1, data: initial })
    expect(errors).toEqual([])
  })

  it('A.7 through the store: the moved element lands at the index read after its removal', async () => {
    const { store, patch } = await setup({ foo: ['all', 'grass', 'cows', 'eat'] })
    expect((await patch([{ op: 'move', from: '/foo/1', path: '/foo/3' }])).status).toBe(200)
    expect(await store.get('project:42')).toMatchObject({ version: 2, data: { foo: ['all', 'cows', 'eat', 'grass'] } })
  })

  // docs/server.md: a PATCH with no If-Match to a missing document applies the patch to null;
  // only a patch that sets the root succeeds, anything else is 400 and creates nothing.
  it.each([
    ['an empty patch', []],
    ['a test of the root against null', [{ op: 'test', path: '', value: null }]],
    ['setting the root to null', [{ op: 'add', path: '', value: null }]],
    ['adding a member to nothing', [{ op: 'add', path: '/a', value: 1 }]],
  ])('a PATCH to a missing document that does not set the root is 400 and creates nothing: %s', async (_, ops) => {
    const { store, patch } = await setup(undefined)
    const response = await patch(ops, {})
    expect(response.status).toBe(400)
    expect(await store.get('project:42')).toBeUndefined()
  })

  it('a PATCH to a missing document that sets the root creates version 1', async () => {
    const { store, patch } = await setup(undefined)
    expect(
      (
        await patch(
          [
            { op: 'add', path: '', value: { step: 'intro' } },
            { op: 'add', path: '/chat', value: [] },
          ],
          {},
        )
      ).status,
    ).toBe(200)
    expect(await store.get('project:42')).toMatchObject({ version: 1, data: { step: 'intro', chat: [] } })
  })
})
