import jsonPatch, { type Operation } from 'fast-json-patch'
import * as z from 'zod/mini'
import type { Json, JsonPatchOperation } from '../types'
import { rememberJson, type JsonText } from './document-store'
import { jsonTextDepth, MAX_DOCUMENT_DEPTH, measureJson } from './json-limits'

/** A request the handler refuses with a status and a message for the client. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message)
  }
}

/** A JSON answer that no cache keeps: autosave documents change every few seconds. */
export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...headers },
  })
}

/**
 * Reads at most `maxBytes` of the body. Content-Length is checked first so an honest large
 * request is refused without reading it; the count of bytes actually read catches the rest.
 */
export async function readBody(request: Request, maxBytes: number): Promise<string> {
  const tooLarge = () => new HttpError(413, `The body is larger than the limit of ${maxBytes} bytes`)
  const declared = request.headers.get('Content-Length')
  if (declared !== null && Number(declared) > maxBytes) throw tooLarge()
  if (!request.body) return ''
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > maxBytes) {
      await reader.cancel().catch(() => {})
      throw tooLarge()
    }
    chunks.push(value)
  }
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    throw new HttpError(400, 'The body is not valid UTF-8')
  }
}

export function parseJson(text: string): unknown {
  if (text.trim() === '') throw new HttpError(400, 'The body is empty; expected JSON')
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new HttpError(400, `The body is not valid JSON: ${(error as Error).message}`)
  }
}

/** `"7"` → 7. No header → 0 (the writer believes there is no document yet). */
export function parseIfMatch(header: string | null): number {
  if (header === null) return 0
  // Only the exact form `versionTag()` emits: If-Match compares strongly (RFC 9110 §13.1.1), so "01" is not "1".
  const match = /^\s*"(0|[1-9]\d{0,14})"\s*$/.exec(header)
  if (!match) throw new HttpError(400, `If-Match must be one quoted version number like "3", got ${header.slice(0, 40)}`)
  return Number(match[1])
}

/**
 * Whether `If-None-Match` matches the current `tag`: RFC 9110 §13.1.2 compares weakly
 * (`W/"3"` matches `"3"`), allows a list, and `*` matches any current document.
 */
export function ifNoneMatch(header: string | null, tag: string): boolean {
  if (header === null) return false
  if (header.trim() === '*') return true
  return header.split(',').some((candidate) => candidate.trim().replace(/^W\//, '') === tag)
}

export function parseIdempotencyKey(value: string | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined
  if (!/^[\x21-\x7e]{1,255}$/.test(value)) {
    throw new HttpError(400, 'Idempotency-Key must be 1 to 255 visible ASCII characters')
  }
  return value
}

const pointer = z.string()
const operationSchema = z.discriminatedUnion('op', [
  z.object({ op: z.enum(['add', 'replace', 'test']), path: pointer, value: z.unknown() }),
  z.object({ op: z.literal('remove'), path: pointer }),
  z.object({ op: z.enum(['move', 'copy']), from: pointer, path: pointer }),
])
const patchSchema = z.array(operationSchema)

export const putBodySchema = z.object({ data: z.unknown() })

export const beaconBodySchema = z.object({
  baseVersion: z.optional(z.nullable(z.int().check(z.nonnegative()))),
  idempotencyKey: z.optional(z.nullable(z.string())),
  patch: z.optional(patchSchema),
  data: z.optional(z.unknown()),
})

/** Validates with a zod/mini schema; a failure is a 400 that names the place, e.g. `patch[2].op`. */
export function validate<T>(schema: z.ZodMiniType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value)
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]
  if (!issue) throw new HttpError(400, `Invalid ${what}`)
  const where = what + issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')
  throw new HttpError(400, `${where} ${problem(issue as unknown as Record<string, unknown>)}`)
}

// zod/mini ships no messages (they live in its locales), so the few we produce are spelled out.
function problem(issue: Record<string, unknown>): string {
  const expected = issue.expected
  if (issue.code === 'invalid_type' && expected === 'nonoptional') return 'is required'
  if (issue.code === 'invalid_type' && typeof expected === 'string') {
    const name = expected === 'int' ? 'integer' : expected
    return `must be ${/^[aeiou]/.test(name) ? 'an' : 'a'} ${name}`
  }
  if (Array.isArray(issue.options)) return `must be one of ${issue.options.join(', ')}`
  if (issue.code === 'too_small' && issue.minimum !== undefined) return `must be at least ${String(issue.minimum)}`
  return `is invalid${typeof issue.message === 'string' ? ` (${issue.message})` : ''}`
}

export function validatePatch(value: unknown): JsonPatchOperation[] {
  if (!Array.isArray(value)) throw new HttpError(400, 'A PATCH body must be an RFC 6902 JSON Patch: an array of operations')
  return validate(patchSchema, value, 'patch') as JsonPatchOperation[]
}

/**
 * What one PATCH may cost. Measured in UTF-16 units of JSON text (what `JSON.stringify` would
 * write), so the work of applying a patch is bounded whatever it asks for: a copy of the root
 * doubles the document, and 2,000 copies of a large subtree are 2,000 large clones.
 */
export interface PatchLimits {
  /** More operations answer 413 before any is applied. */
  readonly maxOperations: number
  /** The document may never grow past this while the patch applies (413 at once). */
  readonly maxDocumentUnits: number
  /** Values added, replaced, removed, copied, moved and tested, summed: past it, 413. */
  readonly maxWorkUnits: number
}

const UNLIMITED: PatchLimits = { maxOperations: Infinity, maxDocumentUnits: Infinity, maxWorkUnits: Infinity }

/**
 * The running account of one patch: the document's size so far, a bound on how deeply it
 * nests, and the work spent. The starting size is the length of the document's text when the
 * store knows it (the text it last wrote, or read), else of `JSON.stringify` (native, fast),
 * then follows each operation; a value is walked (slowly, precisely) only when the bounds say
 * it might nest too deep.
 */
class PatchBudget {
  size: number
  /** Whether the starting size took a serialization of the whole document. */
  readonly serializedDocument: boolean
  private work = 0
  // The document's text until its depth is first needed (by a copy or a move: most patches
  // never ask, and the scan costs as much as the serialization), then the depth it had.
  private text: string | undefined
  private initialDepth: number | undefined
  // How deep the values placed since may reach: with the initial depth, a bound on the document's.
  private placedDepth = 0
  private readonly patchValueDepth: number

  constructor(
    document: unknown,
    patch: readonly JsonPatchOperation[],
    private readonly limits: PatchLimits,
    origin: JsonText | undefined,
  ) {
    if (document === null || document === undefined) {
      this.text = ''
      this.initialDepth = 0
    } else if (origin) {
      this.text = origin.text
      this.initialDepth = origin.depthAtMost
    } else this.text = JSON.stringify(document)
    this.serializedDocument = origin === undefined && this.text !== ''
    this.size = this.text.length
    // Every value sits inside [{ "value": … }]: two levels below the patch's own.
    this.patchValueDepth = Math.max(0, jsonTextDepth(JSON.stringify(patch)) - 2)
  }

  private get documentDepth(): number {
    if (this.initialDepth === undefined) {
      this.initialDepth = jsonTextDepth(this.text ?? '')
      this.text = undefined
    }
    return Math.max(this.initialDepth, this.placedDepth)
  }

  /** A bound on how deeply the patched document nests, when one is known without a scan. */
  get depthAtMost(): number | undefined {
    return this.initialDepth === undefined ? undefined : Math.max(this.initialDepth, this.placedDepth)
  }

  /**
   * Measures a value placed `depth` levels down, charging it: from the patch, or (`fromDepth`)
   * taken from that depth of the document — where it nests at most as deep as the document
   * does, less the levels above it.
   */
  measure(value: unknown, depth: number, fromDepth?: number): number {
    const nesting = fromDepth === undefined ? this.patchValueDepth : this.documentDepth - fromDepth
    let units: number
    if (depth + nesting > MAX_DOCUMENT_DEPTH + 1) {
      const shape = measureJson(value, { baseDepth: depth, what: 'The patch' })
      units = shape.units
      this.placedDepth = Math.max(this.placedDepth, depth + shape.depth)
    } else {
      units = JSON.stringify(value).length
      this.placedDepth = Math.max(this.placedDepth, depth + nesting)
    }
    this.spend(units)
    return units
  }

  /** Measures a value already in the document, charging it. */
  sizeOf(value: unknown): number {
    const units = JSON.stringify(value).length
    this.spend(units)
    return units
  }

  spend(units: number) {
    this.work += units
    if (this.work > this.limits.maxWorkUnits) {
      throw new HttpError(
        413,
        `The patch asks for more work than the server allows (${this.limits.maxWorkUnits} units: the sizes of the values it adds, removes, copies, moves and tests)`,
      )
    }
  }

  /** Refuses now a growth that `grow` would refuse once the work is done. */
  affordGrowth(units: number) {
    if (this.size + units > this.limits.maxDocumentUnits) this.grow(units)
  }

  grow(units: number) {
    this.size += units
    if (this.size > this.limits.maxDocumentUnits) {
      throw new HttpError(413, `The patch would make the document larger than the limit of ${this.limits.maxDocumentUnits} bytes`)
    }
  }
}

/**
 * RFC 6902 on a copy of `document` (on `document` itself when `inPlace`: the caller owns it and
 * drops it if this throws, since a refusal midway leaves it half-patched); a patch that does
 * not apply is the client's error (400), one that asks for too much work or too large a
 * document is refused (413) as soon as it does, before the work is done.
 */
export function applyJsonPatch(
  document: Json | null,
  patch: readonly JsonPatchOperation[],
  options: { readonly limits?: PatchLimits; readonly inPlace?: boolean } = {},
): Json {
  return patchDocument(document, patch, options).document
}

/**
 * `applyJsonPatch`, measured from `origin` (the document's JSON text as the store last wrote
 * or read it) instead of a serialization of the document, and answering, beside the patched
 * document, a bound on its depth when one follows from the origin's and the values placed:
 * so the PATCH path costs what the patch changes, and `checkDocument` need not scan for depth.
 */
export function patchDocument(
  document: Json | null,
  patch: readonly JsonPatchOperation[],
  { limits = UNLIMITED, inPlace = false, origin }: { readonly limits?: PatchLimits; readonly inPlace?: boolean; readonly origin?: JsonText | undefined } = {},
): { document: Json; depthAtMost: number | undefined } {
  if (patch.length > limits.maxOperations) {
    throw new HttpError(413, `The patch has ${patch.length} operations; the limit is ${limits.maxOperations}`)
  }
  const budget = new PatchBudget(document, patch, limits, origin)
  // Serializing the document above is a pass over all of it, as is the copy below (not in place).
  if (budget.serializedDocument || !inPlace) budget.spend(budget.size)
  let result: unknown = inPlace ? document : jsonPatch.deepClone(document)
  // One operation at a time: the library's own loop reports every failure as operation 0.
  patch.forEach((operation, index) => {
    try {
      result = applyOperation(result, operation, budget)
    } catch (error) {
      const context = `operation ${index}: ${operation.op} ${JSON.stringify(operation.path)}`
      if (error instanceof HttpError) throw new HttpError(error.status, `${error.message} (${context})`)
      // The library's message embeds the whole document; answer with its first line only.
      const first = String((error as Error)?.message ?? error).split('\n')[0]
      throw new HttpError(400, `The patch cannot be applied (${context}): ${first}`)
    }
  })
  // A stored null would read back like "no document" (version 0 is `data: null`): a PATCH must leave a document.
  if (result === undefined || result === null) {
    throw new HttpError(
      400,
      document === null
        ? 'There is no document to patch: a PATCH that creates one must set the root (add or replace at path "")'
        : 'The patch leaves the document null; use PUT to replace the whole document',
    )
  }
  return { document: result as Json, depthAtMost: budget.depthAtMost }
}

/**
 * One operation, exactly as RFC 6902 defines it. fast-json-patch alone accepts indices with
 * leading zeros or past the end, inherited members (`/toString`), a `from` that is not a
 * pointer and members added to a number, so every location is checked here first; move and
 * copy run as the remove and add they are defined to be (§4.4, §4.5). Every value added or
 * taken away is measured first and charged to `budget`.
 */
function applyOperation(document: unknown, operation: JsonPatchOperation, budget: PatchBudget, knownUnits?: number): unknown {
  const apply = (op: JsonPatchOperation) => jsonPatch.applyOperation(document, op as Operation, true, true, true).newDocument
  switch (operation.op) {
    case 'add':
    case 'replace': {
      const at = locate(document, operation.path, operation.op === 'add' ? 'add' : 'existing')
      const added = knownUnits ?? budget.measure(operation.value, at.depth)
      const root = at.parent === undefined
      const inserting = operation.op === 'add' && Array.isArray(at.parent)
      // Replacing a member (or the root) takes the old value away; inserting into an array shifts the rest.
      const replaced = !at.exists || inserting ? 0 : root ? budget.size : budget.sizeOf(at.value)
      if (inserting) budget.spend(shifted(at))
      const newMember = !root && !Array.isArray(at.parent) && !at.exists ? JSON.stringify(at.token).length + 2 : 0
      budget.grow(added - replaced + newMember + (inserting ? 1 : 0))
      // A value from the patch goes in as a copy (at most the body's size, all ops together):
      // a later operation modifying it in place would change the patch itself, which the
      // store keeps as history and applies again if its first attempt is superseded.
      if (knownUnits === undefined && operation.value !== null && typeof operation.value === 'object') {
        return apply({ ...operation, value: jsonPatch.deepClone(operation.value) })
      }
      return apply(operation)
    }
    case 'remove': {
      if (operation.path === '') throw new Error('the whole document cannot be removed')
      const at = locate(document, operation.path, 'existing')
      const removed = budget.sizeOf(at.value)
      budget.spend(shifted(at))
      budget.grow(-removed - (Array.isArray(at.parent) ? 1 : JSON.stringify(at.token).length + 2))
      return apply(operation)
    }
    case 'test': {
      const at = locate(document, operation.path, 'existing')
      budget.measure(operation.value, at.depth)
      return apply(operation)
    }
    case 'copy': {
      const from = locate(document, operation.from, 'existing', `from ${JSON.stringify(operation.from)}: `)
      // Measured as it will sit at the target: a copy into its own subtree nests deeper.
      const units = budget.measure(from.value, depthOf(operation.path), from.depth)
      budget.affordGrowth(units) // before the clone, the costliest part
      budget.spend(units) // the clone
      const value = jsonPatch.deepClone(from.value)
      return applyOperation(document, { op: 'add', path: operation.path, value }, budget, units)
    }
    case 'move': {
      const from = locate(document, operation.from, 'existing', `from ${JSON.stringify(operation.from)}: `)
      if (operation.path === operation.from) return document
      if (operation.path.startsWith(`${operation.from}/`) || operation.from === '') throw new Error(`"${operation.from}" cannot be moved into itself`)
      document = applyOperation(document, { op: 'remove', path: operation.from }, budget)
      const units = budget.measure(from.value, depthOf(operation.path), from.depth)
      return applyOperation(document, { op: 'add', path: operation.path, value: from.value as Json }, budget, units)
    }
  }
}

const depthOf = (pointer: string) => (pointer === '' ? 0 : pointer.split('/').length - 1)

/** Elements an insertion into or removal from an array moves; a memmove, far cheaper per element than a byte of JSON. */
function shifted(at: Location): number {
  if (!Array.isArray(at.parent) || at.token === '-') return 0
  return Math.ceil((at.parent.length - Number(at.token)) / 16)
}

const POINTER = /^(\/([^~/]|~[01])*)*$/ // RFC 6901 §3
const ARRAY_INDEX = /^(0|[1-9]\d*)$/ // RFC 6901 §4: no leading zeros, no sign

interface Location {
  /** The value there (undefined where an add would create it). */
  readonly value: unknown
  /** Whether the location holds a value now. */
  readonly exists: boolean
  /** The object or array holding it; undefined for the root. */
  readonly parent: unknown
  /** The last reference token, unescaped. */
  readonly token: string
  /** How many levels below the root. */
  readonly depth: number
}

/**
 * The location `pointer` names, which must exist (`'existing'`: own members, indices below the
 * length); or, for `'add'`, a location an add may create: its parent exists and is an object
 * or an array, and an array index is at most the length (or `-`).
 */
function locate(document: unknown, pointer: string, mode: 'existing' | 'add', label = ''): Location {
  const fail = (problem: string) => new Error(label + problem)
  if (!POINTER.test(pointer)) throw fail(`${JSON.stringify(pointer)} is not a JSON pointer (empty, or starting with "/")`)
  let value = document
  let parent: unknown
  let exists = true
  let last = ''
  let at = ''
  const tokens = pointer === '' ? [] : pointer.slice(1).split('/')
  tokens.forEach((escaped, i) => {
    const token = escaped.replace(/~1/g, '/').replace(/~0/g, '~')
    const creating = mode === 'add' && i === tokens.length - 1
    if (token === '__proto__') throw fail('"__proto__" cannot be patched')
    parent = value
    last = token
    if (Array.isArray(value)) {
      if (creating && token === '-') {
        value = undefined
        exists = false
      } else if (!ARRAY_INDEX.test(token)) throw fail(`${JSON.stringify(token)} is not an index of the array at ${JSON.stringify(at)}`)
      else if (Number(token) > value.length || (Number(token) === value.length && !creating)) {
        throw fail(`index ${token} is past the end of the array at ${JSON.stringify(at)} (length ${value.length})`)
      } else {
        exists = Number(token) < value.length
        value = value[Number(token)]
      }
    } else if (value !== null && typeof value === 'object') {
      // Own members only: `toString` or `constructor` are not members of a JSON object.
      if (Object.hasOwn(value, token)) value = (value as Record<string, unknown>)[token]
      else if (creating) {
        value = undefined
        exists = false
      } else throw fail(`no member ${JSON.stringify(token)} in the object at ${JSON.stringify(at)}`)
    } else {
      throw fail(`the value at ${JSON.stringify(at)} is not an object or an array`)
    }
    at += `/${escaped}`
  })
  return { value, exists, parent, token: last, depth: tokens.length }
}

const utf8 = new TextEncoder()

/**
 * The document as JSON text, checked against the size limit, the depth limit and what
 * PostgreSQL `jsonb` can hold (no U+0000, no lone surrogates), so every store accepts the
 * same documents. (Numbers JSON cannot carry are refused with the body: `checkBody`.) The
 * text is remembered for the store: one serialization per write. `depthAtMost`, a bound the
 * caller already has (a patched document's, from `patchDocument`), spares the depth scan.
 */
export function checkDocument(data: Json, maxBytes: number, depthAtMost?: number): void {
  const tooDeep = () => {
    measureJson(data) // throws, naming where
    return new HttpError(400, `The document nests deeper than ${MAX_DOCUMENT_DEPTH} levels`)
  }
  let text: string
  try {
    text = JSON.stringify(data)
  } catch (error) {
    if (error instanceof RangeError) throw tooDeep()
    throw new HttpError(400, `The document cannot be serialized: ${(error as Error).message}`)
  }
  const tooLarge = () => new HttpError(413, `The document would be larger than the limit of ${maxBytes} bytes`)
  if (text.length > maxBytes) throw tooLarge()
  let depth = depthAtMost
  if (depth === undefined || depth > MAX_DOCUMENT_DEPTH + 1) {
    depth = jsonTextDepth(text)
    if (depth > MAX_DOCUMENT_DEPTH + 1) throw tooDeep()
  }
  // Cheap upper bound first: a UTF-16 unit never takes more than 3 UTF-8 bytes.
  if (text.length * 3 > maxBytes && utf8.encode(text).byteLength > maxBytes) throw tooLarge()
  if (/(^|[^\\])(\\\\)*\\u0000/.test(text)) throw new HttpError(400, 'The document contains the character U+0000, which cannot be stored')
  // JSON.stringify escapes only lone surrogates (half an emoji, e.g. from `text.slice(0, n)`);
  // jsonb refuses them, so every store does, with the same 400.
  if (/(^|[^\\])(\\\\)*\\ud[89a-f][0-9a-f]{2}/i.test(text)) {
    throw new HttpError(400, 'The document contains a lone UTF-16 surrogate (half of a character such as an emoji), which cannot be stored')
  }
  rememberJson(data, text, depth) // the store sends this text instead of serializing again
}
