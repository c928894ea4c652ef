import type { Json, JsonPatchOperation } from '../types'
import { InvalidDocumentError, type DocumentStore, type DocumentWriteOutcome } from './document-store'
import {
  applyJsonPatch,
  beaconBodySchema,
  checkDocument,
  etag,
  HttpError,
  ifNoneMatch,
  jsonResponse,
  parseIdempotencyKey,
  parseIfMatch,
  parseJson,
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
   * Decides whether `request` may read (`GET`) or write (`PUT`, `PATCH`, beacon) document
   * `key`. Runs before the body is read; do not read the body here. Without it every
   * request is allowed — fine for tests and local demos, never for a deployed service.
   */
  authorize?: (request: Request, key: string, access: 'read' | 'write') => AuthorizeResult | Promise<AuthorizeResult>
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
  /** Larger request bodies answer 413 (`nodeListener` reads no more than this). Optional, so wrappers typed as this stay valid. */
  readonly maxBodyBytes?: number
}

/** Counted in Unicode code points (what docs/server.md calls characters), not UTF-16 units. */
const MAX_KEY_LENGTH = 512

/**
 * The reference server for autosave-kit's wire protocol, as a Fetch API handler: it mounts
 * in `node:http` (see `serveNode`), Hono, Next.js route handlers, Deno, Bun and Workers.
 *
 * Serves `GET|HEAD|PUT|PATCH {basePath}/{key}` and `POST {basePath}/{key}/beacon`: ETags,
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
export function createAutosaveHandler(options: AutosaveHandlerOptions): AutosaveHandler {
  const { store, authorize } = options
  const basePath = normalizeBasePath(options.basePath ?? '')
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024
  const maxDocumentBytes = options.maxDocumentBytes ?? maxBodyBytes
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
    if (!document) return jsonResponse(404, request.method === 'HEAD' ? undefined : { error: 'No such document' })
    const tag = etag(document.version)
    if (ifNoneMatch(request.headers.get('If-None-Match'), tag)) return new Response(null, { status: 304, headers: { ETag: tag, 'Cache-Control': 'no-store' } })
    const body = { data: document.data, version: document.version, updatedAt: document.updatedAt }
    return jsonResponse(200, request.method === 'HEAD' ? undefined : body, { ETag: tag })
  }

  async function write(request: Request, key: string, principal: string, beacon: boolean): Promise<Response> {
    const body = parseJson(await readBody(request, maxBodyBytes))
    let baseVersion: number
    let idempotencyKey: string | undefined
    let next: Json | ((current: Json | null) => Json)
    let patch: JsonPatchOperation[] | undefined

    const patched = (patch: readonly JsonPatchOperation[]) => (current: Json | null) => {
      const result = applyJsonPatch(current, patch, true) // stores hand `next` its own copy
      checkDocument(result, maxDocumentBytes)
      return result
    }

    if (beacon) {
      // sendBeacon cannot set headers, so the version and key travel in the body.
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
        next = patched((patch = validatePatch(body)))
      } else {
        next = validate(putBodySchema, body, 'body').data as Json
        checkDocument(next, maxDocumentBytes)
      }
    }

    const outcome = await store.write({
      key,
      baseVersion,
      next,
      patch,
      idempotency: idempotencyKey === undefined ? undefined : { scope: principal, key: idempotencyKey },
    })
    return answer(outcome)
  }

  return Object.assign(
    async function autosaveHandler(request: Request): Promise<Response> {
      try {
        const route = parseRoute(new URL(request.url).pathname, basePath)
        if (!route) return jsonResponse(404, { error: 'Not found' })
        const { key, beacon } = route
        // Methods are case-sensitive: Fetch upper-cases only DELETE, GET, HEAD, OPTIONS, POST
        // and PUT, so a lowercase "patch" arrives as is and is not PATCH (405).
        const method = request.method
        const allowed = beacon ? ['POST'] : ['GET', 'HEAD', 'PUT', 'PATCH']
        if (!allowed.includes(method)) {
          return jsonResponse(405, { error: `${method} is not allowed here` }, { Allow: allowed.join(', ') })
        }
        const access = method === 'GET' || method === 'HEAD' ? 'read' : 'write'
        const principal = await principalFor(request, key, access)
        if (principal instanceof Response) return principal
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
    { basePath, maxBodyBytes },
  )
}

function answer(outcome: DocumentWriteOutcome): Response {
  if (outcome.status === 'conflict') {
    const current = outcome.current
    // No document is version 0 with null data: the client rebases on "nothing" and writes again.
    return current
      ? jsonResponse(412, { data: current.data, version: current.version, updatedAt: current.updatedAt }, { ETag: etag(current.version) })
      : jsonResponse(412, { data: null, version: 0 })
  }
  const headers: Record<string, string> = { ETag: etag(outcome.version) }
  if (outcome.status === 'replayed') headers['Idempotent-Replayed'] = 'true'
  return jsonResponse(200, { version: outcome.version, updatedAt: outcome.updatedAt }, headers)
}

function normalizeBasePath(path: string): string {
  const trimmed = path.replace(/\/+$/, '')
  return trimmed === '' || trimmed.startsWith('/') ? trimmed : `/${trimmed}`
}

function parseRoute(pathname: string, basePath: string): { key: string; beacon: boolean } | undefined {
  if (!pathname.startsWith(`${basePath}/`)) return undefined
  const parts = pathname.slice(basePath.length + 1).split('/')
  if (parts.length > 2 || (parts.length === 2 && parts[1] !== 'beacon')) return undefined
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
  return { key, beacon: parts.length === 2 }
}
