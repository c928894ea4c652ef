import { spawn } from 'node:child_process'
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { createServer, request as httpRequest, type Server } from 'node:http'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { ConflictError } from '../../src/errors'
import {
  createAutosaveHandler,
  memoryDocumentStore,
  nodeListener,
  serveNode,
  toNodeListener,
  type AutosaveHandler,
  type NodeServer,
} from '../../src/server/index'
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

/** One raw HTTP/1.1 exchange exactly as written: any request-target, any Host header. */
function rawHttp(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    let answer = ''
    socket.on('data', (chunk) => (answer += chunk))
    socket.on('end', () => resolve(answer))
    socket.on('error', reject)
    socket.write(text)
  })
}
const statusLine = (answer: string) => answer.split('\r\n')[0]

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

  it('a declared Content-Length past the limit is 413 before the body is sent, and the connection closes', async () => {
    const answer = await rawHttp(
      server.port,
      `PUT ${basePath}/declared HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${1024 * 1024}\r\n\r\n{"data":`,
    )
    expect(statusLine(answer)).toBe('HTTP/1.1 413 Payload Too Large')
    expect(answer.toLowerCase()).toContain('connection: close')
    expect(store.peek('declared')).toBeUndefined()
  })

  it('keep-alive: the next request on the same connection is served', async () => {
    store.set('kept', { n: 1 })
    const get = `GET ${basePath}/kept HTTP/1.1\r\nHost: x\r\n`
    const answer = await rawHttp(server.port, `${get}\r\n${get}Connection: close\r\n\r\n`)
    expect(answer.match(/HTTP\/1\.1 200 OK/g)).toHaveLength(2)
    expect(answer.match(/"data":\{"n":1\},"version":1/g)).toHaveLength(2)
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

describe('serveNode static files, the file system edge cases', () => {
  it('a symlink inside staticDir to a file outside it is not served; one to a file inside is', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'autosave-site-'))
    const outside = mkdtempSync(join(tmpdir(), 'autosave-outside-'))
    writeFileSync(join(outside, 'secret.txt'), 'top secret')
    writeFileSync(join(dir, 'real.txt'), 'public text')
    symlinkSync(join(outside, 'secret.txt'), join(dir, 'link.txt'))
    symlinkSync(outside, join(dir, 'linked-dir'))
    symlinkSync(join(dir, 'real.txt'), join(dir, 'alias.txt'))
    const local = await serveNode(createAutosaveHandler({ store: memoryDocumentStore(), basePath }), { staticDir: dir })
    try {
      for (const path of ['/link.txt', '/linked-dir/secret.txt']) {
        const response = await fetch(`${local.url}${path}`)
        expect(response.status, path).toBe(404)
        expect(await response.text()).not.toContain('top secret')
      }
      expect(await (await fetch(`${local.url}/alias.txt`)).text()).toBe('public text')
    } finally {
      await local.close()
      rmSync(dir, { recursive: true, force: true })
      rmSync(outside, { recursive: true, force: true })
    }
  })

  // A file that stat() calls regular but that fails to read: here /proc/self/mem (EIO at offset
  // 0), served from staticDir /proc/self; in production EIO, or a file replaced mid-deploy.
  // With .pipe() the read error was an unhandled 'error' event: the whole process exited.
  it.runIf(process.platform === 'linux')('a static file that fails to read does not crash the server process', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'autosave-crash-'))
    const script = join(dir, 'serve.mts')
    const serverIndex = fileURLToPath(new URL('../../src/server/index.ts', import.meta.url))
    writeFileSync(
      script,
      `import { createAutosaveHandler, memoryDocumentStore, serveNode } from ${JSON.stringify(serverIndex)}
       const server = await serveNode(createAutosaveHandler({ store: memoryDocumentStore(), basePath: '/api' }), { staticDir: '/proc/self' })
       console.log('PORT ' + server.port)`,
    )
    const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (chunk) => (stderr += chunk))
    const exited = new Promise<string>((resolve) => child.on('exit', (code) => resolve(`exited with ${code}: ${stderr}`)))
    try {
      const port = await new Promise<number>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          const match = /PORT (\d+)/.exec(String(chunk))
          if (match) resolve(Number(match[1]))
        })
        void exited.then((why) => reject(new Error(`server exited early: ${why}`)))
      })
      const answer = await rawHttp(port, 'GET /mem HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n').catch(() => '')
      // The answer is cut short (the 200 was sent before the read failed); the server lives on.
      expect(answer).not.toMatch(/\r\n0\r\n\r\n$/)
      const outcome = await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve('alive'), 500))])
      expect(outcome).toBe('alive')
      expect(statusLine(await rawHttp(port, 'GET /api/k HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'))).toBe('HTTP/1.1 404 Not Found')
    } finally {
      child.kill()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe.each([
  ['toNodeListener', toNodeListener],
  ['nodeListener', nodeListener],
])('%s routes on the request-target only', (_, adapter) => {
  const store = memoryDocumentStore()
  store.set('alice:1', { secret: 'alice' })
  const onError = vi.fn()
  const listener = adapter(createAutosaveHandler({ store, basePath, onError }))
  // An app that exposes only /public/* and would put its own auth in front of everything else.
  const gated: Server = createServer((req, res) => {
    if (req.url?.startsWith('/public/')) listener(req, res)
    else res.writeHead(403).end()
  })
  const port = new Promise<number>((resolve) => gated.listen(0, '127.0.0.1', () => resolve((gated.address() as { port: number }).port)))
  afterAll(() => new Promise<void>((done) => gated.close(() => done())))

  it('the Host header cannot choose the path the handler serves', async () => {
    // Was `http://${host}${req.url}`: this Host made the path /api/storage/projects/alice%3A1.
    const answer = await rawHttp(await port, `GET /public/logo.png HTTP/1.1\r\nHost: x${basePath}/alice%3A1?\r\nConnection: close\r\n\r\n`)
    expect(statusLine(answer)).toBe('HTTP/1.1 404 Not Found')
    expect(answer).not.toContain('alice')
  })

  it('a malformed Host header plays no part: no 500, no error report', async () => {
    const answer = await rawHttp(await port, 'GET /public/x HTTP/1.1\r\nHost: a b\r\nConnection: close\r\n\r\n')
    expect(statusLine(answer)).toBe('HTTP/1.1 404 Not Found')
    expect(onError).not.toHaveBeenCalled()
  })

  it('a request-target the URL parser would rewrite (dot segments, backslashes) is 400, never another path', async () => {
    for (const target of [
      `/public/..${basePath}/alice%3A1`,
      `/public/%2e%2E${basePath}/alice%3A1`,
      `/public/./..${basePath}/alice%3A1`,
      `/public/..\\..${basePath}/alice%3A1`,
    ]) {
      const answer = await rawHttp(await port, `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`)
      expect(statusLine(answer), target).toBe('HTTP/1.1 400 Bad Request')
      expect(answer).not.toContain('alice')
    }
    expect(onError).not.toHaveBeenCalled()
  })
})

describe('serveNode when the client goes away', () => {
  // onError is for unexpected failures (docs/server.md); a tab closed mid-upload is routine.
  it('an upload the client aborts is not reported to onError, and nothing is written', async () => {
    const errors: unknown[] = []
    const local = memoryDocumentStore()
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {})
    const running = await serveNode(createAutosaveHandler({ store: local, basePath, onError: (error) => errors.push(error) }))
    try {
      const socket = connect(running.port, '127.0.0.1')
      socket.on('error', () => {})
      socket.write(`PUT ${basePath}/k HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"data":`)
      await new Promise((resolve) => setTimeout(resolve, 100))
      socket.destroy()
      await new Promise((resolve) => setTimeout(resolve, 300))
      expect(errors.map(String)).toEqual([])
      expect(consoleError).not.toHaveBeenCalled()
      expect(local.peek('k')).toBeUndefined()
    } finally {
      consoleError.mockRestore()
      await running.close()
    }
  })
})

describe('nodeListener with a handler that does not declare maxBodyBytes', () => {
  // An app's own router (uploads beside the autosave routes) must get its whole body: the
  // buffered path would cut it at the autosave limit.
  it('streams the whole body to it, past 1 MiB', async () => {
    const router = async (request: Request) => new Response(String((await request.arrayBuffer()).byteLength))
    const running = await serveNode(router)
    try {
      const body = new Uint8Array(3 * 1024 * 1024)
      const response = await fetch(`${running.url}/upload`, { method: 'POST', body })
      expect(await response.text()).toBe(String(body.byteLength))
    } finally {
      await running.close()
    }
  })
})

describe('a handler typed as AutosaveHandler without onError', () => {
  // A wrapper (auth, logging, a router) typed as AutosaveHandler need not carry onError: the
  // adapters report their own failures to console.error instead.
  it.each([
    ['toNodeListener', toNodeListener],
    ['nodeListener', nodeListener],
  ])('is served by %s, which reports its failure to console.error', async (_, adapter) => {
    const inner = createAutosaveHandler({ store: memoryDocumentStore(), basePath })
    const wrapper: AutosaveHandler = Object.assign(
      async (request: Request): Promise<Response> => {
        if (request.method === 'DELETE') throw new Error('the wrapper failed')
        return inner(request)
      },
      { basePath },
    )
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {})
    const server = createServer(adapter(wrapper))
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}${basePath}/k`
    try {
      expect((await fetch(url, { method: 'PUT', body: JSON.stringify({ data: { step: 1 } }), headers: { 'Content-Type': 'application/json' } })).status).toBe(
        200,
      )
      expect((await fetch(url, { method: 'DELETE' })).status).toBe(500)
      expect(consoleError).toHaveBeenCalledWith('autosave-kit/server:', expect.objectContaining({ message: 'the wrapper failed' }))
    } finally {
      consoleError.mockRestore()
      server.closeAllConnections()
      await new Promise((done) => server.close(done))
    }
  })
})
