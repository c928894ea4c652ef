import { http, HttpResponse } from 'msw'
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { AutosaveError, TransportError } from '../../src/errors'
import { createAutosaveHandler, memoryDocumentStore } from '../../src/server'
import { createMockBackend } from '../../src/testing'
import { fetchTransport } from '../../src/transports/fetch'

const baseUrl = 'http://api.test/api/storage/projects'
const server = setupServer()
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterEach(() => server.resetHandlers())
afterAll(() => server.close())

describe('a wrong URL is an error, never "offline" or "no document yet"', () => {
  it.each([
    ['not a URL at all', 'http://'],
    ['a host without a scheme', 'localhost:3000/api'],
    ['a scheme fetch cannot speak', 'ftp://example.com/docs'],
    ['a query (the key would land in it)', 'https://example.com/api?tenant=1'],
    ['an empty string', ''],
  ])('%s is refused at creation with INVALID_OPTIONS', (_what, url) => {
    let error: unknown
    try {
      fetchTransport({ baseUrl: url })
    } catch (e) {
      error = e
    }
    expect(error, `fetchTransport({ baseUrl: ${JSON.stringify(url)} }) was accepted`).toBeInstanceOf(AutosaveError)
    expect(error).toMatchObject({ code: 'INVALID_OPTIONS' })
    expect((error as Error).message).toContain('baseUrl')
  })

  it('a relative baseUrl where there is no page URL (Node) fails at once, not retried as offline; creating it stays harmless (SSR)', async () => {
    const transport = fetchTransport({ baseUrl: '/api/storage/projects' })
    const error = await transport.load('project:42').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AutosaveError)
    expect(error).not.toBeInstanceOf(TransportError)
    expect(error).toMatchObject({ code: 'INVALID_OPTIONS' })
    expect((error as Error).message).toMatch(/relative.*absolute/)
    await expect(transport.write({ key: 'k', baseVersion: null, idempotencyKey: 'i', data: 1 })).rejects.toMatchObject({ code: 'INVALID_OPTIONS' })
  })

  it.each([
    ['text/plain', 'Not found'],
    ['text/html', '<!doctype html><h1>404</h1>'],
  ])('a %s 404 on GET (a wrong path) is a response error, not "no document"', async (type, body) => {
    server.use(http.get(`${baseUrl}/*`, () => new HttpResponse(body, { status: 404, headers: { 'Content-Type': type } })))
    const error = await fetchTransport({ baseUrl })
      .load('project:42')
      .catch((e: unknown) => e)
    expect(error, 'a wrong path was taken for a new document').toBeInstanceOf(TransportError)
    expect(error).toMatchObject({ code: 'TRANSPORT_RESPONSE', status: 404, retryable: false })
    expect((error as Error).message).toMatch(/404.*baseUrl/)
  })

  it('the protocol\'s own 404 still means "no document": JSON { error }, or an empty body (older servers)', async () => {
    server.use(
      http.get(`${baseUrl}/json`, () => HttpResponse.json({ error: 'No such document' }, { status: 404 })),
      http.get(`${baseUrl}/empty`, () => new HttpResponse(null, { status: 404 })),
    )
    const transport = fetchTransport({ baseUrl })
    expect(await transport.load('json')).toBeUndefined()
    expect(await transport.load('empty')).toBeUndefined()
  })

  it('a host that never answers says it could not be reached (and stays retryable)', async () => {
    server.use(http.get(`${baseUrl}/*`, () => HttpResponse.error()))
    const error = await fetchTransport({ baseUrl })
      .load('project:42')
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'TRANSPORT_NETWORK', retryable: true })
    expect((error as Error).message).toContain('Could not reach http://api.test/')
  })
})

describe('a new document is not a 404 in the browser console', () => {
  it('the reference handler answers 204 to the transport, and 404 to a client that does not ask', async () => {
    const handler = createAutosaveHandler({ store: memoryDocumentStore(), basePath: '/api/storage/projects' })
    const statuses: number[] = []
    server.use(
      http.all(`${baseUrl}/*`, async ({ request }) => {
        const response = await handler(request)
        statuses.push(response.status)
        return response
      }),
    )
    expect(await fetchTransport({ baseUrl }).load('new')).toBeUndefined()
    expect(statuses).toEqual([204])
    const plain = await fetch(`${baseUrl}/new`, { headers: { Accept: 'application/json' } })
    expect(plain.status).toBe(404)
    expect(await plain.json()).toEqual({ error: 'No such document' })
  })

  it('the mock backend answers the same', async () => {
    const backend = createMockBackend({ baseUrl })
    server.use(...backend.handlers)
    expect(await fetchTransport({ baseUrl }).load('new')).toBeUndefined()
    expect(backend.requests.map((r) => r.status)).toEqual([204])
  })
})
