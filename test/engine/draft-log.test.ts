import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { memoryStore } from '../../src/stores/memory'
import { memoryTransport } from '../../src/transports/memory'
import type { AutosaveStore, Json } from '../../src/types'
import { ackedCopy, draftOf, wizard, wizardPages, type Wizard } from '../helpers'

/** A memory store (it copies each record, as IndexedDB does) that counts what each write costs. */
function countingStore() {
  const inner = memoryStore()
  const writes: Array<{ keys: string[]; bytes: number }> = []
  const store: AutosaveStore = {
    ...inner,
    async setMany(entries) {
      writes.push({ keys: entries.map(([key]) => key), bytes: entries.reduce((sum, [, value]) => sum + JSON.stringify(value).length, 0) })
      await inner.setMany(entries)
    },
  }
  return { store, writes }
}

/** The music-clip state with a long chat: every record holding it whole is ~60 kB. */
function bigState(messages = 300): Wizard {
  const chat: Json[] = []
  for (let i = 0; i < messages; i++)
    chat.push({ id: `m${i}`, role: i % 2 ? 'assistant' : 'user', content: `Message ${i}: a verse about neon rain and a slow synth line.`, timestamp: i })
  return { ...wizard('music_description'), chat }
}

const typed = (state: Wizard, text: string): Wizard => ({ ...state, data: { ...state.data, musicDescription: text } })

describe('the draft on the device is a checkpoint and a log', () => {
  it('a keystroke writes a few hundred bytes, not the document; a reload restores checkpoint + log', async () => {
    const { store, writes } = countingStore()
    const h = wizardPages({ store, defaults: { debounceMs: 60_000, maxWaitMs: 600_000 } })
    const page = h.open()
    await page.restore()
    let state = bigState()
    page.save(state)
    await h.env.clock.tickAsync(1000)
    const documentBytes = JSON.stringify(state).length
    expect(writes).toHaveLength(1)
    expect(writes[0]!.bytes, 'the first write is the checkpoint').toBeGreaterThan(documentBytes)
    for (const letter of 'dreamy synthwave') {
      state = typed(state, state.data.musicDescription + letter)
      page.save(state)
      await h.env.clock.tickAsync(700) // past localDelayMs: one local write per keystroke
    }
    const after = writes.slice(1)
    expect(after).toHaveLength(16)
    for (const write of after) expect(write.bytes, `${write.keys.join()}`).toBeLessThan(600)
    expect(after.every((write) => write.keys[0]!.startsWith('wal:doc:'))).toBe(true)

    // The page is gone before anything was sent: the next page restores the draft from both parts.
    await page.dispose()
    const next = h.open()
    expect((await next.restore())?.data.musicDescription).toBe('dreamy synthwave')
    await next.flush()
    expect((h.transport.backend.documents.get('doc')!.data as Wizard).data.musicDescription).toBe('dreamy synthwave')
    expect(await draftOf(store, 'doc'), 'nothing left to send').toBeUndefined()
    await next.dispose()
    const third = h.open()
    await third.restore()
    expect(
      (await store.keys()).filter((key) => key.startsWith('outbox:') || key.startsWith('wal:')),
      'a closed draft log is removed by the next page',
    ).toEqual([])
  })

  it('an acknowledgement writes the patch from the last acknowledged copy; history keeps patches', async () => {
    const { store, writes } = countingStore()
    const h = wizardPages({ store, defaults: { debounceMs: 0 } })
    const page = h.open()
    await page.restore()
    let state = bigState()
    page.save(state)
    await page.flush()
    const documentBytes = JSON.stringify(state).length
    const before = writes.length
    for (let i = 0; i < 10; i++) {
      state = { ...state, chat: [...state.chat, { id: `new${i}`, role: 'user', content: `One more line ${i}`, timestamp: 1000 + i }] }
      page.save(state)
      await page.flush()
    }
    const perMessage = writes.slice(before)
    expect(perMessage.length).toBeGreaterThan(0)
    for (const write of perMessage) expect(write.bytes, write.keys.join()).toBeLessThan(1000)
    expect(perMessage.reduce((sum, write) => sum + write.bytes, 0)).toBeLessThan(documentBytes / 4)

    const history = await page.history()
    expect(history.map((entry) => entry.version)).toEqual([11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1])
    // An old version rebuilds from the full copy and the patches after it.
    await page.rollback(history.at(-2)!.id)
    await page.flush()
    expect((h.transport.backend.documents.get('doc')!.data as Wizard).chat).toHaveLength(301)
    expect((await ackedCopy(store, 'doc'))?.version).toBe(12)
  })

  it('the log is folded into a new checkpoint once it outgrows it, and the old entries go', async () => {
    const { store, writes } = countingStore()
    const h = wizardPages({ store, defaults: { debounceMs: 600_000, maxWaitMs: 6_000_000 } })
    const page = h.open()
    await page.restore()
    let state: Wizard = { ...wizard('music_description'), chat: [{ id: 'm0', role: 'user', content: 'x'.repeat(2000), timestamp: 0 }] }
    page.save(state)
    await h.env.clock.tickAsync(700)
    for (let i = 0; i < 60; i++) {
      state = typed(state, `draft ${i} `.repeat(20))
      page.save(state)
      await h.env.clock.tickAsync(700)
    }
    const checkpoints = writes.filter((write) => write.keys[0]!.startsWith('outbox:'))
    expect(checkpoints.length, 'a checkpoint now and then').toBeGreaterThan(1)
    expect(checkpoints.length, 'not one per write').toBeLessThan(20)
    const left = (await store.keys()).filter((key) => key.startsWith('wal:'))
    expect(left.length, 'entries older than the newest checkpoint are removed').toBeLessThan(61 / checkpoints.length + 2)
    await page.dispose()
    expect((await draftOf(store, 'doc'))?.data).toEqual(state)
    const next = h.open()
    expect(await next.restore()).toEqual(state)
  })

  it('offline, each message costs one message: the undo patch is written again only when the base moves', async () => {
    const { store, writes } = countingStore()
    const h = wizardPages({ store, defaults: { debounceMs: 0 } })
    const page = h.open()
    await page.restore()
    let state = bigState(100)
    page.save(state)
    await page.flush()
    h.env.online.setOnline(false)
    const before = writes.length
    for (let i = 0; i < 40; i++) {
      state = { ...state, chat: [...state.chat, { id: `off${i}`, role: 'user', content: `Offline line ${i}`, timestamp: 2000 + i }] }
      page.save(state)
      await h.env.clock.tickAsync(700)
    }
    const entries = writes.slice(before)
    expect(entries.length).toBeGreaterThanOrEqual(40)
    expect(Math.max(...entries.map((write) => write.bytes)), 'the 40th costs what the first did').toBeLessThan(400)

    // Meanwhile another device saved another field: the reload merges against the draft's true base.
    await page.dispose()
    h.env.online.setOnline(true)
    const other = h.open({ store: memoryStore() })
    await other.restore()
    other.save((prev) => ({ ...prev!, data: { ...prev!.data, videoDescription: 'theirs' } }))
    await other.flush()
    await other.dispose()
    const next = h.open()
    const restored = await next.restore()
    expect(restored?.chat).toHaveLength(140)
    expect(restored?.data.videoDescription, 'both kept: the ancestor came through the log').toBe('theirs')
  })

  it('a damaged log entry ends the draft before it: what came earlier is restored, the entry kept aside', async () => {
    const h = wizardPages({ defaults: { debounceMs: 600_000, maxWaitMs: 6_000_000 } })
    const errors: string[] = []
    const page = h.open()
    await page.restore()
    let state = bigState(50)
    for (const step of ['a', 'b', 'c', 'd']) {
      state = { ...state, currentStep: step }
      page.save(state)
      await h.env.clock.tickAsync(700)
    }
    await page.dispose()
    const entries = (await h.store.keys()).filter((key) => key.startsWith('wal:doc:')).sort()
    expect(entries).toHaveLength(3)
    await h.store.setMany([[entries.find((key) => key.endsWith(':3'))!, { format: 1, ops: 'not a patch' }]])
    const next = h.open()
    next.on('error', (error) => errors.push(error.code))
    expect((await next.restore())?.currentStep, 'entries 1 and 2 still apply').toBe('c')
    expect(errors).toContain('STORAGE_CORRUPT')
    expect((await h.store.keys()).some((key) => key.startsWith('quarantine:doc:'))).toBe(true)
  })
})

describe('upgrading from 0.1.0 loses nothing', () => {
  // Written by 0.1.0 (main at f03478c): versions 1 and 2 acknowledged, then an offline edit left
  // as a draft; `server` is what the server held.
  const fixture = JSON.parse(readFileSync(new URL('../fixtures/store-0.1.0.json', import.meta.url), 'utf8')) as {
    server: { data: Json; version: number; updatedAt: string }
    records: Record<string, unknown>
  }

  async function upgraded() {
    const store = memoryStore()
    await store.setMany(Object.entries(fixture.records))
    const transport = memoryTransport()
    transport.backend.documents.set('doc', structuredClone(fixture.server))
    const h = wizardPages({ store, transport, defaults: { debounceMs: 0 } })
    // The fixture's page was "id-1" of the same id sequence: a new page must be someone else.
    for (let i = 0; i < 20; i++) h.env.environment.randomId!()
    return h
  }

  it('the draft is restored and sent, the history and the acknowledged copy are carried over', async () => {
    const h = await upgraded()
    const page = h.open()
    const restored = await page.restore()
    expect(restored?.currentStep).toBe('video_styles')
    expect(restored?.data.videoDescription).toBe('neon city at night')
    await page.flush()
    expect(h.transport.backend.documents.get('doc')).toMatchObject({ version: 3, data: { currentStep: 'video_styles' } })
    const history = await page.history()
    expect(
      history.map((entry) => entry.version),
      "0.1.0's entries after this release's",
    ).toEqual([3, 2, 1])
    await page.rollback(history[2]!.id)
    await page.flush()
    expect(h.transport.backend.documents.get('doc')).toMatchObject({ version: 4, data: { currentStep: 'track_input' } })
    expect(await h.store.get('outbox:doc:id-1'), 'the old draft is gone once sent').toBeUndefined()
  })

  it('offline, the 0.1.0 acknowledged copy is the merge base of the draft', async () => {
    const h = await upgraded()
    h.env.online.setOnline(false)
    const page = h.open({ transport: { ...h.transport, load: () => Promise.reject(new Error('offline')) } })
    const restored = await page.restore()
    expect(restored?.currentStep).toBe('video_styles')
    expect(page.getStatus().version).toBe(2)
  })

  it("0.1.0's records are pruned like this release's once history moves past them", async () => {
    const h = await upgraded()
    const page = h.open({ history: { limit: 2 } })
    let state = (await page.restore())!
    for (let i = 0; i < 6; i++) {
      state = { ...state, currentStep: `step ${i}` }
      page.save(state)
      await page.flush()
    }
    expect((await page.history()).map((entry) => entry.version)).toEqual([9, 8])
    const left = await h.store.keys()
    expect(left.filter((key) => key.startsWith('snapshot:') || key === 'history:doc' || key === 'base:doc')).toEqual([])
  })
})
