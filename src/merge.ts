import { ConflictError } from './errors'
import { cloneJson, escapePointer, idOf, isObject, jsonEqual, own, setOwn, type JsonObject } from './json/json'
import type { ConflictStrategy, Json } from './types'

/**
 * What a merge produced: a fresh document and the places both sides changed differently.
 *
 * @example
 * ```ts
 * const { merged, conflicts }: MergeResult = threeWayMerge({ a: 1 }, { a: 2 }, { a: 3 })
 * // merged: { a: 2 } (local kept where both changed), conflicts: ['/a']
 * ```
 */
export interface MergeResult {
  /** A new JSON value; shares no object or array with the inputs. */
  merged: Json
  /**
   * RFC 6901 JSON Pointer paths that both sides changed differently (local's choice was
   * kept there), e.g. `'/data/musicDescription'`; `''` is the whole document.
   */
  conflicts: string[]
}

/**
 * The three sides of a conflict, as JSON, for `resolveConflict`.
 *
 * @example
 * ```ts
 * const context: MergeContext = { base: { a: 1, b: 1 }, local: { a: 2, b: 1 }, remote: { a: 1, b: 3 } }
 * resolveConflict('merge', context).merged // { a: 2, b: 3 }
 * ```
 */
export interface MergeContext {
  /** The last document both sides agreed on (the last acknowledged one), if known. */
  base: Json | undefined
  local: Json
  remote: Json
}

/** How a conflict was resolved, as reported by the `conflict` event. */
export type ResolvedStrategy = 'merge' | 'local-wins' | 'remote-wins' | 'custom'

type Id = string | number

/**
 * Combines two edits of one document made from a common ancestor.
 *
 * Rules, applied at every level:
 * - Both sides equal → that value. Only one side changed relative to `base` (deep equality)
 *   → that side's value.
 * - Plain objects → merged key by key. A key deleted on one side and unchanged on the other
 *   is deleted; deleted on one side and changed on the other is a conflict (local's choice
 *   kept). A key only one side has and `base` lacks was added, and is kept.
 * - Arrays whose items are all objects with a unique string or number `id` (chat messages,
 *   reference images) → an ordered set keyed by `id`: items either side added are kept
 *   (never duplicated), items one side removed and the other left unchanged are removed,
 *   items both sides kept are merged recursively against their `base` item. Order: remote's
 *   order (local's if only local reordered; both reordering differently is a conflict won by
 *   local); each item only one side has stays after the item it followed on that side, and
 *   where both sides added items at the same place remote's come first — two tabs appending
 *   chat messages give remote's messages, then local's.
 * - Other arrays both sides changed: if both only appended to `base`, base + remote's
 *   additions + local's additions (an addition equal to one the other side made appears
 *   once); otherwise a conflict, local's array kept.
 * - Anything else both sides changed (different types, primitives) → a conflict, local kept.
 * - `base` undefined (no common ancestor): a two-way merge — keys only one side has are kept,
 *   every value both sides hold differently is a conflict won by local, id-keyed arrays
 *   still combine by `id`.
 *
 * Inputs are never modified.
 *
 * @example
 * ```ts
 * const base = { step: 1, chat: [{ id: 'a' }] }
 * threeWayMerge(base, { step: 2, chat: [{ id: 'a' }, { id: 'l' }] }, { step: 1, chat: [{ id: 'a' }, { id: 'r' }] })
 * // { merged: { step: 2, chat: [{ id: 'a' }, { id: 'r' }, { id: 'l' }] }, conflicts: [] }
 * ```
 */
export function threeWayMerge(base: Json | undefined, local: Json, remote: Json): MergeResult {
  const conflicts: string[] = []
  const merged = mergeValue(base, local, remote, '', conflicts)
  return { merged, conflicts }
}

/**
 * Resolves a conflict with the `conflict` option: `'merge'` is {@link threeWayMerge};
 * `'local-wins'` and `'remote-wins'` take one side whole; a function gets copies of the three
 * sides and returns the state to save. `conflicts` is always what a merge would report, so
 * the `conflict` event names the colliding paths whichever strategy is used.
 *
 * @throws {ConflictError} code `CONFLICT_STRATEGY` when a strategy function returns `undefined`
 *   or the strategy is not one of the above.
 *
 * @example
 * ```ts
 * resolveConflict('remote-wins', { base: { a: 1 }, local: { a: 2 }, remote: { a: 3 } })
 * // { strategy: 'remote-wins', merged: { a: 3 }, conflicts: ['/a'] }
 * ```
 */
export function resolveConflict(strategy: ConflictStrategy<Json>, ctx: MergeContext): MergeResult & { strategy: ResolvedStrategy } {
  const { base, local, remote } = ctx
  const merge = threeWayMerge(base, local, remote)
  if (strategy === 'merge') return { ...merge, strategy: 'merge' }
  if (strategy === 'local-wins') return { merged: cloneJson(local), conflicts: merge.conflicts, strategy: 'local-wins' }
  if (strategy === 'remote-wins') return { merged: cloneJson(remote), conflicts: merge.conflicts, strategy: 'remote-wins' }
  if (typeof strategy === 'function') {
    // Copies: a resolver that edits its arguments in place must not corrupt the engine's base.
    let resolved: Json | undefined
    try {
      resolved = strategy({
        base: base === undefined ? undefined : cloneJson(base),
        local: cloneJson(local),
        remote: cloneJson(remote),
      })
    } catch (error) {
      const typed = new ConflictError(`the conflict strategy function threw: ${String(error)}`, undefined, 'CONFLICT_STRATEGY')
      Object.defineProperty(typed, 'cause', { value: error })
      throw typed
    }
    if (resolved === undefined) {
      throw new ConflictError('the conflict strategy function returned undefined; return the state to save', undefined, 'CONFLICT_STRATEGY')
    }
    return { merged: resolved, conflicts: merge.conflicts, strategy: 'custom' }
  }
  throw new ConflictError(`unknown conflict strategy ${JSON.stringify(strategy)}`, undefined, 'CONFLICT_STRATEGY')
}

function mergeValue(base: Json | undefined, local: Json, remote: Json, path: string, conflicts: string[]): Json {
  // References first: a side that is the very object of base is unchanged without a deep look.
  if (base !== undefined && base === local) return cloneJson(remote)
  if (jsonEqual(local, remote)) return cloneJson(local)
  if (base !== undefined) {
    if (jsonEqual(base, remote)) return cloneJson(local)
    if (jsonEqual(base, local)) return cloneJson(remote)
  }
  if (isObject(local) && isObject(remote)) {
    return mergeObjects(isObject(base) ? base : undefined, local, remote, path, conflicts)
  }
  if (Array.isArray(local) && Array.isArray(remote)) {
    return mergeArrays(base, local, remote, path, conflicts)
  }
  conflicts.push(path)
  return cloneJson(local)
}

function mergeObjects(base: JsonObject | undefined, local: JsonObject, remote: JsonObject, path: string, conflicts: string[]): JsonObject {
  const out: JsonObject = {}
  const visit = (key: string) => {
    const b = own(base, key)
    const l = own(local, key)
    const r = own(remote, key)
    const at = `${path}/${escapePointer(key)}`
    let value: Json | undefined
    if (l === undefined && r === undefined) return
    if (l === undefined) {
      if (b === undefined) value = cloneJson(r!)
      else if (!jsonEqual(b, r)) conflicts.push(at) // local deleted what remote changed: stays deleted
    } else if (r === undefined) {
      if (b === undefined) value = cloneJson(l)
      else if (!jsonEqual(b, l)) {
        conflicts.push(at)
        value = cloneJson(l)
      }
    } else {
      value = mergeValue(b, l, r, at, conflicts)
    }
    if (value !== undefined) setOwn(out, key, value)
  }
  for (const key of Object.keys(local)) visit(key)
  for (const key of Object.keys(remote)) if (!Object.hasOwn(local, key)) visit(key)
  // Keys only base has were deleted on both sides: nothing to do.
  return out
}

function mergeArrays(base: Json | undefined, local: Json[], remote: Json[], path: string, conflicts: string[]): Json[] {
  const localIds = idIndex(local)
  const remoteIds = localIds && idIndex(remote)
  if (localIds && remoteIds) return mergeById(base, local, remote, localIds, remoteIds, path, conflicts)

  // Both sides changed an array without ids: only pure appends combine safely.
  if (Array.isArray(base) && isAppendOf(base, local) && isAppendOf(base, remote)) {
    const out = remote.map(cloneJson)
    const remoteAdded = remote.slice(base.length)
    const matched = new Array<boolean>(remoteAdded.length).fill(false)
    for (let i = base.length; i < local.length; i++) {
      const item = local[i]!
      const twin = remoteAdded.findIndex((added, j) => !matched[j] && jsonEqual(added, item))
      if (twin >= 0) matched[twin] = true
      else out.push(cloneJson(item))
    }
    return out
  }
  conflicts.push(path)
  return local.map(cloneJson)
}

interface Slot {
  base: Json | undefined
  local: Json | undefined
  remote: Json | undefined
  /** Remote deleted it, local changed it: kept, reported once its final index is known. */
  conflict: boolean
}

function mergeById(
  base: Json | undefined,
  local: Json[],
  remote: Json[],
  localIds: Map<Id, number>,
  remoteIds: Map<Id, number>,
  path: string,
  conflicts: string[],
): Json[] {
  const baseItems = new Map<Id, Json>()
  if (Array.isArray(base)) {
    for (const item of base) {
      const id = idOf(item)
      if (id !== undefined && !baseItems.has(id)) baseItems.set(id, item)
    }
  }

  // An item only one side holds: added there (kept), or deleted by the other side — deleted
  // unless local changed it, since on one path local wins.
  const onlyLocal = (item: Json, id: Id): Slot | undefined => {
    const b = baseItems.get(id)
    if (b === undefined) return { base: undefined, local: item, remote: undefined, conflict: false }
    return jsonEqual(b, item) ? undefined : { base: b, local: item, remote: undefined, conflict: true }
  }
  const onlyRemote = (item: Json, id: Id, index: number): Slot | undefined => {
    const b = baseItems.get(id)
    if (b === undefined) return { base: undefined, local: undefined, remote: item, conflict: false }
    if (!jsonEqual(b, item)) conflicts.push(`${path}/${index}`)
    return undefined
  }

  // Shared items follow remote's order (the server already shows them so), unless only local
  // reordered them; both reordering differently is a conflict local wins.
  const localOrder = sharedBaseOrder(local, remoteIds, baseItems)
  const remoteOrder = sharedBaseOrder(remote, localIds, baseItems)
  const baseOrder = Array.isArray(base) ? sharedBaseOrder(base, localIds, baseItems, remoteIds) : []
  const localReordered = !sameIds(localOrder, baseOrder)
  if (localReordered && !sameIds(remoteOrder, baseOrder) && !sameIds(localOrder, remoteOrder)) conflicts.push(path)
  const skeleton = localReordered ? 'local' : 'remote'

  // The other side's own items, grouped under the nearest item before them that both sides
  // share (`start`: before any), so they keep their place. Where both sides added items after
  // the same one, remote's come first: two tabs appending messages give remote's, then local's.
  const [main, mainIds, other, otherIds] = skeleton === 'remote' ? [remote, remoteIds, local, localIds] : [local, localIds, remote, remoteIds]
  const start: Slot[] = []
  const after = new Map<Id, Slot[]>()
  let group = start
  for (let i = 0; i < other.length; i++) {
    const item = other[i]!
    const id = idOf(item)!
    if (mainIds.has(id)) {
      group = []
      after.set(id, group)
      continue
    }
    const slot = skeleton === 'remote' ? onlyLocal(item, id) : onlyRemote(item, id, i)
    if (slot) group.push(slot)
  }

  const slots: Slot[] = []
  if (skeleton === 'local') append(slots, start)
  let pending = start
  for (let i = 0; i < main.length; i++) {
    const item = main[i]!
    const id = idOf(item)!
    const otherIndex = otherIds.get(id)
    if (otherIndex === undefined) {
      const slot = skeleton === 'remote' ? onlyRemote(item, id, i) : onlyLocal(item, id)
      if (slot) slots.push(slot)
      continue
    }
    const shared: Slot =
      skeleton === 'remote'
        ? { base: baseItems.get(id), local: local[otherIndex], remote: item, conflict: false }
        : { base: baseItems.get(id), local: item, remote: remote[otherIndex], conflict: false }
    if (skeleton === 'remote') {
      append(slots, pending)
      slots.push(shared)
      pending = after.get(id)!
    } else {
      slots.push(shared)
      append(slots, after.get(id)!)
    }
  }
  if (skeleton === 'remote') append(slots, pending)

  const out: Json[] = new Array(slots.length)
  for (let k = 0; k < slots.length; k++) {
    const slot = slots[k]!
    const at = `${path}/${k}`
    if (slot.conflict) conflicts.push(at)
    out[k] =
      slot.local !== undefined && slot.remote !== undefined
        ? mergeValue(slot.base, slot.local, slot.remote, at, conflicts)
        : cloneJson((slot.local ?? slot.remote)!)
  }
  return out
}

/** The ids of `items` that base and the other side(s) also hold, in `items`' order. */
function sharedBaseOrder(items: Json[], otherIds: Map<Id, number>, baseItems: Map<Id, Json>, thirdIds?: Map<Id, number>): Id[] {
  const order: Id[] = []
  const seen = new Set<Id>()
  for (const item of items) {
    const id = idOf(item)
    if (id === undefined || seen.has(id) || !otherIds.has(id) || !baseItems.has(id) || (thirdIds && !thirdIds.has(id))) continue
    seen.add(id)
    order.push(id)
  }
  return order
}

// Not push(...items): a spread of a very long array overflows the call stack.
function append<T>(into: T[], items: readonly T[]): void {
  for (const item of items) into.push(item)
}

function sameIds(a: Id[], b: Id[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i])
}

/** Each item's index by `id`, or `undefined` when the array is not an id-keyed set. */
function idIndex(items: Json[]): Map<Id, number> | undefined {
  const index = new Map<Id, number>()
  for (let i = 0; i < items.length; i++) {
    const id = idOf(items[i]!)
    // A repeated id means the ids do not identify items: merge it like any other array.
    if (id === undefined || index.has(id)) return undefined
    index.set(id, i)
  }
  return index
}

function isAppendOf(base: Json[], next: Json[]): boolean {
  if (next.length < base.length) return false
  for (let i = 0; i < base.length; i++) if (!jsonEqual(base[i], next[i])) return false
  return true
}
