import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createAutosave } from '../src/engine/autosave'
import { AutosaveError, SerializationError, TransportError, ValidationError } from '../src/errors'
import { memoryStore } from '../src/stores/memory'
import { memoryTransport } from '../src/transports/memory'
import type { AutosaveOptions, AutosaveStore, Phase } from '../src/types'
import { ackedCopy, draftOf, fakeEnvironment, heldTransport, wizard } from './helpers'

type Wizard = ReturnType<typeof wizard>

function setup(overrides: Partial<AutosaveOptions<Wizard>> = {}) {
  const env = fakeEnvironment()
  const server = heldTransport()
  const store = memoryStore()
  const saver = createAutosave<Wizard>({
    key: 'project:42',
    transport: server.transport,
    store,
    environment: env.environment,
    retry: { randomize: false },
    ...overrides,
  })
  const phases: Phase[] = []
  saver.on('status', (s) => {
    if (phases.at(-1) !== s.phase) phases.push(s.phase)
  })
  return { ...env, server, store, saver, phases }
}

/** The outbox record of the (only) instance writing `project:42`. */
async function outboxOf(store: AutosaveStore) {
  return draftOf(store, 'project:42')
}

const httpError = (status: number, retryAfterMs?: number) =>
  new TransportError('TRANSPORT_HTTP', `HTTP ${status}`, { status, retryable: status === 408 || status === 429 || status >= 500, retryAfterMs })

describe('save() coalesces edits', () => {
  it('a burst of edits becomes one request carrying the latest state, after the debounce', async () => {
    const { saver, server, clock } = setup()
    for (let i = 0; i < 100; i++) {
      saver.save(wizard(`step-${i}`))
      await clock.tickAsync(10)
    }
    expect(server.writes, 'no request may leave before the debounce ends').toHaveLength(0)
    await clock.tickAsync(3000)
    expect(server.writes).toHaveLength(1)
    expect((server.writes[0]!.data as Wizard).currentStep).toBe('step-99')
  })

  it('an endless burst still saves at least every maxWaitMs', async () => {
    const { saver, server, clock } = setup({ debounceMs: 3000, maxWaitMs: 10_000 })
    const sentAt: number[] = []
    const start = clock.now
    for (let t = 0; t < 30_000; t += 500) {
      saver.save(wizard(`t${t}`))
      await clock.tickAsync(500)
      while (server.pendingCount) {
        sentAt.push(clock.now - start)
        server.next().resolve()
      }
    }
    expect(sentAt.length, `writes at ${sentAt.join(', ')} ms`).toBeGreaterThanOrEqual(3)
    expect(sentAt[0]).toBeLessThanOrEqual(10_500)
    for (let i = 1; i < sentAt.length; i++) expect(sentAt[i]! - sentAt[i - 1]!).toBeLessThanOrEqual(10_500)
  })

  it('save(fn) receives the previous state', () => {
    const { saver } = setup()
    saver.save(wizard('a'))
    saver.save((prev) => ({ ...prev!, currentStep: `${prev!.currentStep}b` }))
    expect(saver.getState()?.currentStep).toBe('ab')
  })

  it('save() does not serialize: a value that cannot be serialized fails later, not in save()', async () => {
    const { saver, clock } = setup()
    const bad = wizard('x') as Wizard & { fn?: unknown }
    bad.fn = () => 1
    expect(() => saver.save(bad)).not.toThrow()
    const errors: unknown[] = []
    saver.on('error', (e) => errors.push(e))
    await clock.tickAsync(3000)
    expect(errors[0]).toBeInstanceOf(SerializationError)
    expect((errors[0] as SerializationError).path).toBe('fn')
    expect(saver.getStatus().phase).toBe('error')
    expect(saver.getState()).toBe(bad)
  })
})

describe('ordering', () => {
  it('never has two requests in flight, and the last state wins on the server', async () => {
    const { saver, server, clock } = setup({ debounceMs: 100, maxWaitMs: 100 })
    saver.save(wizard('A'))
    await clock.tickAsync(100)
    expect(server.pendingCount).toBe(1)
    saver.save(wizard('B'))
    await clock.tickAsync(150)
    saver.save(wizard('C'))
    await clock.tickAsync(150)
    expect(server.pendingCount, 'B and C must wait for A').toBe(1)
    server.next().resolve()
    await clock.tickAsync(0)
    expect(server.pendingCount).toBe(1)
    const second = server.next()
    expect((second.request.data as Wizard).currentStep).toBe('C')
    expect(second.request.baseVersion).toBe(1)
    second.resolve()
    await saver.flush()
    expect(server.maxInFlight).toBe(1)
    expect((server.document!.data as Wizard).currentStep).toBe('C')
    expect(server.writes.map((w) => (w.data as Wizard).currentStep)).toEqual(['A', 'C'])
  })

  it('later writes are patches against the acknowledged document, with If-Match semantics', async () => {
    const { saver, server, clock } = setup({ debounceMs: 10 })
    saver.save(wizard('A'))
    await clock.tickAsync(10)
    const first = server.next()
    expect(first.request.baseVersion).toBeNull()
    expect(first.request.patch).toBeUndefined()
    first.resolve()
    await clock.tickAsync(0)
    saver.save(wizard('A', { musicDescription: 'dreamy synthwave' }))
    await clock.tickAsync(10)
    const second = server.next()
    expect(second.request.baseVersion).toBe(1)
    expect(second.request.patch).toEqual([{ op: 'replace', path: '/data/musicDescription', value: 'dreamy synthwave' }])
    second.resolve()
    await expect(saver.flush()).resolves.toBeUndefined()
  })

  it('saving an identical state sends nothing', async () => {
    const { saver, server, clock } = setup({ debounceMs: 10 })
    saver.save(wizard('A'))
    await clock.tickAsync(10)
    server.next().resolve()
    await clock.tickAsync(0)
    saver.save(wizard('A'))
    await saver.flush()
    expect(server.writes).toHaveLength(1)
    expect(saver.getStatus().phase).toBe('saved')
  })
})

describe('flush and dispose', () => {
  it('flush() sends at once and resolves when acknowledged', async () => {
    const { saver, server, clock } = setup()
    saver.save(wizard('A'))
    const flushed = saver.flush()
    await clock.tickAsync(0)
    expect(server.pendingCount, 'flush must not wait for the debounce').toBe(1)
    let done = false
    void flushed.then(() => (done = true))
    await clock.tickAsync(0)
    expect(done).toBe(false)
    server.next().resolve()
    await flushed
    expect(saver.getStatus()).toMatchObject({ phase: 'saved', pending: false, version: 1 })
  })

  it('flush() rejects with the error when the save cannot be made', async () => {
    const { saver, server, clock } = setup()
    saver.save(wizard('A'))
    const flushed = saver.flush()
    await clock.tickAsync(0)
    server.next().reject(httpError(400))
    await expect(flushed).rejects.toMatchObject({ code: 'TRANSPORT_HTTP', status: 400 })
  })

  it('concurrent flush() calls all settle with the same outcome', async () => {
    const { saver, server, clock } = setup()
    saver.save(wizard('A'))
    const all = Promise.all([saver.flush(), saver.flush(), saver.flush()])
    await clock.tickAsync(0)
    server.next().resolve()
    await expect(all).resolves.toHaveLength(3)
    expect(server.writes).toHaveLength(1)
  })

  it('dispose() aborts the request in flight, clears timers, and keeps the state in the store', async () => {
    const { saver, server, clock, store } = setup()
    saver.save(wizard('A'))
    const flushed = saver.flush()
    await clock.tickAsync(0)
    const held = server.next()
    await saver.dispose()
    expect(held.request.signal?.aborted).toBe(true)
    await expect(flushed).rejects.toMatchObject({ code: 'DISPOSED' })
    expect(clock.countTimers(), 'every timer is cleared').toBe(0)
    expect(await outboxOf(store)).toMatchObject({ data: { currentStep: 'A' } })
    expect(() => saver.save(wizard('B'))).toThrow(AutosaveError)
  })
})

describe('retry', () => {
  it.each([408, 429, 500, 503])('HTTP %i is retried with exponential backoff', async (status) => {
    const { saver, server, clock, phases } = setup({ retry: { minTimeout: 500, factor: 2, randomize: false } })
    saver.save(wizard('A'))
    void saver.flush()
    await clock.tickAsync(0)
    server.next().reject(httpError(status))
    await clock.tickAsync(0)
    expect(saver.getStatus().phase).toBe('retrying')
    expect(saver.getStatus().retryAt).toBe(clock.now + 500)
    await clock.tickAsync(499)
    expect(server.pendingCount).toBe(0)
    await clock.tickAsync(1)
    server.next().reject(httpError(status))
    await clock.tickAsync(999)
    expect(server.pendingCount, 'the second wait doubles').toBe(0)
    await clock.tickAsync(1)
    const third = server.next()
    expect(third.request.idempotencyKey, 'retries of one write reuse its Idempotency-Key').toBe(server.writes[0]!.idempotencyKey)
    third.resolve()
    await saver.flush()
    expect(phases).toEqual(['pending', 'saving', 'retrying', 'saving', 'retrying', 'saving', 'saved'])
  })

  it('Retry-After replaces the computed backoff', async () => {
    const { saver, server, clock } = setup()
    saver.save(wizard('A'))
    void saver.flush()
    await clock.tickAsync(0)
    server.next().reject(httpError(503, 7000))
    await clock.tickAsync(6999)
    expect(server.pendingCount).toBe(0)
    await clock.tickAsync(1)
    expect(server.pendingCount).toBe(1)
  })

  it.each([400, 401, 403, 404, 413, 422])('HTTP %i is not retried; phase error, state kept, the next save tries again', async (status) => {
    const { saver, server, clock } = setup({ debounceMs: 100 })
    saver.save(wizard('A'))
    await clock.tickAsync(100)
    server.next().reject(httpError(status))
    await clock.tickAsync(60_000)
    expect(server.pendingCount).toBe(0)
    expect(saver.getStatus()).toMatchObject({ phase: 'error', pending: true })
    expect(saver.getStatus().error).toMatchObject({ status })
    expect(saver.getState()?.currentStep).toBe('A')
    saver.save(wizard('B'))
    await clock.tickAsync(100)
    expect((server.next().request.data as Wizard).currentStep).toBe('B')
  })

  it('after `retries` HTTP failures flush() rejects, and the save is tried again a minute later', async () => {
    const { saver, server, clock } = setup({ retry: { retries: 2, minTimeout: 10, randomize: false } })
    saver.save(wizard('A'))
    const flushed = saver.flush()
    for (let i = 0; i < 3; i++) {
      await clock.tickAsync(100)
      server.next().reject(httpError(500))
    }
    await expect(flushed).rejects.toMatchObject({ status: 500 })
    expect(saver.getStatus()).toMatchObject({ phase: 'retrying', pending: true, reason: 'server-error' })
    expect(server.pendingCount).toBe(0)
    await clock.tickAsync(60_000)
    server.next().resolve()
    await clock.tickAsync(0)
    expect(saver.getStatus()).toMatchObject({ phase: 'saved', pending: false })
  })

  it('network failures while the browser is online show the server unreachable, and never use up the retries', async () => {
    const { saver, server, clock } = setup({ retry: { retries: 1, minTimeout: 10, maxTimeout: 40, randomize: false } })
    saver.save(wizard('A'))
    const flushed = saver.flush()
    for (let i = 0; i < 10; i++) {
      await clock.tickAsync(40)
      server.next().reject(new TransportError('TRANSPORT_NETWORK', 'Failed to fetch', { retryable: true }))
      await clock.tickAsync(0)
      expect(saver.getStatus()).toMatchObject({ phase: 'retrying', reason: 'unreachable' })
    }
    await clock.tickAsync(40)
    server.next().resolve()
    await flushed
    expect(saver.getStatus().phase).toBe('saved')
  })
})

describe('offline', () => {
  it('sends nothing while offline and resumes by itself when back online', async () => {
    const { saver, server, clock, online } = setup()
    online.setOnline(false)
    saver.save(wizard('A'))
    await clock.tickAsync(60_000)
    expect(server.writes).toHaveLength(0)
    expect(saver.getStatus().phase).toBe('offline')
    online.setOnline(true)
    await clock.tickAsync(0)
    expect(server.pendingCount, 'back online must not wait for the next edit').toBe(1)
    server.next().resolve()
    await saver.flush()
  })

  it('coming back online cuts a backoff short', async () => {
    const { saver, server, clock, online } = setup({ retry: { minTimeout: 60_000, randomize: false } })
    saver.save(wizard('A'))
    void saver.flush()
    await clock.tickAsync(0)
    online.setOnline(false)
    server.next().reject(new TransportError('TRANSPORT_NETWORK', 'down', { retryable: true }))
    await clock.tickAsync(1000)
    online.setOnline(true)
    await clock.tickAsync(0)
    expect(server.pendingCount).toBe(1)
  })
})

describe('durability', () => {
  it('every saved state is in the store within localDelayMs, before the network is tried', async () => {
    const { saver, store, clock, server } = setup({ localDelayMs: 300 })
    saver.save(wizard('A'))
    expect(await outboxOf(store)).toBeUndefined()
    await clock.tickAsync(300)
    expect(await outboxOf(store)).toMatchObject({ data: { currentStep: 'A' }, baseVersion: null })
    expect(server.writes).toHaveLength(0)
  })

  it('the outbox is cleared once acknowledged and the base record kept', async () => {
    const { saver, store, clock, server } = setup()
    saver.save(wizard('A'))
    void saver.flush()
    await clock.tickAsync(0)
    server.next().resolve()
    await saver.flush()
    expect(await outboxOf(store)).toBeUndefined()
    expect(await ackedCopy(store, 'project:42')).toMatchObject({ version: 1, data: { currentStep: 'A' } })
  })

  it('an edit disposed mid-debounce comes back on restore and reaches the server exactly once', async () => {
    const env = fakeEnvironment()
    const store = memoryStore()
    const transport = memoryTransport()
    const first = createAutosave<Wizard>({ key: 'k', transport, store, environment: env.environment })
    first.save(wizard('typed-before-reload'))
    await env.clock.tickAsync(100)
    await first.dispose()

    const second = createAutosave<Wizard>({ key: 'k', transport, store, environment: env.environment })
    const restored = await second.restore()
    expect(restored?.currentStep).toBe('typed-before-reload')
    await second.flush()
    expect(transport.backend.writes).toHaveLength(1)
    expect(transport.backend.documents.get('k')?.data).toMatchObject({ currentStep: 'typed-before-reload' })
  })
})

describe('schema', () => {
  const schema = z.object({ currentStep: z.enum(['track_input', 'completed']) }).loose()

  it('invalid state is never sent: ValidationError, phase error, state kept', async () => {
    const { saver, server, clock } = setup({ schema })
    saver.save(wizard('nonsense'))
    const error = saver.flush().catch((e: unknown) => e)
    await clock.tickAsync(0)
    expect(await error).toBeInstanceOf(ValidationError)
    expect(await error).toMatchObject({ code: 'VALIDATION_SEND' })
    expect(server.writes).toHaveLength(0)
    expect(saver.getStatus().phase).toBe('error')
    expect(saver.getState()?.currentStep).toBe('nonsense')
  })

  it('valid state passes', async () => {
    const { saver, server, clock } = setup({ schema })
    saver.save(wizard('completed'))
    void saver.flush()
    await clock.tickAsync(0)
    expect(server.writes).toHaveLength(1)
  })
})

describe('page exit', () => {
  it('pagehide sends pending work at once with keepalive', async () => {
    const { saver, server, clock, lifecycle } = setup()
    saver.save(wizard('A'))
    lifecycle.emit('pagehide')
    await clock.tickAsync(0)
    expect(server.pendingCount).toBe(1)
    expect(server.next().request.keepalive).toBe(true)
  })

  it('warnOnUnload asks to confirm only while work is unacknowledged', async () => {
    const { saver, server, clock, lifecycle } = setup({ warnOnUnload: true })
    expect(lifecycle.emit('beforeunload')).toBe(false)
    saver.save(wizard('A'))
    expect(lifecycle.emit('beforeunload')).toBe(true)
    void saver.flush()
    await clock.tickAsync(0)
    server.next().resolve()
    await saver.flush()
    expect(lifecycle.emit('beforeunload')).toBe(false)
  })
})

describe('options', () => {
  it('rejects a missing key or transport with a typed error naming the option', () => {
    expect(() => createAutosave({ key: '', transport: memoryTransport() })).toThrow(/"key"/)
    expect(() => createAutosave({ key: 'k', transport: {} as never })).toThrow(/"transport"/)
    expect(() => createAutosave({ key: 'k', transport: memoryTransport(), debounceMs: -1 })).toThrow(/debounceMs/)
  })
})
