import { act, cleanup, fireEvent, render, screen } from '@testing-library/react'
import { useForm } from 'react-hook-form'
import { afterEach, describe, expect, it } from 'vitest'
import { createAutosave, type AutosaveOptions } from '../../src/index'
import { useAutosaveForm } from '../../src/react-hook-form/index'
import { backend, eventually } from './harness'

type Values = { title: string; description: string; attachments?: unknown }
const defaults: Values = { title: '', description: '' }

afterEach(cleanup)

let renders = 0

/** A wizard step on react-hook-form: two fields, a file input, the dirty fields, a submit. */
function Step({ options, onSubmit }: { options: { key: string } & Partial<AutosaveOptions<Values>>; onSubmit?: (values: Values) => void }) {
  renders++
  const form = useForm<Values>({ defaultValues: defaults })
  const { statusText, restoring, handleSubmit } = useAutosaveForm(form, options)
  return (
    <form onSubmit={handleSubmit((values) => onSubmit?.(values))}>
      <input aria-label="title" {...form.register('title')} />
      <textarea aria-label="description" {...form.register('description')} />
      <input aria-label="attachments" type="file" multiple {...form.register('attachments')} />
      <span data-testid="dirty">{JSON.stringify(form.formState.dirtyFields)}</span>
      <span data-testid="status">{statusText}</span>
      <span data-testid="restoring">{String(restoring)}</span>
      <button type="submit">Submit</button>
    </form>
  )
}

const field = (name: string) => screen.getByLabelText(name) as HTMLInputElement
const restored = () => eventually(() => expect(screen.getByTestId('restoring').textContent).toBe('false'))
const sleep = (ms: number) => act(() => new Promise<void>((resolve) => setTimeout(resolve, ms)))

describe('autosave-kit/react-hook-form useAutosaveForm', () => {
  it('restores the draft with reset(): fields are dirty exactly where the draft differs from the defaults, nothing is written back', async () => {
    const { transport, options } = backend()
    transport.backend.documents.set('form:1', { data: { title: 'saved title', description: '' }, version: 4, updatedAt: new Date(0).toISOString() })
    render(<Step options={{ key: 'form:1', ...options }} />)
    await restored()
    await eventually(() => expect(field('title').value, 'the restored draft is in the input').toBe('saved title'))
    expect(JSON.parse(screen.getByTestId('dirty').textContent!), 'only the field that differs from its default is dirty').toEqual({ title: true })
    await sleep(60)
    expect(transport.backend.writes, 'the restored draft must not be saved back').toHaveLength(0)
  })

  it('saves every change without re-rendering the form for it', async () => {
    const { transport, options } = backend()
    render(<Step options={{ key: 'form:2', ...options }} />)
    await restored()
    await sleep(10)
    const before = renders
    fireEvent.input(field('description'), { target: { value: 'a' } })
    fireEvent.input(field('description'), { target: { value: 'ab' } })
    fireEvent.input(field('description'), { target: { value: 'abc' } })
    await eventually(() => expect(transport.backend.documents.get('form:2')?.data).toEqual({ title: '', description: 'abc', attachments: [] }))
    // A few renders come from the status (Saving…, Saved) and dirty state, never one per keystroke field value.
    expect(renders - before, 'typing re-rendered the form once per keystroke').toBeLessThan(8)
  })

  it('File inputs are saved through the serializer: name, size, type, lastModified and the fileId', async () => {
    const { transport, options } = backend()
    const ids = new Map<File, string>()
    render(<Step options={{ key: 'form:3', ...options, serialize: { fileId: (file) => ids.get(file) } }} />)
    await restored()
    const file = new File(['hello'], 'demo.mp3', { type: 'audio/mpeg', lastModified: 1_700_000_000_000 })
    ids.set(file, 'upload-7')
    const input = field('attachments')
    // What a browser gives after a pick: a FileList (happy-dom's is constructible).
    const picked = new (FileList as unknown as new () => FileList & File[])()
    picked.push(file)
    input.files = picked
    expect(input.files).toBeInstanceOf(FileList)
    fireEvent.change(input)
    await eventually(() =>
      expect(transport.backend.documents.get('form:3')?.data).toEqual({
        title: '',
        description: '',
        attachments: [{ name: 'demo.mp3', size: 5, type: 'audio/mpeg', lastModified: 1_700_000_000_000, fileId: 'upload-7' }],
      }),
    )
  })

  it('submitting flushes the draft before the submit handler runs', async () => {
    const { transport, options } = backend()
    const seenByHandler: unknown[] = []
    render(
      <Step options={{ key: 'form:4', ...options, debounceMs: 60_000 }} onSubmit={() => seenByHandler.push(transport.backend.documents.get('form:4')?.data)} />,
    )
    await restored()
    fireEvent.input(field('title'), { target: { value: 'final' } })
    fireEvent.submit(screen.getByRole('button').closest('form')!)
    await eventually(() => expect(seenByHandler).toHaveLength(1))
    expect(seenByHandler[0], 'the server had the values when the submit handler ran').toEqual({ title: 'final', description: '', attachments: [] })
  })

  it('a change saved in another tab arrives in the form', async () => {
    const { options } = backend()
    render(<Step options={{ key: 'form:5', ...options }} />)
    await restored()
    const otherTab = createAutosave<Values>({ key: 'form:5', ...options })
    await otherTab.restore()
    otherTab.save({ title: 'from the other tab', description: '' })
    await otherTab.flush()
    await eventually(() => expect(field('title').value).toBe('from the other tab'))
    await otherTab.dispose()
  })

  it('the defaults never overwrite saved work; what was typed while restoring found nothing is saved', async () => {
    const { transport, options } = backend()
    let open!: () => void
    const gate = new Promise<void>((resolve) => (open = resolve))
    const slow = { ...transport, load: async (key: string) => (await gate, transport.load(key)) }
    render(<Step options={{ key: 'form:6', ...options, transport: slow }} />)
    fireEvent.input(field('title'), { target: { value: 'typed early' } })
    await sleep(50)
    expect(transport.backend.writes, 'nothing may be saved before restore answers').toHaveLength(0)
    await act(async () => open())
    await eventually(() => expect(transport.backend.documents.get('form:6')?.data).toEqual({ title: 'typed early', description: '', attachments: [] }))
  })
})
