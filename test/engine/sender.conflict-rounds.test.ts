import { describe, expect, it } from 'vitest'
import { createAutosave } from '../../src/engine/autosave'
import { ConflictError } from '../../src/errors'
import { memoryStore } from '../../src/stores/memory'
import { memoryTransport } from '../../src/transports/memory'
import type { AutosaveOptions, Transport } from '../../src/types'
import { fakeEnvironment } from '../helpers'

type Doc = { mine: string; theirs: number }

/** Another device writes just before each of this client's writes reaches the server (while `busy`). */
function busyServer() {
  const inner = memoryTransport()
  let busy = true
  let n = 0
  const transport: Transport = {
    load: inner.load,
    async write(request) {
      const current = inner.backend.documents.get('doc')
      if (busy && current) {
        inner.backend.documents.set('doc', { ...current, version: current.version + 1, data: { ...(current.data as Doc), theirs: ++n } })
      }
      return inner.write(request)
    },
  }
  return { inner, transport, stop: () => (busy = false) }
}

function open(transport: Transport, options: Partial<AutosaveOptions<Doc>> = {}) {
  const env = fakeEnvironment()
  return createAutosave<Doc>({ key: 'doc', transport, store: memoryStore(), debounceMs: 0, maxConflictRounds: 2, environment: env.environment, ...options })
}

describe('conflicts', () => {
  it("maxConflictRounds: phase 'conflict', state kept and pending; the next flush() clears it", async () => {
    const server = busyServer()
    await server.inner.write({ key: 'doc', baseVersion: null, idempotencyKey: 'seed', data: { mine: 'a', theirs: 0 } })
    const saver = open(server.transport)
    await saver.restore()
    saver.save((prev) => ({ ...prev!, mine: 'b' }))
    const error = await saver.flush().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConflictError)
    expect(saver.getStatus()).toMatchObject({ phase: 'conflict', pending: true })
    expect(saver.getState()?.mine).toBe('b')
    server.stop()
    await saver.flush()
    expect(saver.getStatus()).toMatchObject({ phase: 'saved', pending: false, error: null })
    expect(server.inner.backend.documents.get('doc')?.data).toMatchObject({ mine: 'b' })
  })

  it("a conflict function that throws: a ConflictError (code CONFLICT_STRATEGY, the cause kept), phase 'conflict' — as for one that returns nothing", async () => {
    const server = busyServer()
    await server.inner.write({ key: 'doc', baseVersion: null, idempotencyKey: 'seed', data: { mine: 'a', theirs: 0 } })
    const saver = open(server.transport, {
      conflict: () => {
        throw new Error('resolver bug')
      },
    })
    await saver.restore()
    saver.save((prev) => ({ ...prev!, mine: 'b' }))
    const error = await saver.flush().catch((e: unknown) => e)
    expect.soft(error, 'typed as a conflict error').toBeInstanceOf(ConflictError)
    expect.soft((error as { code?: string }).code).toBe('CONFLICT_STRATEGY')
    expect.soft(saver.getStatus().phase).toBe('conflict')
  })
})
