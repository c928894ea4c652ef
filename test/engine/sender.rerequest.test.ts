import { describe, expect, it } from 'vitest'
import { createAutosave } from '../../src/engine/autosave'
import { memoryStore } from '../../src/stores/memory'
import { memoryTransport } from '../../src/transports/memory'
import { fakeEnvironment, settle } from '../helpers'

describe('a send requested again right after a failed one', () => {
  it('an error listener that retries with flush() does not spin the page in a loop', async () => {
    const env = fakeEnvironment()
    // A schema the state never passes: every send fails at once, before any request.
    const schema = { '~standard': { version: 1, vendor: 'test', validate: () => ({ issues: [{ message: 'never valid' }] }) } }
    const saver = createAutosave<{ n: number }>({
      key: 'doc',
      transport: memoryTransport(),
      store: memoryStore(),
      environment: env.environment,
      schema: schema as never,
    })
    let errors = 0
    saver.on('error', () => {
      errors++
      // A "retry" the app offers (e.g. an auto-retry on the error event); capped so the test ends.
      if (errors < 1000) saver.flush().catch(() => {})
    })
    saver.save({ n: 1 })
    await saver.flush().catch(() => {})
    await settle(20)
    // Before the finally re-request, the retry flush only set sendRequested: one more attempt came with the next edit.
    expect(errors, 'attempts made without any new edit, timer or network event').toBeLessThan(5)
  })
})
