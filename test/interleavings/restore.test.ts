import { describe, expect, it } from 'vitest'
import { settle, wizard } from '../helpers'
import { twoTabWorld, type Wizard } from './world'

describe('restore() racing itself and save()', () => {
  it('restore() called twice at once: both see the draft of a closed tab, and it is sent', async () => {
    const { env, server, open } = twoTabWorld()
    env.online.setOnline(false)
    const a = open()
    a.save(wizard('typed offline then closed'))
    await a.dispose() // the draft is in the store
    env.online.setOnline(true)

    const c = open()
    const [first, second] = await Promise.all([c.restore(), c.restore()])
    // Unsent local work must never be dropped: either call (and getState) must show the draft.
    expect(c.getState()?.currentStep, `restore() returned ${first?.currentStep} / ${second?.currentStep}`).toBe('typed offline then closed')
    await c.flush()
    await settle()
    expect(server.backend.documents.get('project:7')?.data).toMatchObject({ currentStep: 'typed offline then closed' })
  })

  it('restore() called twice at once, the server older than the draft: both return the draft', async () => {
    const { env, open } = twoTabWorld()
    const a = open()
    a.save(wizard('saved'))
    await a.flush()
    env.online.setOnline(false)
    a.save((prev) => ({ ...prev!, currentStep: 'typed offline then closed' }))
    await a.dispose() // the draft is in the store, the server has version 1
    env.online.setOnline(true)

    const c = open()
    const [first, second] = await Promise.all([c.restore(), c.restore()])
    expect([first?.currentStep, second?.currentStep, c.getState()?.currentStep], 'the newest of (draft, server) is restored').toEqual([
      'typed offline then closed',
      'typed offline then closed',
      'typed offline then closed',
    ])
  })

  it("restore() called twice at once: the closed tab's draft survives the next acknowledged save", async () => {
    const { env, store, server, open } = twoTabWorld()
    const a = open()
    a.save(wizard('saved'))
    await a.flush()
    env.online.setOnline(false)
    a.save((prev) => ({ ...prev!, data: { ...prev!.data, musicDescription: 'typed offline then closed' } }))
    await a.dispose()
    env.online.setOnline(true)

    const c = open()
    await Promise.all([c.restore(), c.restore()])
    c.save((prev) => ({ ...prev!, currentStep: 'next step' }))
    await c.flush()
    await settle()
    const outbox = (await store.keys()).filter((k) => k.startsWith('outbox:'))
    const onServer = server.backend.documents.get('project:7')?.data as Wizard
    const survived = onServer.data.musicDescription === 'typed offline then closed' || outbox.length > 0
    expect(survived, `server musicDescription "${onServer.data.musicDescription}", outbox left ${JSON.stringify(outbox)}`).toBe(true)
  })

  it("a save() while restore() runs: the closed tab's draft is not deleted by the next ack", async () => {
    const { env, store, server, open } = twoTabWorld()
    env.online.setOnline(false)
    const a = open()
    a.save(wizard('typed offline then closed'))
    await a.dispose()
    env.online.setOnline(true)
    const outboxBefore = (await store.keys()).filter((k) => k.startsWith('outbox:'))
    expect(outboxBefore).toHaveLength(1)

    const c = open()
    const restoring = c.restore()
    c.save((prev) => prev ?? wizard('app default')) // the app saves while restore() runs
    await restoring
    await c.flush()
    await settle()
    const outboxAfter = (await store.keys()).filter((k) => k.startsWith('outbox:'))
    const onServer = server.backend.documents.get('project:7')?.data as Wizard | undefined
    // The draft of the closed tab must survive somewhere: sent, merged, or still in the store.
    const survived = onServer?.currentStep === 'typed offline then closed' || outboxAfter.length > 0
    expect(survived, `server has "${onServer?.currentStep}", outbox records left: ${JSON.stringify(outboxAfter)}`).toBe(true)
  })
})
