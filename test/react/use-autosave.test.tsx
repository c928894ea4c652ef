import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react'
import { StrictMode, useState } from 'react'
import { afterEach, describe, expect, it } from 'vitest'
import { memoryStore, memoryTransport, type AutosaveOptions } from '../../src/index'
import { AutosaveProvider, useAutosave, useAutosavedState } from '../../src/react/index'
import { formatStatus } from '../../src/status'
import { OnlineManager } from '../../src/environment/online'
import { PageLifecycle } from '../../src/environment/lifecycle'

afterEach(cleanup)

type Draft = { musicDescription: string }

function backend() {
  const transport = memoryTransport()
  const store = memoryStore()
  const defaults: Partial<AutosaveOptions<unknown>> = {
    transport,
    store,
    debounceMs: 30,
    environment: { online: new OnlineManager(() => {}), lifecycle: new PageLifecycle(() => {}) },
  }
  return { transport, store, defaults }
}

function Step({ id }: { id: string }) {
  const [draft, setDraft, meta] = useAutosavedState<Draft>(id, { musicDescription: '' })
  return (
    <div>
      <textarea aria-label="music" value={draft.musicDescription} onChange={(e) => setDraft({ musicDescription: e.target.value })} />
      <span data-testid="status">{meta.statusText}</span>
      <span data-testid="restoring">{String(meta.restoring)}</span>
    </div>
  )
}

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
