/**
 * Hostile input an adversarial run found (issue 15), on every store: patches that ask for
 * unbounded work, nesting a store cannot read back, numbers JSON cannot carry.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { diffDocuments } from '../../src/patch'
import { createAutosaveHandler, type AutosaveHandlerOptions } from '../../src/server/index'
import { createMockBackend } from '../../src/testing/index'
import type { Json } from '../../src/types'
import { request, storeKinds } from './stores'

const base = '/api/storage/projects'
const key = 'project:42'
const doc = `${base}/${encodeURIComponent(key)}`

async function json(response: Response) {
  const text = await response.text()
  return text ? JSON.parse(text) : undefined
}

/** `depth` arrays nested in each other: `nested(2)` is `[[]]`. */
function nested(depth: number): Json {
  let value: Json = []
  for (let i = 1; i < depth; i++) value = [value]
  return value
}

/** The doubling attack: each copy of the root into its own array doubles the document. */
const doublings = (count: number) => Array.from({ length: count }, () => ({ op: 'copy', from: '', path: '/arr/-' }))

/** A 409 KB document, and 2,000 operations that each clone its largest part and throw the clone away. */
const bigDocument = { big: Array.from({ length: 4000 }, (_, i) => ({ id: `item-${i}`, text: 'x'.repeat(80) })), small: 1 }
const churn = Array.from({ length: 1000 }, () => [
  { op: 'copy', from: '/big', path: '/tmp' },
  { op: 'remove', path: '/tmp' },
]).flat()

describe.each(storeKinds())('hostile input on the $name store', (kind) => {
  // PGlite boots in seconds, more under load: inside the hook's timeout, not the first test's.
  beforeAll(() => kind.create(), 90_000)
  async function setup(options: Partial<AutosaveHandlerOptions> = {}) {
    const store = await kind.create()
    const handler = createAutosaveHandler({ store, basePath: base, ...options })
    const put = (data: unknown) => handler(request(doc, { method: 'PUT', body: { data } }))
    const patch = (ops: unknown, version = 1) =>
      handler(request(doc, { method: 'PATCH', body: ops, headers: { 'Content-Type': 'application/json-patch+json', 'If-Match': `"${version}"` } }))
    const beacon = (body: unknown) =>
      handler(
        request(`${doc}/beacon`, { method: 'POST', raw: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'Content-Type': 'text/plain' } }),
      )
    const stored = async () => (await json(await handler(request(doc)))) as { data: Json; version: number } | undefined
    return { store, handler, put, patch, beacon, stored }
  }

  describe('a PATCH asks for bounded work', () => {
    it('22 copies of the root are refused with 413 at the copy that passes the limit, not after the last', async () => {
      const { put, patch, stored } = await setup({ maxBodyBytes: 64 * 1024 })
      const data = { arr: ['x'.repeat(1000)] }
      expect((await put(data)).status).toBe(200)
      const response = await patch(doublings(22))
      expect(response.status).toBe(413)
      // 1 KB doubles past 64 KB + 64 KB at the 8th copy: refused there, with its index.
      expect((await json(response)).error).toMatch(/\(operation [0-9]: copy "\/arr\/-"\)$/)
      expect(await stored(), 'the document was changed by a refused patch').toMatchObject({ data, version: 1 })
    })

    it('the same doubling in a beacon is refused with 413 the same way', async () => {
      const { put, beacon, stored } = await setup({ maxBodyBytes: 64 * 1024 })
      await put({ arr: [1] })
      const response = await beacon({ baseVersion: 1, idempotencyKey: 'k1', patch: doublings(22) })
      expect(response.status).toBe(413)
      expect((await json(response)).error).toMatch(/\(operation 1[0-9]: copy "\/arr\/-"\)$/)
      expect((await stored())?.version).toBe(1)
    })

    it('2,000 copy/remove operations on a 409 KB document are refused with 413 once their work passes the budget', async () => {
      const { put, patch, stored } = await setup()
      expect((await put(bigDocument)).status).toBe(200)
      const response = await patch(churn)
      expect(response.status, 'a patch that clones 2,000 times 400 KB was applied').toBe(413)
      // Refused at the copy or the remove that passes the budget (which one depends on whether
      // the store knew the document's text or the handler had to serialize it, a charged pass).
      expect((await json(response)).error).toMatch(/more work than the server allows.*\(operation \d+: (copy|remove) "\/tmp"\)$/)
      expect((await stored())?.version).toBe(1)
    })

    it('more operations than maxPatchOperations are refused with 413 before any is applied', async () => {
      const { put, patch, stored } = await setup({ maxPatchOperations: 100 })
      await put({ n: 0 })
      const response = await patch(Array.from({ length: 101 }, (_, i) => ({ op: 'replace', path: '/n', value: i })))
      expect(response.status).toBe(413)
      expect((await json(response)).error).toBe('The patch has 101 operations; the limit is 100')
      expect(await stored()).toMatchObject({ data: { n: 0 }, version: 1 })
      expect((await patch(Array.from({ length: 100 }, (_, i) => ({ op: 'replace', path: '/n', value: i })))).status).toBe(200)
    })

    it('a client diff that rewrites most of a document near the size limit still applies', async () => {
      const maxBodyBytes = 64 * 1024
      const { put, patch, stored } = await setup({ maxBodyBytes })
      const before = { list: Array.from({ length: 520 }, (_, i) => ({ id: i, text: 'a'.repeat(98) })) }
      const after = {
        list: Array.from({ length: 520 }, (_, i) => ({ id: i, text: i % 2 ? 'b'.repeat(98) : 'a'.repeat(98) })).slice(40),
        extra: 'c'.repeat(2000),
      }
      expect(JSON.stringify(before).length).toBeGreaterThan(0.9 * maxBodyBytes)
      expect((await put(before)).status).toBe(200)
      const ops = diffDocuments(before, after)!
      const response = await patch(ops)
      expect(response.status, JSON.stringify(await json(response.clone()))).toBe(200)
      expect((await stored())?.data).toEqual(after)
    })
  })

  describe('one depth limit, answered 400', () => {
    // serialize() accepts containers down to depth 500 below the root: 501 nested arrays.
    it('a document as deep as the client can serialize is stored and reads back', async () => {
      const { put, stored } = await setup()
      expect((await put(nested(501))).status).toBe(200)
      expect((await stored())?.data).toEqual(nested(501))
    })

    it.each([502, 3000, 3500])('a document nested %i deep is refused with 400, and the last good one kept', async (depth) => {
      const { put, stored } = await setup()
      await put({ good: true })
      const response = await put(nested(depth))
      expect(response.status).toBe(400)
      // Past twice the limit the body itself is refused, before anything walks it.
      expect((await json(response)).error).toMatch(depth > 1000 ? /^The body nests deeper than 1000 levels/ : /nests deeper than 500 levels at "(\/0){501}"/)
      expect(await stored()).toMatchObject({ data: { good: true }, version: 1 })
    })

    it('a PUT, a PATCH and a beacon nested 100,000 deep answer 400, not 500', async () => {
      const { handler, put, stored } = await setup()
      await put({ good: true })
      const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`
      const bodies: Array<[string, string, string]> = [
        ['PUT', doc, `{"data":${deep}}`],
        ['PATCH', doc, `[{"op":"add","path":"/x","value":${deep}}]`],
        ['POST', `${doc}/beacon`, `{"baseVersion":1,"idempotencyKey":"deep","patch":[{"op":"add","path":"/x","value":${deep}}]}`],
      ]
      for (const [method, path, raw] of bodies) {
        const response = await handler(
          request(path, { method, raw, headers: { 'Content-Type': 'application/json', 'If-Match': '"1"', 'Idempotency-Key': `deep-${method}` } }),
        )
        expect(response.status, `${method} answered ${response.status}`).toBe(400)
      }
      expect(await stored()).toMatchObject({ data: { good: true }, version: 1 })
    })

    it('a PATCH or a beacon that nests too deep is refused with 400', async () => {
      const { put, patch, beacon, stored } = await setup()
      await put({ a: nested(400) })
      expect((await patch([{ op: 'add', path: '/b', value: nested(501) }])).status).toBe(400)
      // Each copy of /a into its own innermost array doubles the depth.
      expect((await patch([{ op: 'copy', from: '/a', path: `/a${'/0'.repeat(399)}/-` }])).status).toBe(400)
      expect((await beacon({ baseVersion: 1, idempotencyKey: 'k2', data: nested(600) })).status).toBe(400)
      expect((await stored())?.version).toBe(1)
    })
  })

  describe('numbers JSON cannot carry', () => {
    it.each([
      ['PUT', '{"data":{"tempo":1e999}}'],
      ['PUT', '{"data":{"list":[1,-1e400]}}'],
    ])('a %s of %s is refused with 400 naming where', async (_, body) => {
      const { handler, put, stored } = await setup()
      await put({ good: true })
      const response = await handler(request(doc, { method: 'PUT', raw: body, headers: { 'Content-Type': 'application/json', 'If-Match': '"1"' } }))
      expect(response.status, 'Infinity was stored (as null)').toBe(400)
      expect((await json(response)).error).toMatch(/number too large for JSON \(such as 1e999\) at "\/data\/(tempo|list\/1)"/)
      expect(await stored()).toMatchObject({ data: { good: true }, version: 1 })
    })

    it('a PATCH or a beacon carrying 1e999 is refused with 400', async () => {
      const { handler, put, beacon, stored } = await setup()
      await put({ good: true })
      const patched = await handler(request(doc, { method: 'PATCH', raw: '[{"op":"add","path":"/n","value":1e999}]', headers: { 'If-Match': '"1"' } }))
      expect(patched.status).toBe(400)
      expect((await beacon('{"baseVersion":1,"idempotencyKey":"k3","data":{"n":1e999}}')).status).toBe(400)
      expect(await stored()).toMatchObject({ data: { good: true }, version: 1 })
    })
  })
})

describe('the mock backend bounds a patch as the server does', () => {
  it('the doubling attack and the 2,000-operation churn answer 413', async () => {
    const backend = createMockBackend({ baseUrl: `http://api.test${base}`, maxBodyBytes: 64 * 1024, documents: { [key]: { arr: [1] } } })
    const send = (ops: unknown) =>
      backend.handler(request(doc, { method: 'PATCH', body: ops, headers: { 'Content-Type': 'application/json-patch+json', 'If-Match': '"1"' } }))
    expect((await send(doublings(22))).status).toBe(413)
    const counted = createMockBackend({ baseUrl: `http://api.test${base}`, maxPatchOperations: 2, documents: { [key]: { n: 0 } } })
    const tooMany = await counted.handler(
      request(doc, { method: 'PATCH', body: [0, 1, 2].map((n) => ({ op: 'replace', path: '/n', value: n })), headers: { 'If-Match': '"1"' } }),
    )
    expect(tooMany.status).toBe(413)
    const roomy = createMockBackend({ baseUrl: `http://api.test${base}`, documents: { [key]: bigDocument } })
    const churned = await roomy.handler(request(doc, { method: 'PATCH', body: churn, headers: { 'If-Match': '"1"' } }))
    expect(churned.status).toBe(413)
    expect(roomy.document(key)?.version).toBe(1)
    expect(backend.document(key)?.version).toBe(1)
  })
})
