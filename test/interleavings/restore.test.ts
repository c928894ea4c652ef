import { describe, expect, it } from 'vitest'
import { createAutosave } from '../../src/autosave'
import { localTabs } from '../../src/environment/tabs'
import { memoryStore } from '../../src/stores/memory'
import { memoryTransport } from '../../src/transports/memory'
import { fakeEnvironment, wizard } from '../helpers'

type Wizard = ReturnType<typeof wizard>
const settle = () => new Promise((resolve) => setTimeout(resolve, 0))

function setup() {
  const env = fakeEnvironment()
  const tabs = localTabs()
  const store = memoryStore()
  const transport = memoryTransport()
  const open = () => createAutosave<Wizard>({ key: 'project:7', transport, store, debounceMs: 50, environment: { ...env.environment, tabs } })
  return { env, tabs, store, transport, open }
}

describe('restore() racing itself and save()', () => {
  it('restore() called twice at once: both see the draft of a closed tab, and it is sent', async () => {
    const { env, store, transport, open } = setup()
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
    expect(transport.backend.documents.get('project:7')?.data).toMatchObject({ currentStep: 'typed offline then closed' })
    void store
  })

  it('restore() called twice at once, the server older than the draft: both return the draft', async () => {
    const { env, store, transport, open } = setup()
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

  it('restore() called twice at once: the closed tab\'s draft survives the next acknowledged save', async () => {
    const { env, store, transport, open } = setup()
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
    const server = transport.backend.documents.get('project:7')?.data as Wizard
    const survived = server.data.musicDescription === 'typed offline then closed' || outbox.length > 0
    expect(survived, `server musicDescription "${server.data.musicDescription}", outbox left ${JSON.stringify(outbox)}`).toBe(true)
  })

  it('a save() while restore() runs: the closed tab\'s draft is not deleted by the next ack', async () => {
    const { env, store, transport, open } = setup()
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
    const server = transport.backend.documents.get('project:7')?.data as Wizard | undefined
    // The draft of the closed tab must survive somewhere: sent, merged, or still in the store.
    const survived = server?.currentStep === 'typed offline then closed' || outboxAfter.length > 0
    expect(survived, `server has "${server?.currentStep}", outbox records left: ${JSON.stringify(outboxAfter)}`).toBe(true)
  })
})
