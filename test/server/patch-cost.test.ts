import { afterEach, describe, expect, it, vi } from 'vitest'
import { createAutosaveHandler, type DocumentStoreOptions, type PostgresDocumentStoreOptions } from '../../src/server/index'
import { request, storeKinds } from './stores'

const basePath = '/api/storage/projects'

/** A ~20 KB wizard state with a long chat, like the one bench:server saves. */
function clipState() {
  return {
    currentStep: 'music',
    data: { musicDescription: 'calm piano', styles: ['lofi', 'ambient'] },
    chat: Array.from({ length: 80 }, (_, i) => ({
      id: `m${i}`,
      role: i % 2 ? 'assistant' : 'user',
      content: `Message ${i}: keep the drums soft until the second chorus, then lift.`,
    })),
  }
}
const documentUnits = JSON.stringify(clipState()).length

/** Counts the serializations of (at least half) a whole document while `run` runs. */
async function wholeDocumentSerializations(run: () => Promise<unknown>): Promise<number> {
  const stringify = JSON.stringify
  let count = 0
  const spy = vi.spyOn(JSON, 'stringify').mockImplementation(function (this: JSON, ...args: Parameters<typeof JSON.stringify>) {
    const text = stringify.apply(this, args)
    if (typeof text === 'string' && text.length > documentUnits / 2) count++
    return text
  } as typeof JSON.stringify)
  try {
    await run()
  } finally {
    spy.mockRestore()
  }
  return count
}

afterEach(() => vi.restoreAllMocks())

describe.each(storeKinds())('what a PATCH costs on the $name store', (kind) => {
  const variants: Array<[string, DocumentStoreOptions & PostgresDocumentStoreOptions]> =
    kind.name === 'memory'
      ? [['', {}]]
      : [
          ['', {}],
          [' (no cache: read first)', { cachedDocuments: 0 }],
        ]

  it.each(variants)('a one-field PATCH serializes the whole document once, for the size check and the store together%s', async (_, options) => {
    const handler = createAutosaveHandler({ store: await kind.create(options), basePath })
    const path = `${basePath}/cost`
    expect((await handler(request(path, { method: 'PUT', body: { data: clipState() } }))).status).toBe(200)
    for (let version = 1; version <= 3; version++) {
      const patch = [{ op: 'replace', path: '/data/musicDescription', value: `edit ${version}` }]
      let status = 0
      const serializations = await wholeDocumentSerializations(async () => {
        status = (await handler(request(path, { method: 'PATCH', body: patch, headers: { 'If-Match': `"${version}"`, 'Idempotency-Key': `cost-${version}` } })))
          .status
      })
      expect(status).toBe(200)
      expect(serializations, `PATCH on version ${version}`).toBe(1)
    }
    const stored = (await (await handler(request(path))).json()) as { data: ReturnType<typeof clipState>; version: number }
    expect(stored.version).toBe(4)
    expect(stored.data).toEqual({ ...clipState(), data: { ...clipState().data, musicDescription: 'edit 3' } })
  })

  it('a PATCH measured from the stored text still refuses, with 413, a document that grows past the limit', async () => {
    const handler = createAutosaveHandler({ store: await kind.create(), basePath, maxBodyBytes: 4 * documentUnits })
    const path = `${basePath}/grow`
    expect((await handler(request(path, { method: 'PUT', body: { data: clipState() } }))).status).toBe(200)
    // Each copy doubles the chat: 6 copies ask for 64 times the document.
    const patch = Array.from({ length: 6 }, () => ({ op: 'copy', from: '/chat', path: '/chat/0' }))
    const response = await handler(request(path, { method: 'PATCH', body: patch, headers: { 'If-Match': '"1"' } }))
    expect(response.status).toBe(413)
    expect((await handler(request(path))).headers.get('ETag')).toBe('"1"')
  })

  it('a store write whose next modifies the copy it is handed stores what next returned', async () => {
    const store = await kind.create()
    const handler = createAutosaveHandler({ store, basePath })
    expect((await handler(request(`${basePath}/own`, { method: 'PUT', body: { data: clipState() } }))).status).toBe(200)
    const outcome = await store.write({
      key: 'own',
      baseVersion: 1,
      next: (current) => {
        ;(current as { currentStep: string }).currentStep = 'done'
        return current!
      },
    })
    expect(outcome.status).toBe('applied')
    expect((await store.get('own'))?.data).toEqual({ ...clipState(), currentStep: 'done' })
  })
})
