import { HttpError } from './protocol'

/**
 * Containers nested deeper than this below the root are refused (400) on every store: the
 * client's `serialize()` stops at the same depth, PostgreSQL's `jsonb` and the recursive
 * parts of the handler (cloning, comparing) stay far from their stack limits.
 *
 * @example
 * ```ts
 * // 501 nested arrays: the innermost sits 500 levels below the root, the deepest allowed.
 * let deepest: unknown = []
 * for (let level = 0; level < MAX_DOCUMENT_DEPTH; level++) deepest = [deepest]
 * ```
 */
export const MAX_DOCUMENT_DEPTH = 500

/** What `measureJson` found: the length of `JSON.stringify(value)` and the deepest container. */
export interface JsonShape {
  /** UTF-16 code units of the JSON text: a lower bound of its UTF-8 bytes, at least a third of them. */
  readonly units: number
  /** Nesting of the deepest container: 0 for a scalar, 1 for `[]` or `{}`, 2 for `[[]]`. */
  readonly depth: number
}

interface Frame {
  readonly value: unknown
  readonly depth: number
  readonly parent: Frame | undefined
  readonly token: string
}

/**
 * Walks `value` without recursion (a parsed body can nest 100,000 deep), measuring it and
 * refusing, with a 400 that names the place, what JSON text cannot carry faithfully: a number
 * `JSON.parse` turned into Infinity (`1e999`), and containers nested deeper than
 * `MAX_DOCUMENT_DEPTH` once placed `baseDepth` levels down.
 */
export function measureJson(value: unknown, { baseDepth = 0, what = 'The document' }: { baseDepth?: number; what?: string } = {}): JsonShape {
  let units = 0
  let deepest = 0
  const stack: Frame[] = [{ value, depth: 0, parent: undefined, token: '' }]
  const where = (frame: Frame) => {
    const tokens: string[] = []
    for (let at: Frame | undefined = frame; at?.parent; at = at.parent) tokens.push(at.token.replace(/~/g, '~0').replace(/\//g, '~1'))
    return JSON.stringify(
      tokens
        .reverse()
        .map((token) => `/${token}`)
        .join(''),
    )
  }
  while (stack.length > 0) {
    const frame = stack.pop()!
    const item = frame.value
    if (frame.parent) units += 1 // the comma or colon before it, or the bracket of an empty container
    switch (typeof item) {
      case 'string':
        units += JSON.stringify(item).length
        continue
      case 'number':
        if (!Number.isFinite(item)) throw new HttpError(400, `${what} has a number too large for JSON (such as 1e999) at ${where(frame)}`)
        units += String(item).length
        continue
      case 'boolean':
        units += item ? 4 : 5
        continue
      case 'object':
        break
      default:
        throw new HttpError(400, `${what} has a value that is not JSON at ${where(frame)}`)
    }
    if (item === null) {
      units += 4
      continue
    }
    const depth = frame.depth + 1
    if (baseDepth + depth > MAX_DOCUMENT_DEPTH + 1) {
      throw new HttpError(400, `${what} nests deeper than ${MAX_DOCUMENT_DEPTH} levels at ${where(frame)}`)
    }
    if (depth > deepest) deepest = depth
    // Brackets, and the separators counted per child above: n children add n, the text has
    // n - 1 separators, so the closing bracket is already paid for (and "[]" is two units).
    units += 1
    if (Array.isArray(item)) {
      if (item.length === 0) units += 1
      for (let i = item.length - 1; i >= 0; i--) stack.push({ value: item[i], depth, parent: frame, token: String(i) })
    } else {
      const keys = Object.keys(item)
      if (keys.length === 0) units += 1
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i]!
        units += JSON.stringify(key).length + 1 // the key and its colon (the counted separator is the comma)
        stack.push({ value: (item as Record<string, unknown>)[key], depth, parent: frame, token: key })
      }
    }
  }
  return { units, depth: deepest }
}

/**
 * How deeply containers nest in JSON text (`[]` is 1), by a scan of its characters: a few
 * milliseconds for a megabyte, where walking the parsed value costs far more.
 */
export function jsonTextDepth(text: string): number {
  let depth = 0
  let deepest = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x22) {
      // Skip the string (brackets inside it are text) to its closing quote, the next one not
      // escaped: found natively, since strings are most of a document's text.
      for (;;) {
        const end = text.indexOf('"', i + 1)
        if (end < 0) return deepest
        let backslashes = 0
        while (text.charCodeAt(end - 1 - backslashes) === 0x5c) backslashes++
        i = end
        if (backslashes % 2 === 0) break
      }
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > deepest) deepest = depth
    } else if (c === 0x5d || c === 0x7d) depth--
  }
  return deepest
}

/** A number literal `JSON.parse` may have turned into ±Infinity: 309 or more digits, or an exponent of three digits. */
const HUGE_NUMBER = /\d[eE]\+?0*[1-9]\d{2}|\d{309}/

/**
 * Refuses (400) a request body that the rest of the handler could not even look at: nesting
 * far past any document's (`JSON.parse` reads 100,000 levels, `JSON.stringify` overflows the
 * stack on them), or a number JSON cannot carry, such as `1e999`, which `JSON.parse` reads as
 * Infinity and `JSON.stringify` would store as `null` (named where). The text is scanned
 * first, so an ordinary body is never walked.
 */
export function checkBody(text: string, body: unknown): void {
  const limit = 2 * MAX_DOCUMENT_DEPTH
  if (jsonTextDepth(text) > limit) throw new HttpError(400, `The body nests deeper than ${limit} levels (a document may nest ${MAX_DOCUMENT_DEPTH})`)
  if (HUGE_NUMBER.test(text)) measureJson(body, { baseDepth: -Infinity, what: 'The body' })
}
