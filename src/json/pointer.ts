import type { Json } from '../types'

/** The value at an RFC 6901 JSON Pointer (`''` is the whole document), or `undefined`. */
export function valueAt(doc: Json | undefined, pointer: string): Json | undefined {
  if (pointer === '') return doc
  let at: Json | undefined = doc
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~')
    if (at === null || typeof at !== 'object' || !Object.prototype.hasOwnProperty.call(at, key)) return undefined
    at = (at as Record<string, Json>)[key]
  }
  return at
}
