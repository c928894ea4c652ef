import { describe, expect, it } from 'vitest'
import { StorageError } from '../../src/errors'
import { formatStatus, initialStatus } from '../../src/engine/status'

const at = (patch: Partial<typeof initialStatus>) => ({ ...initialStatus, ...patch })

describe('formatStatus', () => {
  it.each([
    [at({ phase: 'pending', pending: true }), 'Saving…'],
    [at({ phase: 'saving', pending: true }), 'Saving…'],
    [at({ phase: 'saved' }), 'Saved'],
    [at({ phase: 'offline', pending: true }), 'Offline — saved on this device'],
    [at({ phase: 'retrying', pending: true, retryAt: 10_000 + 7_200 }), "Couldn't save — retrying in 8 s"],
    [at({ phase: 'retrying', pending: true, retryAt: 9_000 }), "Couldn't save — retrying…"],
    [at({ phase: 'idle' }), ''],
  ])('%o reads %j', (status, text) => {
    expect(formatStatus(status, 10_000)).toBe(text)
  })

  it('does not claim the device keeps changes when the local store failed', () => {
    const status = at({ phase: 'offline', pending: true, error: new StorageError('STORAGE_QUOTA', 'full') })
    expect(formatStatus(status)).not.toContain('saved on this device')
  })

  it('does not claim the device keeps changes when they are kept in memory only', () => {
    expect(formatStatus(at({ phase: 'offline', pending: true, durable: false }))).toBe('Offline — keep this tab open to keep your changes')
    expect(formatStatus(at({ phase: 'error', pending: true, durable: false }))).toBe("Couldn't save — keep this tab open to keep your changes")
  })

  it('reads a status built by hand with only the contract fields (no retryAt, no durable)', () => {
    const status = { phase: 'retrying', lastSavedAt: null, error: null, pending: true } as unknown as typeof initialStatus
    expect(formatStatus(status)).toBe("Couldn't save — retrying…")
    expect(formatStatus({ ...status, phase: 'offline' })).toBe('Offline — saved on this device')
  })

  it('error and conflict phases say the save did not happen', () => {
    expect(formatStatus(at({ phase: 'error', pending: true }))).toMatch(/^Couldn't save/)
    expect(formatStatus(at({ phase: 'conflict', pending: true }))).toMatch(/^Couldn't/)
  })
})
