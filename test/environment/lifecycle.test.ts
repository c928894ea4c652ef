import { afterEach, describe, expect, it } from 'vitest'
import { createAutosave } from '../../src/engine/autosave'
import { PageLifecycle } from '../../src/environment/lifecycle'
import { memoryStore } from '../../src/stores/memory'
import { fakeEnvironment, heldTransport, settle } from '../helpers'

const g = globalThis as Record<string, unknown>
afterEach(() => {
  delete g.window
  delete g.document
})

describe('PageLifecycle on window', () => {
  it('beforeunload: preventDefault + returnValue only when a listener asks; visible is not an exit', () => {
    const win = new EventTarget()
    const doc = Object.assign(new EventTarget(), { visibilityState: 'visible' })
    g.window = win
    g.document = doc
    const lifecycle = new PageLifecycle()
    const heard: string[] = []
    let warn = false
    const off = lifecycle.subscribe((e) => {
      heard.push(e)
      return e === 'beforeunload' ? warn : undefined
    })
    const bu = () =>
      Object.defineProperty(new Event('beforeunload', { cancelable: true }), 'returnValue', { value: 'untouched', writable: true }) as Event & {
        returnValue: unknown
      }
    const e1 = bu()
    win.dispatchEvent(e1)
    expect(e1.defaultPrevented).toBe(false)
    expect(e1.returnValue).toBe('untouched')
    warn = true
    const e2 = bu()
    win.dispatchEvent(e2)
    expect(e2.defaultPrevented).toBe(true)
    doc.dispatchEvent(new Event('visibilitychange'))
    doc.visibilityState = 'hidden'
    doc.dispatchEvent(new Event('visibilitychange'))
    win.dispatchEvent(new Event('pagehide'))
    expect(heard).toEqual(['beforeunload', 'beforeunload', 'hidden', 'pagehide'])
    off()
    win.dispatchEvent(new Event('pagehide'))
    expect(heard).toHaveLength(4)
  })

  it('after pagehide (bfcache) and restore the engine keeps saving', async () => {
    const env = fakeEnvironment()
    const server = heldTransport()
    const a = createAutosave<{ n: number }>({ key: 'k', transport: server.transport, store: memoryStore(), debounceMs: 50, environment: env.environment })
    a.save({ n: 1 })
    env.lifecycle.emit('pagehide')
    await settle(10)
    const exitWrite = server.next()
    expect(exitWrite.request.keepalive).toBe(true)
    // pageshow (persisted): the keepalive request's answer comes back; the user edits again.
    exitWrite.resolve()
    a.save({ n: 2 })
    await env.clock.tickAsync(100)
    await settle(10)
    server.next().resolve()
    await a.flush()
    expect(server.document?.data).toEqual({ n: 2 })
  })
})
