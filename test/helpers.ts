import FakeTimers from '@sinonjs/fake-timers'
import { createAutosave } from '../src/engine/autosave'
import { OnlineManager } from '../src/environment/online'
import { PageLifecycle } from '../src/environment/lifecycle'
import type { Environment } from '../src/environment/environment'
import { createAckLog } from '../src/engine/ack-log'
import { readDraftLog } from '../src/engine/draft-log'
import { recordKeys, type OutboxRecord } from '../src/engine/outbox'
import { ConflictError } from '../src/errors'
import { memoryStore } from '../src/stores/memory'
import { memoryTransport } from '../src/transports/memory'
import type { Autosave, AutosaveOptions, AutosaveStore, Json, VersionedDocument, Transport, WriteRequest, WriteResult } from '../src/types'

/** A fake clock, online state and page lifecycle: no globals patched. */
export function fakeEnvironment() {
  const clock = FakeTimers.createClock(Date.UTC(2026, 10, 25))
  // sinon's clock keeps `now` as a number; the engine's seam asks for a function.
  const engineClock = { now: () => clock.now, setTimeout: clock.setTimeout, clearTimeout: clock.clearTimeout }
  const online = new OnlineManager(() => {})
  const lifecycle = new PageLifecycle(() => {})
  let ids = 0
  const environment: Partial<Environment> = { clock: engineClock, online, lifecycle, randomId: () => `id-${++ids}` }
  return { clock, online, lifecycle, environment }
}

export interface HeldWrite {
  request: WriteRequest
  resolve(result?: Partial<WriteResult>): void
  reject(error: unknown): void
}

/**
 * A transport whose writes wait until the test answers them, with a server-side document
 * that follows the protocol's version rules. It records the most requests ever in flight.
 */
export function heldTransport(initial?: VersionedDocument) {
  let doc: VersionedDocument | undefined = initial
  const pending: HeldWrite[] = []
  const writes: WriteRequest[] = []
  let inFlight = 0
  let maxInFlight = 0
  const transport: Transport = {
    async load() {
      return doc && structuredClone(doc)
    },
    write(request) {
      writes.push(request)
      inFlight++
      maxInFlight = Math.max(maxInFlight, inFlight)
      return new Promise<WriteResult>((resolve, reject) => {
        const done = () => inFlight--
        request.signal?.addEventListener('abort', () => {
          done()
          reject(request.signal!.reason)
        })
        pending.push({
          request,
          resolve(result) {
            done()
            if ((doc?.version ?? null) !== request.baseVersion) {
              reject(new ConflictError('stale', doc))
              return
            }
            doc = { data: structuredClone(request.data), version: (doc?.version ?? 0) + 1, updatedAt: new Date().toISOString(), ...result }
            resolve({ version: doc.version, updatedAt: doc.updatedAt })
          },
          reject(error) {
            done()
            reject(error)
          },
        })
      })
    },
  }
  return {
    transport,
    writes,
    get document() {
      return doc
    },
    setDocument(next: VersionedDocument | undefined) {
      doc = next
    },
    get maxInFlight() {
      return maxInFlight
    },
    /** The oldest unanswered write. */
    next(): HeldWrite {
      const write = pending.shift()
      if (!write) throw new Error('expected a write in flight, there is none')
      return write
    },
    get pendingCount() {
      return pending.length
    },
  }
}

export const wizard = (step: string, extra: Record<string, Json> = {}) => ({
  currentStep: step,
  chat: [] as Json[],
  data: { musicDescription: '', isInstrumental: false, videoDescription: '', videoStyles: [], referenceImages: [], uploadedAudio: null, ...extra },
})

export type Wizard = ReturnType<typeof wizard>

type MemoryTransport = ReturnType<typeof memoryTransport>

/**
 * One fake environment, store and transport (memory ones unless given) shared by the pages
 * `open()` makes: each call is a new page on key 'doc', as a reload would be. `defaults` are
 * options every page gets; `open`'s own options override them.
 */
export function wizardPages<T extends Transport = MemoryTransport>(
  parts: { store?: AutosaveStore; transport?: T; defaults?: Partial<AutosaveOptions<Wizard>> } = {},
) {
  const env = fakeEnvironment()
  const store = parts.store ?? memoryStore()
  // T is the memory transport unless a transport is passed.
  const transport = parts.transport ?? (memoryTransport() as Transport as T)
  const open = (options: Partial<AutosaveOptions<Wizard>> = {}) =>
    createAutosave<Wizard>({ key: 'doc', transport, store, ...parts.defaults, environment: env.environment, ...options })
  return { env, store, transport, open }
}

export type WizardPages<T extends Transport = MemoryTransport> = ReturnType<typeof wizardPages<T>>

/** Writes a draft offline through a first page that then goes away, as a reload would. */
export async function leaveDraft(h: WizardPages<Transport>, state: unknown, options: Partial<AutosaveOptions<Wizard>> = {}) {
  const first = h.open(options)
  await first.restore()
  h.env.online.setOnline(false)
  first.save(state as Wizard)
  await first.dispose()
  h.env.online.setOnline(true)
}

/**
 * The server holds step 'track_input'; a page left an offline draft with `musicDescription`;
 * then another device saved a different field (videoDescription: 'theirs') meanwhile, so the
 * next restore() has to combine the two.
 */
export async function draftBehindAnotherDevice(h: WizardPages<Transport>, musicDescription: string) {
  const writer = h.open()
  writer.save(wizard('track_input'))
  await writer.flush()
  await writer.dispose()
  await leaveDraft(h, { ...wizard('track_input'), data: { ...wizard('track_input').data, musicDescription } })
  const other = createAutosave<Wizard>({ key: 'doc', transport: h.transport, store: memoryStore(), environment: h.env.environment })
  await other.restore()
  other.save((prev) => ({ ...prev!, data: { ...prev!.data, videoDescription: 'theirs' } }))
  await other.flush()
}

/** Saves one wizard state per step, each flushed, then `tick()`s (e.g. to space their times). */
export async function saveSteps(saver: Autosave<Wizard>, steps: string[], tick: () => Promise<unknown>) {
  for (const step of steps) {
    saver.save(wizard(step))
    await saver.flush()
    await tick()
  }
}

/**
 * The acknowledged copy this device holds for `key` (version and data), rebuilt from its log of
 * acknowledgements as restore() reads it.
 */
export async function ackedCopy(store: AutosaveStore, key: string): Promise<{ version: number; data: Json } | undefined> {
  const log = createAckLog({ store, keys: recordKeys(key), key, historyLimit: 0, report: () => undefined, quarantineKey: () => `quarantine:${key}:test` })
  const newest = await log.newest()
  return newest && { version: newest.version, data: newest.data as Json }
}

/** The draft a reload would find to send of `owner` (or of the only instance that left one), checkpoint and log entries together. */
export async function draftOf(store: AutosaveStore, key: string, owner?: string): Promise<OutboxRecord | undefined> {
  const keys = recordKeys(key)
  const all = await store.keys()
  const storeKey = owner ? keys.outbox(owner) : all.find((k) => k.startsWith(keys.outboxPrefix))
  const draft = storeKey === undefined ? undefined : await readDraftLog(store, keys, storeKey, all, `quarantine:${key}:test`, () => undefined)
  return draft?.done ? undefined : draft
}

/** The `outbox:` records in `store` whose draft still has something to send (a closed draft log has nothing). */
export async function pendingDraftKeys(store: AutosaveStore): Promise<string[]> {
  const all = await store.keys()
  const pending: string[] = []
  for (const storeKey of all.filter((k) => k.startsWith('outbox:'))) {
    const record = (await store.get(storeKey)) as { key?: unknown } | undefined
    const key = typeof record?.key === 'string' ? record.key : undefined
    const draft = key === undefined ? record : await readDraftLog(store, recordKeys(key), storeKey, all, `quarantine:${key}:test`, () => undefined)
    if (!(draft as OutboxRecord | undefined)?.done) pending.push(storeKey)
  }
  return pending
}
