/**
 * A record the store cannot read at all — not JSON in localStorage (STORAGE_CORRUPT), sealed
 * with an old AES key (STORAGE_DECRYPT) — is reported and left where it is; it must not hide
 * the other records, nor break history.
 */
import { describe, expect, it } from 'vitest'
import { createAutosave } from '../../src/engine/autosave'
import { readRecord } from '../../src/engine/outbox'
import { encryptedStore } from '../../src/stores/encryption'
import { localStorageStore } from '../../src/stores/local-storage'
import { memoryStore } from '../../src/stores/memory'
import { memoryTransport } from '../../src/transports/memory'
import type { AutosaveStore } from '../../src/types'
import { fakeEnvironment } from '../helpers'
import { MapStorage } from '../stores/map-storage'

const aesKey = () => crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt'])

/** A page that saves offline and is closed: its draft stays in the store. */
async function leaveDraft(store: AutosaveStore, text: string) {
  const env = fakeEnvironment()
  env.online.setOnline(false)
  const saver = createAutosave<{ text: string }>({
    key: 'project:1',
    transport: memoryTransport(),
    store,
    environment: { ...env.environment, randomId: () => 'page-1' },
    localDelayMs: 0,
  })
  saver.save({ text })
  await env.clock.tickAsync(10)
  await saver.dispose()
}

async function reload(store: AutosaveStore) {
  const env = fakeEnvironment()
  env.online.setOnline(false)
  const errors: string[] = []
  const saver = createAutosave<{ text: string }>({
    key: 'project:1',
    transport: memoryTransport(),
    store,
    environment: { ...env.environment, randomId: () => 'page-2' },
    localDelayMs: 0,
  })
  saver.on('error', (error) => errors.push(error.code))
  const restored = await saver.restore()
  const history = await saver.history()
  await saver.dispose()
  return { restored, errors, history }
}

describe('an unreadable record does not hide the others', () => {
  it("a truncated (non-JSON) localStorage draft does not hide another page's unsent draft, and is left in place", async () => {
    const storage = new MapStorage()
    const truncated = '{"format":1,"key":"proj'
    storage.setItem('autosave-kit:u1:outbox:project:1:crashed-tab', truncated)
    const store = localStorageStore({ namespace: 'u1', localStorage: storage })
    await leaveDraft(store, 'MY UNSENT DRAFT')
    const { restored, errors } = await reload(store)
    expect(errors).toContain('STORAGE_CORRUPT')
    expect(restored, 'the valid draft was not restored').toEqual({ text: 'MY UNSENT DRAFT' })
    expect(storage.getItem('autosave-kit:u1:outbox:project:1:crashed-tab'), 'the unreadable record was lost').toBe(truncated)
  })

  it('a draft sealed with an old (rotated) key does not hide a draft sealed with the current key', async () => {
    const inner = memoryStore()
    await encryptedStore(inner, { key: await aesKey() }).setMany([['outbox:project:1:old-session', { format: 1 }]])
    const store = encryptedStore(inner, { key: await aesKey() })
    await leaveDraft(store, 'MY UNSENT DRAFT')
    const { restored, errors, history } = await reload(store)
    expect(errors).toContain('STORAGE_DECRYPT')
    expect(restored, 'the valid draft was not restored').toEqual({ text: 'MY UNSENT DRAFT' })
    expect(history).toEqual([])
    expect(await inner.get('outbox:project:1:old-session'), 'the sealed record was lost').toBeDefined()
  })

  it('history() after a key rotation lists nothing instead of failing', async () => {
    const inner = memoryStore()
    await encryptedStore(inner, { key: await aesKey() }).setMany([['history:project:1', [{ id: 'a', savedAt: 1, version: 1 }]]])
    const { history, errors } = await reload(encryptedStore(inner, { key: await aesKey() }))
    expect(history).toEqual([])
    expect(errors).toContain('STORAGE_DECRYPT')
  })

  it('readRecord reports the unreadable record and returns undefined; a failing store still rejects', async () => {
    const storage = new MapStorage()
    storage.setItem('autosave-kit:default:base:p', 'not json')
    const reported: string[] = []
    const record = await readRecord(localStorageStore({ localStorage: storage }), 'base', 'base:p', 'quarantine:p:1', (error) => reported.push(error.code))
    expect(record).toBeUndefined()
    expect(reported).toEqual(['STORAGE_CORRUPT'])
    expect(storage.getItem('autosave-kit:default:base:p')).toBe('not json')
    // No localStorage at all is not a bad record: the caller must hear about it.
    await expect(readRecord(localStorageStore({ localStorage: null }), 'base', 'base:p', 'quarantine:p:1', () => {})).rejects.toMatchObject({
      code: 'STORAGE_UNAVAILABLE',
    })
  })
})
