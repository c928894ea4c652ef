import mitt from 'mitt'
import { describe, expect, it } from 'vitest'
import { createStatusStore, initialStatus, reduceStatus, type StatusEvent } from '../../src/engine/status'
import { AutosaveError, TransportError } from '../../src/errors'
import type { AutosaveEvents, AutosaveStatus } from '../../src/types'

const at = (patch: Partial<AutosaveStatus>): AutosaveStatus => ({ ...initialStatus, ...patch })
const run = (status: AutosaveStatus, ...events: StatusEvent[]) => events.reduce(reduceStatus, status)
const networkDown = new TransportError('TRANSPORT_NETWORK', 'down', { retryable: true })

describe('status reducer: the phase as named events (no timers)', () => {
  it('an edit makes an idle or saved engine pending; a send under way keeps its phase', () => {
    expect(run(initialStatus, { type: 'edited' })).toMatchObject({ phase: 'pending', pending: true })
    expect(run(at({ phase: 'saved' }), { type: 'edited' })).toMatchObject({ phase: 'pending', pending: true })
    for (const phase of ['saving', 'offline', 'retrying'] as const) {
      expect(run(at({ phase }), { type: 'edited' })).toMatchObject({ phase, pending: true })
    }
  })

  it('returns the same object when nothing changes, so nobody is told twice', () => {
    const pending = run(initialStatus, { type: 'edited' })
    expect(reduceStatus(pending, { type: 'edited' })).toBe(pending)
    expect(reduceStatus(initialStatus, { type: 'went-offline' })).toBe(initialStatus) // nothing waits
    expect(reduceStatus(initialStatus, { type: 'durability', durable: true })).toBe(initialStatus)
  })

  it('edit → sending → acknowledged reads Saved, with the version and the time', () => {
    const status = run(initialStatus, { type: 'edited' }, { type: 'sending' }, { type: 'acknowledged', done: true, savedAt: 1234, version: 3 })
    expect(status).toEqual(at({ phase: 'saved', pending: false, lastSavedAt: 1234, version: 3 }))
  })

  it('an ack of an older state while newer edits wait goes back to pending, and keeps the last save time without a write', () => {
    const saving = run(at({ lastSavedAt: 7 }), { type: 'edited' }, { type: 'sending' })
    expect(run(saving, { type: 'acknowledged', done: false, savedAt: null, version: 2 })).toMatchObject({
      phase: 'pending',
      pending: true,
      lastSavedAt: 7,
      version: 2,
    })
  })

  it("an ack keeps a later state's error (and its phase) until everything is saved", () => {
    const error = new AutosaveError('UNEXPECTED', 'later state failed')
    const failed = run(at({ phase: 'pending', pending: true }), { type: 'failed', conflict: false, error, retryAt: null })
    expect(run(failed, { type: 'acknowledged', done: false, savedAt: 5, version: 1 })).toMatchObject({ phase: 'error', error })
    expect(run(failed, { type: 'acknowledged', done: true, savedAt: 5, version: 1 })).toMatchObject({ phase: 'saved', error: null })
  })

  it('a retry shows when it comes, as offline for a network failure and retrying otherwise', () => {
    const saving = run(initialStatus, { type: 'edited' }, { type: 'sending' })
    expect(run(saving, { type: 'retry-scheduled', offline: true, retryAt: 900, error: networkDown })).toMatchObject({
      phase: 'offline',
      retryAt: 900,
      error: networkDown,
    })
    const http = new TransportError('TRANSPORT_HTTP', '503', { retryable: true })
    const retrying = run(saving, { type: 'retry-scheduled', offline: false, retryAt: 900, error: http })
    expect(retrying).toMatchObject({ phase: 'retrying', retryAt: 900 })
    expect(run(retrying, { type: 'sending' })).toMatchObject({ phase: 'saving', retryAt: null })
  })

  it('going offline matters only while something waits; a send finding no network always says offline', () => {
    expect(run(at({ phase: 'pending', pending: true, retryAt: 5 }), { type: 'went-offline' })).toMatchObject({ phase: 'offline', retryAt: null })
    expect(run(at({ phase: 'saved' }), { type: 'send-offline' })).toMatchObject({ phase: 'offline' })
  })

  it('a failure is a conflict, a refusal (error), or retried slowly (retrying at retryAt), with its reason', () => {
    const refused = new TransportError('TRANSPORT_HTTP', '403', { status: 403, retryable: false })
    const conflict = new AutosaveError('CONFLICT_STRATEGY', 'the function threw')
    expect(run(at({ phase: 'saving', retryAt: 3 }), { type: 'failed', conflict: true, error: conflict, retryAt: null })).toMatchObject({
      phase: 'conflict',
      retryAt: null,
      reason: 'conflict',
    })
    expect(run(at({ phase: 'saving' }), { type: 'failed', conflict: false, error: refused, retryAt: null })).toMatchObject({
      phase: 'error',
      reason: 'refused',
      error: refused,
    })
    const down = new TransportError('TRANSPORT_HTTP', '503', { status: 503, retryable: true })
    expect(run(at({ phase: 'saving' }), { type: 'failed', conflict: false, error: down, retryAt: 60_000 })).toMatchObject({
      phase: 'retrying',
      retryAt: 60_000,
      reason: 'server-error',
    })
    expect(run(at({ phase: 'saving' }), { type: 'failed', conflict: false, error: networkDown, retryAt: 60_000 })).toMatchObject({
      phase: 'retrying',
      reason: 'unreachable',
    })
  })

  it('restore: a draft is pending; a saved copy turns idle into saved and keeps any other phase', () => {
    expect(run(initialStatus, { type: 'restored-draft', version: 2 })).toMatchObject({ phase: 'pending', pending: true, version: 2 })
    expect(run(initialStatus, { type: 'restored', version: 4 })).toMatchObject({ phase: 'saved', version: 4 })
    expect(run(at({ phase: 'offline' }), { type: 'restored', version: 4 })).toMatchObject({ phase: 'offline', version: 4 })
  })

  it("another tab's version becomes the status's version and nothing else", () => {
    const pending = at({ phase: 'pending', pending: true })
    expect(run(pending, { type: 'rebased', version: 9 })).toEqual({ ...pending, version: 9 })
  })

  it('the store tells listeners and emits `status` once per change, and `error` for each report', () => {
    const emitter = mitt<AutosaveEvents<unknown>>()
    const seen: string[] = []
    emitter.on('status', (s) => seen.push(`status:${s.phase}`))
    emitter.on('error', (e) => seen.push(`error:${e.code}`))
    const store = createStatusStore(emitter, 'k')
    store.listeners.add(() => seen.push('notify'))
    expect(store.dispatch({ type: 'edited' })).toBe(true)
    expect(store.dispatch({ type: 'edited' })).toBe(false)
    store.report(networkDown)
    expect(seen).toEqual(['status:pending', 'notify', 'status:pending', 'notify', 'error:TRANSPORT_NETWORK'])
    expect(store.current.error).toBe(networkDown)
  })
})
