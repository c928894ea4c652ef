import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { contentTypeOf, findStaticFile } from './static-files'

// Node built-ins load on first use, so `autosave-kit/server` still imports in Workers, Deno
// and edge runtimes that only ever use the Fetch handler.
const nodeStream = () => import('node:stream')
const nodeFsPromises = () => import('node:fs/promises')
const nodePath = () => import('node:path')

type FetchHandler = ((request: Request) => Promise<Response>) & {
  readonly basePath?: string
  readonly maxBodyBytes?: number
  /** Where errors outside the handler go (`createAutosaveHandler`'s `onError`); else `console.error`. */
  readonly onError?: (error: unknown, request: Request) => void
}

// Fetch cannot build a Request with these (RFC 9110 forbidden methods): answered here, never a 500.
const FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK'])

/** Answers a forbidden method 405 itself (both listeners); true when it did. */
function refusedMethod(method: string, res: ServerResponse): boolean {
  if (!FORBIDDEN_METHODS.has(method.toUpperCase())) return false
  const headers = { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', Allow: 'GET, HEAD, PUT, PATCH, POST' }
  res.writeHead(405, headers).end(JSON.stringify({ error: `${method} is not allowed here` }))
  return true
}

/** A failure outside the handler: a bare 500 to the client, the error to the handler's `onError`. */
function failed(handler: FetchHandler, error: unknown, res: ServerResponse, request: Request | undefined, url: URL | undefined): void {
  if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json' })
  res.end(JSON.stringify({ error: 'Internal server error' }))
  if (handler.onError) handler.onError(error, request ?? new Request(url ?? 'http://localhost/'))
  else console.error('autosave-kit/server:', error)
}

/**
 * Adapts a Fetch API handler to a `node:http` request listener, for `http.createServer`,
 * Express or Connect (`app.use('/api/storage/projects', …)` is not needed: the handler
 * matches its own `basePath` against the full URL).
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http'
 * createServer(toNodeListener(createAutosaveHandler({ store, basePath: '/api/storage/projects' }))).listen(8787)
 * ```
 */
export function toNodeListener(handler: FetchHandler): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    void respond(handler, req, res)
  }
}

async function respond(handler: FetchHandler, req: IncomingMessage, res: ServerResponse): Promise<void> {
  // The handler's work is abandoned when the client goes away (aborted beacons, closed tabs).
  const controller = new AbortController()
  res.on('close', () => {
    if (!res.writableFinished) controller.abort()
  })
  // Before the body stream's own listener, so the handler sees an aborted upload as aborted.
  req.on('error', () => controller.abort())
  let request: Request | undefined
  const method = req.method ?? 'GET'
  const url = requestUrl(req.url ?? '/')
  try {
    const { Readable, pipeline } = await nodeStream()
    if (refusedMethod(method, res)) return
    if (!url) return malformedTarget(res)
    const hasBody = method !== 'GET' && method !== 'HEAD'
    const headers = requestHeaders(req)
    request = new Request(url, {
      method,
      headers,
      body: hasBody ? bodyStream(req) : undefined,
      signal: controller.signal,
      // Node's fetch requires this for a streamed request body.
      ...(hasBody ? { duplex: 'half' } : {}),
    } as RequestInit)
    const response = await handler(request)
    if (controller.signal.aborted) {
      // The client is gone: nothing to write to.
      await response.body?.cancel().catch(() => {})
      return
    }
    const outgoing = responseHeaders(response, req, hasBody)
    res.writeHead(response.status, outgoing)
    if (!response.body || method === 'HEAD') {
      res.end()
      return
    }
    // pipeline, not pipe: a failing body or a client that leaves destroys both sides instead
    // of an unhandled 'error' event taking the process down.
    pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream), res, () => {})
  } catch (error) {
    if (controller.signal.aborted) return
    failed(handler, error, res, request, url)
  }
}

/**
 * Like `toNodeListener`, without Node streams on either side: the request body is read into
 * one buffer first (never more than the handler's `maxBodyBytes` + 1 bytes: an upload over
 * the limit is answered 413 at once and the rest discarded), and the answer is written with
 * one `end()`. For handlers whose answers are small, as `createAutosaveHandler`'s are
 * (`bench:server` measures both); `serveNode` uses it. A handler without a `maxBodyBytes`
 * property is served by `toNodeListener` instead.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http'
 * createServer(nodeListener(createAutosaveHandler({ store, basePath: '/api/storage/projects' }))).listen(8787)
 * ```
 */
export function nodeListener(handler: FetchHandler): (req: IncomingMessage, res: ServerResponse) => void {
  const maxBodyBytes = handler.maxBodyBytes
  // A handler that does not say how much it reads (not from createAutosaveHandler, e.g. an
  // app's router with uploads) gets its body streamed, all of it, as toNodeListener does.
  if (typeof maxBodyBytes !== 'number') return toNodeListener(handler)
  return (req, res) => {
    void respondBuffered(handler, maxBodyBytes, req, res)
  }
}

async function respondBuffered(handler: FetchHandler, maxBodyBytes: number, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const controller = new AbortController()
  res.on('close', () => {
    if (!res.writableFinished) controller.abort()
  })
  // An aborted upload is the client leaving, not a failure (as in toNodeListener).
  req.on('error', () => controller.abort())
  let request: Request | undefined
  const method = req.method ?? 'GET'
  const url = requestUrl(req.url ?? '/')
  try {
    if (refusedMethod(method, res)) return
    if (!url) return malformedTarget(res)
    const hasBody = method !== 'GET' && method !== 'HEAD'
    const headers = requestHeaders(req)
    const body = hasBody ? ((await readAtMost(req, maxBodyBytes + 1)) as BodyInit) : undefined
    if (controller.signal.aborted) return
    request = new Request(url, { method, headers, body, signal: controller.signal })
    const response = await handler(request)
    if (controller.signal.aborted) {
      await response.body?.cancel().catch(() => {})
      return
    }
    const outgoing = responseHeaders(response, req, hasBody)
    if (response.body && method !== 'HEAD' && response.headers.get('Content-Type')?.startsWith('text/event-stream')) {
      // A stream of events (`…/events`) never ends: written as it comes, like toNodeListener.
      const { Readable, pipeline } = await nodeStream()
      res.writeHead(response.status, outgoing).flushHeaders()
      pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream), res, () => {})
      return
    }
    const answer = !response.body || method === 'HEAD' ? undefined : new Uint8Array(await response.arrayBuffer())
    if (method === 'HEAD') await response.body?.cancel().catch(() => {})
    else if (answer) outgoing['content-length'] ??= String(answer.byteLength)
    res.writeHead(response.status, outgoing).end(answer)
  } catch (error) {
    if (controller.signal.aborted) return
    failed(handler, error, res, request, url)
  }
}

/**
 * The request body, or its first `limit` bytes when it is longer (the rest is discarded as it
 * arrives, and the caller answers before it ends). A Content-Length over the limit reads nothing.
 */
function readAtMost(req: IncomingMessage, limit: number): Promise<Uint8Array> {
  const declared = Number(req.headers['content-length'])
  if (declared >= limit) {
    req.resume()
    return Promise.resolve(new Uint8Array(limit))
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const onData = (chunk: Buffer) => {
      chunks.push(chunk)
      size += chunk.byteLength
      if (size >= limit) {
        req.off('data', onData).off('end', onEnd)
        req.resume()
        resolve(new Uint8Array(Buffer.concat(chunks).subarray(0, limit)))
      }
    }
    const onEnd = () => resolve(new Uint8Array(Buffer.concat(chunks, size)))
    // A client that leaves mid-upload: 'close' without 'end'; the caller sees the abort.
    req.on('data', onData).on('end', onEnd).once('close', onEnd).once('error', reject)
  })
}

/**
 * The URL the handler routes on: the request-target on a fixed origin. Never the Host header
 * (`Host: x/api/…?` would let a client pick the path), and never a path the URL parser would
 * rewrite: dot segments, backslashes (read as "/") and control characters (dropped) are
 * refused, so the handler serves exactly the path that middleware in front of it checked
 * (`/public/../api/…` is not `/api/…`). Origin-form only. Undefined → 400.
 */
function requestUrl(target: string): URL | undefined {
  const path = target.split('?')[0]!
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what a request target must not hold
  if (!target.startsWith('/') || /[\x00-\x20\x7f\\]/.test(target) || /\/(\.|%2e){1,2}(\/|$)/i.test(path)) return undefined
  try {
    return new URL(`http://localhost${target}`)
  } catch {
    return undefined
  }
}

/**
 * The request body as a web stream with backpressure. Cancelling it (the handler stopped
 * reading at the size limit) discards the rest instead of destroying the socket, so the
 * 413 answer still reaches the client.
 */
function bodyStream(req: IncomingMessage): ReadableStream<Uint8Array> {
  let open = true
  return new ReadableStream<Uint8Array>({
    start(controller) {
      req.on('data', (chunk: Buffer) => {
        if (!open) return
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength))
        if ((controller.desiredSize ?? 1) <= 0) req.pause()
      })
      req.on('end', () => {
        if (open) controller.close()
        open = false
      })
      req.on('error', (error) => {
        if (open) controller.error(error)
        open = false
      })
    },
    pull() {
      req.resume()
    },
    cancel() {
      open = false
      req.resume()
    },
  })
}

/**
 * Options of `serveNode`: port, interface, and a folder of static files to serve beside the API.
 *
 * @example
 * ```ts
 * await serveNode(handler, { port: 8787, host: '0.0.0.0', staticDir: 'dist' })
 * ```
 */
export interface ServeNodeOptions {
  /** Default 0: a free port (read it from the result). */
  port?: number
  /** Default `'127.0.0.1'`: loopback only. Pass `'0.0.0.0'` to listen on every interface. */
  host?: string
  /**
   * A directory of static files (e.g. a built example app) served for every path outside the
   * handler's `basePath`; unknown paths that accept HTML get `index.html` (single-page apps).
   */
  staticDir?: string
}

/**
 * A running server from `serveNode`.
 *
 * @example
 * ```ts
 * const server = await serveNode(handler) // port 0: any free port
 * const response = await fetch(`${server.url}/api/storage/projects/project%3A42`)
 * await server.close()
 * ```
 */
export interface NodeServer {
  /** e.g. `http://127.0.0.1:8787` */
  readonly url: string
  readonly port: number
  readonly server: Server
  /** Stops listening, closes open connections, and resolves when the server is shut. */
  close(): Promise<void>
}

/**
 * Serves a Fetch API handler (and optionally a directory of static files) with `node:http`.
 * Used by the example app and the end-to-end tests.
 *
 * @example
 * ```ts
 * const handler = createAutosaveHandler({ store: memoryDocumentStore(), basePath: '/api/storage/projects' })
 * const server = await serveNode(handler, { port: 8787, staticDir: 'examples/music-clip-wizard/dist' })
 * console.log(`open ${server.url}`)
 * ```
 */
export async function serveNode(handler: FetchHandler, options: ServeNodeOptions = {}): Promise<NodeServer> {
  const { createServer } = await import('node:http')
  const { resolve } = await nodePath()
  const host = options.host ?? '127.0.0.1'
  const api = nodeListener(handler)
  const root = options.staticDir === undefined ? undefined : resolve(options.staticDir)
  const prefix = `${handler.basePath ?? ''}/`
  const server = createServer((req, res) => {
    const pathname = (req.url ?? '/').split('?')[0]!
    if (root === undefined || pathname.startsWith(prefix)) api(req, res)
    else void serveStatic(root, pathname, req, res)
  })
  await new Promise<void>((done, fail) => {
    server.once('error', fail)
    server.listen(options.port ?? 0, host, () => done())
  })
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    server,
    close: () =>
      new Promise<void>((done, fail) => {
        server.close((error) => (error ? fail(error) : done()))
        server.closeAllConnections()
      }),
  }
}

async function serveStatic(root: string, pathname: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { open } = await nodeFsPromises()
  const { pipeline } = await nodeStream()
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD' }).end()
    return
  }
  const file = await findStaticFile(root, pathname, (req.headers.accept ?? '').includes('text/html'))
  if (!file) {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found')
    return
  }
  // Opened before the 200 so a file that cannot be opened (EACCES, deleted by a new build
  // since stat) is a 500; a read that fails later can only cut the answer short.
  const handle = await open(file).catch(() => undefined)
  if (!handle) {
    res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Cannot read the file')
    return
  }
  res.writeHead(200, { 'Content-Type': await contentTypeOf(file), 'Cache-Control': 'no-cache' })
  if (req.method === 'HEAD') {
    await handle.close()
    res.end()
    return
  }
  // pipeline, not pipe: a read error (EIO) or a client that leaves destroys both streams and
  // closes the file, instead of an unhandled 'error' event taking the process down.
  pipeline(handle.createReadStream(), res, () => {})
}

function malformedTarget(res: ServerResponse): void {
  const headers = { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'close' }
  res.writeHead(400, headers).end(JSON.stringify({ error: 'Malformed request target' }))
}

function requestHeaders(req: IncomingMessage): Headers {
  const headers = new Headers()
  for (const [name, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v)
    else if (value !== undefined) headers.set(name, value)
  }
  return headers
}

function responseHeaders(response: Response, req: IncomingMessage, hasBody: boolean): Record<string, string | string[]> {
  const outgoing: Record<string, string | string[]> = {}
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') outgoing[name] = value
  })
  const cookies = response.headers.getSetCookie()
  if (cookies.length) outgoing['set-cookie'] = cookies
  // An answer given before the whole body arrived (413): the rest of the upload is
  // discarded and the connection not reused, so the next request cannot trip over it.
  if (hasBody && !req.complete) outgoing.connection = 'close'
  return outgoing
}
