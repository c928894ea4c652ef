import { describe, expect, it } from 'vitest'
import { createAutosave } from '../../src/autosave'
import { PageLifecycle } from '../../src/environment/lifecycle'
import { localTabs } from '../../src/environment/tabs'
import { memoryStore } from '../../src/stores/memory'
import { memoryTransport } from '../../src/transports/memory'
import type { Transport, WriteResult } from '../../src/types'
import { fakeEnvironment, wizard } from '../helpers'

type Wizard = ReturnType<typeof wizard>
const settle = () => new Promise((resolve) => setTimeout(resolve, 0))

describe('acknowledge() store work vs. a newer tab ack', () => {
  it('a late answer for version 2 does not overwrite the base record of version 3 (offline reload shows the newest)', async () => {
    const env = fakeEnvironment()
    const tabs = localTabs()
    const store = memoryStore()
    const server = memoryTransport()
    await server.write({ key: 'project:7', baseVersion: null, idempotencyKey: 'seed', data: wizard('one') })

    let releaseA!: () => void
    const answerA = new Promise<void>((resolve) => (releaseA = resolve))
    let aWrote!: () => void
    const aWriting = new Promise<void>((resolve) => (aWrote = resolve))
    const slowAnswers: Transport = {
      load: (key, options) => server.load(key, options),
      write: async (request) => {
        const decided: Promise<WriteResult> = server.write(request) // applied at once: version 2
        decided.catch(() => {})
        aWrote()
        await answerA // the answer is slow
        return decided
      },
    }
    const bLifecycle = new PageLifecycle(() => {})
    const open = (transport: Transport, lifecycle = env.lifecycle) =>
      createAutosave<Wizard>({ key: 'project:7', transport, store, debounceMs: 50, environment: { ...env.environment, lifecycle, tabs } })
    const a = open(slowAnswers)
    const b = open(server, bLifecycle)
    await a.restore()
    await b.restore()

    a.save((prev) => ({ ...prev!, data: { ...prev!.data, musicDescription: 'from A' } }))
    const aFlushed = a.flush()
    await aWriting
    b.save((prev) => ({ ...prev!, currentStep: 'from B' }))
    bLifecycle.emit('pagehide') // B's keepalive: 412 on version 2, rebased, saved as version 3
    await b.flush()
    await settle()
    expect(server.backend.documents.get('project:7')?.version).toBe(3)
    releaseA() // A's answer for version 2 arrives last
    await aFlushed
    await settle()

    const base = (await store.get('base:project:7')) as { version: number }
    expect.soft(base.version, 'the base record on this device').toBe(3)

    // The device goes offline and the page reloads: the restored copy must be the newest it saw.
    await a.dispose()
    await b.dispose()
    env.online.setOnline(false)
    const offlineLoad: Transport = { load: async () => Promise.reject(new Error('offline')), write: server.write }
    const c = open(offlineLoad)
    const restored = await c.restore()
    expect(restored).toMatchObject({ currentStep: 'from B', data: { musicDescription: 'from A' } })
  })
})
