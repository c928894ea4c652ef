import { describe, expect, it, vi } from 'vitest'
import { createAutosaveHandler, InvalidDocumentError, type AutosaveHandlerOptions, type DocumentStore, type DocumentStoreOptions } from '../../src/server/index'
import { request, storeKinds } from './stores'

const base = '/api/storage/projects'
const doc = (key = 'project:42') => `${base}/${encodeURIComponent(key)}`
const wizard = { currentStep: 'music_description', chat: [{ id: 'm1', role: 'user', content: 'synthwave, 90 bpm' }], data: { isInstrumental: false } }

async function json(response: Response) {
  const text = await response.text()
  return text ? JSON.parse(text) : undefined
}

describe.each(storeKinds())('the autosave handler on the $name store', (kind) => {
  async function setup(options: Partial<AutosaveHandlerOptions> = {}, storeOptions?: DocumentStoreOptions) {
    const store = await kind.create(storeOptions)
    const handler = createAutosaveHandler({ store, basePath: base, ...options })
    const put = (data: unknown, headers: Record<string, string> = {}, key?: string) => handler(request(doc(key), { method: 'PUT', body: { data }, headers }))
    const patch = (ops: unknown, headers: Record<string, string> = {}, key?: string) =>
      handler(request(doc(key), { method: 'PATCH', body: ops, headers: { 'Content-Type': 'application/json-patch+json', ...headers } }))
    const get = async (key?: string) => {
      const response = await handler(request(doc(key)))
      return response.status === 404 ? undefined : json(response)
    }
    return { store, handler, put, patch, get }
  }

  describe('reading', () => {
    it('a document that was never written is 404', async () => {
      const { handler } = await setup()
      const response = await handler(request(doc('never-written')))
      expect(response.status).toBe(404)
    })

    it('GET answers { data, version, updatedAt } with the version as a quoted ETag', async () => {
      const { handler, put } = await setup()
      await put(wizard)
      const response = await handler(request(doc()))
      expect(response.status).toBe(200)
      expect(response.headers.get('ETag')).toBe('"1"')
      expect(response.headers.get('Content-Type')).toMatch(/^application\/json/)
      const body = await json(response)
      expect(body).toEqual({ data: wizard, version: 1, updatedAt: expect.any(String) })
      expect(Number.isNaN(Date.parse(body.updatedAt))).toBe(false)
    })

    it('If-None-Match with the current ETag answers 304 without a body', async () => {
      const { handler, put } = await setup()
      await put(wizard)
      const response = await handler(request(doc(), { headers: { 'If-None-Match': '"1"' } }))
      expect(response.status).toBe(304)
      expect(await response.text()).toBe('')
    })

    // RFC 9110 §13.1.2: If-None-Match compares weakly and may be a list or "*".
    it.each(['W/"1"', '"0", "1"', '*'])('If-None-Match: %s also matches ETag "1" (304)', async (value) => {
      const { handler, put } = await setup()
      await put(wizard)
      const response = await handler(request(doc(), { headers: { 'If-None-Match': value } }))
      expect(response.status).toBe(304)
      expect((await handler(request(doc(), { headers: { 'If-None-Match': 'W/"2", "0"' } }))).status).toBe(200)
    })

    it('HEAD answers the headers of GET and no body', async () => {
      const { handler, put } = await setup()
      await put(wizard)
      const response = await handler(request(doc(), { method: 'HEAD' }))
      expect(response.status).toBe(200)
      expect(response.headers.get('ETag')).toBe('"1"')
      expect(await response.text()).toBe('')
    })
  })

  describe('writing', () => {
    it('the first PUT, without If-Match, creates version 1 and answers { version, updatedAt }', async () => {
      const { put, get } = await setup()
      const response = await put(wizard, { 'Idempotency-Key': 'w1' })
      expect(response.status).toBe(200)
      expect(response.headers.get('ETag')).toBe('"1"')
      expect(await json(response)).toEqual({ version: 1, updatedAt: expect.any(String) })
      expect(await get()).toMatchObject({ data: wizard, version: 1 })
    })

    it('each applied write grows the version by exactly one', async () => {
      const { put, get } = await setup()
      await put({ n: 1 })
      for (let version = 1; version < 5; version++) {
        const response = await put({ n: version + 1 }, { 'If-Match': `"${version}"` })
        expect(await json(response)).toMatchObject({ version: version + 1 })
      }
      expect(await get()).toMatchObject({ data: { n: 5 }, version: 5 })
    })

    it('a stale If-Match answers 412 with the current document and changes nothing', async () => {
      const { put, get } = await setup()
      await put({ step: 'a' })
      await put({ step: 'b' }, { 'If-Match': '"1"' })
      const stale = await put({ step: 'stale' }, { 'If-Match': '"1"' })
      expect(stale.status).toBe(412)
      expect(stale.headers.get('ETag')).toBe('"2"')
      expect(await json(stale)).toEqual({ data: { step: 'b' }, version: 2, updatedAt: expect.any(String) })
      expect(await get()).toMatchObject({ data: { step: 'b' }, version: 2 })
    })

    it('two clients that both think they write first cannot overwrite each other', async () => {
      const { put, get } = await setup()
      expect((await put({ from: 'tab A' })).status).toBe(200)
      const second = await put({ from: 'tab B' })
      expect(second.status).toBe(412)
      expect(await json(second)).toMatchObject({ data: { from: 'tab A' }, version: 1 })
      expect(await get()).toMatchObject({ data: { from: 'tab A' } })
    })

    it('a write based on a version the server never had is stale too', async () => {
      const { put } = await setup()
      const response = await put({ a: 1 }, { 'If-Match': '"7"' })
      expect(response.status).toBe(412)
      expect(await json(response)).toEqual({ data: null, version: 0 })
    })

    it('PATCH applies an RFC 6902 patch to the stored document', async () => {
      const { put, patch, get } = await setup()
      await put(wizard)
      const response = await patch(
        [
          { op: 'replace', path: '/currentStep', value: 'video_styles' },
          { op: 'add', path: '/chat/-', value: { id: 'm2', role: 'assistant', content: 'Nice!' } },
          { op: 'add', path: '/data/videoStyles', value: ['retro'] },
        ],
        { 'If-Match': '"1"' },
      )
      expect(response.status).toBe(200)
      expect(await json(response)).toMatchObject({ version: 2 })
      expect((await get()).data).toEqual({
        currentStep: 'video_styles',
        chat: [...wizard.chat, { id: 'm2', role: 'assistant', content: 'Nice!' }],
        data: { isInstrumental: false, videoStyles: ['retro'] },
      })
    })

    it('PATCH on a stale version answers 412 with the current document', async () => {
      const { put, patch } = await setup()
      await put({ a: 1 })
      await put({ a: 2 }, { 'If-Match': '"1"' })
      const response = await patch([{ op: 'replace', path: '/a', value: 3 }], { 'If-Match': '"1"' })
      expect(response.status).toBe(412)
      expect(await json(response)).toMatchObject({ data: { a: 2 }, version: 2 })
    })

    it('PATCH to a document that does not exist answers 412 { data: null, version: 0 }, and If-Match "0" then creates it', async () => {
      const { put, patch, get } = await setup()
      const response = await patch([{ op: 'replace', path: '/a', value: 1 }], { 'If-Match': '"3"' })
      expect(response.status).toBe(412)
      expect(await json(response)).toEqual({ data: null, version: 0 })
      expect((await put({ a: 1 }, { 'If-Match': '"0"' })).status).toBe(200)
      expect(await get()).toMatchObject({ data: { a: 1 }, version: 1 })
    })

    it('keys are URL-encoded in the path; every key is its own document', async () => {
      const { put, get } = await setup()
      for (const key of ['project:42', 'user 7/draft', 'émoji 🎵', 'beacon']) {
        expect((await put({ key }, {}, key)).status).toBe(200)
      }
      expect(await get('user 7/draft')).toMatchObject({ data: { key: 'user 7/draft' } })
      expect(await get('émoji 🎵')).toMatchObject({ data: { key: 'émoji 🎵' } })
      expect(await get('beacon')).toMatchObject({ data: { key: 'beacon' } })
    })

    it('a key of up to 512 characters works, counted in code points: 512 emoji are 1024 UTF-16 units', async () => {
      const { put, get } = await setup()
      const key = '😀'.repeat(512)
      expect((await put({ emoji: true }, {}, key)).status).toBe(200)
      expect(await get(key)).toMatchObject({ data: { emoji: true } })
      const tooLong = await put({ emoji: true }, {}, `${key}x`)
      expect(tooLong.status).toBe(400)
      expect((await json(tooLong)).error).toMatch(/longer than 512 characters/)
    })

    it('unicode text and nested arrays come back exactly as sent', async () => {
      const { put, get } = await setup()
      const data = { text: 'naïve café — 日本語 🎶', nested: [[1, 2.5, -3e-7], { deep: { deeper: [true, false, null] } }], empty: {}, none: [] }
      await put(data)
      expect((await get()).data).toEqual(data)
    })
  })

  describe('idempotency', () => {
    it('a repeated Idempotency-Key answers the first result again and applies nothing', async () => {
      const { store, put, get } = await setup()
      await put({ step: 'a' })
      const first = await put({ step: 'b' }, { 'If-Match': '"1"', 'Idempotency-Key': 'save-2' })
      const again = await put({ step: 'b' }, { 'If-Match': '"1"', 'Idempotency-Key': 'save-2' })
      expect(again.status).toBe(200)
      expect(again.headers.get('Idempotent-Replayed')).toBe('true')
      expect(await json(again)).toEqual(await json(first))
      expect(await get()).toMatchObject({ data: { step: 'b' }, version: 2 })
      expect((await store.history('project:42')).map((v) => v.version)).toEqual([2, 1])
    })

    it('a retry after a lost response is answered from the first result, even though its If-Match is now stale', async () => {
      const { put, get } = await setup()
      await put({ step: 'a' }, { 'Idempotency-Key': 'first' })
      await put({ step: 'b' }, { 'If-Match': '"1"', 'Idempotency-Key': 'second' })
      // The client never saw the answer to "second"; it retries the same request.
      const retry = await put({ step: 'b' }, { 'If-Match': '"1"', 'Idempotency-Key': 'second' })
      expect(retry.status).toBe(200)
      expect(await json(retry)).toMatchObject({ version: 2 })
      expect(await get()).toMatchObject({ version: 2 })
    })

    it('a repeated first write (no If-Match) replays instead of answering 412', async () => {
      const { put } = await setup()
      await put({ a: 1 }, { 'Idempotency-Key': 'create' })
      const retry = await put({ a: 1 }, { 'Idempotency-Key': 'create' })
      expect(retry.status).toBe(200)
      expect(await json(retry)).toMatchObject({ version: 1 })
    })

    it('idempotency keys are scoped per document: the same key on another document is a new write', async () => {
      const { put, get } = await setup()
      await put({ a: 1 }, { 'Idempotency-Key': 'k' }, 'doc-a')
      const other = await put({ b: 1 }, { 'Idempotency-Key': 'k' }, 'doc-b')
      expect(other.headers.get('Idempotent-Replayed')).toBeNull()
      expect(await get('doc-b')).toMatchObject({ data: { b: 1 }, version: 1 })
    })

    it("idempotency keys are scoped per principal: one user cannot replay another user's write", async () => {
      const { put } = await setup({ authorize: (req) => ({ principal: req.headers.get('X-User') ?? 'nobody' }) })
      await put({ a: 1 }, { 'Idempotency-Key': 'k', 'X-User': 'alice' }, 'shared')
      const bob = await put({ b: 1 }, { 'Idempotency-Key': 'k', 'X-User': 'bob' }, 'shared')
      // Bob's write is evaluated on its own: it is a stale first write, not Alice's result.
      expect(bob.status).toBe(412)
    })

    it('an expired idempotency record no longer replays', async () => {
      const { put } = await setup({}, { idempotencyTtlMs: 40 })
      await put({ a: 1 }, { 'Idempotency-Key': 'old' })
      await new Promise((resolve) => setTimeout(resolve, 120))
      const late = await put({ a: 1 }, { 'Idempotency-Key': 'old' })
      expect(late.status).toBe(412)
    })

    it('a write without Idempotency-Key is still version-checked', async () => {
      const { put } = await setup()
      await put({ a: 1 })
      expect((await put({ a: 2 }, { 'If-Match': '"1"' })).status).toBe(200)
      expect((await put({ a: 2 }, { 'If-Match': '"1"' })).status).toBe(412)
    })
  })

  describe('the beacon endpoint', () => {
    const beacon = (handler: (r: Request) => Promise<Response>, body: unknown, key = 'project:42') =>
      handler(request(`${doc(key)}/beacon`, { method: 'POST', raw: JSON.stringify(body), headers: { 'Content-Type': 'text/plain;charset=UTF-8' } }))

    it('applies { baseVersion, idempotencyKey, data } sent as text/plain', async () => {
      const { handler, put, get } = await setup()
      await put({ step: 'a' })
      const response = await beacon(handler, { baseVersion: 1, idempotencyKey: 'exit-1', data: { step: 'b' } })
      expect(response.status).toBe(200)
      expect(await json(response)).toMatchObject({ version: 2 })
      expect(await get()).toMatchObject({ data: { step: 'b' }, version: 2 })
    })

    it('applies a patch, and the normal retry with the same idempotency key replays it', async () => {
      const { handler, put, patch, get } = await setup()
      await put({ step: 'a', n: 1 })
      const ops = [{ op: 'replace', path: '/n', value: 2 }]
      expect((await beacon(handler, { baseVersion: 1, idempotencyKey: 'exit-2', patch: ops })).status).toBe(200)
      const retry = await patch(ops, { 'If-Match': '"1"', 'Idempotency-Key': 'exit-2' })
      expect(retry.status).toBe(200)
      expect(retry.headers.get('Idempotent-Replayed')).toBe('true')
      expect(await get()).toMatchObject({ data: { step: 'a', n: 2 }, version: 2 })
    })

    it('a beacon without baseVersion creates a new document but is stale against an existing one', async () => {
      const { handler, get } = await setup()
      expect((await beacon(handler, { baseVersion: null, idempotencyKey: 'a', data: { v: 1 } })).status).toBe(200)
      const second = await beacon(handler, { idempotencyKey: 'b', data: { v: 2 } })
      expect(second.status).toBe(412)
      expect(await get()).toMatchObject({ data: { v: 1 } })
    })

    it('a beacon must carry exactly one of patch and data', async () => {
      const { handler } = await setup()
      const both = await beacon(handler, { baseVersion: 0, idempotencyKey: 'x', data: {}, patch: [] })
      const neither = await beacon(handler, { baseVersion: 0, idempotencyKey: 'x' })
      expect(both.status).toBe(400)
      expect(neither.status).toBe(400)
      expect((await json(neither)).error).toMatch(/exactly one of "patch" and "data"/)
    })

    it('GET on the beacon path is 405 with Allow: POST', async () => {
      const { handler } = await setup()
      const response = await handler(request(`${doc()}/beacon`))
      expect(response.status).toBe(405)
      expect(response.headers.get('Allow')).toBe('POST')
    })
  })

  describe('refusing bad requests', () => {
    it('invalid JSON answers 400 { error } and changes nothing', async () => {
      const { handler, put, get } = await setup()
      await put({ a: 1 })
      const response = await handler(request(doc(), { method: 'PUT', raw: '{"data": {', headers: { 'If-Match': '"1"', 'Content-Type': 'application/json' } }))
      expect(response.status).toBe(400)
      expect((await json(response)).error).toMatch(/not valid JSON/)
      expect(await get()).toMatchObject({ data: { a: 1 }, version: 1 })
    })

    it('a PUT body without "data", an empty body, or a malformed If-Match answer 400', async () => {
      const { handler, put } = await setup()
      const noData = await handler(request(doc(), { method: 'PUT', body: { date: 1 } }))
      expect(noData.status).toBe(400)
      expect((await json(noData)).error).toMatch(/data/)
      const empty = await handler(request(doc(), { method: 'PUT', raw: '' }))
      expect(empty.status).toBe(400)
      const badIfMatch = await put({ a: 1 }, { 'If-Match': 'W/"1"' })
      expect(badIfMatch.status).toBe(400)
      expect((await json(badIfMatch)).error).toMatch(/If-Match/)
    })

    it('a PATCH body that is not an array of RFC 6902 operations answers 400 naming the problem', async () => {
      const { put, patch } = await setup()
      await put({ a: 1 })
      const notArray = await patch({ op: 'replace', path: '/a', value: 2 }, { 'If-Match': '"1"' })
      expect(notArray.status).toBe(400)
      const badOp = await patch([{ op: 'merge', path: '/a', value: 2 }], { 'If-Match': '"1"' })
      expect(badOp.status).toBe(400)
      expect((await json(badOp)).error).toMatch(/patch\[0\]\.op/)
      const noValue = await patch([{ op: 'add', path: '/b' }], { 'If-Match': '"1"' })
      expect(noValue.status).toBe(400)
    })

    it('a patch that does not apply answers 400 naming the operation, and nothing is written', async () => {
      const { put, patch, get } = await setup()
      await put({ a: 1, list: [1] })
      const missing = await patch(
        [
          { op: 'replace', path: '/a', value: 2 },
          { op: 'remove', path: '/nope/deeper' },
        ],
        { 'If-Match': '"1"' },
      )
      expect(missing.status).toBe(400)
      const message = (await json(missing)).error as string
      expect(message).toMatch(/operation 1: remove "\/nope\/deeper"/)
      expect(message).not.toMatch(/tree/)
      const failedTest = await patch([{ op: 'test', path: '/a', value: 99 }], { 'If-Match': '"1"' })
      expect(failedTest.status).toBe(400)
      const outOfBounds = await patch([{ op: 'add', path: '/list/5', value: 1 }], { 'If-Match': '"1"' })
      expect(outOfBounds.status).toBe(400)
      const proto = await patch([{ op: 'add', path: '/__proto__/polluted', value: true }], { 'If-Match': '"1"' })
      expect(proto.status).toBe(400)
      expect(({} as Record<string, unknown>).polluted).toBeUndefined()
      expect(await get()).toMatchObject({ data: { a: 1, list: [1] }, version: 1 })
    })

    it('a document containing U+0000 answers 400 on every store (PostgreSQL jsonb cannot hold it)', async () => {
      const { put, get } = await setup()
      const response = await put({ text: 'a\u0000b' })
      expect(response.status).toBe(400)
      expect(await get()).toBeUndefined()
      // A literal backslash followed by "u0000" is ordinary text.
      expect((await put({ text: '\\u0000' })).status).toBe(200)
    })

    // Half an emoji is what `text.slice(0, n)` leaves: ordinary input. jsonb cannot hold it, and a
    // 500 would make fetchTransport retry forever, so every store answers the same 400.
    it('a document holding half an emoji (a lone surrogate) answers 400 on every store, and nothing is written', async () => {
      const onError = vi.fn()
      const { put, get } = await setup({ onError })
      const half = 'Synthwave 😀'.slice(0, -1)
      for (const data of [{ text: half }, { [half]: 1 }, ['\udc00 low half first']]) {
        const response = await put(data)
        expect(response.status).toBe(400)
        expect((await json(response)).error).toMatch(/lone UTF-16 surrogate/)
      }
      expect(await get()).toBeUndefined()
      expect(onError).not.toHaveBeenCalled()
      // Whole emoji, and a literal backslash followed by "ud83d", are ordinary text.
      expect((await put({ text: 'Synthwave 😀', escaped: '\\ud83d' })).status).toBe(200)
      expect(await get()).toMatchObject({ data: { text: 'Synthwave 😀', escaped: '\\ud83d' } })
    })

    // The backstop behind checkDocument: what jsonb cannot parse (SQLSTATE 22P02) is the
    // client's document problem (400 through the handler), never an unexpected 500.
    it.skipIf(kind.name === 'memory')('the SQL store itself refuses a lone surrogate as an InvalidDocumentError', async () => {
      const store = await kind.create()
      const write = store.write({ key: 'k', baseVersion: 0, next: { text: '\ud83d' } })
      await expect(write).rejects.toBeInstanceOf(InvalidDocumentError)
      expect(await store.get('k')).toBeUndefined()
    })

    it('If-Match must be exactly the ETag the server sent: "01" is not version 1 (400)', async () => {
      const { put, get } = await setup()
      await put({ a: 1 })
      for (const ifMatch of ['"01"', '"00"', '"+1"']) {
        const response = await put({ a: 2 }, { 'If-Match': ifMatch })
        expect(response.status, ifMatch).toBe(400)
      }
      expect((await put({ a: 2 }, { 'If-Match': ' "1" ' })).status).toBe(200)
      expect(await get()).toMatchObject({ data: { a: 2 }, version: 2 })
    })

    // Fetch upper-cases only DELETE, GET, HEAD, OPTIONS, POST and PUT; "patch" keeps its case.
    it('a lowercase "patch" method is not PATCH (405) and is never applied as a PUT', async () => {
      const { handler, put, get } = await setup()
      await put({ a: 1 })
      const response = await handler(request(doc(), { method: 'patch', body: { data: { replaced: true } }, headers: { 'If-Match': '"1"' } }))
      expect(response.status).toBe(405)
      expect(response.headers.get('Allow')).toBe('GET, HEAD, PUT, PATCH')
      expect(await get()).toMatchObject({ data: { a: 1 }, version: 1 })
    })

    it('a body over maxBodyBytes answers 413, whether or not Content-Length says so', async () => {
      const { handler, get } = await setup({ maxBodyBytes: 1000 })
      const big = JSON.stringify({ data: { text: 'x'.repeat(2000) } })
      const declared = await handler(request(doc(), { method: 'PUT', raw: big, headers: { 'Content-Type': 'application/json' } }))
      expect(declared.status).toBe(413)
      expect((await json(declared)).error).toMatch(/1000 bytes/)
      // A streamed body has no Content-Length: the bytes actually read are counted.
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < 4; i++) controller.enqueue(new TextEncoder().encode(big.slice(i * 600, (i + 1) * 600)))
          controller.close()
        },
      })
      const streamed = await handler(new Request(`http://api.test${doc()}`, { method: 'PUT', body: stream, duplex: 'half' } as RequestInit))
      expect(streamed.status).toBe(413)
      // A lying Content-Length does not help either.
      const lying = await handler(request(doc(), { method: 'PUT', raw: big, headers: { 'Content-Length': '10' } }))
      expect(lying.status).toBe(413)
      expect(await get()).toBeUndefined()
    })

    it('a PATCH that would grow the document past maxDocumentBytes answers 413', async () => {
      const { put, patch, get } = await setup({ maxBodyBytes: 1000, maxDocumentBytes: 1500 })
      await put({ text: 'x'.repeat(800) })
      const response = await patch([{ op: 'add', path: '/more', value: 'y'.repeat(800) }], { 'If-Match': '"1"' })
      expect(response.status).toBe(413)
      expect(await get()).toMatchObject({ version: 1 })
    })

    it('paths outside basePath or below a document are 404; other methods are 405 with Allow', async () => {
      const { handler } = await setup()
      expect((await handler(request('/elsewhere/x'))).status).toBe(404)
      expect((await handler(request(`${doc()}/history`))).status).toBe(404)
      const del = await handler(request(doc(), { method: 'DELETE' }))
      expect(del.status).toBe(405)
      expect(del.headers.get('Allow')).toBe('GET, HEAD, PUT, PATCH')
      expect((await handler(request(`${base}/%E0%A4%A`))).status).toBe(400)
    })

    // fetchTransport puts encodeURIComponent(key) in the path, which leaves dots alone, and URLs
    // drop "." and ".." segments: "" and "." arrive as an empty key, ".." as the parent of basePath.
    it('the keys "", "." and ".." cannot be addressed: an empty key is 400 naming them, ".." leaves basePath (404)', async () => {
      const { handler, store } = await setup()
      const write = (path: string, method = 'PUT') => handler(request(path, { method, body: { data: 1 } }))
      for (const response of [await write(doc('')), await write(doc('.')), await write(`${doc('')}/beacon`, 'POST')]) {
        expect(response.status).toBe(400)
        expect((await json(response)).error).toMatch(/key is empty.*"", "\." and "\.\."/)
      }
      expect((await write(doc('..'))).status).toBe(404)
      // The beacon path of "." arrives as a POST to the document "beacon": refused (405), not written.
      expect((await write(`${doc('.')}/beacon`, 'POST')).status).toBe(405)
      expect(await store.get('beacon')).toBeUndefined()
      expect(await store.get('')).toBeUndefined()
    })
  })

  describe('authorization', () => {
    // Documents are named "<user>:<project>"; the user comes from a bearer token.
    const authorize: AutosaveHandlerOptions['authorize'] = (req, key) => {
      const user = /^Bearer (\w+)$/.exec(req.headers.get('Authorization') ?? '')?.[1]
      if (!user) return null
      return key.startsWith(`${user}:`) ? { principal: user } : false
    }

    it("a request without credentials is 401 and a request for another user's document is 403", async () => {
      const { put, get, handler } = await setup({ authorize })
      expect((await put({ mine: true }, { Authorization: 'Bearer alice' }, 'alice:1')).status).toBe(200)

      expect((await handler(request(doc('alice:1')))).status).toBe(401)
      expect((await handler(request(doc('alice:1'), { headers: { Authorization: 'Bearer bob' } }))).status).toBe(403)
      const overwrite = await put({ stolen: true }, { Authorization: 'Bearer bob', 'If-Match': '"1"' }, 'alice:1')
      expect(overwrite.status).toBe(403)
      const beacon = await handler(
        request(`${doc('alice:1')}/beacon`, { method: 'POST', raw: JSON.stringify({ baseVersion: 1, idempotencyKey: 'x', data: { stolen: true } }) }),
      )
      expect(beacon.status).toBe(401)

      const own = await handler(request(doc('alice:1'), { headers: { Authorization: 'Bearer alice' } }))
      expect(await json(own)).toMatchObject({ data: { mine: true }, version: 1 })
      expect(await get('alice:1')).toEqual({ error: 'Authentication required' })
    })

    it('authorize is told whether the request reads or writes, and may answer with its own Response', async () => {
      const calls: string[] = []
      const { handler, put } = await setup({
        authorize: (req, key, access) => {
          calls.push(`${req.method} ${key} ${access}`)
          return access === 'read' ? true : new Response('read-only share', { status: 403 })
        },
      })
      const write = await put({ a: 1 }, {}, 'shared')
      expect(write.status).toBe(403)
      expect(await write.text()).toBe('read-only share')
      expect((await handler(request(doc('shared')))).status).toBe(404)
      expect(calls).toEqual(['PUT shared write', 'GET shared read'])
    })

    it('authorize runs before the body is read: an unauthenticated oversized body is 401, not 413', async () => {
      const { handler } = await setup({ authorize: () => null, maxBodyBytes: 10 })
      const response = await handler(request(doc(), { method: 'PUT', body: { data: 'x'.repeat(100) } }))
      expect(response.status).toBe(401)
    })
  })

  describe('server-side history', () => {
    it('keeps the last historyLimit versions, newest first', async () => {
      const { store, put } = await setup({}, { historyLimit: 3 })
      await put({ n: 1 }, {}, 'h')
      for (let v = 1; v < 5; v++) await put({ n: v + 1 }, { 'If-Match': `"${v}"` }, 'h')
      const history = await store.history('h')
      expect(history.map((entry) => [entry.version, entry.data])).toEqual([
        [5, { n: 5 }],
        [4, { n: 4 }],
        [3, { n: 3 }],
      ])
      expect((await store.history('h', { limit: 1 })).map((entry) => entry.version)).toEqual([5])
    })

    it('delete() removes the document, its history and its idempotency records', async () => {
      const { store, put, get } = await setup()
      await put({ a: 1 }, { 'Idempotency-Key': 'k' }, 'gone')
      await store.delete('gone')
      expect(await get('gone')).toBeUndefined()
      expect(await store.history('gone')).toEqual([])
      const again = await put({ a: 2 }, { 'Idempotency-Key': 'k' }, 'gone')
      expect(again.headers.get('Idempotent-Replayed')).toBeNull()
      expect(await json(again)).toMatchObject({ version: 1 })
    })
  })
})

describe('the autosave handler when its store fails', () => {
  it('answers a bare 500 and reports the error to onError', async () => {
    const failure = new Error('connection refused: 10.0.0.5:5432 password=hunter2')
    const store: DocumentStore = {
      get: () => Promise.reject(failure),
      write: () => Promise.reject(failure),
      history: async () => [],
      delete: async () => {},
    }
    const onError = vi.fn()
    const handler = createAutosaveHandler({ store, basePath: base, onError })
    const response = await handler(request(doc()))
    expect(response.status).toBe(500)
    expect(await response.text()).not.toMatch(/hunter2/)
    expect(onError).toHaveBeenCalledWith(failure, expect.any(Request))
  })
})
