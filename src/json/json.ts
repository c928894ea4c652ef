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
 * The length of `JSON.stringify(value)`, without building the text: for the logs' size
 * decisions (when a log has outgrown its full copy), made on every write. A string is scanned
 * for characters JSON escapes (a native regular-expression test), not copied.
 *
 * @example
 * ```ts
 * jsonSize({ a: [1.5, 'xy'], b: 'line\nbreak' }) // 34, as JSON.stringify(…).length
 * ```
 */
export function jsonSize(value: unknown): number {
  return jsonLength(value, false, 0, Number.POSITIVE_INFINITY)
}

/**
 * Whether `JSON.stringify(value)` is longer than `limit` characters, reading only as much of
 * `value` as it takes to tell: for a small patch, a few properties, not the whole document.
 */
export function jsonLongerThan(value: unknown, limit: number): boolean {
  return jsonLength(value, true, 0, limit) > limit
}

/**
 * `length` plus the JSON length of `item`, or as soon as that passes `limit`, any figure past
 * it. Runs on every PATCH: no closure per call, and numbers, booleans and null are counted
 * without stringifying them (`String(n)` is what JSON writes for a finite number).
 */
function jsonLength(item: unknown, inArray: boolean, length: number, limit: number): number {
  switch (typeof item) {
    case 'string':
      return length + stringLength(item)
    case 'number':
      return length + (Number.isFinite(item) ? String(item).length : 4)
    case 'boolean':
      return length + (item ? 4 : 5)
    // As JSON.stringify: undefined is "null" in an array, and its key is skipped in an object.
    case 'undefined':
      return length + (inArray ? 4 : 0)
    case 'object': {
      if (item === null) return length + 4
      length += 2 // the brackets
      if (Array.isArray(item)) {
        for (let i = 0; i < item.length; i++) {
          length = jsonLength(item[i], true, length + (i ? 1 : 0), limit)
          if (length > limit) return length
        }
        return length
      }
      let n = 0
      for (const key of Object.keys(item)) {
        const child = (item as Record<string, unknown>)[key]
        if (child === undefined) continue
        length = jsonLength(child, false, length + (n++ ? 1 : 0) + stringLength(key) + 1, limit)
        if (length > limit) return length
      }
      return length
    }
    default:
      return length + (JSON.stringify(item)?.length ?? 4)
  }
}

/** Characters JSON.stringify escapes (lone surrogates among them; pairs, written as they are, are counted by it too). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what JSON escapes
const ESCAPED = /["\\\u0000-\u001f\ud800-\udfff]/

/** The length of a string in JSON: its own plus the quotes, unless something in it is escaped. */
const stringLength = (text: string) => (ESCAPED.test(text) ? JSON.stringify(text).length : text.length + 2)
