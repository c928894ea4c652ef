import { getEventListeners } from 'node:events'
import { describe, expect, it } from 'vitest'
import { localTabs } from '../../src/environment/tabs'
import { settle } from '../helpers'

describe('localTabs() behaves like BroadcastChannel + navigator.locks', () => {
  it('a lock request that waited in the queue removes its abort listener once granted', async () => {
    const tabs = localTabs()
    const engine = new AbortController() // the engine passes its lifetime signal to every send
    let release!: () => void
    const holder = tabs.lock!('send', {}, () => new Promise<void>((resolve) => (release = resolve)))
    const queued = Array.from({ length: 5 }, () => tabs.lock!('send', { signal: engine.signal }, () => undefined))
    await settle()
    release()
    await holder
    await Promise.all(queued)
    expect(getEventListeners(engine.signal, 'abort'), 'abort listeners left on the signal after every lock was granted and released').toHaveLength(0)
  })

  it('an already-aborted signal rejects, as navigator.locks.request does, even when the lock is free', async () => {
    const tabs = localTabs()
    const controller = new AbortController()
    controller.abort(new Error('disposed'))
    let ran = false
    const result = tabs.lock!('send', { signal: controller.signal }, () => {
      ran = true
    })
    await expect(result).rejects.toThrow('disposed')
    expect(ran).toBe(false)
  })

  it('close() stops sending too (a closed BroadcastChannel cannot post)', async () => {
    const tabs = localTabs()
    const a = tabs.channel('doc')!
    const b = tabs.channel('doc')!
    const heard: unknown[] = []
    b.subscribe((message) => heard.push(message))
    a.close()
    try {
      a.post({ type: 'ack', version: 9 })
    } catch {
      // a real BroadcastChannel throws InvalidStateError here
    }
    await settle()
    expect(heard, 'a closed channel still delivered its message').toEqual([])
  })
})
