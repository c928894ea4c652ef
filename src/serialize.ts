import { SerializationError } from './errors'
import { setOwn } from './json/json'
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
  return run(value, options, new WeakMap(), undefined, undefined)
}

/**
 * A `serialize` that remembers its output per input object, for one engine: an object it has
 * serialized before (the same reference, as immutable React and Redux updates leave every
 * unchanged subtree) yields the same output object without being walked again, so the work
 * — and every diff after it, which stops at equal references — follows the edited path, not
 * the size of the state.
 *
 * What an in-place mutation does: a call with the same root object as the previous call
 * walks the whole value again (`state.title = 'x'; save(state)` is saved), forgetting what it
 * remembered (the next diff then compares in full, once). An object mutated in place and reached again
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
  let memo = new WeakMap<object, Json>()
  let sources = new WeakMap<Json[], readonly unknown[]>()
  let lastRoot: unknown
  let lastOut: Json | undefined
  return (value) => {
    // The same root again was mutated in place, or why save it: nothing remembered is trusted.
    if (value === lastRoot) {
      memo = new WeakMap()
      sources = new WeakMap()
      lastOut = undefined
    }
    lastRoot = value
    lastOut = run(value, options, memo, sources, lastOut)
    return lastOut
  }
}

function run(value: unknown, options: SerializeOptions, memo: WeakMap<object, Json>, sources: Walk['sources'], hint: Json | undefined): Json {
  try {
    return walk(value, undefined, 0, { options, memo, sources, volatile: false }, hint) ?? null
  } catch (error) {
    // Paths cost a string per property: built only now, by walking again to the failure.
    walk(value, '', 0, { options, ancestors: new Set(), volatile: false })
    // Not found again (a getter that threw once): the first error as it was.
    throw error
  }
}

const FileCtor = typeof File === 'function' ? File : undefined
const BlobCtor = typeof Blob === 'function' ? Blob : undefined

interface Walk {
  options: SerializeOptions
  /** The fast walk: outputs remembered per object. */
  memo?: WeakMap<object, Json>
  /**
   * The items (copied) each remembered array output was made from. A new array whose items are
   * still, position by position, those of the array at its place last time (a chat with one
   * message appended) takes their outputs by position: a comparison per item, no lookup.
   */
  sources?: WeakMap<Json[], readonly unknown[]>
  /** The locating walk: paths built, cycles found, the app's getters and toJSON guarded. */
  ancestors?: Set<object>
  /**
   * Set when the object being walked holds something whose JSON may change while its
   * reference does not (a File's fileId arriving after an upload, a toJSON): such an object
   * and those above it are walked again each time, never remembered.
   */
  volatile: boolean
}

/**
 * One walk, two modes. `path` undefined: the hot walk — no path strings, no ancestor set (a
 * cycle ends at the depth limit), anything thrown is located by `run`. `path` a string: the
 * locating walk, after a failure, which throws the error with its path.
 */
function walk(value: unknown, path: string | undefined, depth: number, state: Walk, hint?: Json): Json | undefined {
  const { options, memo, sources, ancestors } = state
  const at = path ?? ''
  switch (typeof value) {
    case 'string':
      return wellFormed(value)
    case 'boolean':
      return value
    case 'number':
      if (Number.isFinite(value)) return value
      throw new SerializationError('SERIALIZATION_NUMBER', at, `${value} is not a JSON number`)
    case 'undefined':
      return undefined
    case 'function':
      throw new SerializationError('SERIALIZATION_FUNCTION', at, 'A function cannot be saved')
    case 'symbol':
      throw new SerializationError('SERIALIZATION_SYMBOL', at, 'A symbol cannot be saved')
    case 'bigint':
      throw new SerializationError('SERIALIZATION_BIGINT', at, 'A BigInt cannot be saved (store it as a string)')
  }
  if (value === null) return null
  const object = value as object
  if (FileCtor && object instanceof FileCtor) {
    const id = options.fileId?.(object)
    if (options.fileId) state.volatile = true
    const meta: JsonObject = { name: object.name, size: object.size, type: object.type, lastModified: object.lastModified }
    if (id !== undefined) meta.fileId = id
    return meta
  }
  if (BlobCtor && object instanceof BlobCtor) return { size: object.size, type: object.type }
  if (object instanceof Date) {
    if (Number.isNaN(object.getTime())) throw new SerializationError('SERIALIZATION_NUMBER', at, 'An invalid Date cannot be saved')
    return object.toISOString()
  }
  // Raw bytes are described, not copied, like a Blob: the state holds metadata, uploads hold bytes.
  if (ArrayBuffer.isView(object) || object instanceof ArrayBuffer) return { size: object.byteLength, type: '' }
  if (depth > MAX_DEPTH) throw new SerializationError('SERIALIZATION_DEPTH', at, `Nesting deeper than ${MAX_DEPTH} levels`)
  const known = memo?.get(object)
  if (known !== undefined) return known
  if (ancestors?.has(object)) throw new SerializationError('SERIALIZATION_CYCLE', at, 'A cycle cannot be saved (this object contains itself)')
  ancestors?.add(object)

  const volatileAbove = state.volatile
  state.volatile = false
  let out: Json
  try {
    if (Array.isArray(object) || object instanceof Set) {
      const items: readonly unknown[] = Array.isArray(object) ? object : [...object]
      // `hint` is the output at this place last time: usable only if remembered (then none of its items is volatile).
      const before = Array.isArray(hint) ? hint : undefined
      const prior = before && sources?.get(before)
      let i = 0
      if (prior !== undefined) while (i < items.length && i < prior.length && items[i] === prior[i]) i++
      // The common prefix in one copy; push keeps the array packed.
      const list = i > 0 ? before!.slice(0, i) : []
      for (; i < items.length; i++) {
        const item = items[i]
        if (prior !== undefined && i < prior.length && item === prior[i]) list.push(before![i]!)
        // As JSON.stringify does: a hole or undefined in an array becomes null, keeping indexes stable.
        else list.push(walk(item, path === undefined ? undefined : `${path}[${i}]`, depth + 1, state, before?.[i]) ?? null)
      }
      out = list
    } else if (object instanceof Map) {
      const record: JsonObject = {}
      for (const [key, item] of object) {
        if (typeof key !== 'string' && typeof key !== 'number')
          throw new SerializationError('SERIALIZATION_KEY', at, `A Map key of type ${typeof key} cannot be saved`)
        addKey(record, String(key), walk(item, childPath(path, String(key)), depth + 1, state), at)
      }
      out = record
    } else {
      const toJSON = (object as { toJSON?: unknown }).toJSON
      if (typeof toJSON === 'function') {
        state.volatile = true
        return walk(path === undefined ? toJSON.call(object) : guarded(object, undefined, path, 'toJSON()'), path, depth + 1, state)
      }
      const record: JsonObject = {}
      const before = typeof hint === 'object' && hint !== null && !Array.isArray(hint) ? hint : undefined
      for (const key of Object.keys(object)) {
        const item = path === undefined ? (object as Record<string, unknown>)[key] : guarded(object, key, childPath(path, key)!, 'Its getter')
        addKey(record, key, walk(item, childPath(path, key), depth + 1, state, before && Object.hasOwn(before, key) ? before[key] : undefined), at)
      }
      out = record
    }
  } finally {
    ancestors?.delete(object)
  }
  if (state.volatile || !memo) return out // volatile stays set for the objects above
  state.volatile = volatileAbove
  memo.set(object, out)
  if (Array.isArray(object)) sources?.set(out as Json[], object.slice())
  return out
}

function childPath(path: string | undefined, key: string): string | undefined {
  if (path === undefined) return undefined
  return IDENTIFIER.test(key) ? (path ? `${path}.${key}` : key) : `${path}[${JSON.stringify(key)}]`
}

/**
 * Two keys that become one (a Map's 1 and "1", two lone surrogates) would lose a value: refused.
 * defineProperty for "__proto__", as a plain assignment would set the prototype instead.
 */
function addKey(record: JsonObject, key: string, json: Json | undefined, path: string): void {
  if (json === undefined) return
  const name = wellFormed(key)
  if (Object.hasOwn(record, name)) throw new SerializationError('SERIALIZATION_KEY', path, `Two keys saved as ${JSON.stringify(name)}: one would be lost`)
  setOwn(record, name, json)
}

/** On the locating walk: the app's getter (`key`) or toJSON (no key), a throw located at `path`. */
function guarded(object: object, key: string | undefined, path: string, what: string): unknown {
  try {
    return key === undefined ? (object as { toJSON: () => unknown }).toJSON() : (object as Record<string, unknown>)[key]
  } catch (error) {
    if (error instanceof SerializationError) throw error
    const typed = new SerializationError('SERIALIZATION_THREW', path, `${what} threw: ${(error as Error)?.message ?? String(error)}`)
    Object.defineProperty(typed, 'cause', { value: error })
    throw typed
  }
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

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/
