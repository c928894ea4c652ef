import { describe, expect, it } from 'vitest'
import { createAutosave } from '../../src/autosave'
import { memoryStore } from '../../src/stores/memory'
import { memoryTransport } from '../../src/transports/memory'
import type { AutosaveOptions } from '../../src/types'
import { fakeEnvironment, wizard } from '../helpers'

type Wizard = ReturnType<typeof wizard>

function harness() {
  const env = fakeEnvironment()
  const store = memoryStore()
  const transport = memoryTransport()
  const open = (options: Partial<AutosaveOptions<Wizard>> = {}) =>
    createAutosave<Wizard>({ key: 'doc', transport, store, environment: env.environment, ...options })
  return { env, store, transport, open }
}

/** An offline draft left by a page that went away (as in test/restore.test.ts). */
async function leaveDraft(h: ReturnType<typeof harness>, state: unknown, options: Partial<AutosaveOptions<Wizard>> = {}) {
  const first = h.open(options)
  await first.restore()
  h.env.online.setOnline(false)
  first.save(state as Wizard)
  await first.dispose()
  h.env.online.setOnline(true)
}

/** Where the draft's text can still be found: the outbox, the quarantine, or the server. */
async function draftSurvives(h: ReturnType<typeof harness>, text: string) {
  const onServer = JSON.stringify(h.transport.backend.documents.get('doc')?.data ?? null).includes(text)
  const records = await Promise.all((await h.store.keys()).map(async (k) => JSON.stringify(await h.store.get(k))))
  return onServer || records.some((r) => r.includes(text))
}

describe('restore() that rejects after adopting a draft', () => {
  it('migrate() throwing: the draft is kept in the store, not deleted by the next acknowledged save', async () => {
    const h = harness()
    await leaveDraft(h, { step: 'typed offline', styles: 'retro' }, { version: 1 })
    const saver = h.open({
      version: 2,
      migrate: () => {
        throw new Error('migration bug')
      },
    })
    const error = await saver.restore().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(Error)
    // The app carries on with a fresh state, as an app whose restore failed does.
    saver.save(wizard('fresh start'))
    await saver.flush()
    await h.env.clock.tickAsync(10)
    expect(await draftSurvives(h, 'typed offline'), 'the draft that could not be migrated is kept (outbox or quarantine)').toBe(true)
  })

  it('a conflict function that throws while restore() combines the draft with a newer server copy: the draft is not deleted by the next ack', async () => {
    const h = harness()
    const writer = h.open()
    writer.save(wizard('track_input'))
    await writer.flush()
    await writer.dispose()
    await leaveDraft(h, { ...wizard('track_input'), data: { ...wizard('track_input').data, musicDescription: 'typed offline' } })
    // Another device saves meanwhile: restore() has to combine.
    const other = createAutosave<Wizard>({ key: 'doc', transport: h.transport, store: memoryStore(), environment: h.env.environment })
    await other.restore()
    other.save((prev) => ({ ...prev!, data: { ...prev!.data, videoDescription: 'theirs' } }))
    await other.flush()

    let calls = 0
    const saver = h.open({
      conflict: ({ local }) => {
        if (calls++ === 0) throw new Error('resolver bug')
        return local
      },
    })
    await expect(saver.restore()).rejects.toThrow()
    saver.save(wizard('fresh start'))
    await saver.flush()
    await h.env.clock.tickAsync(10)
    expect(await draftSurvives(h, 'typed offline'), 'the draft is kept (outbox or quarantine)').toBe(true)
  })

  it('migrate() throwing surfaces as a typed AutosaveError (code), and the record is quarantined', async () => {
    const h = harness()
    await leaveDraft(h, { step: 'typed offline' }, { version: 1 })
    const saver = h.open({
      version: 2,
      migrate: () => {
        throw new Error('migration bug')
      },
    })
    const error = (await saver.restore().catch((e: unknown) => e)) as { code?: string }
    expect.soft(error.code, 'a typed error with a code').toBeTypeOf('string')
    expect((await h.store.keys()).some((k) => k.startsWith('quarantine:'))).toBe(true)
  })
})
