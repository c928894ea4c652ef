/** The JSON helpers every part shares: equality, copying, own keys, JSON Pointer escaping. */
import type { Json } from '../types'

export type JsonObject = { [key: string]: Json }

/**
 * Deep equality of two JSON values (object key order does not matter).
 *
 * @example
 * ```ts
 * jsonEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] }) // true
 * ```
 */
export function jsonEqual(a: Json | undefined, b: Json | undefined): boolean {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false
    return true
  }
  if (Array.isArray(b)) return false
  const keys = Object.keys(a)
  if (keys.length !== Object.keys(b).length) return false
  for (const key of keys) {
    if (!Object.hasOwn(b, key) || !jsonEqual(a[key], b[key])) return false
  }
  return true
}

export function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** The value of an own property (never one inherited from Object.prototype). */
export function own(object: JsonObject | undefined, key: string): Json | undefined {
  return object !== undefined && Object.hasOwn(object, key) ? object[key] : undefined
}

// A plain assignment of "__proto__" would set the prototype instead of adding the key.
export function setOwn(object: JsonObject, key: string, value: Json): void {
  if (key === '__proto__') Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true })
  else object[key] = value
}

/** A deep copy of a JSON value that keeps a "__proto__" key a key. */
export function cloneJson(value: Json): Json {
  if (typeof value !== 'object' || value === null) return value
  if (Array.isArray(value)) return value.map(cloneJson)
  const out: JsonObject = {}
  for (const key of Object.keys(value)) {
    const item = value[key]
    if (item !== undefined) setOwn(out, key, cloneJson(item))
  }
  return out
}

/** RFC 6901: "~" and "/" inside a key become "~0" and "~1". */
export function escapePointer(key: string): string {
  // Most keys need no escaping: skip the two regular-expression passes for them.
  if (!key.includes('~') && !key.includes('/')) return key
  return key.replace(/~/g, '~0').replace(/\//g, '~1')
}

/** The keys a (non-root) JSON Pointer names, unescaped. */
export function pointerTokens(pointer: string): string[] {
  return pointer
    .slice(1)
    .split('/')
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'))
}

/**
 * The value at an RFC 6901 JSON Pointer (`''` is the whole document), or `undefined`. With
 * `guide` (the document the pointer was made on), an index into a list of items with ids
 * means the item with the id `guide` has at that index.
 */
export function valueAt(doc: Json | undefined, pointer: string, guide?: Json): Json | undefined {
  if (pointer === '') return doc
  let at: Json | undefined = doc
  let along: Json | undefined = guide
  for (const key of pointerTokens(pointer)) {
    if (at === null || typeof at !== 'object') return undefined
    // A merge names an item of an id-keyed list (chat messages, images) by its index in the
    // merged list; in `doc` the same item may sit elsewhere.
    const id = Array.isArray(at) && Array.isArray(along) ? idOf(along[Number(key)]) : undefined
    if (id !== undefined) at = (at as Json[]).find((item) => idOf(item) === id)
    else if (!Object.hasOwn(at, key)) return undefined
    else at = (at as Record<string, Json>)[key]
    along = along !== null && typeof along === 'object' && Object.hasOwn(along, key) ? (along as Record<string, Json>)[key] : undefined
  }
  return at
}

/** The `id` of an item of an id-keyed list (chat messages, images): a string or a finite number. */
export function idOf(item: Json | undefined): string | number | undefined {
  const id = isObject(item) && Object.hasOwn(item, 'id') ? item.id : undefined
  return typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id)) ? id : undefined
}

/**
 * `JSON.parse(text)`, or `fallback` when the text is not JSON (an error page from a proxy, a
 * body cut short): for reading answers and requests that are usually, but not surely, JSON.
 */
export function parseJsonOr<Fallback>(text: string, fallback: Fallback): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return fallback
  }
}

/**
 * About the length of `JSON.stringify(value)`, without building the text: strings count their
 * length (escapes are not looked for), `undefined` properties nothing.
 * For the logs' size decisions (when a log has outgrown its full copy), which need a measure
 * per write that does not scan every character of a long text field each time.
 *
 * @example
 * ```ts
 * jsonSize({ a: [1.5, 'xy'], b: 'line\nbreak' }) // 33; the JSON text is 34 long (the escape counts 2)
 * ```
 */
export function jsonSize(value: unknown): number {
  if (typeof value === 'string') return value.length + 2
  if (typeof value !== 'object' || value === null) return value === undefined ? 0 : String(value).length
  // Brackets, plus a comma before every item but the first.
  let size = 1
  if (Array.isArray(value)) for (const item of value) size += jsonSize(item ?? null) + 1
  else for (const [key, item] of Object.entries(value)) if (item !== undefined) size += key.length + 4 + jsonSize(item)
  return Math.max(2, size)
}
