import { describe, expect, it } from 'vitest'
import { createAutosave } from '../../src/engine/autosave'
import { localTabs } from '../../src/environment/tabs'
import { memoryStore } from '../../src/stores/memory'
import { memoryTransport } from '../../src/transports/memory'
import { fakeEnvironment, ids, settle } from '../helpers'

describe('restore() again on an engine that has saved but never got an ack', () => {
  const scenario = async (restoreAgain: boolean) => {
    const transport = memoryTransport()
    const env = fakeEnvironment()
    const page = createAutosave<Record<string, string>>({
      key: 'doc',
      transport,
      store: memoryStore(),
      environment: { ...env.environment, randomId: ids('page'), tabs: localTabs() },
    })
    expect(await page.restore()).toBeUndefined() // nothing on the server yet
    env.online.setOnline(false)
    page.save({ mine: 'typed offline' })

    // Meanwhile another device creates the document.
    const other = createAutosave<Record<string, string>>({
      key: 'doc',
      transport,
      store: memoryStore(),
      environment: { ...fakeEnvironment().environment, randomId: ids('other'), tabs: localTabs() },
    })
    other.save({ theirs: 'from the other device' })
    await other.flush()

    if (restoreAgain) await page.restore() // e.g. the app reloads its data on reconnect
    const conflicts: unknown[] = []
    page.on('conflict', (e) => conflicts.push(e))
    env.online.setOnline(true)
    await page.flush()
    await settle()
    const server = transport.backend.documents.get('doc')?.data as Record<string, string>
    expect(server.mine).toBe('typed offline')
    expect(server.theirs, "the other device's field survives").toBe('from the other device')
    expect(page.getState()?.theirs).toBe('from the other device')
  }
  it('without a second restore() the write meets a 412 and merges', () => scenario(false))
  it("with restore() again the write still meets the other device's copy as a conflict and merges, never silently reverting it", () => scenario(true))
})
