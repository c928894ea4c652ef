import FakeTimers from '@sinonjs/fake-timers'
import { describe, expect, it } from 'vitest'
import { abortable, fanOut } from '../src/abort'
import { withDeadline } from '../src/deadline'
import { TransportError } from '../src/errors'

/** A parent signal that counts the listeners it holds, and a fake clock that counts armed timers. */
function setup() {
  const fake = FakeTimers.createClock()
  const clock = { now: () => fake.now, setTimeout: fake.setTimeout, clearTimeout: fake.clearTimeout }
  const parent = new AbortController()
  const listening = new Set<unknown>()
  const { addEventListener, removeEventListener } = parent.signal
  parent.signal.addEventListener = function (...args: Parameters<AbortSignal['addEventListener']>) {
    listening.add(args[1])
    return addEventListener.apply(this, args)
  }
  parent.signal.removeEventListener = function (...args: Parameters<AbortSignal['removeEventListener']>) {
    listening.delete(args[1])
    return removeEventListener.apply(this, args)
  }
  return { fake, clock, parent, leftOver: () => ({ listening: listening.size, timers: fake.countTimers() }) }
}

const never = () => new Promise<never>(() => {})
const settled = <T>(promise: Promise<T>) =>
  promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  )

describe('a call that can be aborted', () => {
  it('settles like its work and leaves nothing listening or armed', async () => {
    const { clock, parent, leftOver } = setup()
    await expect(abortable(parent.signal, { clock, ms: 1000, reason: () => 'late' }, async () => 'done')).resolves.toBe('done')
    await expect(abortable(parent.signal, { clock, ms: 1000, reason: () => 'late' }, async () => Promise.reject(new Error('refused')))).rejects.toThrow(
      'refused',
    )
    expect(leftOver(), 'a listener or timer outlived its call').toEqual({ listening: 0, timers: 0 })
  })

  it('rejects with the parent’s reason as soon as the parent aborts, though the work never settles; the work’s signal aborts too', async () => {
    const { clock, parent, leftOver } = setup()
    let seen: AbortSignal | undefined
    const call = settled(abortable(parent.signal, { clock, ms: 1000, reason: () => 'late' }, (signal) => ((seen = signal), never())))
    const reason = new Error('disposed')
    parent.abort(reason)
    expect(await call).toEqual({ error: reason })
    expect(seen?.reason).toBe(reason)
    expect(leftOver()).toEqual({ listening: 0, timers: 0 })
  })

  it('with a parent already aborted: rejects at once with its reason, and the work still starts (with an aborted signal)', async () => {
    const { clock, parent, leftOver } = setup()
    parent.abort('gone')
    let started: AbortSignal | undefined
    expect(await settled(abortable(parent.signal, { clock, ms: 1000, reason: () => 'late' }, (signal) => ((started = signal), never())))).toEqual({
      error: 'gone',
    })
    expect(started?.aborted).toBe(true)
    expect(leftOver()).toEqual({ listening: 0, timers: 0 })
  })

  it('at the deadline: rejects with its reason, or the platform’s AbortError when it gives none', async () => {
    const { fake, clock, parent, leftOver } = setup()
    let seen: AbortSignal | undefined
    const late = settled(abortable(parent.signal, { clock, ms: 1000, reason: () => 'late' }, (signal) => ((seen = signal), never())))
    const plain = settled(abortable(undefined, { clock, ms: 2000, reason: () => undefined }, never))
    await fake.tickAsync(999)
    expect(seen?.aborted, 'aborted before its deadline').toBe(false)
    await fake.tickAsync(1)
    expect(await late).toEqual({ error: 'late' })
    expect(seen?.reason).toBe('late')
    await fake.tickAsync(1000)
    const { error } = (await plain) as { error: unknown }
    expect((error as DOMException).name).toBe('AbortError')
    expect(leftOver()).toEqual({ listening: 0, timers: 0 })
  })

  it('through `control`: rejects with the caller’s reason; an abort after it settled changes nothing', async () => {
    const { clock, parent, leftOver } = setup()
    let abort!: (reason: unknown) => void
    let seen: AbortSignal | undefined
    const call = settled(
      abortable(
        parent.signal,
        { clock, ms: 1000, reason: () => 'late' },
        (signal) => ((seen = signal), never()),
        (a) => (abort = a),
      ),
    )
    abort('gave way')
    expect(await call).toEqual({ error: 'gave way' })
    expect(seen?.reason).toBe('gave way')
    let after!: (reason: unknown) => void
    await abortable(
      parent.signal,
      { clock, ms: 1000, reason: () => 'late' },
      (signal) => ((seen = signal), Promise.resolve(1)),
      (a) => (after = a),
    )
    after('too late')
    expect(seen?.aborted).toBe(false)
    expect(leftOver()).toEqual({ listening: 0, timers: 0 })
  })

  it('a work that throws instead of rejecting rejects the call, and disarms it', async () => {
    const { clock, parent, leftOver } = setup()
    const work = () => {
      throw new Error('sync')
    }
    await expect(abortable(parent.signal, { clock, ms: 1000, reason: () => 'late' }, work)).rejects.toThrow('sync')
    expect(leftOver()).toEqual({ listening: 0, timers: 0 })
  })
})

describe('many calls under one long-lived signal (fanOut)', () => {
  it('one listener on the signal for all calls; each call aborts with its reason, in the order they started; finished calls are left alone', async () => {
    const { clock, parent, leftOver } = setup()
    const disposal = fanOut(parent.signal)
    expect(leftOver().listening).toBe(1)
    const signals: AbortSignal[] = []
    const aborted: string[] = []
    const start = (name: string, work: (signal: AbortSignal) => Promise<unknown>) =>
      settled(
        abortable(disposal, { clock, ms: 1000, reason: () => 'late' }, (signal) => {
          signals.push(signal)
          signal.addEventListener('abort', () => aborted.push(name))
          return work(signal)
        }),
      )
    const done = await start('done', async () => 'ok')
    const first = start('first', never)
    const second = start('second', never)
    expect(leftOver().listening, 'calls listen through the one listener').toBe(1)
    const reason = new Error('disposed')
    parent.abort(reason)
    expect([done, await first, await second]).toEqual([{ value: 'ok' }, { error: reason }, { error: reason }])
    expect(aborted).toEqual(['first', 'second'])
    expect(signals[0]!.aborted, 'a finished call is not aborted').toBe(false)
    expect(await start('after', async () => 'ran')).toEqual({ error: reason })
  })
})

describe("the engine's deadline", () => {
  it('is a retryable TRANSPORT_TIMEOUT naming the call', async () => {
    const { fake, clock, parent } = setup()
    const call = settled(withDeadline(clock, 5000, parent.signal, 'A write of "doc"', never))
    await fake.tickAsync(5000)
    const { error } = (await call) as { error: TransportError }
    expect(error).toBeInstanceOf(TransportError)
    expect([error.code, error.retryable, error.message]).toEqual(['TRANSPORT_TIMEOUT', true, 'A write of "doc" did not settle within 5000 ms'])
  })

  it('never hands a timer more than 2^31-1 ms', () => {
    const { clock, parent } = setup()
    const asked: number[] = []
    void withDeadline({ ...clock, setTimeout: (fn, ms) => (asked.push(ms), clock.setTimeout(fn, ms)) }, 2 ** 40, parent.signal, 'A write', never)
    expect(asked).toEqual([2 ** 31 - 1])
  })
})
