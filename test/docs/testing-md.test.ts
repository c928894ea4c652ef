// Generated from docs/testing.md by `npm run docs:testing-md`: its recipe, verbatim. Do not edit.
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createMockBackend } from 'autosave-kit/testing'

const backend = createMockBackend()
const server = setupServer(...backend.handlers)
beforeAll(() => server.listen()); afterEach(() => backend.reset()); afterAll(() => server.close())

import { createAutosave, fetchTransport, memoryStore, type Autosave } from 'autosave-kit'

// One engine per test, like the backend's reset(): an engine that saved before the reset would
// meet a server that no longer has its document (it writes it again, one request more).
let saver: Autosave<{ currentStep: string }>
beforeEach(() => {
  saver = createAutosave({
    key: 'project:42',
    transport: fetchTransport({ baseUrl: 'http://localhost/api/storage/projects' }),
    store: memoryStore(),
    debounceMs: 0,
    retry: { minTimeout: 10, maxTimeout: 50, randomize: false },  // keep retries fast in tests
  })
})
afterEach(() => saver.dispose())

describe('the wizard', () => {
  it('saves', async () => {
    saver.save({ currentStep: 'video_styles' })
    await saver.flush()
    expect(backend.document('project:42')?.data).toEqual({ currentStep: 'video_styles' })
  })
})

it('a burst of edits becomes one request', async () => {
  for (const step of ['a', 'b', 'c']) saver.save({ currentStep: step })
  await saver.flush()
  expect(backend.requests.filter((r) => r.write)).toHaveLength(1)
})

it('a write whose answer was lost is not applied twice', async () => {
  backend.failNext(1, 'lost-response')
  saver.save({ currentStep: 'video_styles' })
  await saver.flush()
  const writes = backend.requests.filter((r) => r.write)
  expect(writes.map((r) => r.headers['idempotency-key'])).toEqual([writes[0]!.headers['idempotency-key'], writes[0]!.headers['idempotency-key']])
  expect((await backend.history('project:42')).length).toBe(1)
})

it('retries a 503 after the Retry-After the server asked for', async () => {
  backend.failNext(1, 503, { retryAfter: 1 })
  saver.save({ currentStep: 'video_styles' })
  await saver.flush()
  expect(backend.requests.map((r) => r.status)).toEqual([503, 200])
})
