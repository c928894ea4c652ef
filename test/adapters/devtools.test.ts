import { afterEach, describe, expect, it } from 'vitest'
import { createAutosave, onlineManager } from '../../src/index'
import { defineDevtoolsElement, devtools, devtoolsTransport, mountDevtools, track } from '../../src/devtools/index'
import { backend, eventually } from './harness'

type Doc = { title: string }
const cleanups: Array<() => unknown> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  devtools.setOffline(false)
  devtools.setFailNextSave(false)
  document.body.innerHTML = ''
})

function panel() {
  const element = mountDevtools()!
  cleanups.push(() => element.remove())
  const root = element.shadowRoot!
  const section = (key: string) => root.querySelector(`section[data-key="${key}"]`)
  const field = (key: string, name: string) => section(key)?.querySelector(`[data-field="${name}"]`)?.textContent?.trim()
  const toggle = (action: 'offline' | 'fail') => {
    const box = root.querySelector(`input[data-action="${action}"]`) as HTMLInputElement
    box.click()
  }
  return { element, root, section, field, toggle }
}

function engine(options: ReturnType<typeof backend>['options'], key: string, extra: Record<string, unknown> = {}) {
  const saver = createAutosave<Doc>({ key, ...options, ...extra })
  cleanups.push(() => saver.dispose())
  return saver
}

describe('autosave-kit/devtools panel', () => {
  it('lists every tracked engine by key with its phase, pending state, last save, outbox and history', async () => {
    const { options, store, online } = backend()
    const a = engine(options, 'doc:a')
    const b = engine(options, 'doc:b')
    cleanups.push(track(a, { store, online, label: 'Wizard' }), track(b, { store, online }))
    const { root, field } = panel()
    expect([...root.querySelectorAll('section')].map((s) => s.getAttribute('data-key'))).toEqual(['doc:a', 'doc:b'])
    expect(root.querySelector('section small')?.textContent).toBe('Wizard')

    await a.restore()
    online.setOnline(false)
    a.save({ title: 'one' })
    await eventually(() => expect(field('doc:a', 'phase')).toBe('offline'))
    expect(field('doc:a', 'pending')).toBe('yes')
    await eventually(() => expect(field('doc:a', 'outbox'), 'the unsent draft is one outbox record').toMatch(/^1 record, \d+ B$/))

    online.setOnline(true)
    await a.flush()
    await eventually(() => expect(field('doc:a', 'phase')).toBe('saved'))
    expect(field('doc:a', 'pending')).toBe('no')
    expect(field('doc:a', 'last-saved')).toMatch(/\(v1\)$/)
    await eventually(() => expect(field('doc:a', 'outbox')).toBe('0 records, 0 B'))
    await eventually(() => expect(root.querySelectorAll('section[data-key="doc:a"] [data-action="rollback"]')).toHaveLength(1))
    expect(field('doc:b', 'phase')).toBe('idle')
  })

  it('"Simulate offline" takes engines on the shared onlineManager offline, and back', async () => {
    const { options } = backend()
    const saver = engine(options, 'doc:shared', { environment: { ...options.environment, online: onlineManager } })
    cleanups.push(track(saver))
    const { toggle, field } = panel()
    await saver.restore()
    toggle('offline')
    expect(devtools.isOffline()).toBe(true)
    expect(onlineManager.isOnline()).toBe(false)
    saver.save({ title: 'on the train' })
    await eventually(() => expect(field('doc:shared', 'phase')).toBe('offline'))
    toggle('offline')
    expect(onlineManager.isOnline(), 'switching it off gives the state back to the browser').toBe(true)
    await eventually(() => expect(field('doc:shared', 'phase')).toBe('saved'))
  })

  it('"Fail next save" fails exactly one write through a devtoolsTransport; the engine retries and saves', async () => {
    const { options, transport } = backend()
    const saver = engine(options, 'doc:fail', { transport: devtoolsTransport(transport), retry: { minTimeout: 30, maxTimeout: 30, randomize: false } })
    cleanups.push(track(saver))
    const { toggle, field, root } = panel()
    await saver.restore()
    toggle('fail')
    expect(devtools.failsNextSave()).toBe(true)
    const phases: string[] = []
    saver.subscribe(() => phases.push(saver.getStatus().phase))
    saver.save({ title: 'x' })
    await saver.flush()
    expect(phases, 'the armed failure was not seen').toContain('retrying')
    expect(transport.backend.documents.get('doc:fail')?.data).toEqual({ title: 'x' })
    expect(devtools.failsNextSave(), 'the switch disarms after one failure').toBe(false)
    await eventually(() => expect((root.querySelector('input[data-action="fail"]') as HTMLInputElement).checked).toBe(false))
    expect(field('doc:fail', 'phase')).toBe('saved')
  })

  it('"Roll back" makes a history entry the current state and saves it', async () => {
    const { options, store, transport } = backend()
    const saver = engine(options, 'doc:history')
    cleanups.push(track(saver, { store }))
    const { root } = panel()
    await saver.restore()
    saver.save({ title: 'first' })
    await saver.flush()
    saver.save({ title: 'second' })
    await saver.flush()
    await eventually(() => expect(root.querySelectorAll('[data-action="rollback"]')).toHaveLength(2))
    const oldest = [...root.querySelectorAll<HTMLButtonElement>('[data-action="rollback"]')].find((button) => button.dataset.version === 'v1')!
    oldest.click()
    await eventually(() => expect(saver.getState()).toEqual({ title: 'first' }))
    await saver.flush()
    expect(transport.backend.documents.get('doc:history')?.data).toEqual({ title: 'first' })
    await eventually(() => expect(root.querySelector('[role="status"]')?.textContent).toBe('Rolled doc:history back to v1'))
  })

  it('lists the last conflicts, and drops an engine once it is disposed', async () => {
    const { options, transport } = backend()
    const saver = engine(options, 'doc:conflict')
    cleanups.push(track(saver))
    const { root, section } = panel()
    await saver.restore()
    saver.save({ title: 'mine' })
    await saver.flush()
    // Someone else writes v2 on the server: our next write is stale and gets merged.
    await transport.write({ key: 'doc:conflict', baseVersion: 1, idempotencyKey: 'other', data: { title: 'theirs' } })
    saver.save({ title: 'mine, again' })
    await saver.flush()
    await eventually(() => expect(root.querySelector('[data-field="conflicts"] li')?.textContent).toMatch(/merge onto v2/))
    expect(devtools.engines()[0]!.conflicts).toHaveLength(1)

    await saver.dispose()
    await eventually(() => expect(section('doc:conflict'), 'a disposed engine is still listed').toBeNull())
    expect(root.querySelector('.empty')?.textContent).toContain('track(saver)')
  })

  it('defines the element once, under any tag name', () => {
    const first = defineDevtoolsElement('my-autosave-panel')
    expect(defineDevtoolsElement('my-autosave-panel')).toBe(first)
    expect(document.createElement('my-autosave-panel').shadowRoot).not.toBeNull()
  })
})
