import { describe, expect, it } from 'vitest'
import type { StandardSchema } from '../../src/types'
import { wizard } from '../helpers'
import { settle, twoTabWorld } from './world'

describe('restore() vs. a tab ack during checkRestored()', () => {
  it("a save by another tab while restore() validates is neither hidden nor reverted by this tab's next save", async () => {
    const { server, open } = twoTabWorld()

    const a = open()
    a.save(wizard('one'))
    await a.flush() // version 1

    // Tab B's schema validates asynchronously (a Standard Schema may return a Promise).
    let release!: () => void
    let gate: Promise<void> | undefined = new Promise<void>((resolve) => (release = resolve))
    let validating!: () => void
    const inValidation = new Promise<void>((resolve) => (validating = resolve))
    const slowSchema: StandardSchema = {
      '~standard': {
        version: 1,
        vendor: 'review',
        validate: async (value) => {
          validating()
          if (gate !== undefined) await gate
          return { value }
        },
      },
    }
    const b = open({ schema: slowSchema })
    const restoring = b.restore()
    await inValidation // B loaded version 1 and is validating it

    a.save((prev) => ({ ...prev!, data: { ...prev!.data, musicDescription: 'from A' } }))
    await a.flush() // version 2; its ack reaches B
    await settle()

    const g = gate
    gate = undefined
    release()
    await g
    const restored = await restoring
    expect.soft(restored?.data.musicDescription, 'restore() answers with the newest save').toBe('from A')
    expect.soft(b.getState()?.data.musicDescription, 'getState() shows the newest save').toBe('from A')

    b.save((prev) => ({ ...prev!, currentStep: 'from B' }))
    await b.flush()
    expect(server.backend.documents.get('project:7')?.data, "B's next save keeps A's edit on the server").toMatchObject({
      currentStep: 'from B',
      data: { musicDescription: 'from A' },
    })
  })
})
