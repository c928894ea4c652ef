import { describe, expect, it } from 'vitest'
import { createAutosave } from '../../src/engine/autosave'
import { memoryStore } from '../../src/stores/memory'
import { memoryTransport } from '../../src/transports/memory'
import { fakeEnvironment } from '../helpers'

type Doc = { mine: string; theirs: string }

describe('restore() called again on an engine that has saved', () => {
  it("does not make the next save silently revert another device's newer write", async () => {
    const env = fakeEnvironment()
    const transport = memoryTransport()
    await transport.write({ key: 'doc', baseVersion: null, idempotencyKey: 'seed', data: { mine: '0', theirs: '0' } })
    const saver = createAutosave<Doc>({ key: 'doc', transport, store: memoryStore(), debounceMs: 0, environment: env.environment })
    await saver.restore()
    saver.save((prev) => ({ ...prev!, mine: '1' }))
    await saver.flush() // version 2

    // Another device saves version 3.
    await transport.write({ key: 'doc', baseVersion: 2, idempotencyKey: 'other', data: { mine: '1', theirs: 'other device' } })

    const again = await saver.restore() // e.g. the app re-runs its load step when the screen is shown again
    saver.save((prev) => ({ ...prev!, mine: '2' }))
    await saver.flush()
    const doc = transport.backend.documents.get('doc')!
    expect.soft(again, 'restore() answers the newest: nothing was unsent, the server has version 3').toEqual({ mine: '1', theirs: 'other device' })
    expect(doc.data, "the other device's write survives this client's next save").toEqual({ mine: '2', theirs: 'other device' })
  })
})
