import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react'
import { StrictMode, useState } from 'react'
import { afterEach, describe, expect, it } from 'vitest'
import { createAutosave, type Autosave, type AutosaveOptions, type StandardSchema } from '../../src/index'
import { AutosaveProvider, useAutosave } from '../../src/react/index'
import { formatStatus } from '../../src/engine/status'
import { backend, box, sleep, Step, type Draft } from './harness'

afterEach(cleanup)

describe('useAutosavedState', () => {
  it('typing saves after the debounce, and the status reads Saving… then Saved', async () => {
    const { transport, defaults } = backend()
    render(
      <AutosaveProvider {...defaults}>
        <Step id="project:1" />
      </AutosaveProvider>,
    )
    await waitFor(() => expect(screen.getByTestId('restoring').textContent).toBe('false'))
    fireEvent.change(screen.getByLabelText('music'), { target: { value: 'dreamy synthwave' } })
    await waitFor(() => expect(screen.getByTestId('status').textContent).toBe('Saving…'))
    expect(transport.backend.writes, 'nothing before the debounce').toHaveLength(0)
    await waitFor(() => expect(screen.getByTestId('status').textContent).toBe('Saved'))
    expect(transport.backend.documents.get('project:1')?.data).toEqual({ musicDescription: 'dreamy synthwave' })
  })

  it('a remount restores what was typed, without saving it back', async () => {
    const { transport, defaults } = backend()
    const first = render(
      <AutosaveProvider {...defaults}>
        <Step id="project:2" />
      </AutosaveProvider>,
    )
    await waitFor(() => expect(screen.getByTestId('restoring').textContent).toBe('false'))
    fireEvent.change(screen.getByLabelText('music'), { target: { value: 'lo-fi' } })
    await waitFor(() => expect(screen.getByTestId('status').textContent).toBe('Saved'))
    first.unmount()
    await act(() => new Promise((r) => setTimeout(r, 5)))

    render(
      <AutosaveProvider {...defaults}>
        <Step id="project:2" />
      </AutosaveProvider>,
    )
    await waitFor(() => expect((screen.getByLabelText('music') as HTMLTextAreaElement).value).toBe('lo-fi'))
    await act(() => new Promise((r) => setTimeout(r, 60)))
    expect(transport.backend.writes, 'the restored state is not written again').toHaveLength(1)
  })

  it('the initial value never overwrites saved work', async () => {
    const { transport, defaults } = backend()
    transport.backend.documents.set('project:3', { data: { musicDescription: 'saved before' }, version: 1, updatedAt: '' })
    render(
      <AutosaveProvider {...defaults}>
        <Step id="project:3" />
      </AutosaveProvider>,
    )
    await waitFor(() => expect((screen.getByLabelText('music') as HTMLTextAreaElement).value).toBe('saved before'))
    await act(() => new Promise((r) => setTimeout(r, 60)))
    expect(transport.backend.writes).toHaveLength(0)
    expect(transport.backend.documents.get('project:3')?.data).toEqual({ musicDescription: 'saved before' })
  })

  it('under StrictMode one engine sends one request', async () => {
    const { transport, defaults } = backend()
    const writes: unknown[] = []
    let loads = 0
    const counting = {
      load: (key: string) => (loads++, transport.load(key)),
      write: (req: Parameters<typeof transport.write>[0]) => (writes.push(req), transport.write(req)),
    }
    render(
      <StrictMode>
        <AutosaveProvider {...defaults} transport={counting}>
          <Step id="project:4" />
        </AutosaveProvider>
      </StrictMode>,
    )
    await waitFor(() => expect(screen.getByTestId('restoring').textContent).toBe('false'))
    fireEvent.change(screen.getByLabelText('music'), { target: { value: 'once' } })
    await waitFor(() => expect(screen.getByTestId('status').textContent).toBe('Saved'))
    await act(() => new Promise((r) => setTimeout(r, 60)))
    expect(writes).toHaveLength(1)
    expect(loads, 'the double mount shares one engine, so one restore').toBe(1)
  })
})

describe('useAutosave with app-owned state', () => {
  function Wizard({ saverKey }: { saverKey: string }) {
    const [state, setState] = useState({ currentStep: 'track_input' })
    const { status, restoring } = useAutosave({ key: saverKey }, state)
    return (
      <div>
        <button onClick={() => setState({ currentStep: 'video_styles' })}>next</button>
        <span data-testid="status">{formatStatus(status)}</span>
        <span data-testid="restoring">{String(restoring)}</span>
      </div>
    )
  }

  it('saves the value whenever it changes by reference', async () => {
    const { transport, defaults } = backend()
    render(
      <AutosaveProvider {...defaults}>
        <Wizard saverKey="project:5" />
      </AutosaveProvider>,
    )
    await waitFor(() => expect(screen.getByTestId('restoring').textContent).toBe('false'))
    fireEvent.click(screen.getByText('next'))
    await waitFor(() => expect(screen.getByTestId('status').textContent).toBe('Saved'))
    expect(transport.backend.documents.get('project:5')?.data).toEqual({ currentStep: 'video_styles' })
  })
})

describe('changes made elsewhere', () => {
  it('a save in another tab shows up in the step and is not sent again', async () => {
    const { transport, defaults } = backend()
    render(
      <AutosaveProvider {...defaults}>
        <Step id="project:6" />
      </AutosaveProvider>,
    )
    await waitFor(() => expect(screen.getByTestId('restoring').textContent).toBe('false'))
    const otherTab = createAutosave<Draft>({ ...defaults, key: 'project:6' } as AutosaveOptions<Draft>)
    await otherTab.restore()
    otherTab.save({ musicDescription: 'typed in the other tab' })
    await otherTab.flush()
    await waitFor(() => expect(box().value).toBe('typed in the other tab'))
    await sleep(80)
    expect(transport.backend.writes, 'only the other tab wrote; the step did not echo it back').toHaveLength(1)
    await otherTab.dispose()
  })

  it('a new store with the same key gets its own engine, even before the old one is disposed', async () => {
    const before = backend()
    const first = render(
      <AutosaveProvider {...before.defaults}>
        <Step id="project:8" />
      </AutosaveProvider>,
    )
    await waitFor(() => expect(screen.getByTestId('restoring').textContent).toBe('false'))
    first.unmount()

    const after = backend()
    render(
      <AutosaveProvider {...after.defaults}>
        <Step id="project:8" />
      </AutosaveProvider>,
    )
    await waitFor(() => expect(screen.getByTestId('restoring').textContent).toBe('false'))
    fireEvent.change(box(), { target: { value: 'for the new backend' } })
    await waitFor(() => expect(screen.getByTestId('status').textContent).toBe('Saved'))
    expect(after.transport.backend.documents.get('project:8')?.data).toEqual({ musicDescription: 'for the new backend' })
    expect(before.transport.backend.writes, 'nothing reached the previous backend').toHaveLength(0)
  })

  it('a restore that fails validation is reported, and the initial value is not saved over the data', async () => {
    const { transport, defaults } = backend()
    transport.backend.documents.set('project:9', { data: { musicDescription: 42 }, version: 3, updatedAt: '' })
    const schema: StandardSchema = {
      '~standard': {
        version: 1,
        vendor: 'test',
        validate: (value) =>
          typeof (value as Draft).musicDescription === 'string'
            ? { value }
            : { issues: [{ message: 'musicDescription must be text', path: ['musicDescription'] }] },
      },
    }
    render(
      <AutosaveProvider {...defaults} schema={schema}>
        <Step id="project:9" />
      </AutosaveProvider>,
    )
    await waitFor(() => expect(screen.getByTestId('restore-error').textContent).toBe('ValidationError'))
    // `restoring` ends one render after the restore answered (the render that hands `restored` over).
    await waitFor(() => expect(screen.getByTestId('restoring').textContent).toBe('false'))
    await sleep(80)
    expect(transport.backend.writes).toHaveLength(0)
    expect(transport.backend.documents.get('project:9')?.data).toEqual({ musicDescription: 42 })
  })
})

describe('useAutosave with an engine you created', () => {
  function Editor({ saver }: { saver: Autosave<Draft> }) {
    const [draft, setDraft] = useState<Draft>({ musicDescription: '' })
    const { status, restoring } = useAutosave(saver, draft)
    return (
      <div>
        <textarea aria-label="music" value={draft.musicDescription} onChange={(e) => setDraft({ musicDescription: e.target.value })} />
        <span data-testid="status">{formatStatus(status)}</span>
        <span data-testid="restoring">{String(restoring)}</span>
      </div>
    )
  }

  it('is restored once under StrictMode, saves edits, and is not disposed on unmount', async () => {
    const { transport, defaults } = backend()
    let loads = 0
    const counting = { load: (key: string) => (loads++, transport.load(key)), write: transport.write }
    const saver = createAutosave<Draft>({ ...defaults, transport: counting, key: 'project:10' } as AutosaveOptions<Draft>)
    const view = render(
      <StrictMode>
        <Editor saver={saver} />
      </StrictMode>,
    )
    await waitFor(() => expect(screen.getByTestId('restoring').textContent).toBe('false'))
    fireEvent.change(box(), { target: { value: 'chiptune' } })
    await waitFor(() => expect(screen.getByTestId('status').textContent).toBe('Saved'))
    expect(loads, 'one restore for the double mount').toBe(1)
    view.unmount()
    await sleep(10)
    saver.save({ musicDescription: 'still mine' })
    await saver.flush()
    expect(transport.backend.documents.get('project:10')?.data).toEqual({ musicDescription: 'still mine' })
    await saver.dispose()
  })
})

describe('switching documents', () => {
  function Project({ id, value }: { id: string; value: { n: number } }) {
    const { restoring, status } = useAutosave({ key: id }, value)
    return (
      <div>
        <span data-testid="restoring">{String(restoring)}</span>
        <span data-testid="status">{formatStatus(status)}</span>
      </div>
    )
  }

  it("a new key's first value is written neither to the previous document nor over the new one", async () => {
    const { transport, defaults } = backend()
    transport.backend.documents.set('project:b', { data: { n: 20 }, version: 1, updatedAt: '' })
    const view = render(
      <AutosaveProvider {...defaults}>
        <Project id="project:a" value={{ n: 1 }} />
      </AutosaveProvider>,
    )
    await waitFor(() => expect(screen.getByTestId('restoring').textContent).toBe('false'))
    view.rerender(
      <AutosaveProvider {...defaults}>
        <Project id="project:b" value={{ n: 2 }} />
      </AutosaveProvider>,
    )
    expect(screen.getByTestId('restoring').textContent, 'restoring again for the new document').toBe('true')
    await waitFor(() => expect(screen.getByTestId('restoring').textContent).toBe('false'))
    await sleep(80)
    expect(transport.backend.writes).toHaveLength(0)

    view.rerender(
      <AutosaveProvider {...defaults}>
        <Project id="project:b" value={{ n: 3 }} />
      </AutosaveProvider>,
    )
    await waitFor(() => expect(transport.backend.documents.get('project:b')?.data).toEqual({ n: 3 }))
    expect(transport.backend.documents.has('project:a')).toBe(false)
  })
})
