import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConflictError } from '../../src/errors'
import { createAutosaveHandler, memoryDocumentStore, serveNode, type NodeServer } from '../../src/server/index'
import { fetchTransport } from '../../src/transports/fetch'

const basePath = '/api/storage/projects'
const site = mkdtempSync(join(tmpdir(), 'autosave-static-'))
const store = memoryDocumentStore()
let server: NodeServer

beforeAll(async () => {
  writeFileSync(join(site, 'index.html'), '<!doctype html><title>wizard</title>')
  mkdirSync(join(site, 'assets'))
  writeFileSync(join(site, 'assets', 'app.js'), 'console.log("hi")')
  writeFileSync(join(tmpdir(), 'autosave-secret.txt'), 'secret')
  server = await serveNode(createAutosaveHandler({ store, basePath, maxBodyBytes: 64 * 1024 }), { staticDir: site })
})
afterAll(async () => {
  await server.close()
  rmSync(site, { recursive: true, force: true })
})

/** A request exactly as written, without fetch normalizing the path. */
function raw(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${server.url}${path}`, { headers }, (res) => {
      let body = ''
      res.on('data', (chunk) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('serveNode serves the handler over real HTTP', () => {
  it('listens on loopback and round-trips a document through fetchTransport', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    const transport = fetchTransport({ baseUrl: `${server.url}${basePath}` })
    const first = await transport.write({ key: 'project:42', baseVersion: null, idempotencyKey: 'a', data: { step: 'intro', chat: [] } })
    expect(first.version).toBe(1)
    const second = await transport.write({
      key: 'project:42',
      baseVersion: 1,
      idempotencyKey: 'b',
      data: { step: 'intro', chat: [{ id: 'm1', content: 'x'.repeat(200) }] },
      patch: [{ op: 'add', path: '/chat/-', value: { id: 'm1', content: 'x'.repeat(200) } }],
    })
    expect(second.version).toBe(2)
    expect(await transport.load('project:42')).toMatchObject({ data: { step: 'intro', chat: [{ id: 'm1' }] }, version: 2 })
    expect(await transport.load('missing')).toBeUndefined()
  })

  it('a stale write reaches fetchTransport as a ConflictError carrying the server document', async () => {
    const transport = fetchTransport({ baseUrl: `${server.url}${basePath}` })
    await transport.write({ key: 'conflicted', baseVersion: null, idempotencyKey: 'c1', data: { by: 'tab A' } })
    const error = await transport.write({ key: 'conflicted', baseVersion: null, idempotencyKey: 'c2', data: { by: 'tab B' } }).catch((e) => e)
    expect(error).toBeInstanceOf(ConflictError)
    expect(error.remote).toMatchObject({ data: { by: 'tab A' }, version: 1 })
  })

  it('a page-exit beacon lands, and the confirming retry with the same idempotency key replays it', async () => {
    const beacons: Array<Promise<Response>> = []
    const transport = fetchTransport({
      baseUrl: `${server.url}${basePath}`,
      // What navigator.sendBeacon would send: a text/plain POST nobody reads the answer of.
      sendBeacon: (url, body) => {
        beacons.push(fetch(url, { method: 'POST', body }))
        return true
      },
    })
    const big = { text: 'y'.repeat(62 * 1024) }
    const request = { key: 'exit', baseVersion: null, idempotencyKey: 'exit-1', data: big, keepalive: true }
    await expect(transport.write(request)).rejects.toMatchObject({ code: 'TRANSPORT_BEACON' })
    expect((await beacons[0]!).status).toBe(200)
    const confirmed = await transport.write({ ...request, keepalive: false })
    expect(confirmed.version).toBe(1)
    expect(store.peek('exit')?.version).toBe(1)
  })

  it('a streamed body past the limit is cut off with 413', async () => {
    const chunk = new TextEncoder().encode('x'.repeat(16 * 1024))
    let sent = 0
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 8) controller.enqueue(chunk)
        else controller.close()
      },
    })
    const response = await fetch(`${server.url}${basePath}/streamed`, { method: 'PUT', body, duplex: 'half' } as RequestInit)
    expect(response.status).toBe(413)
    expect(store.peek('streamed')).toBeUndefined()
  })
})

describe('serveNode serves static files beside the API', () => {
  it('serves files, index.html for directories, and index.html for unknown pages', async () => {
    const js = await fetch(`${server.url}/assets/app.js`)
    expect(js.headers.get('Content-Type')).toMatch(/javascript/)
    expect(await js.text()).toContain('hi')
    expect(await (await fetch(`${server.url}/`)).text()).toContain('<title>wizard</title>')
    const deepLink = await fetch(`${server.url}/wizard/step-3`, { headers: { Accept: 'text/html' } })
    expect(await deepLink.text()).toContain('<title>wizard</title>')
    expect((await fetch(`${server.url}/assets/missing.js`)).status).toBe(404)
  })

  it('never serves a file outside the directory', async () => {
    for (const path of ['/../autosave-secret.txt', '/%2e%2e/autosave-secret.txt', '/..%2fautosave-secret.txt', '/assets/..%2f..%2fautosave-secret.txt']) {
      const response = await raw(path)
      expect(response.body, path).not.toContain('secret')
    }
  })

  it('API paths still reach the handler', async () => {
    expect((await fetch(`${server.url}${basePath}/nothing-here`)).status).toBe(404)
    expect((await fetch(`${server.url}${basePath}/x`, { method: 'DELETE' })).status).toBe(405)
  })
})
