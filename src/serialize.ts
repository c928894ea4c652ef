import { SerializationError } from './errors'
import type { Json, SerializeOptions } from './types'

/** Nesting deeper than this is almost surely a bug, and would overflow the stack first. */
const MAX_DEPTH = 500

/**
 * Turns application state into plain JSON, the way autosave-kit stores and sends it:
 * `File` → `{ name, size, type, lastModified, fileId? }`, `Blob` → `{ size, type }`,
 * `Date` → ISO string, `Map` → object, `Set` → array, `undefined` properties dropped.
 * Functions, symbols, BigInt, non-finite numbers and cycles throw `SerializationError`
 * naming the path, e.g. `chat[3].files.images[0]`.
 *
 * @example
 * ```ts
 * serialize({ audio: file, at: new Date(0) }, { fileId: (f) => uploads.get(f) })
 * // { audio: { name: 'a.mp3', size: 1024, type: 'audio/mpeg', lastModified: 0, fileId: 'f1' }, at: '1970-01-01T00:00:00.000Z' }
 * ```
 */
export function serialize(value: unknown, options: SerializeOptions = {}): Json {
  const ancestors = new Set<object>()
  const FileCtor = typeof File === 'function' ? File : undefined
  const BlobCtor = typeof Blob === 'function' ? Blob : undefined

  function walk(value: unknown, path: string, depth: number): Json | undefined {
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
    if (depth > MAX_DEPTH) {
      throw new SerializationError('SERIALIZATION_DEPTH', path, `Nesting deeper than ${MAX_DEPTH} levels`)
    }
    if (FileCtor && object instanceof FileCtor) {
      const id = options.fileId?.(object)
      const meta: { [key: string]: Json } = {
        name: object.name,
        size: object.size,
        type: object.type,
        lastModified: object.lastModified,
      }
      if (id !== undefined) meta.fileId = id
      return meta
    }
    if (BlobCtor && object instanceof BlobCtor) return { size: object.size, type: object.type }
    if (object instanceof Date) {
      if (Number.isNaN(object.getTime())) {
        throw new SerializationError('SERIALIZATION_NUMBER', path, 'An invalid Date cannot be saved')
      }
      return object.toISOString()
    }
    // Raw bytes are described, not copied, like a Blob: the state holds metadata, uploads hold bytes.
    if (ArrayBuffer.isView(object) || object instanceof ArrayBuffer) return { size: object.byteLength, type: '' }
    if (ancestors.has(object)) {
      throw new SerializationError('SERIALIZATION_CYCLE', path, 'A cycle cannot be saved (this object contains itself)')
    }
    ancestors.add(object)
    try {
      if (Array.isArray(object)) return walkArray(object, path, depth)
      if (object instanceof Set) return walkArray([...object], path, depth)
      if (object instanceof Map) {
        const out: { [key: string]: Json } = {}
        for (const [key, item] of object) {
          if (typeof key !== 'string' && typeof key !== 'number') {
            throw new SerializationError('SERIALIZATION_KEY', path, `A Map key of type ${typeof key} cannot be saved`)
          }
          const json = walk(item, join(path, String(key)), depth + 1)
          if (json !== undefined) setOwn(out, wellFormed(String(key)), json)
        }
        return out
      }
      const toJSON = (object as { toJSON?: unknown }).toJSON
      if (typeof toJSON === 'function') return walk(toJSON.call(object), path, depth + 1)
      const out: { [key: string]: Json } = {}
      for (const key of Object.keys(object)) {
        const json = walk((object as Record<string, unknown>)[key], join(path, key), depth + 1)
        if (json !== undefined) setOwn(out, wellFormed(key), json)
      }
      return out
    } finally {
      ancestors.delete(object)
    }
  }

  function walkArray(items: readonly unknown[], path: string, depth: number): Json[] {
    const out = new Array<Json>(items.length)
    for (let i = 0; i < items.length; i++) {
      // As JSON.stringify does: a hole or undefined in an array becomes null, keeping indexes stable.
      out[i] = walk(items[i], `${path}[${i}]`, depth + 1) ?? null
    }
    return out
  }

  return walk(value, '', 0) ?? null
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

// A plain assignment of "__proto__" would set the prototype instead of keeping the key.
function setOwn(object: { [key: string]: Json }, key: string, value: Json): void {
  if (key === '__proto__') Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true })
  else object[key] = value
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/

function join(path: string, key: string): string {
  if (IDENTIFIER.test(key)) return path === '' ? key : `${path}.${key}`
  return `${path}[${JSON.stringify(key)}]`
}
