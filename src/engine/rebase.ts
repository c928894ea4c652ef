import { jsonEqual } from '../json/json'
import { threeWayMerge } from '../merge'
import type { Json } from '../types'

/**
 * The common ancestor to merge against when the server moved on while some of our writes went
 * unanswered (a lost response, a page closed mid-request). Such a write may have been applied:
 * then the server's document already holds it, and merging against the older acknowledged copy
 * would read our own edit as someone else's (and, say, keep both the old and the new items of a
 * list). A write counts as applied when merging it into the server's document adds nothing:
 * the server already has every change it made.
 */
export function ancestorWithOwnWrites(base: Json | undefined, remote: Json, unanswered: readonly Json[]): Json | undefined {
  let ancestor = base
  for (const write of unanswered) {
    if (write !== ancestor && jsonEqual(threeWayMerge(ancestor, write, remote).merged, remote)) ancestor = write
  }
  return ancestor
}
