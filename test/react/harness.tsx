/** What the React tests share: a memory backend for the provider, a wizard step, and waiting. */
import { act, screen } from '@testing-library/react'
import { memoryStore, memoryTransport, type AutosaveOptions, type Transport } from '../../src/index'
import { useAutosavedState } from '../../src/react/index'
import { OnlineManager } from '../../src/environment/online'
import { PageLifecycle } from '../../src/environment/lifecycle'
import { localTabs } from '../../src/environment/tabs'

export type Draft = { musicDescription: string }

/** A memory transport and store, and the provider options that use them. */
export function backend() {
  const transport = memoryTransport()
  const store = memoryStore()
  const defaults: Partial<AutosaveOptions<unknown>> = {
    transport,
    store,
    debounceMs: 30,
    // localTabs: engines of this test see each other as tabs, and nothing of other tests.
    environment: { online: new OnlineManager(() => {}), lifecycle: new PageLifecycle(() => {}), tabs: localTabs() },
  }
  return { transport, store, defaults }
}

/** A transport whose load() of `slowKey` waits until open() is called (a slow network). */
export function slowLoad(inner: Transport, slowKey: string) {
  let open!: () => void
  const gate = new Promise<void>((resolve) => (open = resolve))
  const transport: Transport = {
    load: async (key, options) => {
      if (key === slowKey) await gate
      return inner.load(key, options)
    },
    write: (request) => inner.write(request),
  }
  return { transport, open }
}

export const sleep = (ms: number) => act(() => new Promise<void>((resolve) => setTimeout(resolve, ms)))

/**
 * A wizard step on document `id`: a textarea labelled `label` ('music' by default), with its
 * status text, restoring flag and restore error under the test ids 'status', 'restoring' and
 * 'restore-error' — prefixed by `${label}-` when a label is given, so two steps can be told apart.
 */
export function Step({ id, label }: { id: string; label?: string }) {
  const [draft, setDraft, meta] = useAutosavedState<Draft>(id, { musicDescription: '' })
  const testId = (name: string) => (label ? `${label}-${name}` : name)
  return (
    <div>
      <textarea aria-label={label ?? 'music'} value={draft.musicDescription} onChange={(e) => setDraft({ musicDescription: e.target.value })} />
      <span data-testid={testId('status')}>{meta.statusText}</span>
      <span data-testid={testId('restoring')}>{String(meta.restoring)}</span>
      <span data-testid={testId('restore-error')}>{(meta.restoreError as Error | undefined)?.name ?? ''}</span>
    </div>
  )
}

/** The textarea of the step labelled `label`. */
export const box = (label = 'music') => screen.getByLabelText(label) as HTMLTextAreaElement
/** The restoring flag ('true' or 'false') of the step labelled `label`, or of the one step without a label. */
export const restoring = (label?: string) => screen.getByTestId(label ? `${label}-restoring` : 'restoring').textContent
