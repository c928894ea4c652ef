import { describe, expect, it } from 'vitest'
import { createAutosaveHandler } from '../../src/server/index'
import { request, storeKinds } from './stores'

const base = '/api/storage/projects'
const WRITERS = 50

interface Ack {
  writer: number
  version: number
  attempts: number
}

describe.each(storeKinds())('50 concurrent writers on one key ($name store)', (kind) => {
  it('versions grow by exactly one, no acknowledged write is lost, and duplicates apply once', async () => {
    const store = await kind.create({ historyLimit: 1000 })
    const handler = createAutosaveHandler({ store, basePath: base })
    const url = `${base}/${encodeURIComponent('project:contended')}`
    const seed = await handler(request(url, { method: 'PUT', body: { data: { log: [] } } }))
    expect(seed.status).toBe(200)

    // Even writers PATCH (append to the log), odd writers PUT the whole document. A third start
    // from the stale seed version; the rest read the current version first. Every fifth writer
    // sends each request twice at once with the same Idempotency-Key, as a retry racing the
    // original would.
    async function writer(id: number): Promise<Ack[]> {
      let current: { data: { log: number[] }; version: number }
      if (id % 3 === 0) current = { data: { log: [] }, version: 1 }
      else current = (await (await handler(request(url))).json()) as typeof current
      for (let attempt = 1; attempt <= 500; attempt++) {
        const headers = { 'If-Match': `"${current.version}"`, 'Idempotency-Key': `writer-${id}` }
        const send = () =>
          id % 2 === 0
            ? handler(
                request(url, {
                  method: 'PATCH',
                  body: [{ op: 'add', path: '/log/-', value: id }],
                  headers: { ...headers, 'Content-Type': 'application/json-patch+json' },
                }),
              )
            : handler(request(url, { method: 'PUT', body: { data: { log: [...current.data.log, id] } }, headers }))
        const responses = await Promise.all(id % 5 === 0 ? [send(), send()] : [send()])
        const acks: Ack[] = []
        let conflict: typeof current | undefined
        for (const response of responses) {
          const body = (await response.json()) as { version: number; data: { log: number[] } }
          if (response.status === 200) acks.push({ writer: id, version: body.version, attempts: attempt })
          else if (response.status === 412) conflict = body
          else throw new Error(`writer ${id} got HTTP ${response.status}: ${JSON.stringify(body)}`)
        }
        if (acks.length) return acks
        current = conflict!
      }
      throw new Error(`writer ${id} never got its write in`)
    }

    const results = await Promise.all(Array.from({ length: WRITERS }, (_, id) => writer(id)))

    // Duplicates (same Idempotency-Key) were both acknowledged with one and the same version.
    for (const acks of results) {
      expect(new Set(acks.map((a) => a.version)).size, `writer ${acks[0]!.writer} was acknowledged with two versions`).toBe(1)
    }
    const acks = results.map((a) => a[0]!).sort((a, b) => a.version - b.version)
    expect(
      acks.map((a) => a.version),
      'acknowledged versions are not exactly 2..51',
    ).toEqual(Array.from({ length: WRITERS }, (_, i) => i + 2))

    const final = (await (await handler(request(url))).json()) as { data: { log: number[] }; version: number }
    expect(final.version).toBe(WRITERS + 1)
    // Every acknowledged write is in the document, once, in the order of its version.
    expect(final.data.log, 'the log lost or duplicated an acknowledged write').toEqual(acks.map((a) => a.writer))

    const history = (await store.history('project:contended')).reverse()
    expect(history.map((h) => h.version)).toEqual(Array.from({ length: WRITERS + 1 }, (_, i) => i + 1))
    for (const ack of acks) {
      const entry = history[ack.version - 1]!
      expect((entry.data as { log: number[] }).log.at(-1), `version ${ack.version} does not hold writer ${ack.writer}'s write`).toBe(ack.writer)
    }
    // Contention really happened: some writers had to rebase on a newer version.
    expect(Math.max(...acks.map((a) => a.attempts))).toBeGreaterThan(1)
  })

  it('of 50 simultaneous first writes, exactly one creates the document', async () => {
    const store = await kind.create()
    const handler = createAutosaveHandler({ store, basePath: base })
    const url = `${base}/first-write`
    const responses = await Promise.all(
      Array.from({ length: WRITERS }, (_, id) =>
        handler(request(url, { method: 'PUT', body: { data: { by: id } }, headers: { 'Idempotency-Key': `first-${id}` } })),
      ),
    )
    const statuses = responses.map((r) => r.status)
    expect(statuses.filter((s) => s === 200)).toHaveLength(1)
    expect(statuses.filter((s) => s === 412)).toHaveLength(WRITERS - 1)
    const winner = statuses.indexOf(200)
    expect(await (await handler(request(url))).json()).toMatchObject({ data: { by: winner }, version: 1 })
  })
})
