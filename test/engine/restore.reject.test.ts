import { describe, expect, it } from 'vitest'
import { draftBehindAnotherDevice, leaveDraft, wizard, wizardPages, type WizardPages } from '../helpers'

const harness = () => wizardPages()

/** Where the draft's text can still be found: the outbox, the quarantine, or the server. */
async function draftSurvives(h: WizardPages, text: string) {
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
    // An offline draft; another device saves meanwhile: restore() has to combine.
    await draftBehindAnotherDevice(h, 'typed offline')

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
