import type { Json } from '../types'
import { forgetJson, rememberOrigin, type JsonText } from './document-store'

/** A document as this process last wrote (or read) it, with the row's exact timestamp. */
export interface CachedDocument {
  readonly version: number
  /** `updated_at` in microseconds since the epoch, as text: what the guarded UPDATE compares. */
  readonly stamp: string
  readonly data: Json
  /** `data` as the UPDATE sent it: a PATCH on this entry is measured from it, not serialized again. */
  readonly json: JsonText
}

/**
 * The last document each key was written with, so a PATCH on the version this process wrote
 * needs no read. Only a hint: the UPDATE that uses it also checks the version and the
 * timestamp, so a stale entry (another process wrote, or the document was deleted and written
 * again) costs one read, never a wrong write. Least recently used entries go first.
 */
export class DocumentCache {
  private readonly entries = new Map<string, CachedDocument>()

  constructor(private readonly capacity: number) {}

  /**
   * Removes and returns the entry: its data becomes the caller's to modify, its text no longer
   * the text to store, only where the document started (for the patch budget).
   */
  take(key: string): CachedDocument | undefined {
    const entry = this.entries.get(key)
    if (entry === undefined) return undefined
    this.entries.delete(key)
    forgetJson(entry.data)
    rememberOrigin(entry.data, entry.json)
    return entry
  }

  put(key: string, entry: CachedDocument): void {
    if (this.capacity <= 0) return
    this.entries.delete(key)
    this.entries.set(key, entry)
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!)
  }

  delete(key: string): void {
    this.entries.delete(key)
  }
}
