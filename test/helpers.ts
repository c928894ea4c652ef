import FakeTimers from '@sinonjs/fake-timers'
import { OnlineManager } from '../src/environment/online'
import { PageLifecycle } from '../src/environment/lifecycle'
import type { Environment } from '../src/environment/environment'
import { ConflictError } from '../src/errors'
import type { Json, LoadedDocument, Transport, WriteRequest, WriteResult } from '../src/types'

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
export function heldTransport(initial?: LoadedDocument) {
  let doc: LoadedDocument | undefined = initial
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
    setDocument(next: LoadedDocument | undefined) {
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
