import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createAutosave } from '../../src/engine/autosave'
import { OnlineManager } from '../../src/environment/online'
import { PageLifecycle } from '../../src/environment/lifecycle'
import { ConflictError } from '../../src/errors'
import { memoryStore } from '../../src/stores/memory'
import { createMockBackend } from '../../src/testing/index'
import { fetchTransport } from '../../src/transports/fetch'
import type { AutosaveOptions, ConflictEvent, Json } from '../../src/types'
import { wizard, type Wizard } from '../helpers'

const backend = createMockBackend()
const server = setupServer(...backend.handlers)
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterEach(() => backend.reset())
afterAll(() => server.close())

const KEY = 'project:42'

/** A saver on the mock backend over real HTTP (msw), with tiny delays and real timers. */
async function savedOnce(options: Partial<AutosaveOptions<Wizard>> = {}) {
  const saver = createAutosave<Wizard>({
    key: KEY,
    transport: fetchTransport({ baseUrl: 'http://localhost/api/storage/projects' }),
    store: memoryStore(),
    debounceMs: 0,
    retry: { minTimeout: 1, maxTimeout: 5 },
    environment: { online: new OnlineManager(() => {}), lifecycle: new PageLifecycle(() => {}) },
    ...options,
  })
  const conflicts: ConflictEvent[] = []
  saver.on('conflict', (event) => conflicts.push(event))
  saver.save(wizard('track_input', { musicDescription: 'synthwave' }))
  await saver.flush()
  return { saver, conflicts }
}

/** Another device writes on top of what the saver last saw. */
function otherDeviceWrites(patch: (doc: Wizard) => Wizard) {
  const current = backend.document(KEY)!.data as unknown as Wizard
  backend.setDocument(KEY, patch(structuredClone(current)) as unknown as Json)
}

describe('a write based on a stale version (412)', () => {
  it("'merge' (default): changes to different fields combine, and the result is written on the new version", async () => {
    const { saver, conflicts } = await savedOnce()
    otherDeviceWrites((doc) => ({ ...doc, data: { ...doc.data, videoDescription: 'neon city' } }))
    saver.save((prev) => ({ ...prev!, currentStep: 'video_description' }))
    await saver.flush()
    expect(backend.document(KEY)).toMatchObject({
      version: 3,
      data: { currentStep: 'video_description', data: { musicDescription: 'synthwave', videoDescription: 'neon city' } },
    })
    expect(conflicts).toEqual([expect.objectContaining({ strategy: 'merge', paths: [], remoteVersion: 2 })])
    expect(saver.getState()?.data.videoDescription, 'the merge becomes the current state').toBe('neon city')
  })

  it("'merge': chat messages appended on both sides are all kept, once each", async () => {
    const { saver } = await savedOnce()
    otherDeviceWrites((doc) => ({ ...doc, chat: [...doc.chat, { id: 'remote-1', role: 'user', content: 'from the phone', timestamp: 2 }] }))
    saver.save((prev) => ({ ...prev!, chat: [...prev!.chat, { id: 'local-1', role: 'user', content: 'from the laptop', timestamp: 1 }] }))
    await saver.flush()
    const chat = (backend.document(KEY)!.data as unknown as Wizard).chat as Array<{ id: string }>
    expect(chat.map((m) => m.id).sort()).toEqual(['local-1', 'remote-1'])
  })

  it("'merge': the same field changed on both sides — local wins and the path is reported", async () => {
    const { saver, conflicts } = await savedOnce()
    otherDeviceWrites((doc) => ({ ...doc, data: { ...doc.data, musicDescription: 'theirs' } }))
    saver.save((prev) => ({ ...prev!, data: { ...prev!.data, musicDescription: 'mine' } }))
    await saver.flush()
    expect((backend.document(KEY)!.data as unknown as Wizard).data.musicDescription).toBe('mine')
    expect(conflicts[0]!.paths).toEqual(['/data/musicDescription'])
  })

  it("'local-wins' writes the local state over the server's", async () => {
    const { saver, conflicts } = await savedOnce({ conflict: 'local-wins' })
    otherDeviceWrites((doc) => ({ ...doc, data: { ...doc.data, videoDescription: 'lost on purpose' } }))
    saver.save((prev) => ({ ...prev!, currentStep: 'completed' }))
    await saver.flush()
    expect(backend.document(KEY)!.data).toMatchObject({ currentStep: 'completed', data: { videoDescription: '' } })
    expect(conflicts[0]!.strategy).toBe('local-wins')
  })

  it("'remote-wins' adopts the server's document and tells the app", async () => {
    const { saver } = await savedOnce({ conflict: 'remote-wins' })
    const changes: unknown[] = []
    saver.on('remote-change', (event) => changes.push(event.state))
    otherDeviceWrites((doc) => ({ ...doc, currentStep: 'from elsewhere' }))
    saver.save((prev) => ({ ...prev!, currentStep: 'mine' }))
    await saver.flush()
    expect(backend.document(KEY)).toMatchObject({ version: 2, data: { currentStep: 'from elsewhere' } })
    expect(saver.getState()?.currentStep).toBe('from elsewhere')
    expect(changes).toHaveLength(1)
  })

  it('a function strategy decides from { base, local, remote }', async () => {
    const { saver, conflicts } = await savedOnce({
      conflict: ({ base, local, remote }) =>
        ({ ...(remote as object), currentStep: `${(base as Wizard).currentStep}+${(local as Wizard).currentStep}` }) as Json,
    })
    otherDeviceWrites((doc) => ({ ...doc, currentStep: 'theirs' }))
    saver.save((prev) => ({ ...prev!, currentStep: 'mine' }))
    await saver.flush()
    expect(backend.document(KEY)!.data).toMatchObject({ currentStep: 'track_input+mine' })
    expect(conflicts[0]!.strategy).toBe('custom')
  })

  it('resolution is bounded: a document that keeps changing ends in phase conflict, nothing dropped', async () => {
    const { saver } = await savedOnce({ maxConflictRounds: 3 })
    for (let i = 0; i < 10; i++) backend.conflictNext((doc) => ({ ...(doc as object), noise: i }))
    saver.save((prev) => ({ ...prev!, currentStep: 'video_styles' }))
    const error = await saver.flush().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConflictError)
    expect((error as ConflictError).code).toBe('CONFLICT_UNRESOLVED')
    expect(saver.getStatus()).toMatchObject({ phase: 'conflict', pending: true })
    expect(saver.getState()?.currentStep).toBe('video_styles')
  })
})

describe('idempotency', () => {
  it('a write whose answer was lost is retried with the same Idempotency-Key and applied once', async () => {
    const { saver } = await savedOnce()
    backend.failNext(1, 'lost-response', { requests: 'writes' })
    saver.save((prev) => ({ ...prev!, currentStep: 'video_styles' }))
    await saver.flush()
    const writes = backend.requests.filter((r) => r.write).slice(1)
    expect(writes, 'the lost attempt and its retry').toHaveLength(2)
    expect(writes[0]!.headers['idempotency-key']).toBe(writes[1]!.headers['idempotency-key'])
    expect(backend.document(KEY)).toMatchObject({ version: 2, data: { currentStep: 'video_styles' } })
    expect(await backend.history(KEY), 'one version per applied write').toHaveLength(2)
    expect(saver.getStatus()).toMatchObject({ phase: 'saved', version: 2 })
  })
})
