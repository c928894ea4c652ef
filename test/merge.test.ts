import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ConflictError } from '../src/errors'
import { jsonEqual } from '../src/json/json'
import { resolveConflict, threeWayMerge } from '../src/merge'
import type { Json } from '../src/types'

interface Case {
  name: string
  base: Json | undefined
  local: Json
  remote: Json
  merged: Json
  conflicts?: string[]
}

const msg = (id: string | number, content = `message ${id}`) => ({ id, role: 'user', content })

function check({ base, local, remote, merged, conflicts = [] }: Case) {
  const result = threeWayMerge(base, local, remote)
  expect(result.merged, 'merged document').toStrictEqual(merged)
  expect(result.conflicts, 'conflicting paths').toStrictEqual(conflicts)
}

describe('threeWayMerge: values and objects', () => {
  const cases: Case[] = [
    { name: 'equal sides give that value', base: 1, local: 2, remote: 2, merged: 2 },
    { name: 'only local changed: local', base: { a: 1 }, local: { a: 2 }, remote: { a: 1 }, merged: { a: 2 } },
    { name: 'only remote changed: remote', base: { a: 1 }, local: { a: 1 }, remote: { a: 3 }, merged: { a: 3 } },
    {
      name: 'unchanged is judged by deep equality, not reference',
      base: { a: [1, { b: 2 }] },
      local: { a: [1, { b: 2 }] },
      remote: { a: [1, { b: 3 }] },
      merged: { a: [1, { b: 3 }] },
    },
    { name: 'changes to different keys combine', base: { a: 1, b: 1 }, local: { a: 2, b: 1 }, remote: { a: 1, b: 3 }, merged: { a: 2, b: 3 } },
    {
      name: 'changes to different nested keys combine',
      base: { data: { x: 1, y: 1 } },
      local: { data: { x: 2, y: 1 } },
      remote: { data: { x: 1, y: 3 } },
      merged: { data: { x: 2, y: 3 } },
    },
    { name: 'the same key changed differently: local wins, reported', base: { a: 1 }, local: { a: 2 }, remote: { a: 3 }, merged: { a: 2 }, conflicts: ['/a'] },
    { name: 'the same key changed the same way is no conflict', base: { a: 1 }, local: { a: 2 }, remote: { a: 2 }, merged: { a: 2 } },
    { name: 'deleted locally, unchanged remotely: deleted', base: { a: 1, b: 1 }, local: { b: 1 }, remote: { a: 1, b: 2 }, merged: { b: 2 } },
    { name: 'deleted remotely, unchanged locally: deleted', base: { a: 1, b: 1 }, local: { a: 1, b: 2 }, remote: { b: 1 }, merged: { b: 2 } },
    {
      name: 'deleted locally, changed remotely: stays deleted, reported',
      base: { a: 1, b: 1 },
      local: { b: 2 },
      remote: { a: 5, b: 1 },
      merged: { b: 2 },
      conflicts: ['/a'],
    },
    {
      name: 'deleted remotely, changed locally: local value kept, reported',
      base: { a: 1, b: 1 },
      local: { a: 5, b: 1 },
      remote: { b: 2 },
      merged: { a: 5, b: 2 },
      conflicts: ['/a'],
    },
    { name: 'deleted on both sides: deleted', base: { a: 1, b: 1 }, local: { b: 2 }, remote: { b: 1 }, merged: { b: 2 } },
    { name: 'a key added on one side is kept', base: {}, local: { a: 1 }, remote: { b: 2 }, merged: { a: 1, b: 2 } },
    { name: 'a key added on both sides differently: local, reported', base: {}, local: { a: 1 }, remote: { a: 2 }, merged: { a: 1 }, conflicts: ['/a'] },
    { name: 'different types on both sides: local, reported', base: { a: 1 }, local: { a: 'x' }, remote: { a: [1] }, merged: { a: 'x' }, conflicts: ['/a'] },
    { name: 'a type change on one side is taken', base: { a: 1 }, local: { a: 1 }, remote: { a: { n: 1 } }, merged: { a: { n: 1 } } },
    {
      name: 'null vs object both changed: local, reported',
      base: { a: 0 },
      local: { a: null },
      remote: { a: { n: 1 } },
      merged: { a: null },
      conflicts: ['/a'],
    },
    { name: 'a root primitive conflict is the empty pointer', base: 1, local: 2, remote: 3, merged: 2, conflicts: [''] },
    {
      name: 'paths escape "/" and "~" (RFC 6901)',
      base: { 'a/b': 0, 'c~d': 0 },
      local: { 'a/b': 1, 'c~d': 1 },
      remote: { 'a/b': 2, 'c~d': 2 },
      merged: { 'a/b': 1, 'c~d': 1 },
      conflicts: ['/a~1b', '/c~0d'],
    },
    {
      name: 'a "__proto__" key is data, not a prototype',
      base: JSON.parse('{"__proto__": {"x": 0}}'),
      local: JSON.parse('{"__proto__": {"x": 1}}'),
      remote: JSON.parse('{"__proto__": {"x": 0}, "y": 2}'),
      merged: JSON.parse('{"__proto__": {"x": 1}, "y": 2}'),
    },
  ]
  it.each(cases)('$name', (c) => check(c))
})

describe('threeWayMerge: arrays of items with ids (an ordered set by id)', () => {
  const a = msg('a')
  const b = msg('b')
  const c = msg('c')
  const cases: Case[] = [
    {
      name: 'both sides append: base, then remote’s, then local’s',
      base: { chat: [a] },
      local: { chat: [a, msg('l1'), msg('l2')] },
      remote: { chat: [a, msg('r1')] },
      merged: { chat: [a, msg('r1'), msg('l1'), msg('l2')] },
    },
    { name: 'removed remotely, unchanged locally: removed', base: [a, b, c], local: [a, b, c, msg('l')], remote: [a, c], merged: [a, c, msg('l')] },
    { name: 'removed locally, unchanged remotely: removed', base: [a, b, c], local: [a, c], remote: [a, b, c, msg('r')], merged: [a, c, msg('r')] },
    {
      name: 'removed locally, changed remotely: stays removed, reported at remote’s index',
      base: [a, b],
      local: [a, msg('l')],
      remote: [a, msg('b', 'edited')],
      merged: [a, msg('l')],
      conflicts: ['/1'],
    },
    {
      name: 'removed remotely, changed locally: local’s item kept, reported at its index',
      base: [a, b, c],
      local: [a, msg('b', 'edited'), c],
      remote: [a, c],
      merged: [a, msg('b', 'edited'), c],
      conflicts: ['/1'],
    },
    {
      name: 'one item changed in different fields on each side: merged field by field',
      base: [a, { id: 'x', name: 'img.png', description: '' }],
      local: [a, { id: 'x', name: 'img.png', description: 'a sunset' }],
      remote: [a, { id: 'x', name: 'cover.png', description: '' }, msg('r')],
      merged: [a, { id: 'x', name: 'cover.png', description: 'a sunset' }, msg('r')],
    },
    {
      name: 'one item’s field changed on both sides: local wins at that path',
      base: { chat: [a, b] },
      local: { chat: [a, msg('b', 'mine')] },
      remote: { chat: [a, msg('b', 'theirs')] },
      merged: { chat: [a, msg('b', 'mine')] },
      conflicts: ['/chat/1/content'],
    },
    { name: 'the same item appended on both sides appears once', base: [a], local: [a, b], remote: [a, b], merged: [a, b] },
    {
      name: 'the same id appended differently: one item, local’s content, reported',
      base: [a],
      local: [a, msg('n', 'mine'), msg('l')],
      remote: [a, msg('n', 'theirs'), msg('r')],
      merged: [a, msg('n', 'mine'), msg('r'), msg('l')],
      conflicts: ['/1/content'],
    },
    {
      name: 'an item inserted in the middle keeps its place',
      base: [a, b, c],
      local: [a, msg('x'), b, c],
      remote: [a, b, c, msg('r')],
      merged: [a, msg('x'), b, c, msg('r')],
    },
    {
      name: 'an item inserted at the start goes after remote’s own insertion there',
      base: [a, b],
      local: [msg('l'), a, b],
      remote: [msg('r'), a, b, c],
      merged: [msg('r'), msg('l'), a, b, c],
    },
    {
      name: 'an item added after one the other side removed follows the nearest survivor',
      base: [a, b],
      local: [a, b, msg('l')],
      remote: [a],
      merged: [a, msg('l')],
    },
    {
      name: 'numeric ids work, and 1 and "1" are different ids',
      base: [{ id: 1, v: 0 }],
      local: [
        { id: 1, v: 0 },
        { id: 2, v: 0 },
      ],
      remote: [
        { id: 1, v: 0 },
        { id: '1', v: 0 },
      ],
      merged: [
        { id: 1, v: 0 },
        { id: '1', v: 0 },
        { id: 2, v: 0 },
      ],
    },
    {
      name: 'a reorder made only locally is kept, with remote’s additions',
      base: [a, b, c],
      local: [c, a, b],
      remote: [a, b, c, msg('r')],
      merged: [c, msg('r'), a, b],
    },
    {
      name: 'a reorder made only remotely is kept, with local’s additions',
      base: [a, b, c],
      local: [a, b, c, msg('l')],
      remote: [c, b, a],
      merged: [c, msg('l'), b, a],
    },
    {
      name: 'different reorders on both sides: local’s order, reported at the array',
      base: { list: [a, b, c] },
      local: { list: [c, a, b] },
      remote: { list: [b, c, a] },
      merged: { list: [c, a, b] },
      conflicts: ['/list'],
    },
    {
      name: 'no common ancestor: the union by id, differing items reported',
      base: undefined,
      local: { chat: [a, msg('b', 'mine'), msg('l')] },
      remote: { chat: [a, msg('b', 'theirs'), msg('r')] },
      merged: { chat: [a, msg('b', 'mine'), msg('r'), msg('l')] },
      conflicts: ['/chat/1/content'],
    },
    {
      name: 'repeated ids are not an id set: merged as a plain array',
      base: [a],
      local: [a, a],
      remote: [a, b],
      merged: [a, b, a],
    },
  ]
  it.each(cases)('$name', (c) => check(c))
})

describe('threeWayMerge: arrays without ids', () => {
  const cases: Case[] = [
    { name: 'one side changed: that side', base: { s: ['a'] }, local: { s: ['b'] }, remote: { s: ['a'] }, merged: { s: ['b'] } },
    {
      name: 'both appended: base, remote’s additions, local’s additions',
      base: { s: ['a'] },
      local: { s: ['a', 'l1', 'l2'] },
      remote: { s: ['a', 'r1'] },
      merged: { s: ['a', 'r1', 'l1', 'l2'] },
    },
    {
      name: 'a value both sides appended appears once (per time appended)',
      base: ['a'],
      local: ['a', 'x', 'y', 'y'],
      remote: ['a', 'y', 'x'],
      merged: ['a', 'y', 'x', 'y'],
    },
    {
      name: 'objects without ids appended on both sides are all kept',
      base: [{ n: 1 }],
      local: [{ n: 1 }, { n: 2 }],
      remote: [{ n: 1 }, { n: 3 }],
      merged: [{ n: 1 }, { n: 3 }, { n: 2 }],
    },
    {
      name: 'any other change on both sides: local, reported',
      base: { s: ['a', 'b'] },
      local: { s: ['b'] },
      remote: { s: ['a', 'b', 'c'] },
      merged: { s: ['b'] },
      conflicts: ['/s'],
    },
    {
      name: 'no common ancestor: local, reported',
      base: undefined,
      local: { s: ['a', 'l'] },
      remote: { s: ['a', 'r'] },
      merged: { s: ['a', 'l'] },
      conflicts: ['/s'],
    },
    {
      name: 'an id array against one without ids: merged as plain arrays',
      base: [{ id: 'a' }],
      local: [{ id: 'a' }, { id: 'b' }],
      remote: [{ id: 'a' }, 'x'],
      merged: [{ id: 'a' }, 'x', { id: 'b' }],
    },
  ]
  it.each(cases)('$name', (c) => check(c))
})

describe('threeWayMerge: two tabs of the music-clip wizard', () => {
  type Message = { id: string; role: 'assistant' | 'user'; content: string; timestamp: string; files?: Json }
  const message = (id: string, role: Message['role'], content: string): Message => ({
    id,
    role,
    content,
    timestamp: `2025-01-01T00:00:${id.padStart(2, '0').slice(-2)}Z`,
  })
  const base = {
    currentStep: 'video_description',
    chat: [
      message('1', 'assistant', 'Describe your track'),
      message('2', 'user', 'Lo-fi beats for studying'),
      message('3', 'assistant', 'Describe your video'),
    ],
    data: {
      musicDescription: 'Lo-fi beats for studying',
      isInstrumental: true,
      videoDescription: '',
      videoStyles: ['anime'],
      referenceImages: [{ name: 'desk.png', size: 1200, type: 'image/png', description: '', id: 'img1' }],
      uploadedAudio: null,
    },
  } satisfies Json
  const clone = <T>(value: T): T => structuredClone(value)

  it('both tabs’ chat messages and changes to different fields are all kept', () => {
    // Tab A (local) answers the video question; tab B (remote, saved first) uploads audio and
    // describes the reference image.
    const local = clone(base) as typeof base & Json
    local.chat.push(message('4', 'user', 'A rainy window at night'), message('5', 'assistant', 'Upload reference images'))
    local.data.videoDescription = 'A rainy window at night'
    local.currentStep = 'reference_images'
    const remote = clone(base) as any
    remote.chat.push(message('6', 'user', 'Here is my audio'))
    remote.data.uploadedAudio = { fileName: 'beat.mp3', fileSize: 3_000_000, fileType: 'audio/mpeg', fileId: 'f-9' }
    remote.data.referenceImages[0].description = 'my desk'
    remote.data.videoStyles = ['anime', 'watercolor']

    const { merged, conflicts } = threeWayMerge(base, local, remote)

    expect(conflicts).toStrictEqual([])
    expect(merged).toStrictEqual({
      currentStep: 'reference_images',
      chat: [
        ...base.chat,
        message('6', 'user', 'Here is my audio'),
        message('4', 'user', 'A rainy window at night'),
        message('5', 'assistant', 'Upload reference images'),
      ],
      data: {
        musicDescription: 'Lo-fi beats for studying',
        isInstrumental: true,
        videoDescription: 'A rainy window at night',
        videoStyles: ['anime', 'watercolor'],
        referenceImages: [{ name: 'desk.png', size: 1200, type: 'image/png', description: 'my desk', id: 'img1' }],
        uploadedAudio: { fileName: 'beat.mp3', fileSize: 3_000_000, fileType: 'audio/mpeg', fileId: 'f-9' },
      },
    })
  })

  it('the same field changed in both tabs: this tab’s text wins and the path is reported', () => {
    const local = clone(base) as any
    local.data.musicDescription = 'Lo-fi beats, slower'
    local.chat.push(message('4', 'user', 'slower please'))
    const remote = clone(base) as any
    remote.data.musicDescription = 'Jazz hop'
    remote.data.isInstrumental = false

    const { merged, conflicts } = threeWayMerge(base, local, remote) as { merged: any; conflicts: string[] }

    expect(conflicts).toStrictEqual(['/data/musicDescription'])
    expect(merged.data.musicDescription).toBe('Lo-fi beats, slower')
    expect(merged.data.isInstrumental, 'the other tab’s change to a different field').toBe(false)
    expect(merged.chat.map((m: Message) => m.id)).toStrictEqual(['1', '2', '3', '4'])
  })

  it('a 1,000-message chat with edits on both sides merges completely (timing lives in bench/)', () => {
    const big = clone(base) as any
    for (let i = 4; i < 1004; i++) big.chat.push(message(String(i), i % 2 ? 'user' : 'assistant', `message number ${i} `.repeat(5)))
    const local = clone(big)
    local.chat.push(message('l1', 'user', 'mine'))
    local.data.videoDescription = 'rain'
    const remote = clone(big)
    remote.chat.push(message('r1', 'user', 'theirs'))
    remote.chat[500].content = 'edited'
    remote.data.videoStyles.push('noir')

    const result = threeWayMerge(big, local, remote)
    expect((result.merged as any).chat).toHaveLength(1005)
    expect((result.merged as any).chat[500].content).toBe('edited')
    expect((result.merged as any).chat.slice(-2).map((m: Message) => m.id)).toStrictEqual(['r1', 'l1'])
    expect((result.merged as any).data).toMatchObject({ videoDescription: 'rain', videoStyles: expect.arrayContaining(['noir']) })
  })
})

describe('resolveConflict', () => {
  const base = { a: 1, b: 1, chat: [{ id: 'x' }] }
  const local = { a: 2, b: 1, chat: [{ id: 'x' }, { id: 'l' }] }
  const remote = { a: 3, b: 5, chat: [{ id: 'x' }, { id: 'r' }] }

  it("'merge' is the three-way merge", () => {
    expect(resolveConflict('merge', { base, local, remote })).toStrictEqual({
      strategy: 'merge',
      merged: { a: 2, b: 5, chat: [{ id: 'x' }, { id: 'r' }, { id: 'l' }] },
      conflicts: ['/a'],
    })
  })

  it("'local-wins' keeps local whole and still reports what collided", () => {
    const result = resolveConflict('local-wins', { base, local, remote })
    expect(result).toStrictEqual({ strategy: 'local-wins', merged: local, conflicts: ['/a'] })
    expect(result.merged).not.toBe(local)
  })

  it("'remote-wins' keeps remote whole and still reports what collided", () => {
    const result = resolveConflict('remote-wins', { base, local, remote })
    expect(result).toStrictEqual({ strategy: 'remote-wins', merged: remote, conflicts: ['/a'] })
    expect(result.merged).not.toBe(remote)
  })

  it('a function gets the three sides and its answer is saved', () => {
    const seen: unknown[] = []
    const result = resolveConflict(
      (ctx) => {
        seen.push(ctx)
        ;(ctx.local as any).a = 99 // editing the copies in place must not touch the caller's data
        return { ...(ctx.remote as object), a: (ctx.local as any).a }
      },
      { base, local, remote },
    )
    expect(seen).toStrictEqual([{ base, local: { ...local, a: 99 }, remote }])
    expect(local.a, 'the caller’s local state').toBe(2)
    expect(result).toStrictEqual({ strategy: 'custom', merged: { ...remote, a: 99 }, conflicts: ['/a'] })
  })

  it('a function that returns nothing fails with a ConflictError, not a silent undefined save', () => {
    const run = () => resolveConflict((() => undefined) as never, { base, local, remote })
    expect(run).toThrow(ConflictError)
    expect(run).toThrow(expect.objectContaining({ code: 'CONFLICT_STRATEGY' }))
  })

  it('an unknown strategy name fails with a ConflictError', () => {
    expect(() => resolveConflict('newest' as never, { base, local, remote })).toThrow(expect.objectContaining({ code: 'CONFLICT_STRATEGY' }))
  })
})

// ---------------------------------------------------------------------------------------------
// Properties

const json = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(null, true, false),
    fc.integer({ min: -3, max: 3 }),
    fc.constantFrom('', 'a', 'b', 'x'),
    fc.array(tie('value'), { maxLength: 4 }),
    // 'id' makes id-keyed arrays appear now and then; '__proto__' checks it stays a plain key.
    fc.dictionary(fc.constantFrom('id', 'a', 'b', 'c/d', '__proto__'), tie('value'), { maxKeys: 4, noNullPrototype: true }),
  ),
})).value as fc.Arbitrary<Json>

/** A base document and two edits of it the way wizard tabs make them. */
const wizardEdits = (() => {
  const message = fc.record({ content: fc.constantFrom('hi', 'yes', 'no') })
  const baseChat = fc.uniqueArray(fc.record({ id: fc.constantFrom('1', '2', '3', '4', '5', '6'), content: fc.constantFrom('hi', 'yes') }), {
    selector: (m) => m.id,
    maxLength: 6,
  })
  const newIds = fc.uniqueArray(fc.constantFrom('n1', 'n2', 'n3', 'n4', 7, 8), { maxLength: 4 })
  const edit = (chat: Array<{ id: string; content: string }>) =>
    fc
      .record({
        keep: fc.array(fc.boolean(), { minLength: chat.length, maxLength: chat.length }),
        change: fc.array(fc.option(message, { nil: undefined }), { minLength: chat.length, maxLength: chat.length }),
        added: newIds,
        step: fc.option(fc.constantFrom('a', 'b', 'c'), { nil: undefined }),
      })
      .map(({ keep, change, added, step }) => ({
        currentStep: step ?? 'start',
        chat: [
          ...chat.flatMap((m, i) => (keep[i] ? [change[i] ? { ...m, ...change[i] } : m] : [])),
          ...added.map((id) => ({ id, content: `new ${id}` })),
        ] as Json[],
      }))
  return baseChat.chain((chat) => fc.tuple(fc.constant({ currentStep: 'start', chat: chat as Json[] }), edit(chat), edit(chat)))
})()

function idsOf(doc: Json): Array<string | number> {
  return (doc as { chat: Array<{ id: string | number }> }).chat.map((m) => m.id)
}

function containers(value: Json | undefined, into = new Set<object>()): Set<object> {
  if (typeof value === 'object' && value !== null) {
    into.add(value)
    for (const item of Object.values(value)) containers(item, into)
  }
  return into
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const item of Object.values(value)) deepFreeze(item)
    Object.freeze(value)
  }
  return value
}

describe('threeWayMerge properties', () => {
  it('a change on one side only is taken whole: merge(base, x, base) = x and merge(base, base, x) = x', () => {
    fc.assert(
      fc.property(json, json, (base, x) => {
        expect(threeWayMerge(base, x, base)).toStrictEqual({ merged: x, conflicts: [] })
        expect(threeWayMerge(base, base, x)).toStrictEqual({ merged: x, conflicts: [] })
      }),
      { numRuns: 1000 },
    )
  })

  it('the same change on both sides is that change: merge(b, x, x) = x', () => {
    fc.assert(
      fc.property(fc.option(json, { nil: undefined }), json, (base, x) => {
        expect(threeWayMerge(base, x, x)).toStrictEqual({ merged: x, conflicts: [] })
      }),
      { numRuns: 1000 },
    )
  })

  it('never modifies its inputs and returns a fresh document', () => {
    fc.assert(
      fc.property(fc.option(json, { nil: undefined }), json, json, (base, local, remote) => {
        const before = structuredClone({ base, local, remote })
        // Frozen inputs make any in-place write throw (ES modules are strict).
        const { merged } = threeWayMerge(deepFreeze(base), deepFreeze(local), deepFreeze(remote))
        expect({ base, local, remote }).toStrictEqual(before)
        const inputs = containers(base, containers(local, containers(remote)))
        for (const part of containers(merged)) expect(inputs.has(part), 'merged shares an object with an input').toBe(false)
      }),
      { numRuns: 1000 },
    )
  })

  it('changes to different keys always combine without conflicts', () => {
    const keys = ['a', 'b', 'c', 'd', 'e'] as const
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom(...keys), json, { noNullPrototype: true }),
        fc.dictionary(fc.constantFrom(...keys), json, { noNullPrototype: true }),
        fc.dictionary(fc.constantFrom(...keys), fc.option(json, { nil: undefined }), { noNullPrototype: true }),
        fc.subarray([...keys]),
        (base, localEdits, remoteEdits, localKeys) => {
          const local: Record<string, Json> = { ...base }
          const remote: Record<string, Json> = { ...base }
          const expected: Record<string, Json> = { ...base }
          const apply = (target: Record<string, Json>, key: string, value: Json | undefined) => {
            if (value === undefined) delete target[key]
            else target[key] = value
          }
          for (const [key, value] of Object.entries(localEdits)) if (localKeys.includes(key as never)) apply(local, key, value), apply(expected, key, value)
          for (const [key, value] of Object.entries(remoteEdits)) if (!localKeys.includes(key as never)) apply(remote, key, value), apply(expected, key, value)
          expect(threeWayMerge(base, local, remote)).toStrictEqual({ merged: expected, conflicts: [] })
        },
      ),
      { numRuns: 500 },
    )
  })

  it('two tabs editing a chat: no duplicate ids, every appended message kept, untouched removals applied', () => {
    fc.assert(
      fc.property(wizardEdits, ([base, local, remote]) => {
        const { merged } = threeWayMerge(base, local, remote)
        const ids = idsOf(merged)
        expect(new Set(ids).size, `duplicate ids in ${JSON.stringify(ids)}`).toBe(ids.length)

        const baseIds = new Set(idsOf(base))
        for (const id of [...idsOf(local), ...idsOf(remote)]) {
          if (!baseIds.has(id)) expect(ids, `appended message ${id} was lost`).toContain(id)
        }
        const item = (doc: Json, id: string | number) => (doc as { chat: Json[] }).chat.find((m) => (m as { id: unknown }).id === id)
        for (const id of baseIds) {
          const original = item(base, id)
          const inLocal = item(local, id)
          const inRemote = item(remote, id)
          const untouchedBy = (side: Json | undefined) => side !== undefined && jsonEqual(side, original)
          if ((!inLocal && untouchedBy(inRemote)) || (!inRemote && untouchedBy(inLocal))) {
            expect(ids, `message ${id} removed by one tab came back`).not.toContain(id)
          }
          if (inLocal && inRemote) expect(ids, `message ${id} kept by both tabs was dropped`).toContain(id)
        }
        // Messages both tabs kept stay in their original order.
        const kept = ids.filter((id) => baseIds.has(id))
        expect(kept).toStrictEqual(idsOf(base).filter((id) => kept.includes(id)))
      }),
      { numRuns: 1000 },
    )
  })

  it('no duplicate ids with no common ancestor either', () => {
    fc.assert(
      fc.property(wizardEdits, ([, local, remote]) => {
        const ids = idsOf(threeWayMerge(undefined, local, remote).merged)
        expect(new Set(ids).size).toBe(ids.length)
        expect(new Set(ids)).toStrictEqual(new Set([...idsOf(local), ...idsOf(remote)]))
      }),
      { numRuns: 1000 },
    )
  })

  it("'local-wins' and 'remote-wins' give that side and the same conflicts as 'merge'", () => {
    fc.assert(
      fc.property(fc.option(json, { nil: undefined }), json, json, (base, local, remote) => {
        const { conflicts } = threeWayMerge(base, local, remote)
        expect(resolveConflict('local-wins', { base, local, remote })).toStrictEqual({ strategy: 'local-wins', merged: local, conflicts })
        expect(resolveConflict('remote-wins', { base, local, remote })).toStrictEqual({ strategy: 'remote-wins', merged: remote, conflicts })
      }),
      { numRuns: 500 },
    )
  })
})

describe('threeWayMerge short-cuts on references', () => {
  it('a side that is the very object of base is taken as unchanged without being read', () => {
    let reads = 0
    const unchanged = new Proxy(
      Array.from({ length: 1000 }, (_, i) => ({ id: `m${i}` })),
      {
        get(target, property, receiver) {
          reads++
          return Reflect.get(target, property, receiver)
        },
      },
    ) as unknown as Json
    const remote = [{ id: 'r' }]
    expect(threeWayMerge(unchanged, unchanged, remote)).toEqual({ merged: remote, conflicts: [] })
    expect(reads).toBe(0)
  })
})
