import { getEventListeners } from 'node:events'
import { describe, expect, it } from 'vitest'
import { createAutosave } from '../../src/engine/autosave'
import { PageLifecycle } from '../../src/environment/lifecycle'
import { memoryStore } from '../../src/stores/memory'
import { memoryTransport } from '../../src/transports/memory'
import type { AutosaveStore } from '../../src/types'
import { fakeEnvironment, heldTransport, settle, wizard } from '../helpers'
import { twoTabWorld, type Wizard } from './world'

/** A store whose operations take a macrotask, like IndexedDB. */
function slowStore(inner: AutosaveStore = memoryStore()): AutosaveStore {
  const later = <T>(f: () => Promise<T>) => new Promise<void>((r) => setTimeout(r, 1)).then(f)
  return {
    ...inner,
    get: (k) => later(() => inner.get(k)),
    setMany: (e) => later(() => inner.setMany(e)),
    delMany: (k) => later(() => inner.delMany(k)),
    keys: () => later(() => inner.keys()),
  }
}

describe('rollback(), flush() and page-exit sends racing other work', () => {
  // Each race once against a store that takes a macrotask (like IndexedDB) and once against memoryStore.
  const stores: [string, () => AutosaveStore][] = [
    ['', slowStore],
    ['(memoryStore) ', memoryStore],
  ]

  it.each(stores)('%san edit made while rollback() reads the snapshot is not thrown away', async (_, store) => {
    const env = fakeEnvironment()
    const transport = memoryTransport()
    const saver = createAutosave<Wizard>({ key: 'project:7', transport, store: store(), debounceMs: 50, environment: env.environment })
    saver.save(wizard('v1'))
    await saver.flush()
    saver.save(wizard('v2'))
    await saver.flush()
    const [, oldest] = await saver.history()
    expect(oldest?.version).toBe(1)

    const rolling = saver.rollback(oldest!.id)
    // The user keeps typing on top of the rolled-back state while the snapshot is read.
    saver.save((prev) => ({ ...prev!, data: { ...prev!.data, musicDescription: 'typed after rollback' } }))
    await rolling
    await saver.flush()
    expect(saver.getState()?.data.musicDescription, 'the newer edit survives the rollback').toBe('typed after rollback')
  })

  it.each(stores)('%sflush() for an acknowledged state is not rejected by a later save that fails', async (_, store) => {
    const env = fakeEnvironment()
    const server = heldTransport()
    const saver = createAutosave<{ n: number; f?: unknown }>({
      key: 'project:7',
      transport: server.transport,
      store: store(),
      debounceMs: 50,
      environment: env.environment,
    })
    saver.save({ n: 1 })
    const first = saver.flush()
    let firstOutcome = 'pending'
    first.then(
      () => (firstOutcome = 'resolved'),
      (e) => (firstOutcome = `rejected: ${e?.code}`),
    )
    for (let i = 0; i < 20 && !server.pendingCount; i++) await settle()
    // While { n: 1 } is on the wire, the app saves something unserializable.
    saver.save({ n: 2, f: () => {} })
    void saver.flush().catch(() => {})
    server.next().resolve() // { n: 1 } is acknowledged
    for (let i = 0; i < 20; i++) await settle()
    expect(server.document?.data).toEqual({ n: 1 })
    expect(firstOutcome, 'everything saved before the first flush() was acknowledged').toBe('resolved')
  })

  it('dispose() (and settled flushes) leave no listener on the signal given to flush()', async () => {
    const env = fakeEnvironment()
    const saver = createAutosave<{ n: number }>({
      key: 'project:7',
      transport: memoryTransport(),
      store: memoryStore(),
      debounceMs: 50,
      environment: env.environment,
    })
    const signal = new AbortController().signal
    for (let n = 1; n <= 3; n++) {
      saver.save({ n })
      await saver.flush({ signal })
    }
    await saver.dispose()
    expect(getEventListeners(signal, 'abort'), 'listeners added by flush()').toHaveLength(0)
  })

  it('two tabs never have requests in flight at the same time, also when one goes hidden', async () => {
    const { open } = twoTabWorld()
    const server = heldTransport()
    const bLifecycle = new PageLifecycle(() => {})
    const a = open({ transport: server.transport })
    const b = open({ transport: server.transport, lifecycle: bLifecycle })
    a.save(wizard('a'))
    void a.flush().catch(() => {})
    for (let i = 0; i < 20 && !server.pendingCount; i++) await settle()
    b.save(wizard('b'))
    bLifecycle.emit('hidden') // the user switches from tab B to tab A
    await settle()
    expect(server.maxInFlight, 'requests in flight for one key').toBe(1)
  })
})
