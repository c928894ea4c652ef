import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createAutosave } from '../../src/engine/autosave'
import { StorageError, TransportError, ValidationError, type AutosaveError } from '../../src/errors'
import { memoryStore } from '../../src/stores/memory'
import { memoryTransport } from '../../src/transports/memory'
import type { AutosaveStore, Transport } from '../../src/types'
import { draftBehindAnotherDevice, fakeEnvironment, leaveDraft, wizard, wizardPages as harness, type Wizard } from '../helpers'

const offlineTransport = (): Transport => ({
  load: async () => {
    throw new TransportError('TRANSPORT_NETWORK', 'offline', { retryable: true })
  },
  write: async () => {
    throw new TransportError('TRANSPORT_NETWORK', 'offline', { retryable: true })
  },
})

describe('restore()', () => {
  it('returns the unsent draft rather than the older server copy', async () => {
    const h = harness()
    const writer = h.open()
    writer.save(wizard('track_input'))
    await writer.flush()
    await writer.dispose()
    await leaveDraft(h, wizard('video_styles'))
    const saver = h.open()
    expect((await saver.restore())?.currentStep).toBe('video_styles')
    await saver.flush()
    expect((h.transport as ReturnType<typeof memoryTransport>).backend.documents.get('doc')?.data).toMatchObject({ currentStep: 'video_styles' })
  })

  it('returns the server document when nothing is pending locally', async () => {
    const h = harness()
    const writer = h.open()
    writer.save(wizard('reference_images'))
    await writer.flush()
    await writer.dispose()
    const saver = h.open()
    expect((await saver.restore())?.currentStep).toBe('reference_images')
    expect(saver.getStatus()).toMatchObject({ phase: 'saved', version: 1, pending: false })
  })

  it('offline with nothing pending: the last acknowledged copy on this device', async () => {
    const store = memoryStore()
    const online = harness({ store })
    const writer = online.open()
    writer.save(wizard('video_description'))
    await writer.flush()
    await writer.dispose()
    const offline = harness({ store, transport: offlineTransport() })
    expect((await offline.open().restore())?.currentStep).toBe('video_description')
  })

  it('undefined for a brand-new document', async () => {
    expect(await harness().open().restore()).toBeUndefined()
  })

  it('a corrupt local record is quarantined, reported, and the server copy used', async () => {
    const h = harness()
    await h.store.setMany([['outbox:doc:dead-tab', { format: 1, key: 'doc', seq: 'garbage' }]])
    const saver = h.open()
    const errors: AutosaveError[] = []
    saver.on('error', (e) => errors.push(e))
    await expect(saver.restore()).resolves.toBeUndefined()
    expect(errors[0]).toBeInstanceOf(StorageError)
    expect(errors[0]!.code).toBe('STORAGE_CORRUPT')
    const keys = await h.store.keys()
    expect(
      keys.some((k) => k.startsWith('quarantine:doc:')),
      'kept aside, not deleted',
    ).toBe(true)
    expect(keys).not.toContain('outbox:doc:dead-tab')
  })

  it('schema-invalid restored data rejects with ValidationError and is kept aside', async () => {
    const h = harness()
    await leaveDraft(h, { currentStep: 42 })
    const schema = z.object({ currentStep: z.string() }).loose()
    const error = await h
      .open({ schema })
      .restore()
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ValidationError)
    expect((error as ValidationError).code).toBe('VALIDATION_RESTORE')
    const quarantined = (await h.store.keys()).filter((k) => k.startsWith('quarantine:'))
    expect(quarantined).toHaveLength(1)
    expect(await h.store.get(quarantined[0]!)).toMatchObject({ record: { data: { currentStep: 42 } } })
  })

  it('migrates a draft written by version 1 of the app', async () => {
    const h = harness()
    await leaveDraft(h, { step: 'video_styles', styles: 'retro' }, { version: 1 })
    const saver = h.open({
      version: 2,
      migrate: (old, from) => {
        expect(from).toBe(1)
        const v1 = old as { step: string; styles: string }
        return { ...wizard(v1.step), data: { ...wizard(v1.step).data, videoStyles: [v1.styles] } }
      },
    })
    const restored = await saver.restore()
    expect(restored).toMatchObject({ currentStep: 'video_styles', data: { videoStyles: ['retro'] } })
  })

  it('a draft from a newer version of the app is kept aside with STORAGE_VERSION', async () => {
    const h = harness()
    await leaveDraft(h, wizard('x'), { version: 3 })
    await expect(h.open({ version: 2 }).restore()).rejects.toMatchObject({ code: 'STORAGE_VERSION' })
    expect((await h.store.keys()).some((k) => k.startsWith('quarantine:'))).toBe(true)
  })

  it('a store that cannot be read does not keep the user from the server copy', async () => {
    const h = harness()
    const writer = h.open()
    writer.save(wizard('completed'))
    await writer.flush()
    const broken: AutosaveStore = {
      ...memoryStore(),
      get: async () => {
        throw new StorageError('STORAGE_READ', 'IndexedDB is gone')
      },
      keys: async () => {
        throw new StorageError('STORAGE_READ', 'IndexedDB is gone')
      },
    }
    const saver = createAutosave<Wizard>({ key: 'doc', transport: h.transport, store: broken, environment: h.env.environment })
    expect((await saver.restore())?.currentStep).toBe('completed')
    expect(saver.getStatus().error?.code).toBe('STORAGE_READ')
  })

  it('edits made while restore() runs are newer and win', async () => {
    const h = harness()
    const writer = h.open()
    writer.save(wizard('server copy'))
    await writer.flush()
    const saver = h.open()
    const restoring = saver.restore()
    saver.save(wizard('typed during restore'))
    expect((await restoring)?.currentStep).toBe('typed during restore')
  })

  it('when the server moved on while a draft was unsent, restore() returns both combined', async () => {
    const h = harness()
    // An offline draft 'mine'; another device saves a different field meanwhile.
    await draftBehindAnotherDevice(h, 'mine')

    const saver = h.open()
    const restored = await saver.restore()
    expect(restored?.data).toMatchObject({ musicDescription: 'mine', videoDescription: 'theirs' })
  })
})

describe('documents whose keys prefix each other', () => {
  it('restoring "project:1" neither takes nor deletes the draft of "project:1:notes"', async () => {
    const store = memoryStore()
    const transport = memoryTransport()
    // Page 1, offline: an unsent draft of the notes document.
    const env1 = fakeEnvironment()
    env1.online.setOnline(false)
    const notes = createAutosave<{ text: string }>({
      key: 'project:1:notes',
      transport,
      store,
      environment: { ...env1.environment, randomId: () => 'page1' },
      localDelayMs: 0,
    })
    notes.save({ text: 'NOTES DRAFT' })
    await env1.clock.tickAsync(10)
    await notes.dispose()
    expect(await store.keys()).toContain('outbox:project:1:notes:page1')

    // Page 2, online: the app opens the project document (a different key).
    const env2 = fakeEnvironment()
    const project = createAutosave<{ text: string }>({
      key: 'project:1',
      transport,
      store,
      environment: { ...env2.environment, randomId: () => 'page2' },
      localDelayMs: 0,
    })
    const restored = await project.restore()
    await project.flush().catch(() => undefined)
    await project.dispose()

    expect(transport.backend.documents.get('project:1')).toBeUndefined()
    expect(restored).toBeUndefined()
    expect(await store.keys()).toContain('outbox:project:1:notes:page1')
  })
})
