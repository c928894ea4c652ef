/**
 * A reused Idempotency-Key with a different body replayed the first answer and dropped the new
 * body silently (issue 15). The IETF idempotency-key draft answers 422: the handler fingerprints
 * what a write asks for, and the store returns the first write's fingerprint with a replay.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { createAutosaveHandler } from '../../src/server/index'
import { request, storeKinds } from './stores'

const base = '/api/storage/projects'
const doc = `${base}/${encodeURIComponent('project:42')}`

describe.each(storeKinds())('a reused Idempotency-Key on the $name store', (kind) => {
  // PGlite boots in seconds, more under load: inside the hook's timeout, not the first test's.
  beforeAll(() => kind.create(), 90_000)
  async function setup() {
    const handler = createAutosaveHandler({ store: await kind.create(), basePath: base })
    const put = (data: unknown, headers: Record<string, string>) => handler(request(doc, { method: 'PUT', body: { data }, headers }))
    const read = async () => (await handler(request(doc))).json()
    return { handler, put, read }
  }

  it('the same request again is a replay', async () => {
    const { put } = await setup()
    expect((await put({ step: 1 }, { 'Idempotency-Key': 'k1' })).status).toBe(200)
    const again = await put({ step: 1 }, { 'Idempotency-Key': 'k1' })
    expect(again.status).toBe(200)
    expect(again.headers.get('Idempotent-Replayed')).toBe('true')
  })

  it('with a different body answers 422, and the first write stays', async () => {
    const { put, read } = await setup()
    expect((await put({ step: 1 }, { 'Idempotency-Key': 'k1' })).status).toBe(200)
    const reused = await put({ step: 2 }, { 'Idempotency-Key': 'k1' })
    expect(reused.status, 'the second body was dropped behind a replayed 200').toBe(422)
    expect((await reused.json()).error).toMatch(/already used for a different request/)
    expect(await read()).toMatchObject({ data: { step: 1 }, version: 1 })
  })

  it('with another base version answers 422 too; a beacon and the PUT repeating it are one request', async () => {
    const { handler, put } = await setup()
    expect((await put({ step: 1 }, { 'Idempotency-Key': 'k1' })).status).toBe(200)
    expect((await put({ step: 1 }, { 'Idempotency-Key': 'k1', 'If-Match': '"1"' })).status).toBe(422)
    const beacon = await handler(request(`${doc}/beacon`, { method: 'POST', raw: JSON.stringify({ baseVersion: 1, idempotencyKey: 'k2', data: { step: 2 } }) }))
    expect(beacon.status).toBe(200)
    const repeated = await put({ step: 2 }, { 'Idempotency-Key': 'k2', 'If-Match': '"1"' })
    expect(repeated.status).toBe(200)
    expect(repeated.headers.get('Idempotent-Replayed')).toBe('true')
  })
})
