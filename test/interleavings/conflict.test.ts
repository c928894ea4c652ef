import { describe, expect, it } from 'vitest'
import { ConflictError } from '../../src/errors'
import type { Transport } from '../../src/types'
import { wizard } from '../helpers'
import { heldAnswers, settle, twoTabWorld } from './world'

describe('write() conflict path vs. a tab ack', () => {
  it("a 412 whose answer is older than another tab's ack that arrived meanwhile does not step getState() back", async () => {
    const { server, openAandB } = twoTabWorld()
    await server.write({ key: 'project:7', baseVersion: null, idempotencyKey: 'seed', data: wizard('one') }) // version 1

    // Tab A's network: the server decides at once, the answer reaches A when the test says so.
    const aNetwork = heldAnswers(server)
    const { a, b, bLifecycle } = await openAandB(aNetwork.transport)

    // Another device saves version 2.
    await server.write({ key: 'project:7', baseVersion: 1, idempotencyKey: 'other', data: wizard('one', { videoDescription: 'other device' }) })

    const seen: string[] = []
    a.subscribe(() => seen.push(`${a.getState()?.currentStep}`))
    const versions: number[] = []
    a.on('remote-change', (event) => versions.push(event.version))

    // A sends on version 1: the server answers 412 (with version 2), the answer is slow.
    a.save((prev) => ({ ...prev!, data: { ...prev!.data, musicDescription: 'from A' } }))
    const aFlushed = a.flush()
    await aNetwork.writing

    // Meanwhile tab B's edit goes out as B's page is left (pagehide: keepalive, no lock):
    // B rebases on version 2 and saves version 3; its ack reaches A.
    b.save((prev) => ({ ...prev!, currentStep: 'from B' }))
    bLifecycle.emit('pagehide')
    await b.flush()
    await settle()
    expect(a.getState()?.currentStep, 'A folded in B’s version 3').toBe('from B')

    aNetwork.release() // A now gets the 412 showing version 2
    await aFlushed
    await settle()

    expect(server.backend.documents.get('project:7')?.data).toMatchObject({
      currentStep: 'from B',
      data: { musicDescription: 'from A', videoDescription: 'other device' },
    })
    const firstB = seen.indexOf('from B')
    expect(seen.slice(firstB), 'once A shows version 3, it never shows the older state again').not.toContain('one')
    expect(versions, 'remote-change versions never go down').toEqual([...versions].sort((x, y) => x - y))
  })

  it('the same through the `await transport.load` of a 412 that carries no document', async () => {
    const { server, openAandB } = twoTabWorld()
    await server.write({ key: 'project:7', baseVersion: null, idempotencyKey: 'seed', data: wizard('one') })

    let gate: Promise<void> | undefined
    let releaseLoad!: () => void
    let loading = () => {}
    const noBody: Transport = {
      load: async (key, options) => {
        const doc = await server.load(key, options) // the server's answer (version 2)…
        loading()
        if (gate !== undefined) await gate // …is on its way while tab B saves version 3
        return doc
      },
      write: async (request) => {
        try {
          return await server.write(request)
        } catch (error) {
          throw error instanceof ConflictError ? new ConflictError('412 without a body') : error
        }
      },
    }
    const { a, b, bLifecycle } = await openAandB(noBody)
    await server.write({ key: 'project:7', baseVersion: 1, idempotencyKey: 'other', data: wizard('one', { videoDescription: 'other device' }) })

    const seen: string[] = []
    a.subscribe(() => seen.push(`${a.getState()?.currentStep}`))
    gate = new Promise<void>((resolve) => (releaseLoad = resolve))
    const aLoading = new Promise<void>((resolve) => (loading = resolve))
    a.save((prev) => ({ ...prev!, data: { ...prev!.data, musicDescription: 'from A' } }))
    const aFlushed = a.flush()
    await aLoading // A got its 412 and is reading the document: version 2

    b.save((prev) => ({ ...prev!, currentStep: 'from B' }))
    bLifecycle.emit('pagehide')
    await b.flush()
    await settle()
    expect(a.getState()?.currentStep).toBe('from B')
    const gateWas = gate
    gate = undefined
    releaseLoad()
    await gateWas
    await aFlushed
    await settle()
    const firstB = seen.indexOf('from B')
    expect(seen.slice(firstB), 'once A shows version 3, it never shows the older state again').not.toContain('one')
  })
})
