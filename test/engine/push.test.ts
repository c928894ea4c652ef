/**
 * #14 (optional part): the reference server announces every new version over Server-Sent
 * Events (`GET {key}/events`), and an engine with `revalidate: { push: true }` looks at once.
 */
import { describe, expect, it } from 'vitest'
import { createAutosave } from '../../src/engine/autosave'
import { FocusManager } from '../../src/environment/focus'
import { createAutosaveHandler, memoryDocumentStore, serveNode } from '../../src/server/index'
import { memoryTransport } from '../../src/transports/memory'
import type { RemoteChangeEvent } from '../../src/types'
import { fakeEnvironment } from '../helpers'

type Doc = { music: string }

/** Reads a stream of events until `until` is in what arrived; returns everything read. */
async function readUntil(reader: ReadableStreamDefaultReader<Uint8Array>, until: string, seen = { text: '' }): Promise<string> {
  const decoder = new TextDecoder()
  while (!seen.text.includes(until)) {
    const { value, done } = await reader.read()
    if (done) throw new Error(`the stream ended before "${until}"; it had: ${JSON.stringify(seen.text)}`)
    seen.text += decoder.decode(value, { stream: true })
  }
  return seen.text
}

describe('the reference server announces new versions (Server-Sent Events)', () => {
  it('GET {key}/events says the version at once and after every applied write; a closed stream stops listening', async () => {
    const handler = createAutosaveHandler({ store: memoryDocumentStore(), basePath: '/api' })
    const put = (body: unknown, version?: number) =>
      handler(
        new Request('http://app/api/doc', {
          method: 'PUT',
          body: JSON.stringify(body),
          headers: { 'Content-Type': 'application/json', ...(version ? { 'If-Match': `"${version}"` } : {}) },
        }),
      )
    const leave = new AbortController()
    const response = await handler(new Request('http://app/api/doc/events', { signal: leave.signal }))
    expect(response.status).toBe(200)
    expect(response.headers.get('Content-Type')).toMatch(/^text\/event-stream/)
    const reader = response.body!.getReader()
    const seen = { text: '' }
    await readUntil(reader, 'retry: 5000\n\n', seen)
    expect(seen.text, 'no document yet: no version').not.toContain('event: version')

    expect((await put({ data: { music: 'one' } })).status).toBe(200)
    await readUntil(reader, 'event: version\ndata: {"version":1}\n\n', seen)
    expect((await put({ data: { music: 'stale' } }, 7)).status, 'a refused write').toBe(412)
    expect((await put({ data: { music: 'two' } }, 1)).status).toBe(200)
    await readUntil(reader, 'data: {"version":2}\n\n', seen)
    expect(seen.text.match(/event: version/g), 'nothing for the 412').toHaveLength(2)

    // A client that connects later hears the version there is now.
    const late = (await handler(new Request('http://app/api/doc/events'))).body!.getReader()
    await readUntil(late, 'data: {"version":2}\n\n')
    await late.cancel()

    leave.abort()
    expect((await reader.read()).done, 'the stream ends when the client leaves').toBe(true)
    expect((await put({ data: { music: 'three' } }, 2)).status, 'a write after the client left still works').toBe(200)
  })

  it('is streamed through serveNode (not buffered until the end, which never comes)', async () => {
    const handler = createAutosaveHandler({ store: memoryDocumentStore(), basePath: '/api' })
    const server = await serveNode(handler)
    try {
      const leave = new AbortController()
      const response = await fetch(`${server.url}/api/doc/events`, { signal: leave.signal })
      const reader = response.body!.getReader()
      await readUntil(reader, 'retry: 5000')
      await fetch(`${server.url}/api/doc`, { method: 'PUT', body: JSON.stringify({ data: { music: 'one' } }), headers: { 'Content-Type': 'application/json' } })
      await readUntil(reader, 'data: {"version":1}')
      leave.abort()
    } finally {
      await server.close()
    }
  })

  it('a HEAD, a PUT or a POST on {key}/events answers 405', async () => {
    const handler = createAutosaveHandler({ store: memoryDocumentStore(), basePath: '/api' })
    for (const method of ['HEAD', 'PUT', 'POST']) expect((await handler(new Request('http://app/api/doc/events', { method }))).status, method).toBe(405)
  })
})

describe("an engine with revalidate: { push: true } takes another device's save when the server announces it", () => {
  function watchedTransport() {
    const transport = memoryTransport()
    const watching = new Map<string, (version: number) => void>()
    return {
      transport: Object.assign(transport, {
        watch(key: string, onVersion: (version: number) => void) {
          watching.set(key, onVersion)
          return () => watching.delete(key)
        },
      }),
      announce: (key: string, version: number) => watching.get(key)?.(version),
      watching,
    }
  }

  it('without any focus: the announced version is loaded and arrives as remote-change', async () => {
    const env = fakeEnvironment()
    const { transport, announce, watching } = watchedTransport()
    transport.backend.documents.set('doc', { data: { music: 'old' }, version: 1, updatedAt: '' })
    const saver = createAutosave<Doc>({
      key: 'doc',
      transport,
      debounceMs: 0,
      revalidate: { push: true },
      environment: { ...env.environment, focus: new FocusManager(() => {}) },
    })
    await saver.restore()
    const seen: RemoteChangeEvent<Doc>[] = []
    saver.on('remote-change', (event) => seen.push(event))

    announce('doc', 1) // its own version: nothing to do
    transport.backend.documents.set('doc', { data: { music: 'from the phone' }, version: 2, updatedAt: '' })
    announce('doc', 2)
    await env.clock.tickAsync(0)
    expect(saver.getState()).toEqual({ music: 'from the phone' })
    expect(seen.map((event) => [event.source, event.version])).toEqual([['server', 2]])
    await saver.dispose()
    expect(watching.size, 'dispose stops listening').toBe(0)
  })

  it('is off by default: nothing listens', async () => {
    const env = fakeEnvironment()
    const { transport, watching } = watchedTransport()
    const saver = createAutosave<Doc>({ key: 'doc', transport, environment: env.environment })
    expect(watching.size).toBe(0)
    await saver.dispose()
  })
})
