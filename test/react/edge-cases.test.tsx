import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react'
import { StrictMode, useState, type ReactNode } from 'react'
import { afterEach, describe, expect, it } from 'vitest'
import { createAutosave, type AutosaveOptions, type Transport } from '../../src/index'
import { AutosaveProvider, useAutosave, useAutosavedState } from '../../src/react/index'
import { backend, box, restoring, sleep, slowLoad, Step, type Draft } from './harness'

afterEach(cleanup)

describe('useAutosavedState key change', () => {
  it("switching to a new document does not carry the previous document's draft into it", async () => {
    const { transport, defaults } = backend()
    const view = render(
      <AutosaveProvider {...defaults}>
        <Step id="project:a" />
      </AutosaveProvider>,
    )
    await waitFor(() => expect(restoring()).toBe('false'))
    fireEvent.change(box(), { target: { value: 'private notes of project A' } })
    await waitFor(() => expect(transport.backend.documents.get('project:a')?.data).toEqual({ musicDescription: 'private notes of project A' }))

    view.rerender(
      <AutosaveProvider {...defaults}>
        <Step id="project:b" />
      </AutosaveProvider>,
    )
    await waitFor(() => expect(restoring()).toBe('false'))
    // The user adds a word to what the form shows for project B.
    fireEvent.change(box(), { target: { value: `${box().value} + B` } })
    await sleep(100)
    expect(transport.backend.documents.get('project:b')?.data, "project B must not receive project A's text").toEqual({ musicDescription: ' + B' })
  })
})

describe('typing while restore is in flight', () => {
  it('text typed before restore answers (new document) is saved', async () => {
    const { transport: inner, defaults } = backend()
    const { transport, open } = slowLoad(inner, 'project:c')
    render(
      <AutosaveProvider {...defaults} transport={transport}>
        <Step id="project:c" />
      </AutosaveProvider>,
    )
    await sleep(10)
    expect(restoring()).toBe('true')
    fireEvent.change(box(), { target: { value: 'typed while loading' } })
    await act(async () => open())
    await waitFor(() => expect(restoring()).toBe('false'))
    await sleep(150)
    expect(box().value, 'the form shows the typed text').toBe('typed while loading')
    expect(inner.backend.documents.get('project:c')?.data, 'what the form shows is saved').toEqual({ musicDescription: 'typed while loading' })
  })
})

describe('two components on one key', () => {
  type Doc = { title: string; body: string }
  function Field({ id, field }: { id: string; field: keyof Doc }) {
    const [doc, setDoc, meta] = useAutosavedState<Doc>(id, { title: '', body: '' })
    return (
      <div>
        <input aria-label={field} value={doc[field]} onChange={(e) => setDoc((prev) => ({ ...prev, [field]: e.target.value }))} />
        <span data-testid={`${field}-restoring`}>{String(meta.restoring)}</span>
      </div>
    )
  }

  it("an edit in one component is not undone by the other component's next edit", async () => {
    const { transport, defaults } = backend()
    render(
      <AutosaveProvider {...defaults}>
        <Field id="project:d" field="title" />
        <Field id="project:d" field="body" />
      </AutosaveProvider>,
    )
    await waitFor(() => expect(screen.getByTestId('title-restoring').textContent).toBe('false'))
    await waitFor(() => expect(screen.getByTestId('body-restoring').textContent).toBe('false'))
    fireEvent.change(screen.getByLabelText('title'), { target: { value: 'My clip' } })
    await waitFor(() => expect(transport.backend.documents.get('project:d')?.data).toEqual({ title: 'My clip', body: '' }))
    fireEvent.change(screen.getByLabelText('body'), { target: { value: 'Some lyrics' } })
    await sleep(100)
    expect(transport.backend.documents.get('project:d')?.data).toEqual({ title: 'My clip', body: 'Some lyrics' })
  })
})

function Project({ id, value }: { id: string; value: { n: number } }) {
  const { restoring } = useAutosave({ key: id }, value)
  return <span data-testid="restoring">{String(restoring)}</span>
}

/**
 * Project E (saved as { n: 10 }) is shown with the value { n: 1 }, then project F (which loads
 * slowly: never, here), then E again; `beside` is rendered next to the project in the provider.
 * Answers the backend, to look at what was written.
 */
async function roundTrip(beside?: ReactNode) {
  const { transport: inner, defaults } = backend()
  inner.backend.documents.set('project:e', { data: { n: 10 }, version: 1, updatedAt: '' })
  const { transport } = slowLoad(inner, 'project:f')
  const ui = (id: string, value: { n: number }) => (
    <AutosaveProvider {...defaults} transport={transport}>
      {beside}
      <Project id={id} value={value} />
    </AutosaveProvider>
  )
  const view = render(ui('project:e', { n: 1 }))
  await waitFor(() => expect(screen.getByTestId('restoring').textContent).toBe('false'))
  await sleep(50)
  view.rerender(ui('project:f', { n: 2 }))
  await sleep(50)
  // Back to E: the app holds a fresh initial value, exactly as on a first mount.
  view.rerender(ui('project:e', { n: 1 }))
  await sleep(100)
  return inner
}

describe('key round trip while the engine is shared', () => {
  function Holder({ id }: { id: string }) {
    // e.g. a sidebar showing the same document
    useAutosavedState(id, { n: 0 })
    return null
  }

  it('coming back to a document does not save the value held then over its saved work', async () => {
    const inner = await roundTrip(<Holder id="project:e" />)
    expect(inner.backend.writes, 'a fresh mount with { n: 1 } writes nothing; neither may this').toHaveLength(0)
    expect(inner.backend.documents.get('project:e')?.data).toEqual({ n: 10 })
  })
})

describe('control', () => {
  it('control: same round trip without a second holder writes nothing', async () => {
    const inner = await roundTrip()
    expect(inner.backend.writes).toHaveLength(0)
  })
})

describe('unmount within the debounce', () => {
  it('the last edit before a step unmounts reaches the server', async () => {
    const { transport, defaults } = backend()
    const view = render(
      <AutosaveProvider {...defaults} debounceMs={30}>
        <Step id="project:g" />
      </AutosaveProvider>,
    )
    await waitFor(() => expect(restoring()).toBe('false'))
    fireEvent.change(box(), { target: { value: 'answer, then Next' } })
    view.unmount() // the wizard moves on to the next step
    await sleep(300)
    expect(transport.backend.documents.get('project:g')?.data).toEqual({ musicDescription: 'answer, then Next' })
  })
})

describe('restores racing key changes, unmounts and other tabs', () => {
  it("a key change during restore does not apply the old key's state", async () => {
    const { transport: inner, defaults } = backend()
    inner.backend.documents.set('project:i', { data: { musicDescription: 'I' }, version: 1, updatedAt: '' })
    const { transport, open } = slowLoad(inner, 'project:i')
    const ui = (id: string) => (
      <AutosaveProvider {...defaults} transport={transport}>
        <Step id={id} />
      </AutosaveProvider>
    )
    const view = render(ui('project:i'))
    await sleep(10)
    view.rerender(ui('project:j'))
    await waitFor(() => expect(restoring()).toBe('false'))
    await act(async () => open())
    await sleep(100)
    expect(box().value).toBe('')
    expect(inner.backend.writes).toHaveLength(0)
  })

  it('unmount during restore: nothing saved, nothing thrown', async () => {
    const { transport: inner, defaults } = backend()
    inner.backend.documents.set('project:k', { data: { musicDescription: 'K' }, version: 1, updatedAt: '' })
    const { transport, open } = slowLoad(inner, 'project:k')
    const view = render(
      <AutosaveProvider {...defaults} transport={transport}>
        <Step id="project:k" />
      </AutosaveProvider>,
    )
    await sleep(10)
    view.unmount()
    await act(async () => open())
    await sleep(100)
    expect(inner.backend.writes).toHaveLength(0)
  })

  it('a later component on the same key gets the current state and saves nothing', async () => {
    const { transport, defaults } = backend()
    function App() {
      const [second, setSecond] = useState(false)
      return (
        <AutosaveProvider {...defaults}>
          <Step id="project:l" label="one" />
          {second && <Step id="project:l" label="two" />}
          <button onClick={() => setSecond(true)}>open</button>
        </AutosaveProvider>
      )
    }
    render(<App />)
    await waitFor(() => expect(restoring('one')).toBe('false'))
    fireEvent.change(box('one'), { target: { value: 'unsent yet' } })
    fireEvent.click(screen.getByText('open'))
    await waitFor(() => expect(restoring('two')).toBe('false'))
    // The engine's state reaches the second component's state in the effect after restore.
    await waitFor(() => expect(box('two').value).toBe('unsent yet'))
    await sleep(100)
    expect(transport.backend.documents.get('project:l')?.data).toEqual({ musicDescription: 'unsent yet' })
    expect(transport.backend.writes).toHaveLength(1)
  })
})

describe('more checks', () => {
  it('remote-change arriving before restore answers is kept', async () => {
    const { transport: inner, defaults } = backend()
    inner.backend.documents.set('project:m', { data: { musicDescription: 'old' }, version: 1, updatedAt: '' })
    let open!: () => void
    const gate = new Promise<void>((r) => (open = r))
    const transport: Transport = {
      load: async (key, o) => {
        const doc = await inner.load(key, o) // reads now, answers late (stale)
        if (key === 'project:m') await gate
        return doc
      },
      write: (r) => inner.write(r),
    }
    render(
      <AutosaveProvider {...defaults} transport={transport}>
        <Step id="project:m" />
      </AutosaveProvider>,
    )
    await sleep(10)
    const otherTab = createAutosave<Draft>({ ...defaults, key: 'project:m' } as AutosaveOptions<Draft>)
    await otherTab.restore()
    otherTab.save({ musicDescription: 'new from other tab' })
    await otherTab.flush()
    await sleep(10)
    await act(async () => open())
    await waitFor(() => expect(restoring()).toBe('false'))
    await sleep(100)
    expect(box().value).toBe('new from other tab')
    expect(inner.backend.documents.get('project:m')?.data).toEqual({ musicDescription: 'new from other tab' })
    await otherTab.dispose()
  })

  it('StrictMode with a key change: one restore per key', async () => {
    const { transport: inner, defaults } = backend()
    let loads = 0
    const transport: Transport = { load: (k, o) => (loads++, inner.load(k, o)), write: (r) => inner.write(r) }
    const ui = (id: string) => (
      <StrictMode>
        <AutosaveProvider {...defaults} transport={transport}>
          <Step id={id} />
        </AutosaveProvider>
      </StrictMode>
    )
    const view = render(ui('project:n1'))
    await waitFor(() => expect(restoring()).toBe('false'))
    view.rerender(ui('project:n2'))
    await waitFor(() => expect(restoring()).toBe('false'))
    await sleep(20)
    expect(loads).toBe(2)
  })

  it('typing during restore of an existing document (documented: restored state wins)', async () => {
    const { transport: inner, defaults } = backend()
    inner.backend.documents.set('project:p', { data: { musicDescription: 'saved' }, version: 1, updatedAt: '' })
    const { transport, open } = slowLoad(inner, 'project:p')
    render(
      <AutosaveProvider {...defaults} transport={transport}>
        <Step id="project:p" />
      </AutosaveProvider>,
    )
    await sleep(10)
    fireEvent.change(box(), { target: { value: 'typed early' } })
    await act(async () => open())
    await waitFor(() => expect(restoring()).toBe('false'))
    await sleep(100)
    expect(box().value).toBe('saved')
    expect(inner.backend.writes).toHaveLength(0)
  })
})
