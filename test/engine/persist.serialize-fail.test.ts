import { describe, expect, it } from 'vitest'
import { createAutosave } from '../../src/engine/autosave'
import { memoryStore } from '../../src/stores/memory'
import { fakeEnvironment, heldTransport } from '../helpers'

describe('a later state that cannot be serialized, found by the local write (persist)', () => {
  function setup() {
    const env = fakeEnvironment()
    const server = heldTransport()
    const saver = createAutosave<{ n: number; f?: unknown }>({
      key: 'doc',
      transport: server.transport,
      store: memoryStore(),
      debounceMs: 1000,
      environment: env.environment,
    })
    return { env, server, saver }
  }

  it('does not reject the flush() of an earlier state that is on the wire and then acknowledged', async () => {
    const { env, server, saver } = setup()
    saver.save({ n: 1 })
    let outcome = 'pending'
    saver.flush().then(
      () => (outcome = 'resolved'),
      (e: { code?: string }) => (outcome = `rejected: ${e?.code}`),
    )
    await env.clock.tickAsync(0)
    expect(server.pendingCount).toBe(1) // { n: 1 } is on the wire
    saver.save({ n: 2, f: () => {} }) // the app stores something unserializable
    await env.clock.tickAsync(600) // localDelayMs: persist() serializes it and fails
    server.next().resolve() // { n: 1 } is acknowledged
    await env.clock.tickAsync(0)
    expect(server.document?.data).toEqual({ n: 1 })
    expect(outcome, 'flush() was called when only { n: 1 } was saved, and { n: 1 } was acknowledged').toBe('resolved')
  })

  it("status: phase 'error' always comes with the error (not cleared by the earlier state's ack)", async () => {
    const { env, server, saver } = setup()
    saver.save({ n: 1 })
    void saver.flush().catch(() => {})
    await env.clock.tickAsync(0)
    saver.save({ n: 2, f: () => {} })
    await env.clock.tickAsync(600)
    expect(saver.getStatus()).toMatchObject({ phase: 'error', error: { code: 'SERIALIZATION_FUNCTION' } })
    server.next().resolve()
    await env.clock.tickAsync(0)
    const { phase, error, pending } = saver.getStatus()
    expect({ phase, error: error?.code ?? null, pending }).toEqual({ phase: 'error', error: 'SERIALIZATION_FUNCTION', pending: true })
  })
})
