import { fireEvent, render, screen } from '@testing-library/svelte'
import { describe, expect, it } from 'vitest'
import { createAutosave } from '../../src/index'
import { autosaved, autosaveStatus } from '../../src/svelte/index'
import { backend, eventually } from '../adapters/harness'
import StatusBadge from './StatusBadge.svelte'
import Step from './Step.svelte'

const box = () => screen.getByLabelText('music') as HTMLTextAreaElement

describe('autosave-kit/svelte', () => {
  it('a runes component restores the draft, shows it, and saves each edit', async () => {
    const { transport, options } = backend()
    transport.backend.documents.set('project:1', { data: { musicDescription: 'saved before' }, version: 2, updatedAt: new Date(0).toISOString() })
    render(Step, { options: { key: 'project:1', ...options } })
    expect(screen.getByTestId('restoring').textContent).toBe('true')
    await eventually(() => expect(box().value, 'the restored draft is shown').toBe('saved before'))
    expect(screen.getByTestId('derived').textContent, '$derived follows the draft').toBe('SAVED BEFORE')
    await new Promise((resolve) => setTimeout(resolve, 60))
    expect(transport.backend.writes, 'restoring must not write the restored state back').toHaveLength(0)

    await fireEvent.input(box(), { target: { value: 'edited' } })
    expect(screen.getByTestId('derived').textContent).toBe('EDITED')
    await eventually(() => expect(transport.backend.documents.get('project:1')?.data).toEqual({ musicDescription: 'edited' }))
    await eventually(() => expect(screen.getByTestId('status').textContent).toBe('Saved'))
  })

  it('what is typed while restoring finds nothing is kept and saved', async () => {
    const { transport, options } = backend()
    let open!: () => void
    const gate = new Promise<void>((resolve) => (open = resolve))
    const slow = { ...transport, load: async (key: string) => (await gate, transport.load(key)) }
    render(Step, { options: { key: 'project:2', ...options, transport: slow } })
    await fireEvent.input(box(), { target: { value: 'typed early' } })
    open()
    await eventually(() => expect(transport.backend.documents.get('project:2')?.data).toEqual({ musicDescription: 'typed early' }))
    expect(box().value).toBe('typed early')
  })

  it('unmounting sends an edit made within the debounce, then lets the engine go', async () => {
    const { transport, options } = backend()
    const { unmount } = render(Step, { options: { key: 'project:3', ...options, debounceMs: 5_000 } })
    await eventually(() => expect(screen.getByTestId('restoring').textContent).toBe('false'))
    await fireEvent.input(box(), { target: { value: 'typed, then left' } })
    unmount()
    await eventually(() =>
      expect(transport.backend.documents.get('project:3')?.data, 'the last edit was lost on unmount').toEqual({ musicDescription: 'typed, then left' }),
    )
  })

  it('a change saved in another tab arrives in the component', async () => {
    const { options } = backend()
    render(Step, { options: { key: 'project:4', ...options } })
    await eventually(() => expect(screen.getByTestId('restoring').textContent).toBe('false'))
    const otherTab = createAutosave<{ musicDescription: string }>({ key: 'project:4', ...options })
    await otherTab.restore()
    otherTab.save({ musicDescription: 'from the other tab' })
    await otherTab.flush()
    await eventually(() => expect(box().value).toBe('from the other tab'))
    await otherTab.dispose()
  })

  it('the status store follows the engine, in a component ($status) and in plain code', async () => {
    const { online, options } = backend()
    const saver = createAutosave<{ n: number }>({ key: 'project:5', ...options })
    await saver.restore()
    render(StatusBadge, { saver })
    expect(screen.getByTestId('phase').textContent).toBe('idle')
    const seen: string[] = []
    const stop = autosaveStatus(saver).subscribe((status) => seen.push(status.phase))
    online.setOnline(false)
    saver.save({ n: 1 })
    await eventually(() => expect(screen.getByTestId('phase').textContent).toBe('offline'))
    expect(screen.getByTestId('text').textContent).toBe('Offline — saved on this device')
    online.setOnline(true)
    await saver.flush()
    await eventually(() => expect(screen.getByTestId('phase').textContent).toBe('saved'))
    stop()
    expect(seen[0]).toBe('idle')
    expect(seen).toContain('offline')
    expect(seen.at(-1)).toBe('saved')
    await saver.dispose()
  })

  it('outside a component it starts at once; an engine passed in stays the caller’s', async () => {
    const { transport, options } = backend()
    const saver = createAutosave<{ n: number }>({ key: 'project:6', ...options })
    const draft = autosaved(saver, { n: 0 })
    await eventually(() => expect(draft.restoring).toBe(false))
    draft.current = { n: 1 }
    await draft.flush()
    expect(transport.backend.documents.get('project:6')?.data).toEqual({ n: 1 })
    draft.dispose()
    saver.save({ n: 2 })
    await saver.flush()
    expect(transport.backend.documents.get('project:6')?.data, 'the caller owns the engine it passed').toEqual({ n: 2 })
    await saver.dispose()
  })
})
