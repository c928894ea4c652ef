import fc from 'fast-check'
import { http, HttpResponse } from 'msw'
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { ConflictError, TransportError } from '../../src/errors'
import { diffDocuments } from '../../src/patch'
import { createAutosaveHandler, memoryDocumentStore } from '../../src/server'
import { jsonLongerThan } from '../../src/json/json'
import { fetchTransport } from '../../src/transports/fetch'
import { settle } from '../helpers'

const baseUrl = 'http://api.test/api/storage/projects'
const seen: Array<{ method: string; url: string; headers: Record<string, string>; body: unknown }> = []
const server = setupServer()

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterEach(() => {
  server.resetHandlers()
  seen.length = 0
})
afterAll(() => server.close())

function record(status = 200, answer: unknown = { version: 4, updatedAt: '2026-11-25T00:00:00.000Z' }, headers: Record<string, string> = {}) {
  server.use(
    http.all(`${baseUrl}/*`, async ({ request }) => {
      const text = request.method === 'GET' ? '' : await request.text()
      seen.push({ method: request.method, url: request.url, headers: Object.fromEntries(request.headers), body: text && JSON.parse(text) })
      return HttpResponse.json(answer as never, { status, headers })
    }),
  )
}

const write = {
  key: 'project:42',
  idempotencyKey: 'idem-1',
  data: { currentStep: 'video_styles', chat: Array.from({ length: 50 }, (_, i) => ({ id: `m${i}`, content: 'x'.repeat(40) })) },
}

describe('fetchTransport speaks the wire protocol', () => {
  it('the first write is a PUT of { data } without If-Match, with an Idempotency-Key', async () => {
    record()
    const result = await fetchTransport({ baseUrl }).write({ ...write, baseVersion: null })
    expect(result).toEqual({ version: 4, updatedAt: '2026-11-25T00:00:00.000Z' })
    expect(seen[0]).toMatchObject({ method: 'PUT', url: `${baseUrl}/project%3A42`, body: { data: write.data } })
    expect(seen[0]!.headers['if-match']).toBeUndefined()
    expect(seen[0]!.headers['idempotency-key']).toBe('idem-1')
    expect(seen[0]!.headers['content-type']).toBe('application/json')
  })

  it('a later write with a patch is a PATCH with If-Match and the json-patch content type', async () => {
    record()
    const patch = [{ op: 'replace' as const, path: '/currentStep', value: 'completed' }]
    await fetchTransport({ baseUrl }).write({ ...write, baseVersion: 3, patch })
    expect(seen[0]).toMatchObject({ method: 'PATCH', body: patch })
    expect(seen[0]!.headers['if-match']).toBe('"3"')
    expect(seen[0]!.headers['content-type']).toBe('application/json-patch+json')
  })

  it('sends the whole document when the patch would be larger', async () => {
    record()
    const patch = [{ op: 'replace' as const, path: '', value: { big: 'x'.repeat(10_000) } }]
    await fetchTransport({ baseUrl }).write({ ...write, data: { small: 1 }, baseVersion: 3, patch })
    expect(seen[0]!.method).toBe('PUT')
    expect(seen[0]!.headers['if-match']).toBe('"3"')
  })

  it('choosing PATCH reads no more of the document than the patch is long (no whole-document work per request)', async () => {
    record()
    let reads = 0
    const messages = Array.from({ length: 1000 }, (_, i) => ({ id: `m${i}`, content: 'x'.repeat(40) }))
    const chat = new Proxy(messages, {
      get(target, property, receiver) {
        reads++
        return Reflect.get(target, property, receiver)
      },
    })
    const patch = [{ op: 'replace' as const, path: '/notes', value: 'y' }]
    await fetchTransport({ baseUrl }).write({ ...write, data: { notes: 'x'.repeat(200), chat }, baseVersion: 3, patch })
    expect(seen[0]).toMatchObject({ method: 'PATCH', body: patch })
    expect(reads, 'the chat, after the first 200 characters, was read to choose PUT or PATCH').toBe(0)
  })

  it('PUT or PATCH: the shorter body, as before (a tie sends the document)', async () => {
    const patch = [{ op: 'replace' as const, path: '/a', value: 'b' }]
    const patchLength = JSON.stringify(patch).length
    // JSON.stringify({ data: { a: 'x'.repeat(k) } }).length is k + 17.
    for (const [k, method] of [
      [patchLength - 17, 'PUT'],
      [patchLength - 16, 'PATCH'],
      [0, 'PUT'],
    ] as const) {
      record()
      await fetchTransport({ baseUrl }).write({ ...write, data: { a: 'x'.repeat(k) }, baseVersion: 3, patch })
      expect(seen.at(-1)!.method, `document of ${k + 17} characters, patch of ${patchLength}`).toBe(method)
    }
  })

  it('jsonLongerThan agrees with JSON.stringify at every limit', () => {
    const values: unknown[] = [
      { a: [1, 'two', null, true, { b: 'é"\\n\ud800' }], c: {}, d: [], e: undefined, f: [undefined, 2] },
      [],
      'text',
      { nested: { deep: [[[{ x: -1.5e-7 }]]] } },
    ]
    for (const value of values) {
      const length = JSON.stringify(value).length
      for (let limit = -1; limit <= length + 1; limit++) expect(jsonLongerThan(value, limit), `${JSON.stringify(value)} vs ${limit}`).toBe(length > limit)
    }
  })

  it('jsonLongerThan agrees with JSON.stringify on any JSON, escapes and lone surrogates included', () => {
    const text = fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }), fc.constantFrom('"', '\\', '\n', '\u0001', '\ud800', '\udc00x', '😀'))
    const value = fc.letrec((tie) => ({
      any: fc.oneof({ depthSize: 'small' }, fc.jsonValue(), text, fc.double(), fc.array(tie('any')), fc.dictionary(text, tie('any')), fc.constant(undefined)),
    })).any
    fc.assert(
      fc.property(value, fc.integer({ min: -1, max: 50 }), (item, offset) => {
        const length = JSON.stringify([item]).length
        for (const limit of [length - 1, length, offset, length - offset])
          expect(jsonLongerThan([item], limit), `${JSON.stringify([item])} vs ${limit}`).toBe(length > limit)
      }),
      { numRuns: 300 },
    )
  })

  it('headers may be an async function, called per request', async () => {
    record()
    let n = 0
    const transport = fetchTransport({ baseUrl, headers: async () => ({ Authorization: `Bearer t${++n}` }) })
    await transport.write({ ...write, baseVersion: null })
    await transport.write({ ...write, baseVersion: 3 })
    expect(seen.map((s) => s.headers.authorization)).toEqual(['Bearer t1', 'Bearer t2'])
  })

  it('the keys "." and ".." (which a URL cannot name) are refused before any request, not retried', async () => {
    for (const key of ['.', '..']) {
      const error = await fetchTransport({ baseUrl })
        .write({ ...write, key, baseVersion: null })
        .catch((e: unknown) => e)
      expect(error).toBeInstanceOf(TransportError)
      expect(error).toMatchObject({ code: 'TRANSPORT_KEY', retryable: false })
      await expect(fetchTransport({ baseUrl }).load(key)).rejects.toMatchObject({ code: 'TRANSPORT_KEY' })
    }
    expect(seen).toEqual([])
  })

  it('load() returns the document, or undefined on 404', async () => {
    server.use(
      http.get(`${baseUrl}/:key`, ({ params }) =>
        params.key === 'missing'
          ? new HttpResponse(null, { status: 404 })
          : HttpResponse.json({ data: { a: 1 }, version: 7, updatedAt: 'x' }, { headers: { ETag: '"7"' } }),
      ),
    )
    const transport = fetchTransport({ baseUrl })
    expect(await transport.load('missing')).toBeUndefined()
    expect(await transport.load('doc')).toEqual({ data: { a: 1 }, version: 7, updatedAt: 'x' })
  })

  it('412 becomes a ConflictError carrying the server document', async () => {
    record(412, { data: { currentStep: 'remote' }, version: 9 })
    const error = await fetchTransport({ baseUrl })
      .write({ ...write, baseVersion: 3 })
      .catch((e) => e)
    expect(error).toBeInstanceOf(ConflictError)
    expect(error.remote).toMatchObject({ data: { currentStep: 'remote' }, version: 9 })
  })

  it.each([
    [500, true],
    [503, true],
    [429, true],
    [408, true],
    [400, false],
    [401, false],
    [403, false],
    [404, false],
    [413, false],
  ])('HTTP %i → TransportError, retryable: %s', async (status, retryable) => {
    record(status, { error: 'nope' }, { 'Retry-After': '5' })
    const error = await fetchTransport({ baseUrl })
      .write({ ...write, baseVersion: null })
      .catch((e) => e)
    expect(error).toBeInstanceOf(TransportError)
    expect(error).toMatchObject({ status, retryable, code: 'TRANSPORT_HTTP', retryAfterMs: 5000 })
    expect(error.message).toContain('nope')
  })

  it('an HTML page or garbage instead of JSON is a TransportError, not a crash', async () => {
    server.use(http.put(`${baseUrl}/*`, () => new HttpResponse('<html>Login to Wi-Fi</html>', { headers: { 'Content-Type': 'text/html' } })))
    const error = await fetchTransport({ baseUrl })
      .write({ ...write, baseVersion: null })
      .catch((e) => e)
    expect(error).toMatchObject({ code: 'TRANSPORT_RESPONSE', retryable: true })
  })

  it('a JSON answer of the wrong shape is a TransportError', async () => {
    record(200, { version: 'seven' })
    await expect(fetchTransport({ baseUrl }).write({ ...write, baseVersion: null })).rejects.toMatchObject({ code: 'TRANSPORT_RESPONSE' })
  })

  it('a network failure is a retryable TransportError', async () => {
    server.use(http.put(`${baseUrl}/*`, () => HttpResponse.error()))
    await expect(fetchTransport({ baseUrl }).write({ ...write, baseVersion: null })).rejects.toMatchObject({
      code: 'TRANSPORT_NETWORK',
      retryable: true,
      status: 0,
    })
  })

  it('an abort by the caller propagates as the abort, not as a network error', async () => {
    server.use(http.put(`${baseUrl}/*`, async () => new Promise(() => {})))
    const controller = new AbortController()
    const pending = fetchTransport({ baseUrl }).write({ ...write, baseVersion: null, signal: controller.signal })
    controller.abort(new Error('stop'))
    await expect(pending).rejects.toThrow('stop')
  })

  it('a page-exit write too large for keepalive goes by sendBeacon to the beacon endpoint', async () => {
    const beacons: Array<{ url: string; body: unknown }> = []
    const transport = fetchTransport({
      baseUrl,
      sendBeacon: (url, blob) => {
        void blob.text().then((text) => beacons.push({ url, body: JSON.parse(text) }))
        return true
      },
    })
    const big = { blob: 'x'.repeat(100_000) }
    const error = await transport.write({ ...write, data: big, baseVersion: 2, keepalive: true }).catch((e) => e)
    expect(error).toMatchObject({ code: 'TRANSPORT_BEACON', retryable: true })
    await settle()
    expect(beacons[0]).toEqual({ url: `${baseUrl}/project%3A42/beacon`, body: { baseVersion: 2, idempotencyKey: 'idem-1', data: big } })
  })
})

describe('fetchTransport never hangs and fails in ways the engine can retry', () => {
  // Headers arrive, then the body stalls halfway (a stuck proxy, a dropped connection).
  const stalled = (async () =>
    new Response(new ReadableStream({ start: (c) => c.enqueue(new TextEncoder().encode('{"version":')) }), {
      status: 200,
      headers: { 'Content-Type': 'application/json' },
    })) as typeof fetch
  const hanging = <T>(promise: Promise<T>) =>
    Promise.race([
      promise.then(
        () => 'resolved',
        (e: unknown) => e,
      ),
      new Promise((r) => setTimeout(() => r('still hanging after 1 s'), 1000)),
    ])

  it('an answer whose body stalls after the headers times out like no answer at all', async () => {
    const transport = fetchTransport({ baseUrl, fetch: stalled, timeoutMs: 50 })
    const outcome = await hanging(transport.write({ ...write, baseVersion: null }))
    expect(outcome).toBeInstanceOf(TransportError)
    expect(outcome).toMatchObject({ code: 'TRANSPORT_TIMEOUT', retryable: true })
    expect(await hanging(transport.load('doc'))).toMatchObject({ code: 'TRANSPORT_TIMEOUT' })
  })

  it('the caller abort (dispose) also stops a stalled body read', async () => {
    const transport = fetchTransport({ baseUrl, fetch: stalled, timeoutMs: 60_000 })
    const controller = new AbortController()
    const pending = hanging(transport.write({ ...write, baseVersion: null, signal: controller.signal }))
    await new Promise((r) => setTimeout(r, 20))
    controller.abort(new Error('disposed'))
    expect(await pending).toMatchObject({ message: 'disposed' })
  })

  it('a page-exit write over the keepalive budget in UTF-8 bytes goes by beacon, whatever its length in characters', async () => {
    const keepalive: number[] = []
    const beacons: number[] = []
    const transport = fetchTransport({
      baseUrl,
      fetch: (async (_url: string, init: RequestInit) => {
        if (init.keepalive) keepalive.push(new TextEncoder().encode(String(init.body)).byteLength)
        return Response.json({ version: 1, updatedAt: 'x' })
      }) as typeof fetch,
      sendBeacon: (_url, blob) => (beacons.push(blob.size), true),
    })
    // 30 000 CJK characters: 30 000 UTF-16 units, 90 000 UTF-8 bytes.
    const error = await transport.write({ ...write, data: { text: '漢'.repeat(30_000) }, baseVersion: null, keepalive: true }).catch((e) => e)
    expect(error).toMatchObject({ code: 'TRANSPORT_BEACON' })
    expect(keepalive).toEqual([])
    expect(beacons[0]).toBeGreaterThan(90_000)
  })

  it('a headers() function that fails like the network does is a retryable TransportError', async () => {
    const transport = fetchTransport({
      baseUrl,
      headers: async () => {
        throw new TypeError('Failed to fetch') // a token refresh on a flaky connection
      },
      fetch: (async () => Response.json({ version: 1, updatedAt: 'x' })) as typeof fetch,
    })
    const error = await transport.write({ ...write, baseVersion: null }).catch((e) => e)
    expect(error).toBeInstanceOf(TransportError)
    expect(error).toMatchObject({ code: 'TRANSPORT_HEADERS', retryable: true })
    expect(error.cause).toBeInstanceOf(TypeError)
  })

  it('a headers() function that never answers times out', async () => {
    const transport = fetchTransport({ baseUrl, headers: () => new Promise<HeadersInit>(() => {}), timeoutMs: 50 })
    expect(await hanging(transport.write({ ...write, baseVersion: null }))).toMatchObject({ code: 'TRANSPORT_TIMEOUT', retryable: true })
  })

  it('an edit under keys named constructor/prototype or __proto__ is accepted by the reference server', async () => {
    const handler = createAutosaveHandler({ store: memoryDocumentStore(), basePath: '/docs' })
    const methods: string[] = []
    const transport = fetchTransport({
      baseUrl: 'http://api.test/docs',
      fetch: ((url: string, init: RequestInit) => (methods.push(String(init.method)), handler(new Request(url, init)))) as typeof fetch,
    })
    const notes = 'x'.repeat(500) // large enough that a patch would be smaller than the document
    const base = { glossary: { constructor: { prototype: 'what instances inherit from' } }, notes }
    let version = (await transport.write({ ...write, data: base, baseVersion: null })).version
    const edits = [{ glossary: { constructor: { prototype: 'edited' } }, notes }, JSON.parse(`{"glossary":{"__proto__":{"x":1}},"notes":"${notes}"}`)]
    let previous: typeof base = base
    for (const [i, next] of edits.entries()) {
      const patch = diffDocuments(previous, next)!
      version = (await transport.write({ ...write, idempotencyKey: `idem-${i + 2}`, data: next, patch, baseVersion: version })).version
      const loaded = await transport.load(write.key)
      expect(loaded?.version).toBe(version)
      expect(JSON.stringify(loaded?.data)).toBe(JSON.stringify(next))
      previous = next
    }
    expect(methods.filter((m) => m !== 'GET')).toEqual(['PUT', 'PUT', 'PUT'])
  })

  it('an ordinary edit still goes as a PATCH', async () => {
    record()
    await fetchTransport({ baseUrl }).write({ ...write, baseVersion: 3, patch: [{ op: 'replace', path: '/constructor', value: 1 }] })
    expect(seen[0]!.method).toBe('PATCH')
  })
})
