import type { Json, JsonPatchOperation } from '../types'
import { versionTag } from '../transports/http'
import { InvalidDocumentError, takeOrigin, type DocumentStore, type DocumentWriteOutcome } from './document-store'
import { checkBody } from './json-limits'
import {
  beaconBodySchema,
  checkDocument,
  HttpError,
  ifNoneMatch,
  jsonResponse,
  parseIdempotencyKey,
  parseIfMatch,
  parseJson,
  patchDocument,
  type PatchLimits,
  putBodySchema,
  readBody,
  validate,
  validatePatch,
} from './protocol'

/**
 * What `authorize` answers:
 * - `true`, or `{ principal }` to allow (the principal scopes Idempotency-Keys, so one user's
 *   key never replays another user's write);
 * - `false` → 403 Forbidden (known user, not theirs);
 * - `null` / `undefined` → 401 Unauthorized (no or bad credentials — also what a forgotten
 *   `return` gives, so a bug denies rather than allows);
 * - a `Response` to answer with exactly that.
 *
 * @example
 * ```ts
 * async function authorize(request: Request, key: string): Promise<AuthorizeResult> {
 *   const user = await userFromSession(request)
 *   if (!user) return null // 401
 *   return key.startsWith(`${user.id}:`) ? { principal: user.id } : false // 403 when not theirs
 * }
 * ```
 */
export type AuthorizeResult = boolean | { principal: string } | Response | null | undefined

/**
 * Options of `createAutosaveHandler`: the document store, where it is mounted, size limits
 * and who may read or write which document.
 *
 * @example
 * ```ts
 * createAutosaveHandler({
 *   store: memoryDocumentStore(),
 *   basePath: '/api/storage/projects',
 *   maxBodyBytes: 256 * 1024,
 *   onError: (error, request) => console.error(request.method, request.url, error),
 * })
 * ```
 */
export interface AutosaveHandlerOptions {
  /** Where documents live: `memoryDocumentStore()`, `postgresDocumentStore(client)`, or yours. */
  store: DocumentStore
  /** The path prefix the handler serves, e.g. `'/api/storage/projects'`. Default `''`. */
  basePath?: string
  /** Larger request bodies answer 413. Default 1 MiB. */
  maxBodyBytes?: number
  /** A write whose resulting document (as JSON) is larger answers 413. Default `maxBodyBytes`. */
  maxDocumentBytes?: number
  /**
   * A PATCH (or beacon patch) with more operations answers 413 before any is applied. Default
   * 10,000. Its work is bounded too, whatever this says: the values it adds, removes, copies,
   * moves and tests may add up to three times `maxBodyBytes + maxDocumentBytes` (413 past it),
   * and the document may never grow past `maxDocumentBytes + maxBodyBytes` on the way.
   */
  maxPatchOperations?: number
  /**
   * Decides whether `request` may read (`GET`) or write (`PUT`, `PATCH`, beacon) document
   * `key`. Runs before the body is read; do not read the body here. Without it every
   * request is allowed — fine for tests and local demos, never for a deployed service.
   */
  authorize?: (request: Request, key: string, access: 'read' | 'write') => AuthorizeResult | Promise<AuthorizeResult>
  /**
   * Origins whose pages may write through the beacon route besides the server's own, e.g.
   * `['https://app.example.com']`; `['*']` allows every site. A beacon is a `text/plain` POST,
   * which a page on any site may send without asking (no CORS preflight), with the user's
   * cookies: so a beacon whose `Sec-Fetch-Site` says it is not same-origin, or whose `Origin`
   * is not this host, answers 403 unless its origin is listed here. `PUT` and `PATCH` need no
   * such check: a browser sends them cross-site only after a preflight your CORS allows.
   * Default `[]`: same-origin only.
   */
  allowedOrigins?: readonly string[]
  /** Called with unexpected errors (the client gets a bare 500). Default `console.error`. */
  onError?: (error: unknown, request: Request) => void
}

/**
 * A Fetch API handler; `basePath` tells adapters which paths it serves.
 *
 * @example
 * ```ts
 * const handler: AutosaveHandler = createAutosaveHandler({ store, basePath: '/api/storage/projects' })
 * app.all(`${handler.basePath}/*`, (c) => handler(c.req.raw)) // Hono
 * ```
 */
export interface AutosaveHandler {
  (request: Request): Promise<Response>
  readonly basePath: string
  /**
   * Where the adapters (`serveNode`, `nodeListener`) report their own failures; without it
   * they use `console.error`. Optional, so a plain function wrapped to this type stays valid;
   * `createAutosaveHandler` always sets it (the `onError` it was given, or its default).
   */
  readonly onError?: (error: unknown, request: Request) => void
  /** Larger request bodies answer 413 (`nodeListener` reads no more than this). Optional, so wrappers typed as this stay valid. */
  readonly maxBodyBytes?: number
}

/** Counted in Unicode code points (what docs/server.md calls characters), not UTF-16 units. */
const MAX_KEY_LENGTH = 512

/** How often an open `…/events` stream sends a comment line, so idle proxies keep it open. */
const EVENTS_HEARTBEAT_MS = 25_000

/**
 * The reference server for autosave-kit's wire protocol, as a Fetch API handler: it mounts
 * in `node:http` (see `serveNode`), Hono, Next.js route handlers, Deno, Bun and Workers.
 *
 * Serves `GET|HEAD|PUT|PATCH {basePath}/{key}`, `POST {basePath}/{key}/beacon` and
 * `GET {basePath}/{key}/events` (Server-Sent Events: `event: version` after each write): ETags,
 * `If-Match` (stale → 412 with the current document), `Idempotency-Key` replay, RFC 6902
 * patches, 413 over `maxBodyBytes`, 400 `{ error }` for bad bodies, 401/403 from `authorize`.
 *
 * @example
 * ```ts
 * const handler = createAutosaveHandler({
 *   store: postgresDocumentStore(pool),
 *   basePath: '/api/storage/projects',
 *   authorize: async (request, key) => {
 *     const user = await userFromSession(request)
 *     if (!user) return null                                  // 401
 *     return key.startsWith(`${user.id}:`) ? { principal: user.id } : false   // 403
 *   },
 * })
 * ```
 */
export function createAutosaveHandler(options: AutosaveHandlerOptions): AutosaveHandler & {
  /** Where the handler reports unexpected failures: the `onError` it was given, or its default (`console.error`). */
  readonly onError: (error: unknown, request: Request) => void
} {
  const { store, authorize } = options
  const basePath = normalizeBasePath(options.basePath ?? '')
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024
  const maxDocumentBytes = options.maxDocumentBytes ?? maxBodyBytes
  // A client's diff touches each stored value at most once and adds only what its body carries.
  const patchLimits: PatchLimits = {
    maxOperations: options.maxPatchOperations ?? 10_000,
    maxDocumentUnits: maxDocumentBytes + maxBodyBytes,
    maxWorkUnits: 3 * (maxDocumentBytes + maxBodyBytes),
  }
  const allowedOrigins = options.allowedOrigins ?? []
  const onError = options.onError ?? ((error: unknown) => console.error('autosave-kit/server:', error))

  async function principalFor(request: Request, key: string, access: 'read' | 'write'): Promise<string | Response> {
    if (!authorize) return ''
    const result = await authorize(request, key, access)
    if (result instanceof Response) return result
    if (result === true) return ''
    if (result && typeof result === 'object' && typeof result.principal === 'string') return result.principal
    if (result === false) return jsonResponse(403, { error: `Not allowed to ${access} this document` })
    return jsonResponse(401, { error: 'Authentication required' })
  }

  async function read(request: Request, key: string): Promise<Response> {
    const document = await store.get(key)
    if (!document) {
      // fetchTransport asks for 204 (Accept: …; absent=204) so a new document logs no console error.
      if (/;\s*absent=204\b/.test(request.headers.get('Accept') ?? '')) return new Response(null, { status: 204, headers: { 'Cache-Control': 'no-store' } })
      return jsonResponse(404, request.method === 'HEAD' ? undefined : { error: 'No such document' })
    }
    const tag = versionTag(document.version)
    if (ifNoneMatch(request.headers.get('If-None-Match'), tag)) return new Response(null, { status: 304, headers: { ETag: tag, 'Cache-Control': 'no-store' } })
    const body = { data: document.data, version: document.version, updatedAt: document.updatedAt }
    return jsonResponse(200, request.method === 'HEAD' ? undefined : body, { ETag: tag })
  }

  /** Open `…/events` streams per key, in this process. */
  const watchers = new Map<string, Set<(version: number) => void>>()

  function announce(key: string, version: number) {
    for (const tell of watchers.get(key) ?? []) tell(version)
  }

  /**
   * `GET {key}/events`: Server-Sent Events, `event: version` with `{"version":N}` after every
   * applied write, and once at the start with the version the document has then (a client that
   * missed a save while it connected looks again). Heard in this process only.
   */
  async function versionEvents(request: Request, key: string): Promise<Response> {
    const current = await store.get(key)
    const encoder = new TextEncoder()
    let stop = () => {}
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        const push = (text: string) => {
          try {
            controller.enqueue(encoder.encode(text))
          } catch {
            stop() // closed meanwhile
          }
        }
        const tell = (version: number) => push(`event: version\ndata: {"version":${version}}\n\n`)
        const keyWatchers = watchers.get(key) ?? new Set()
        watchers.set(key, keyWatchers)
        keyWatchers.add(tell)
        // A comment now and then: proxies close connections that stay silent.
        const heartbeat = setInterval(() => push(': keepalive\n\n'), EVENTS_HEARTBEAT_MS)
        ;(heartbeat as { unref?: () => void }).unref?.()
        stop = () => {
          clearInterval(heartbeat)
          keyWatchers.delete(tell)
          if (keyWatchers.size === 0 && watchers.get(key) === keyWatchers) watchers.delete(key)
        }
        request.signal.addEventListener(
          'abort',
          () => {
            stop()
            try {
              controller.close()
            } catch {
              // already closed
            }
          },
          { once: true },
        )
        push('retry: 5000\n\n')
        if (current) tell(current.version)
      },
      cancel() {
        stop()
      },
    })
    return new Response(stream, {
      status: 200,
      headers: { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', 'X-Accel-Buffering': 'no' },
    })
  }

  async function write(request: Request, key: string, principal: string, beacon: boolean): Promise<Response> {
    const text = await readBody(request, maxBodyBytes)
    const body = parseJson(text)
    checkBody(text, body)
    let baseVersion: number
    let idempotencyKey: string | undefined
    let next: Json | ((current: Json | null) => Json)
    let patch: JsonPatchOperation[] | undefined

    // Counted before each operation is validated, and before the store is asked for anything.
    const countOperations = (patch: unknown) => {
      if (Array.isArray(patch) && patch.length > patchLimits.maxOperations) {
        throw new HttpError(413, `The patch has ${patch.length} operations; the limit is ${patchLimits.maxOperations}`)
      }
    }
    // Stores hand `next` its own copy and drop it when `next` throws, so it is patched in place.
    // Measured from the text the store last wrote or read (when it says), and serialized once,
    // for the size check and the store together: the PATCH costs what it changes, plus that.
    const patched = (patch: readonly JsonPatchOperation[]) => (current: Json | null) => {
      const result = patchDocument(current, patch, { limits: patchLimits, inPlace: true, origin: takeOrigin(current) })
      checkDocument(result.document, maxDocumentBytes, result.depthAtMost)
      return result.document
    }

    if (beacon) {
      // sendBeacon cannot set headers, so the version and key travel in the body.
      countOperations((body as { patch?: unknown } | null)?.patch)
      const message = validate(beaconBodySchema, body, 'beacon')
      const hasData = body !== null && typeof body === 'object' && 'data' in body
      if ((message.patch === undefined) === !hasData) throw new HttpError(400, 'A beacon body carries exactly one of "patch" and "data"')
      baseVersion = message.baseVersion ?? 0
      idempotencyKey = parseIdempotencyKey(message.idempotencyKey ?? request.headers.get('Idempotency-Key'))
      if (message.patch) next = patched((patch = message.patch as JsonPatchOperation[]))
      else {
        next = message.data as Json
        checkDocument(next, maxDocumentBytes)
      }
    } else {
      baseVersion = parseIfMatch(request.headers.get('If-Match'))
      idempotencyKey = parseIdempotencyKey(request.headers.get('Idempotency-Key'))
      if (request.method === 'PATCH') {
        countOperations(body)
        next = patched((patch = validatePatch(body)))
      } else {
        next = validate(putBodySchema, body, 'body').data as Json
        checkDocument(next, maxDocumentBytes)
      }
    }

    const fingerprint = idempotencyKey === undefined ? undefined : fingerprintOf(baseVersion, body, beacon, request.method)
    const outcome = await store.write({
      key,
      baseVersion,
      next,
      patch,
      idempotency: idempotencyKey === undefined ? undefined : { scope: principal, key: idempotencyKey, fingerprint },
    })
    // A retry repeats the request; a key reused for other content would lose that content silently.
    if (outcome.status === 'replayed' && outcome.fingerprint !== undefined && outcome.fingerprint !== fingerprint) {
      return jsonResponse(422, {
        error: 'This Idempotency-Key was already used for a different request (another base version or body); use a new key for a new write',
      })
    }
    if (outcome.status === 'applied') announce(key, outcome.version)
    return answer(outcome)
  }

  return Object.assign(
    async function autosaveHandler(request: Request): Promise<Response> {
      try {
        const route = parseRoute(new URL(request.url).pathname, basePath)
        if (!route) return jsonResponse(404, { error: 'Not found' })
        const { key, beacon, events } = route
        // Methods are case-sensitive: Fetch upper-cases only DELETE, GET, HEAD, OPTIONS, POST
        // and PUT, so a lowercase "patch" arrives as is and is not PATCH (405).
        const method = request.method
        const allowed = beacon ? ['POST'] : events ? ['GET'] : ['GET', 'HEAD', 'PUT', 'PATCH']
        if (!allowed.includes(method)) {
          return jsonResponse(405, { error: `${method} is not allowed here` }, { Allow: allowed.join(', ') })
        }
        if (beacon) {
          const crossSite = crossSiteWriter(request, allowedOrigins)
          if (crossSite)
            return jsonResponse(403, {
              error: `A beacon from another site is refused (${crossSite}); the server lists the origins it accepts in allowedOrigins`,
            })
        }
        const access = method === 'GET' || method === 'HEAD' ? 'read' : 'write'
        const principal = await principalFor(request, key, access)
        if (principal instanceof Response) return principal
        if (events) return await versionEvents(request, key)
        return access === 'read' ? await read(request, key) : await write(request, key, principal, beacon)
      } catch (error) {
        // The client went away (a closed tab mid-upload): routine, and nobody reads the answer.
        if (request.signal.aborted) return new Response(null, { status: 499 })
        if (error instanceof HttpError) return jsonResponse(error.status, { error: error.message }, error.headers)
        if (error instanceof InvalidDocumentError) return jsonResponse(400, { error: error.message })
        onError(error, request)
        return jsonResponse(500, { error: 'Internal server error' })
      }
    },
    { basePath, onError, maxBodyBytes },
  )
}

/**
 * What a write asks for, whichever route carried it: the base version and the data or the
 * patch. A beacon and the PUT or PATCH that repeats it after the page is gone carry the same.
 */
function fingerprintOf(baseVersion: number, body: unknown, beacon: boolean, method: string): string {
  const message = body as { data?: unknown; patch?: unknown }
  const content = beacon
    ? 'patch' in message && message.patch !== undefined
      ? ['patch', message.patch]
      : ['data', message.data]
    : method === 'PATCH'
      ? ['patch', body]
      : ['data', message.data]
  return contentHash(JSON.stringify([baseVersion, ...content]))
}

/**
 * 106 bits of two 53-bit string hashes (cyrb53), computed synchronously: an awaited
 * `crypto.subtle.digest` would let other work in between and put real time into a handler
 * that otherwise answers within one turn. Telling a retry from a reused key needs no secrecy:
 * keys are scoped to the principal, so a crafted collision only replays the crafter's own write.
 */
function contentHash(text: string): string {
  const hash = (seed: number) => {
    let h1 = 0xdeadbeef ^ seed
    let h2 = 0x41c6ce57 ^ seed
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i)
      h1 = Math.imul(h1 ^ c, 2654435761)
      h2 = Math.imul(h2 ^ c, 1597334677)
    }
    h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909)
    h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909)
    return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36)
  }
  return `${text.length.toString(36)}.${hash(1)}.${hash(2)}`
}

function answer(outcome: DocumentWriteOutcome): Response {
  if (outcome.status === 'conflict') {
    const current = outcome.current
    // No document is version 0 with null data: the client rebases on "nothing" and writes again.
    return current
      ? jsonResponse(412, { data: current.data, version: current.version, updatedAt: current.updatedAt }, { ETag: versionTag(current.version) })
      : jsonResponse(412, { data: null, version: 0 })
  }
  const headers: Record<string, string> = { ETag: versionTag(outcome.version) }
  if (outcome.status === 'replayed') headers['Idempotent-Replayed'] = 'true'
  return jsonResponse(200, { version: outcome.version, updatedAt: outcome.updatedAt }, headers)
}

/**
 * Why a write comes from a page of another site, or undefined when it does not (or when
 * nothing says: a client that is not a browser sends neither header). `Sec-Fetch-Site` is
 * what browsers send on HTTPS and localhost; elsewhere `Origin` is compared with the host
 * the request was sent to (as the proxy in front saw it, when it says so).
 */
function crossSiteWriter(request: Request, allowedOrigins: readonly string[]): string | undefined {
  const origin = request.headers.get('Origin')
  if (allowedOrigins.includes('*') || (origin !== null && allowedOrigins.includes(origin))) return undefined
  const site = request.headers.get('Sec-Fetch-Site')
  if (site !== null) return site === 'same-origin' || site === 'none' ? undefined : `Sec-Fetch-Site: ${site}`
  if (origin === null) return undefined
  let originHost: string
  try {
    originHost = new URL(origin).host
  } catch {
    return `Origin: ${origin.slice(0, 100)}`
  }
  const hosts = [request.headers.get('Host'), request.headers.get('X-Forwarded-Host')?.split(',')[0]?.trim(), new URL(request.url).host]
  return hosts.includes(originHost) ? undefined : `Origin: ${origin.slice(0, 100)}`
}

function normalizeBasePath(path: string): string {
  const trimmed = path.replace(/\/+$/, '')
  return trimmed === '' || trimmed.startsWith('/') ? trimmed : `/${trimmed}`
}

function parseRoute(pathname: string, basePath: string): { key: string; beacon: boolean; events: boolean } | undefined {
  if (!pathname.startsWith(`${basePath}/`)) return undefined
  const parts = pathname.slice(basePath.length + 1).split('/')
  if (parts.length > 2 || (parts.length === 2 && parts[1] !== 'beacon' && parts[1] !== 'events')) return undefined
  let key: string
  try {
    key = decodeURIComponent(parts[0]!)
  } catch {
    throw new HttpError(400, 'The document key is not valid URL encoding')
  }
  // The path of the key "" — and of "." too: URLs drop "." segments (".." leaves basePath: a 404).
  if (key === '') throw new HttpError(400, 'The document key is empty (the keys "", "." and ".." cannot be used in a URL)')
  if (key.length > MAX_KEY_LENGTH && [...key].length > MAX_KEY_LENGTH) throw new HttpError(400, `The document key is longer than ${MAX_KEY_LENGTH} characters`)
  if (key.includes('\u0000')) throw new HttpError(400, 'The document key contains U+0000')
  return { key, beacon: parts[1] === 'beacon', events: parts[1] === 'events' }
}
