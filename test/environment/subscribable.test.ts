import { describe, expect, it } from 'vitest'
import { OnlineManager } from '../../src/environment/online'
import { PageLifecycle } from '../../src/environment/lifecycle'

describe('Subscribable: one source hook-up at a time', () => {
  it('subscribing the same listener twice does not hook the source up a second time', () => {
    let attached = 0
    let detached = 0
    const online = new OnlineManager(() => {
      attached++
      return () => detached++
    })
    const listener = () => {}
    const off1 = online.subscribe(listener)
    const off2 = online.subscribe(listener)
    off1()
    off2()
    // Every setup must be matched by its cleanup, or window listeners leak.
    expect(attached - detached, 'source hook-ups left attached after every unsubscribe').toBe(0)
    expect(attached).toBe(1)
  })

  it('PageLifecycle: the same for the page-exit source (window pagehide/visibilitychange/beforeunload)', () => {
    const live = new Set<number>()
    let n = 0
    const lifecycle = new PageLifecycle(() => {
      const id = ++n
      live.add(id)
      return () => live.delete(id)
    })
    const listener = () => {}
    const off1 = lifecycle.subscribe(listener)
    lifecycle.subscribe(listener)
    off1()
    expect(live.size, 'window listeners still attached with no subscriber left').toBe(0)
  })

  it('OnlineManager: a listener that re-subscribes itself while being told does not loop forever', () => {
    let emit: (online: boolean) => void = () => {}
    const online = new OnlineManager((source) => {
      emit = source
    })
    let calls = 0
    let off: () => void = () => {}
    const listener = () => {
      if (++calls > 50) throw new Error('listener called 50+ times for one event')
      // e.g. a UI binding that resubscribes when the value it renders changes
      off()
      off = online.subscribe(listener)
    }
    off = online.subscribe(listener)
    expect(() => emit(false)).not.toThrow()
    expect(calls).toBe(1)
  })
})
