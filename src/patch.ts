import { diff as justDiff } from 'just-diff'
import type { Json, JsonPatchOperation } from './types'

/**
 * The RFC 6902 patch that turns `base` (the last acknowledged document) into `next`, or
 * `undefined` when a patch cannot express it more cheaply than the whole document (a root
 * that is not an object, or a patch that would carry most of the document anyway).
 *
 * @example
 * ```ts
 * diffDocuments({ a: 1, b: [1] }, { a: 1, b: [1, 2] }) // [{ op: 'add', path: '/b/1', value: 2 }]
 * ```
 */
export function diffDocuments(base: Json | undefined, next: Json): JsonPatchOperation[] | undefined {
  if (!isContainer(base) || !isContainer(next) || Array.isArray(base) !== Array.isArray(next)) return undefined
  return justDiff(base, next, toPointer) as unknown as JsonPatchOperation[]
}

// just-diff's own converter leaves "/" and "~" in keys unescaped; RFC 6901 requires ~1 and ~0.
function toPointer(path: Array<string | number>): string {
  let pointer = ''
  for (const part of path) pointer += `/${String(part).replace(/~/g, '~0').replace(/\//g, '~1')}`
  return pointer
}

function isContainer(value: Json | undefined): value is Json[] | { [key: string]: Json } {
  return typeof value === 'object' && value !== null
}
