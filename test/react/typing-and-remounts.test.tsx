import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react'
import { StrictMode, startTransition, useState } from 'react'
import { afterEach, describe, expect, it } from 'vitest'
import type { Transport } from '../../src/index'
import { AutosaveProvider, useAutosavedState } from '../../src/react/index'
import { OnlineManager } from '../../src/environment/online'
import { PageLifecycle } from '../../src/environment/lifecycle'
import { localTabs } from '../../src/environment/tabs'
import { backend, box, restoring, sleep, Step, type Draft } from './harness'

afterEach(cleanup)

function TransitionStep({ id }: { id: string }) {
  const [draft, setDraft, meta] = useAutosavedState<Draft>(id, () => ({ musicDescription: '' }))
  return (
    <div>
      <textarea
        aria-label="music"
        value={draft.musicDescription}
        onChange={(e) => {
          const v = e.target.value
          startTransition(() => setDraft((p) => ({ ...p, musicDescription: v })))
        }}
      />
      <span data-testid="restoring">{String(meta.restoring)}</span>
      <span data-testid="status">{meta.statusText}</span>
    </div>
  )
}

describe('typing, key switches, offline unmounts and remounts', () => {
  it('fast typing in transitions with a slow network keeps every keystroke (StrictMode)', async () => {
    const { transport, defaults } = backend()
    const slow: Transport = { load: (k, o) => transport.load(k, o), write: async (r) => (await new Promise((res) => setTimeout(res, 7)), transport.write(r)) }
    render(
      <StrictMode>
        <AutosaveProvider {...defaults} transport={slow} debounceMs={3}>
          <TransitionStep id="project:t1" />
        </AutosaveProvider>
      </StrictMode>,
    )
    await waitFor(() => expect(restoring()).toBe('false'))
    let text = ''
    for (let i = 0; i < 40; i++) {
      text += String.fromCharCode(97 + (i % 26))
      fireEvent.change(box(), { target: { value: text } })
      if (i % 3 === 0) await sleep(i % 2 ? 4 : 9)
    }
    await sleep(200)
    expect(box().value).toBe(text)
    expect(transport.backend.documents.get('project:t1')?.data).toEqual({ musicDescription: text })
  })

  it('key switch with a function initial starts from initial', async () => {
    const { defaults } = backend()
    const ui = (id: string) => (
      <AutosaveProvider {...defaults}>
        <TransitionStep id={id} />
      </AutosaveProvider>
    )
    const view = render(ui('project:t2'))
    await waitFor(() => expect(restoring()).toBe('false'))
    fireEvent.change(box(), { target: { value: 'A text' } })
    await sleep(50)
    view.rerender(ui('project:t3'))
    expect(box().value).toBe('')
    await waitFor(() => expect(restoring()).toBe('false'))
    expect(box().value).toBe('')
  })

  it('offline unmount: disposed at once, coming online later sends nothing from the gone step', async () => {
    const { transport, store, defaults } = backend()
    const online = new OnlineManager(() => {})
    online.setOnline(false)
    const env = { online, lifecycle: new PageLifecycle(() => {}), tabs: localTabs() }
    const view = render(
      <AutosaveProvider {...defaults} environment={env}>
        <Step id="project:t4" />
      </AutosaveProvider>,
    )
    await waitFor(() => expect(restoring()).toBe('false'))
    fireEvent.change(box(), { target: { value: 'offline words' } })
    view.unmount()
    await sleep(100)
    act(() => online.setOnline(true))
    await sleep(100)
    expect(transport.backend.writes).toHaveLength(0)
    expect(
      (await store.keys()).some((k) => k.startsWith('outbox')),
      'kept in the store',
    ).toBe(true)
  })

  it('remount during the unmount flush reuses the engine; its later unmount still sends', async () => {
    const { transport, defaults } = backend()
    const slow: Transport = { load: (k, o) => transport.load(k, o), write: async (r) => (await new Promise((res) => setTimeout(res, 40)), transport.write(r)) }
    function App() {
      const [shown, setShown] = useState(true)
      return (
        <AutosaveProvider {...defaults} transport={slow}>
          {shown && <Step id="project:t5" />}
          <button onClick={() => setShown((s) => !s)}>toggle</button>
        </AutosaveProvider>
      )
    }
    render(<App />)
    await waitFor(() => expect(restoring()).toBe('false'))
    fireEvent.change(box(), { target: { value: 'one' } })
    fireEvent.click(screen.getByText('toggle'))
    await sleep(15)
    fireEvent.click(screen.getByText('toggle'))
    await waitFor(() => expect(restoring()).toBe('false'))
    expect(box().value).toBe('one')
    fireEvent.change(box(), { target: { value: 'one two' } })
    fireEvent.click(screen.getByText('toggle'))
    await sleep(300)
    expect(transport.backend.documents.get('project:t5')?.data).toEqual({ musicDescription: 'one two' })
  })
})
