import { SerializationError } from './errors'
import type { Json, SerializeOptions } from './types'

/** Nesting deeper than this is almost surely a bug, and would overflow the stack first. */
const MAX_DEPTH = 500

type JsonObject = { [key: string]: Json }

/**
 * Turns application state into plain JSON, the way autosave-kit stores and sends it:
 * `File` → `{ name, size, type, lastModified, fileId? }`, `Blob` → `{ size, type }`,
 * `Date` → ISO string, `Map` → object, `Set` → array, `undefined` properties dropped.
 * Functions, symbols, BigInt, non-finite numbers, cycles, two keys that become the same
 * (a Map's `1` and `"1"`) and a getter or `toJSON` that throws all throw `SerializationError`
 * naming the path, e.g. `chat[3].files.images[0]`.
 *
 * @example
 * ```ts
 * serialize({ audio: file, at: new Date(0) }, { fileId: (f) => uploads.get(f) })
 * // { audio: { name: 'a.mp3', size: 1024, type: 'audio/mpeg', lastModified: 0, fileId: 'f1' }, at: '1970-01-01T00:00:00.000Z' }
 * ```
 */
export function serialize(value: unknown, options: SerializeOptions = {}): Json {
  return run(value, options, new WeakMap(), undefined)
}

/**
 * A `serialize` that remembers its output per input object, for one engine: an object it has
 * serialized before (the same reference, as immutable React and Redux updates leave every
 * unchanged subtree) yields the same output object without being walked again, so the work
 * — and every diff after it, which stops at equal references — follows the edited path, not
 * the size of the state.
 *
 * What an in-place mutation does: a call with the same root object as the previous call
 * walks the whole value again (`state.title = 'x'; save(state)` is saved), keeping the
 * output identity of whatever did not change. An object mutated in place and reached again
 * under a new root (`state.chat.push(m); save({ ...state })`) is taken as unchanged: copy the
 * objects along the path you change, as React requires anyway.
 *
 * @example
 * ```ts
 * const toJson = createSerializer({ fileId: (f) => uploads.get(f) })
 * const a = toJson(state)
 * const b = toJson({ ...state, title: 'New' })
 * b.chat === a.chat // true: the chat was not walked again
 * ```
 */
export function createSerializer(options: SerializeOptions = {}): (value: unknown) => Json {
  const memo = new WeakMap<object, Json>()
  let lastRoot: unknown
  return (value) => {
    const sameRoot = typeof value === 'object' && value !== null && value === lastRoot
    lastRoot = value
    return run(value, options, memo, sameRoot ? new WeakSet() : undefined)
  }
}

/**
 * `rewalked`: undefined when every remembered output can be trusted; otherwise the objects
 * walked again in this call (only their outputs are trusted, so a shared object is walked once).
 */
function run(value: unknown, options: SerializeOptions, memo: WeakMap<object, Json>, rewalked: WeakSet<object> | undefined): Json {
  try {
    return walkFast(value, 0, { options, memo, rewalked, volatile: false }) ?? null
  } catch (error) {
    // Paths cost a string per property: built only now, by walking again to the failure.
    locate(value, options)
    if (error instanceof SerializationError) throw error
    throw threw('', 'Reading the state', error)
  }
}

const FileCtor = typeof File === 'function' ? File : undefined
const BlobCtor = typeof Blob === 'function' ? Blob : undefined

/** Leaves: values that are not walked into (and not remembered: a File's fileId may change). */
function leaf(value: unknown, options: SerializeOptions, path: string): Json | undefined | typeof CONTAINER {
  switch (typeof value) {
    case 'string':
      return wellFormed(value)
    case 'boolean':
      return value
    case 'number':
      if (Number.isFinite(value)) return value
      throw new SerializationError('SERIALIZATION_NUMBER', path, `${value} is not a JSON number`)
    case 'undefined':
      return undefined
    case 'function':
      throw new SerializationError('SERIALIZATION_FUNCTION', path, 'A function cannot be saved')
    case 'symbol':
      throw new SerializationError('SERIALIZATION_SYMBOL', path, 'A symbol cannot be saved')
    case 'bigint':
      throw new SerializationError('SERIALIZATION_BIGINT', path, 'A BigInt cannot be saved (store it as a string)')
  }
  if (value === null) return null
  const object = value as object
  if (FileCtor && object instanceof FileCtor) {
    const id = options.fileId?.(object)
    const meta: JsonObject = { name: object.name, size: object.size, type: object.type, lastModified: object.lastModified }
    if (id !== undefined) meta.fileId = id
    return meta
  }
  if (BlobCtor && object instanceof BlobCtor) return { size: object.size, type: object.type }
  if (object instanceof Date) {
    if (Number.isNaN(object.getTime())) throw new SerializationError('SERIALIZATION_NUMBER', path, 'An invalid Date cannot be saved')
    return object.toISOString()
  }
  // Raw bytes are described, not copied, like a Blob: the state holds metadata, uploads hold bytes.
  if (ArrayBuffer.isView(object) || object instanceof ArrayBuffer) return { size: object.byteLength, type: '' }
  return CONTAINER
}
const CONTAINER = Symbol('container')

interface Walk {
  options: SerializeOptions
  memo: WeakMap<object, Json>
  rewalked: WeakSet<object> | undefined
  /**
   * Set when the object being walked holds something whose JSON may change while its
   * reference does not (a File's fileId arriving after an upload, a toJSON): such an object
   * and those above it are walked again each time, never remembered.
   */
  volatile: boolean
}

/**
 * The hot walk: no paths, no ancestor set (a cycle ends at the depth limit, and `locate` then
 * tells it apart). Any throw is turned into a located error by `run`.
 */
function walkFast(value: unknown, depth: number, walk: Walk): Json | undefined {
  const { options, memo, rewalked } = walk
  const simple = leaf(value, options, '')
  if (simple !== CONTAINER) {
    if (options.fileId && FileCtor && value instanceof FileCtor) walk.volatile = true
    return simple
  }
  const object = value as object
  if (depth > MAX_DEPTH) throw new SerializationError('SERIALIZATION_DEPTH', '', `Nesting deeper than ${MAX_DEPTH} levels`)
  const known = memo.get(object)
  if (known !== undefined && (rewalked === undefined || rewalked.has(object))) return known

  const volatileAbove = walk.volatile
  walk.volatile = false
  let out: Json
  if (Array.isArray(object) || object instanceof Set) {
    const items: readonly unknown[] = Array.isArray(object) ? object : [...object]
    const list = new Array<Json>(items.length)
    // As JSON.stringify does: a hole or undefined in an array becomes null, keeping indexes stable.
    for (let i = 0; i < items.length; i++) list[i] = walkFast(items[i], depth + 1, walk) ?? null
    out = list
  } else if (object instanceof Map) {
    const record: JsonObject = {}
    for (const [key, item] of object) {
      if (typeof key !== 'string' && typeof key !== 'number') throw new SerializationError('SERIALIZATION_KEY', '', `A Map key of type ${typeof key} cannot be saved`)
      const json = walkFast(item, depth + 1, walk)
      if (json !== undefined) setOwnOnce(record, wellFormed(String(key)), json, '')
    }
    out = record
  } else {
    const toJSON = (object as { toJSON?: unknown }).toJSON
    if (typeof toJSON === 'function') {
      walk.volatile = true
      return walkFast(toJSON.call(object), depth + 1, walk)
    }
    const record: JsonObject = {}
    for (const key of Object.keys(object)) {
      const json = walkFast((object as Record<string, unknown>)[key], depth + 1, walk)
      if (json !== undefined) setOwnOnce(record, wellFormed(key), json, '')
    }
    out = record
  }
  if (walk.volatile) return out // stays set for the objects above
  walk.volatile = volatileAbove
  if (rewalked) {
    rewalked.add(object)
    // Walked again and found as it was: keep the old output, so diffs still stop here.
    if (known !== undefined && shallowSame(known, out)) return known
  }
  memo.set(object, out)
  return out
}

function shallowSame(before: Json, after: Json): boolean {
  if (typeof before !== 'object' || before === null || typeof after !== 'object' || after === null) return false
  if (Array.isArray(before)) {
    if (!Array.isArray(after) || before.length !== after.length) return false
    for (let i = 0; i < after.length; i++) if (before[i] !== after[i]) return false
    return true
  }
  if (Array.isArray(after)) return false
  const keys = Object.keys(after)
  if (keys.length !== Object.keys(before).length) return false
  for (const key of keys) if (!Object.hasOwn(before, key) || before[key] !== (after as JsonObject)[key]) return false
  return true
}

/**
 * The slow walk, only after the fast one failed: the same rules with a path for every
 * property, an ancestor set for cycles, and the app's getters and toJSON guarded. Throws the
 * located error; returns if the failure does not happen again (a getter that threw once).
 */
function locate(root: unknown, options: SerializeOptions): void {
  const ancestors = new Set<object>()
  const walk = (value: unknown, path: string, depth: number): void => {
    let simple: ReturnType<typeof leaf>
    try {
      simple = leaf(value, options, path)
    } catch (error) {
      if (error instanceof SerializationError) throw error
      throw threw(path, 'fileId()', error)
    }
    if (simple !== CONTAINER) return
    const object = value as object
    if (depth > MAX_DEPTH) throw new SerializationError('SERIALIZATION_DEPTH', path, `Nesting deeper than ${MAX_DEPTH} levels`)
    if (ancestors.has(object)) throw new SerializationError('SERIALIZATION_CYCLE', path, 'A cycle cannot be saved (this object contains itself)')
    ancestors.add(object)
    try {
      if (Array.isArray(object) || object instanceof Set) {
        const items: readonly unknown[] = Array.isArray(object) ? object : [...object]
        for (let i = 0; i < items.length; i++) walk(items[i], `${path}[${i}]`, depth + 1)
        return
      }
      const seen: JsonObject = {}
      if (object instanceof Map) {
        for (const [key, item] of object) {
          if (typeof key !== 'string' && typeof key !== 'number') {
            throw new SerializationError('SERIALIZATION_KEY', path, `A Map key of type ${typeof key} cannot be saved`)
          }
          walk(item, join(path, String(key)), depth + 1)
          if (item !== undefined) setOwnOnce(seen, wellFormed(String(key)), null, path)
        }
        return
      }
      let toJSON: unknown
      try {
        toJSON = (object as { toJSON?: unknown }).toJSON
        if (typeof toJSON === 'function') value = toJSON.call(object)
      } catch (error) {
        throw threw(path, 'toJSON()', error)
      }
      if (typeof toJSON === 'function') return walk(value, path, depth + 1)
      for (const key of Object.keys(object)) {
        let item: unknown
        try {
          item = (object as Record<string, unknown>)[key]
        } catch (error) {
          throw threw(join(path, key), 'Its getter', error)
        }
        walk(item, join(path, key), depth + 1)
        if (item !== undefined) setOwnOnce(seen, wellFormed(key), null, path)
      }
    } finally {
      ancestors.delete(object)
    }
  }
  walk(root, '', 0)
}

function threw(path: string, what: string, error: unknown): SerializationError {
  const typed = new SerializationError('SERIALIZATION_THREW', path, `${what} threw while the state was read: ${(error as Error)?.message ?? String(error)}`)
  Object.defineProperty(typed, 'cause', { value: error, configurable: true, writable: true })
  return typed
}

/**
 * A lone UTF-16 surrogate (say, an emoji cut in half by `slice`) is not text: PostgreSQL's jsonb
 * refuses it, and any UTF-8 encoding turns it into U+FFFD. Saved the same way here, so the
 * save goes through instead of failing on the server again and again.
 */
function wellFormed(text: string): string {
  const native = text as string & { isWellFormed?: () => boolean; toWellFormed?: () => string }
  if (native.isWellFormed ? native.isWellFormed() : !/[\ud800-\udfff]/.test(text)) return text
  return native.toWellFormed?.() ?? text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')
}

/**
 * Two keys that become one in JSON (a Map's `1` and `"1"`, two keys with different lone
 * surrogates) would silently lose a value: refused instead. A plain assignment of "__proto__"
 * would set the prototype instead of keeping the key.
 */
function setOwnOnce(object: JsonObject, key: string, value: Json, path: string): void {
  if (Object.hasOwn(object, key)) throw new SerializationError('SERIALIZATION_KEY', path, `Two keys are both saved as ${JSON.stringify(key)}; one would be lost`)
  if (key === '__proto__') Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true })
  else object[key] = value
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/

function join(path: string, key: string): string {
  if (IDENTIFIER.test(key)) return path === '' ? key : `${path}.${key}`
  return `${path}[${JSON.stringify(key)}]`
}
