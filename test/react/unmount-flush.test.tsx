import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react'
import { useState } from 'react'
import { afterEach, describe, expect, it } from 'vitest'
import { createAutosave, type AutosaveOptions, type AutosaveStore, type Transport } from '../../src/index'
import { AutosaveProvider, useAutosavedState } from '../../src/react/index'
import { backend, box, restoring, sleep, Step, type Draft } from './harness'

afterEach(cleanup)

describe('a step unmounted with an edit pending', () => {
  it('another tab hears of the last edit of a step unmounted within the debounce', async () => {
    const { transport, defaults } = backend()
    const otherTab = createAutosave<Draft>({ ...defaults, key: 'project:r1' } as AutosaveOptions<Draft>)
    await otherTab.restore()
    const view = render(
      <AutosaveProvider {...defaults}>
        <Step id="project:r1" />
      </AutosaveProvider>,
    )
    await waitFor(() => expect(restoring()).toBe('false'))
    fireEvent.change(box(), { target: { value: 'answer, then Next' } })
    view.unmount() // within the debounce: the registry's one try sends it
    await sleep(300)
    expect(transport.backend.documents.get('project:r1')?.data).toEqual({ musicDescription: 'answer, then Next' })
    expect(otherTab.getState(), 'a save in one tab reaches the other (CONTRACT: Multiple tabs)').toEqual({ musicDescription: 'answer, then Next' })
    await otherTab.dispose()
  })

  it('the same edit saved while the step is mounted reaches the other tab', async () => {
    const { defaults } = backend()
    const otherTab = createAutosave<Draft>({ ...defaults, key: 'project:r2' } as AutosaveOptions<Draft>)
    await otherTab.restore()
    render(
      <AutosaveProvider {...defaults}>
        <Step id="project:r2" />
      </AutosaveProvider>,
    )
    await waitFor(() => expect(restoring()).toBe('false'))
    fireEvent.change(box(), { target: { value: 'answer, then Next' } })
    await sleep(300)
    expect(otherTab.getState()).toEqual({ musicDescription: 'answer, then Next' })
    await otherTab.dispose()
  })

  async function nextWhileFlushing(id: string, slowStore: boolean) {
    const { transport, store, defaults } = backend()
    // An IndexedDB-like store: every write takes a few macrotasks.
    const later = () => new Promise((res) => setTimeout(res, 5))
    const idbLike: AutosaveStore = {
      ...store,
      setMany: async (e) => (await later(), store.setMany(e)),
      delMany: async (k) => (await later(), store.delMany(k)),
    }
    // A network that takes 50 ms to answer a write.
    const slow: Transport = { load: (k, o) => transport.load(k, o), write: async (r) => (await new Promise((res) => setTimeout(res, 50)), transport.write(r)) }
    const log: string[] = []
    function MusicStep({ onNext }: { onNext: () => void }) {
      const [draft, setDraft, meta] = useAutosavedState<Draft>(id, { musicDescription: '' })
      return (
        <div>
          <textarea aria-label="music" value={draft.musicDescription} onChange={(e) => setDraft({ musicDescription: e.target.value })} />
          <span data-testid="restoring">{String(meta.restoring)}</span>
          <button
            onClick={() => {
              meta.flush().then(
                () => log.push('saved'),
                (error: { code?: string }) => log.push(`rejected ${error.code}`),
              )
              onNext()
            }}
          >
            Next
          </button>
        </div>
      )
    }
    function Wizard() {
      const [step, setStep] = useState(1)
      return (
        <AutosaveProvider {...defaults} transport={slow} store={slowStore ? idbLike : store}>
          {step === 1 ? <MusicStep onNext={() => setStep(2)} /> : <p>step 2</p>}
        </AutosaveProvider>
      )
    }
    render(<Wizard />)
    await waitFor(() => expect(restoring()).toBe('false'))
    fireEvent.change(box(), { target: { value: 'answer, then Next' } })
    fireEvent.click(screen.getByText('Next'))
    await sleep(300)
    expect(transport.backend.documents.get(id)?.data, 'the write was acknowledged').toEqual({ musicDescription: 'answer, then Next' })
    expect(log, 'flush() must not report DISPOSED for an acknowledged write').toEqual(['saved'])
  }

  it("the app's flush() started at Next resolves once the write is acknowledged", () => nextWhileFlushing('project:r3', false))
  it('same, with an IndexedDB-like (slow) store', () => nextWhileFlushing('project:r4', true))
})
