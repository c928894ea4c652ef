import { describe, expect, it } from 'vitest'
import type { Transport } from '../../src/types'
import { ackedCopy, wizard } from '../helpers'
import { heldAnswers, settle, twoTabWorld } from './world'

describe('acknowledge() store work vs. a newer tab ack', () => {
  it('a late answer for version 2 does not overwrite the base record of version 3 (offline reload shows the newest)', async () => {
    const { env, store, server, open, openAandB } = twoTabWorld()
    await server.write({ key: 'project:7', baseVersion: null, idempotencyKey: 'seed', data: wizard('one') })

    const aNetwork = heldAnswers(server) // A's write is applied at once (version 2), its answer is slow
    const { a, b, bLifecycle } = await openAandB(aNetwork.transport)

    a.save((prev) => ({ ...prev!, data: { ...prev!.data, musicDescription: 'from A' } }))
    const aFlushed = a.flush()
    await aNetwork.writing
    b.save((prev) => ({ ...prev!, currentStep: 'from B' }))
    bLifecycle.emit('pagehide') // B's keepalive: 412 on version 2, rebased, saved as version 3
    await b.flush()
    await settle()
    expect(server.backend.documents.get('project:7')?.version).toBe(3)
    aNetwork.release() // A's answer for version 2 arrives last
    await aFlushed
    await settle()

    const base = (await ackedCopy(store, 'project:7'))!
    expect.soft(base.version, 'the base record on this device').toBe(3)

    // The device goes offline and the page reloads: the restored copy must be the newest it saw.
    await a.dispose()
    await b.dispose()
    env.online.setOnline(false)
    const offlineLoad: Transport = { load: async () => Promise.reject(new Error('offline')), write: server.write }
    const c = open({ transport: offlineLoad })
    const restored = await c.restore()
    expect(restored).toMatchObject({ currentStep: 'from B', data: { musicDescription: 'from A' } })
  })
})
