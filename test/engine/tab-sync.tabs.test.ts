import { describe, expect, it } from 'vitest'
import { createAutosave } from '../../src/engine/autosave'
import { localTabs } from '../../src/environment/tabs'
import { memoryStore } from '../../src/stores/memory'
import { memoryTransport } from '../../src/transports/memory'
import type { AutosaveOptions, AutosaveStore, ConflictEvent, RemoteChangeEvent, Transport } from '../../src/types'
import { fakeEnvironment, heldTransport, pendingDraftKeys, settle, wizard, type Wizard } from '../helpers'

/** Two "tabs": one store (one IndexedDB), one BroadcastChannel + Web Locks, one server. */
function twoTabs(transport: Transport = memoryTransport(), conflict?: AutosaveOptions<Wizard>['conflict']) {
  const env = fakeEnvironment()
  const tabs = localTabs()
  const store = memoryStore()
  const open = (s: AutosaveStore = store) =>
    createAutosave<Wizard>({
      key: 'project:7',
      transport,
      store: s,
      debounceMs: 50,
      ...(conflict ? { conflict } : {}),
      environment: { ...env.environment, tabs },
    })
  return { env, tabs, store, open, transport }
}

describe('multiple tabs', () => {
  it('a save in one tab reaches the other as remote-change, and the other builds on it', async () => {
    const { open, transport } = twoTabs()
    const a = open()
    const b = open()
    const seen: RemoteChangeEvent<Wizard>[] = []
    b.on('remote-change', (event) => seen.push(event))

    a.save(wizard('track_input', { musicDescription: 'synthwave' }))
    await a.flush()
    await settle()
    expect(seen).toHaveLength(1)
    expect(seen[0]).toMatchObject({ source: 'tab', version: 1 })
    expect(b.getState()?.data.musicDescription).toBe('synthwave')

    b.save((prev) => ({ ...prev!, currentStep: 'video_description' }))
    await b.flush()
    const backend = (transport as ReturnType<typeof memoryTransport>).backend
    expect(
      backend.writes.map((w) => w.baseVersion),
      'B wrote on top of A without a conflict',
    ).toEqual([null, 1])
    expect(backend.documents.get('project:7')?.data).toMatchObject({ currentStep: 'video_description', data: { musicDescription: 'synthwave' } })
  })

  it('edits pending in both tabs at once are both kept, each sent once', async () => {
    const { open, transport } = twoTabs()
    const a = open()
    const b = open()
    a.save(wizard('track_input'))
    await a.flush()
    await settle()

    a.save((prev) => ({ ...prev!, data: { ...prev!.data, musicDescription: 'from A' } }))
    b.save((prev) => ({ ...prev!, data: { ...prev!.data, videoDescription: 'from B' } }))
    await Promise.all([a.flush(), b.flush()])
    await settle()

    const backend = (transport as ReturnType<typeof memoryTransport>).backend
    expect(backend.documents.get('project:7')?.data).toMatchObject({ data: { musicDescription: 'from A', videoDescription: 'from B' } })
    expect(backend.writes, 'three writes: the first, then one per tab').toHaveLength(3)
    expect(a.getState()?.data).toMatchObject({ musicDescription: 'from A', videoDescription: 'from B' })
    expect(b.getState()?.data).toMatchObject({ musicDescription: 'from A', videoDescription: 'from B' })
  })

  /** A saves the field B is editing, while B's edit is still unsent. */
  async function sameFieldInBothTabs(conflict?: AutosaveOptions<Wizard>['conflict']) {
    const { open, transport } = twoTabs(memoryTransport(), conflict)
    const a = open()
    const b = open()
    a.save(wizard('track_input'))
    await a.flush()
    await settle()
    const conflicts: ConflictEvent[] = []
    const stateAtConflict: Array<string | undefined> = []
    b.on('conflict', (event) => {
      conflicts.push(event)
      stateAtConflict.push(b.getState()?.data.musicDescription)
    })
    b.save((prev) => ({ ...prev!, data: { ...prev!.data, musicDescription: 'from B' } }))
    a.save((prev) => ({ ...prev!, data: { ...prev!.data, musicDescription: 'from A' } }))
    await a.flush()
    await settle()
    const atAck = b.getState()?.data.musicDescription
    await b.flush()
    await settle()
    const server = (transport as ReturnType<typeof memoryTransport>).backend.documents.get('project:7')?.data as Wizard
    return { conflicts, stateAtConflict, atAck, server, a, b }
  }

  it("another tab's save meets this tab's unsent edit with the conflict strategy, and the loser is told", async () => {
    const { conflicts, stateAtConflict, atAck, server, a, b } = await sameFieldInBothTabs('remote-wins')
    // Was: a plain three-way merge kept B's edit whatever the strategy, and no conflict event.
    expect(conflicts, "B is told once, when A's save arrives").toHaveLength(1)
    expect(conflicts[0]).toMatchObject({ strategy: 'remote-wins', paths: ['/data/musicDescription'], remoteVersion: 2 })
    expect(conflicts[0]!.lost).toEqual([{ path: '/data/musicDescription', local: 'from B', remote: 'from A' }])
    expect(stateAtConflict, "the event comes while getState() still holds the user's value").toEqual(['from B'])
    expect(atAck).toBe('from A')
    expect(server.data.musicDescription).toBe('from A')
    expect(a.getState()?.data.musicDescription).toBe('from A')
    expect(b.getState()?.data.musicDescription).toBe('from A')
  })

  it("with 'merge' this tab's edit wins the same field and nothing is reported lost", async () => {
    const { conflicts, server } = await sameFieldInBothTabs()
    expect(conflicts.map((c) => [c.strategy, c.paths, c.lost])).toEqual([['merge', ['/data/musicDescription'], []]])
    expect(server.data.musicDescription).toBe('from B')
  })

  it('a conflict function decides between tabs too', async () => {
    const calls: string[] = []
    const { conflicts, server } = await sameFieldInBothTabs(({ local, remote }) => {
      calls.push(`${local.data.musicDescription} vs ${remote.data.musicDescription}`)
      return { ...local, data: { ...local.data, musicDescription: `${remote.data.musicDescription} + ${local.data.musicDescription}` } }
    })
    expect(calls).toEqual(['from B vs from A'])
    expect(conflicts[0]).toMatchObject({ strategy: 'custom', lost: [{ path: '/data/musicDescription', local: 'from B', remote: 'from A' }] })
    expect(server.data.musicDescription).toBe('from A + from B')
  })

  it('two tabs never have requests in flight at the same time', async () => {
    const server = heldTransport()
    const { open } = twoTabs(server.transport)
    const a = open()
    const b = open()
    a.save(wizard('a'))
    b.save(wizard('b'))
    const flushed = Promise.all([a.flush(), b.flush()])
    for (let i = 0; i < 4; i++) {
      await settle()
      if (server.pendingCount) server.next().resolve()
    }
    await flushed
    expect(server.maxInFlight).toBe(1)
  })

  it('a new tab does not take over the unsent draft of a tab that is still open', async () => {
    const { open, transport, env } = twoTabs()
    env.online.setOnline(false)
    const a = open()
    a.save(wizard('draft in A'))
    await env.clock.tickAsync(1000)
    const c = open()
    await c.restore()
    env.online.setOnline(true)
    await a.flush()
    await settle()
    const backend = (transport as ReturnType<typeof memoryTransport>).backend
    expect(backend.writes, 'only A sends its draft').toHaveLength(1)
    expect(c.getState()?.currentStep).toBe('draft in A')
  })

  it('the draft of a closed tab is adopted by the next one and sent once', async () => {
    const { open, transport, store, env } = twoTabs()
    env.online.setOnline(false)
    const a = open()
    a.save(wizard('typed then closed'))
    await a.dispose()
    env.online.setOnline(true)

    const c = open()
    expect((await c.restore())?.currentStep).toBe('typed then closed')
    await c.flush()
    const backend = (transport as ReturnType<typeof memoryTransport>).backend
    expect(backend.writes).toHaveLength(1)
    expect(await pendingDraftKeys(store), 'the adopted record is cleared').toEqual([])
    expect(
      (await store.keys()).filter((k) => k.startsWith('outbox:') && !k.endsWith(':id-2')),
      "only the live tab's closed log is left",
    ).toEqual([])
  })

  /** Tab B, whose server read answers only when released: what it read is old by then. */
  function tabWithHeldLoad({ tabs, env, store, transport }: ReturnType<typeof twoTabs>) {
    const server = transport as ReturnType<typeof memoryTransport>
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    const heldLoad: Transport = {
      load: async (key, options) => {
        const doc = await server.load(key, options)
        await gate
        return doc
      },
      write: (request) => server.write(request),
    }
    const b = createAutosave<Wizard>({ key: 'project:7', transport: heldLoad, store, debounceMs: 50, environment: { ...env.environment, tabs } })
    return { b, server, release }
  }

  it('a save by another tab while this one restores is not undone by the older server copy it loaded', async () => {
    const world = twoTabs()
    const a = world.open()
    a.save(wizard('one'))
    await a.flush()

    const { b, server, release } = tabWithHeldLoad(world)
    const restoring = b.restore()
    await settle() // B has read version 1; its answer is on the way while A saves version 2
    a.save((prev) => ({ ...prev!, currentStep: 'two' }))
    await a.flush()
    await settle()
    release()
    expect((await restoring)?.currentStep, 'B shows the newest save, not the copy it loaded').toBe('two')
    expect(b.getStatus().version).toBe(2)

    b.save((prev) => ({ ...prev!, data: { ...prev!.data, videoDescription: 'from B' } }))
    await b.flush()
    expect(
      server.backend.writes.map((w) => w.baseVersion),
      'B wrote on version 2 without a conflict',
    ).toEqual([null, 1, 2])
    expect(server.backend.documents.get('project:7')?.data).toMatchObject({ currentStep: 'two', data: { videoDescription: 'from B' } })
  })

  it('a document another tab creates while this one restores is restored, not reported missing', async () => {
    const world = twoTabs()
    const { b, release } = tabWithHeldLoad(world)
    const restoring = b.restore()
    await settle() // B has read "not found"
    const a = world.open()
    a.save(wizard('created by A'))
    await a.flush()
    await settle()
    release()
    expect((await restoring)?.currentStep).toBe('created by A')
  })
})
