/**
 * A test page of its own for the devtools e2e (test/e2e/devtools-panel.e2e.ts) and the README
 * screenshot: one wizard step autosaved with `useAutosavedState`, the music-clip wizard's own
 * save indicator (imported, not copied), and the devtools panel tracking the step's engine.
 * Bundled by esbuild and opened from a file: no server, a memory transport with some latency.
 */
import { createRoot } from 'react-dom/client'
import { useEffect, useMemo } from 'react'
import { memoryStore, memoryTransport } from '../../src/index'
import { useAutosavedState } from '../../src/react/index'
import { devtoolsTransport, mountDevtools, track } from '../../src/devtools/index'
import { SaveStatus } from '../../examples/music-clip-wizard/src/components/SaveStatus'
import '../../examples/music-clip-wizard/src/styles.css'

const transport = devtoolsTransport(memoryTransport({ latencyMs: 150 }))
// Seen by the test: what "the server" holds.
;(window as unknown as { backend: unknown }).backend = transport.backend

function Step() {
  const store = useMemo(() => memoryStore(), [])
  const [draft, setDraft, meta] = useAutosavedState(
    'project:demo',
    { musicDescription: '' },
    { transport, store, debounceMs: 300, retry: { minTimeout: 2_000, maxTimeout: 2_000, randomize: false } },
  )
  const { saver } = meta
  useEffect(() => (saver ? track(saver, { store, label: 'Music step' }) : undefined), [saver, store])
  useEffect(() => {
    const panel = mountDevtools()
    return () => panel?.remove()
  }, [])
  return (
    <main style={{ padding: 24, maxWidth: 640 }}>
      <header style={{ display: 'flex', alignItems: 'center', gap: 12, marginBottom: 16 }}>
        <h1 style={{ margin: 0, fontSize: 20 }}>Describe your music</h1>
        <SaveStatus status={meta.status} opening={meta.restoring} />
      </header>
      <textarea
        aria-label="music"
        rows={5}
        style={{ width: '100%' }}
        value={draft.musicDescription}
        onChange={(event) => setDraft({ musicDescription: event.target.value })}
      />
    </main>
  )
}

createRoot(document.getElementById('root')!).render(<Step />)
