import { ConflictError } from '../errors'
import type { Json, VersionedDocument, Transport } from '../types'

/**
 * The in-process backend behind `memoryTransport`, exposed for inspection in tests and demos.
 *
 * @example
 * ```ts
 * const transport = memoryTransport()
 * const saver = createAutosave({ key: 'draft', transport })
 * saver.save({ step: 1 })
 * await saver.flush()
 * transport.backend.writes.length // 1
 * ```
 */
export interface MemoryBackend {
  readonly documents: Map<string, VersionedDocument>
  /** Every write received, in order. */
  readonly writes: Array<{ key: string; baseVersion: number | null; idempotencyKey: string; data: Json }>
}

/**
 * A transport that keeps documents in memory with the server's version rules (412 on a
 * stale base, idempotent replays). For demos, prototypes and tests without HTTP.
 *
 * @example
 * ```ts
 * const transport = memoryTransport()
 * const saver = createAutosave({ key: 'draft', transport })
 * transport.backend.documents.get('draft') // { data, version, updatedAt }
 * ```
 */
export function memoryTransport(options: { latencyMs?: number } = {}): Transport & { backend: MemoryBackend } {
  const backend: MemoryBackend = { documents: new Map(), writes: [] }
  const replies = new Map<string, { version: number; updatedAt: string }>()
  const wait = () => (options.latencyMs ? new Promise<void>((resolve) => setTimeout(resolve, options.latencyMs)) : Promise.resolve())
  return {
    backend,
    async load(key) {
      await wait()
      const doc = backend.documents.get(key)
      return doc && structuredClone(doc)
    },
    async loadIfChanged(key, { version }) {
      await wait()
      const doc = backend.documents.get(key)
      return doc?.version === version ? 'unchanged' : doc && structuredClone(doc)
    },
    async write({ key, baseVersion, idempotencyKey, data }) {
      await wait()
      const replay = replies.get(idempotencyKey)
      if (replay) return replay
      const current = backend.documents.get(key)
      if ((current?.version ?? null) !== baseVersion) {
        throw new ConflictError(`"${key}" is at version ${current?.version ?? 'none'}, not ${baseVersion ?? 'none'}`, current && structuredClone(current))
      }
      const reply = { version: (current?.version ?? 0) + 1, updatedAt: new Date().toISOString() }
      backend.documents.set(key, { data: structuredClone(data), ...reply })
      backend.writes.push({ key, baseVersion, idempotencyKey, data: structuredClone(data) })
      replies.set(idempotencyKey, reply)
      return reply
    },
  }
}
