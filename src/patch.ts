import { escapePointer, jsonEqual, pointerTokens } from './json/json'
import type { Json, JsonPatchOperation } from './types'

type Container = Json[] | { [key: string]: Json }

/**
 * The RFC 6902 patch that turns `base` (the last acknowledged document) into `next`, or
 * `undefined` when the root is not an object or array of the same kind (send it whole).
 * Arrays are compared after their common prefix and suffix, so appending a chat message,
 * or dropping the first one, is one operation however long the chat is. A subtree that is
 * the same object on both sides (as the engine's serializer leaves unchanged parts) is not
 * walked at all: the work follows the edited path.
 *
 * @example
 * ```ts
 * diffDocuments({ a: 1, b: [1] }, { a: 1, b: [1, 2] }) // [{ op: 'add', path: '/b/1', value: 2 }]
 * ```
 */
export function diffDocuments(base: Json | undefined, next: Json): JsonPatchOperation[] | undefined {
  if (base === next && isContainer(next)) return []
  if (!isContainer(base) || !isContainer(next) || Array.isArray(base) !== Array.isArray(next)) return undefined
  const ops: JsonPatchOperation[] = []
  diffContainers(base, next, '', ops)
  return ops
}

// Written here rather than taken from just-diff: its patches misplace removals nested inside
// shifted array elements (found by the server's compatibility test), silently corrupting data.
function diffValues(a: Json, b: Json, path: string, ops: JsonPatchOperation[]) {
  if (a === b) return
  if (isContainer(a) && isContainer(b) && Array.isArray(a) === Array.isArray(b)) diffContainers(a, b, path, ops)
  else if (!jsonEqual(a, b)) ops.push({ op: 'replace', path, value: b })
}

function diffContainers(a: Container, b: Container, path: string, ops: JsonPatchOperation[]) {
  if (Array.isArray(a)) return diffArrays(a, b as Json[], path, ops)
  const objectB = b as { [key: string]: Json }
  for (const key of Object.keys(a)) {
    if (!Object.hasOwn(objectB, key)) ops.push({ op: 'remove', path: `${path}/${escapePointer(key)}` })
  }
  for (const key of Object.keys(objectB)) {
    // An unchanged property costs a comparison only: no path is built for it.
    if (!Object.hasOwn(a, key)) ops.push({ op: 'add', path: `${path}/${escapePointer(key)}`, value: objectB[key]! })
    else if (a[key] !== objectB[key]) diffValues(a[key]!, objectB[key]!, `${path}/${escapePointer(key)}`, ops)
  }
}

function diffArrays(a: Json[], b: Json[], path: string, ops: JsonPatchOperation[]) {
  let start = 0
  // The same reference first: a long chat compares by identity, without a call per message.
  while (start < a.length && start < b.length && (a[start] === b[start] || jsonEqual(a[start], b[start]))) start++
  let endA = a.length
  let endB = b.length
  while (endA > start && endB > start && (a[endA - 1] === b[endB - 1] || jsonEqual(a[endA - 1], b[endB - 1]))) {
    endA--
    endB--
  }
  const common = Math.min(endA - start, endB - start)
  // Changed elements in place first, while every index still means what it meant in `a`…
  for (let i = start; i < start + common; i++) diffValues(a[i]!, b[i]!, `${path}/${i}`, ops)
  // …then removals from the back (so earlier indexes stay valid), or insertions in order.
  for (let i = endA - 1; i >= start + common; i--) ops.push({ op: 'remove', path: `${path}/${i}` })
  for (let i = start + common; i < endB; i++) ops.push({ op: 'add', path: `${path}/${i}`, value: b[i]! })
}

function isContainer(value: Json | undefined): value is Container {
  return typeof value === 'object' && value !== null
}

/**
 * Applies a patch made by `diffDocuments` (add, remove, replace) to a copy of `doc`. Used on
 * restore to rebuild the base a draft was edited on from the draft and its undo patch.
 */
export function applyDocumentPatch(doc: Json, ops: readonly JsonPatchOperation[]): Json {
  let root = structuredClone(doc)
  for (const op of ops) {
    if (op.op !== 'add' && op.op !== 'remove' && op.op !== 'replace') throw new TypeError(`Unsupported patch operation "${op.op}"`)
    if (op.path === '') {
      if (op.op === 'remove') throw new TypeError('Cannot remove the document root')
      root = structuredClone(op.value)
      continue
    }
    const parts = pointerTokens(op.path)
    const last = parts.pop()!
    let parent: Json | undefined = root
    // Own properties only: "__proto__" must not walk into Object.prototype.
    for (const part of parts) parent = isContainer(parent) && Object.hasOwn(parent, part) ? (parent as Record<string, Json>)[part] : undefined
    if (!isContainer(parent)) throw new TypeError(`Patch path ${op.path} does not exist`)
    if (Array.isArray(parent)) {
      const index = Number(last)
      if (op.op === 'add') parent.splice(index, 0, structuredClone(op.value))
      else if (op.op === 'remove') parent.splice(index, 1)
      else parent[index] = structuredClone(op.value)
    } else if (op.op === 'remove') delete parent[last]
    // defineProperty, as a plain assignment of "__proto__" would set the prototype instead.
    else Object.defineProperty(parent, last, { value: structuredClone(op.value), enumerable: true, writable: true, configurable: true })
  }
  return root
}

/**
 * As `applyDocumentPatch`, without copying the document: only the containers on each operation's
 * path are copied, and everything else is shared with `doc` (neither is modified). Replaying a
 * log of small patches onto a large checkpoint then costs what the patches touch.
 */
export function patchShared(doc: Json, ops: readonly JsonPatchOperation[]): Json {
  let root = doc
  for (const op of ops) {
    if (op.op !== 'add' && op.op !== 'remove' && op.op !== 'replace') throw new TypeError(`Unsupported patch operation "${op.op}"`)
    if (op.path === '') {
      if (op.op === 'remove') throw new TypeError('Cannot remove the document root')
      root = op.value as Json
      continue
    }
    root = patchAt(root, pointerTokens(op.path), 0, op)
  }
  return root
}

function patchAt(node: Json, parts: string[], at: number, op: JsonPatchOperation & { value?: Json }): Json {
  if (!isContainer(node)) throw new TypeError(`Patch path ${op.path} does not exist`)
  const part = parts[at]!
  if (Array.isArray(node)) {
    const copy = node.slice()
    const index = Number(part)
    if (at < parts.length - 1) {
      if (!(index >= 0 && index < copy.length)) throw new TypeError(`Patch path ${op.path} does not exist`)
      copy[index] = patchAt(copy[index]!, parts, at + 1, op)
    } else if (op.op === 'add') copy.splice(part === '-' ? copy.length : index, 0, op.value as Json)
    else if (op.op === 'remove') copy.splice(index, 1)
    else copy[index] = op.value as Json
    return copy
  }
  // Spread defines own properties, so a "__proto__" key stays a plain key.
  const copy: Record<string, Json> = { ...node }
  if (at < parts.length - 1) {
    if (!Object.hasOwn(copy, part)) throw new TypeError(`Patch path ${op.path} does not exist`)
    copy[part] = patchAt(copy[part]!, parts, at + 1, op)
  } else if (op.op === 'remove') delete copy[part]
  else Object.defineProperty(copy, part, { value: op.value, enumerable: true, writable: true, configurable: true })
  return copy
}
