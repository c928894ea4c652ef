/**
 * #20: a "Finish" button's retry — `save(fixed); await flush()` in the catch block of a failed
 * `flush()` — must settle, with any debounce.
 */
import { describe, expect, it } from 'vitest'
import { createAutosave } from '../../src/engine/autosave'
import { SerializationError, TransportError } from '../../src/errors'
import { memoryTransport } from '../../src/transports/memory'
import { fakeEnvironment } from '../helpers'

type Doc = { step: string; bad?: unknown }

describe('save() and flush() after a failed flush()', () => {
  /** As an app writes it: the retry runs in the catch block, right after the rejection. */
  async function finishButton(saver: ReturnType<typeof createAutosave<Doc>>, tick: () => Promise<unknown>) {
    let caught: unknown
    const finish = (async () => {
      try {
        await saver.flush()
      } catch (error) {
        caught = error
        saver.save({ step: 'fixed' })
        await saver.flush()
      }
      return 'resolved'
    })()
    await tick()
    return { outcome: await Promise.race([finish, 'pending']), caught }
  }

  for (const debounceMs of [0, 3000]) {
    for (const [failure, expected] of [
      ['a 400', TransportError],
      ['a SerializationError', SerializationError],
    ] as const) {
      it(`after ${failure} (debounceMs ${debounceMs}): the fixed state is sent and flush() resolves`, async () => {
        const env = fakeEnvironment()
        const transport = memoryTransport()
        let refuse = failure === 'a 400' ? 1 : 0
        const write = transport.write
        transport.write = async (request) => {
          if (refuse-- > 0) throw new TransportError('TRANSPORT_HTTP', 'HTTP 400: invalid', { status: 400, retryable: false })
          return write(request)
        }
        const saver = createAutosave<Doc>({ key: 'doc', transport, debounceMs, environment: env.environment })
        saver.save(failure === 'a 400' ? { step: 'one' } : { step: 'one', bad: () => 1 })
        // Was: never settled, and nothing was sent until another save().
        const { outcome, caught } = await finishButton(saver, () => env.clock.tickAsync(2 * debounceMs + 10))
        expect(outcome).toBe('resolved')
        expect(caught).toBeInstanceOf(expected)
        expect(transport.backend.documents.get('doc')?.data).toEqual({ step: 'fixed' })
        await saver.dispose()
      })
    }
  }
})

describe('failures nobody listens to', () => {
  it('warn once per code in development, and a state that cannot be serialized is not called kept', async () => {
    const { formatStatus } = await import('../../src/engine/status')
    const env = fakeEnvironment()
    const warnings: string[] = []
    const warn = console.warn
    const mode = process.env.NODE_ENV
    console.warn = (message: string) => void warnings.push(message)
    process.env.NODE_ENV = 'development'
    try {
      const saver = createAutosave<Doc>({ key: 'doc', transport: memoryTransport(), debounceMs: 0, environment: env.environment })
      for (const attempt of [1, 2]) {
        saver.save({ step: `s${attempt}`, bad: () => attempt })
        await saver.flush().catch(() => {})
      }
      expect(warnings).toHaveLength(1)
      expect(warnings[0]).toMatch(/SERIALIZATION_FUNCTION.*saver\.on\('error'/)
      // Was: "Couldn't save — your changes are kept on this device", for a state that was not.
      expect(formatStatus(saver.getStatus())).toBe("Couldn't save — this change can't be stored")
      saver.on('error', () => {})
      saver.save({ step: 's3', bad: Symbol('x') })
      await saver.flush().catch(() => {})
      expect(warnings).toHaveLength(1) // someone listens now
      await saver.dispose()
    } finally {
      console.warn = warn
      process.env.NODE_ENV = mode
    }
  })
})

describe('a transport that never settles', () => {
  it("meets the engine's own deadline: the write is retried and flush() resolves once it answers (#15)", async () => {
    const env = fakeEnvironment()
    const transport = memoryTransport()
    const write = transport.write
    let hang = true
    transport.write = (request) => (hang ? new Promise(() => {}) : write(request))
    const saver = createAutosave<Doc>({
      key: 'doc',
      transport,
      debounceMs: 0,
      requestTimeoutMs: 5_000,
      retry: { minTimeout: 100, randomize: false },
      environment: env.environment,
    })
    saver.save({ step: 'one' })
    const flushed = saver.flush().then(() => 'resolved')
    await env.clock.tickAsync(4_000)
    expect(saver.getStatus().phase).toBe('saving')
    hang = false
    // Was: pending and "saving" forever.
    await env.clock.tickAsync(2_000)
    expect(await flushed).toBe('resolved')
    expect(transport.backend.documents.get('doc')?.data).toEqual({ step: 'one' })
    await saver.dispose()
  })
})
