// @vitest-environment node
import { renderToString } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { memoryTransport } from '../../src/index'
import { AutosaveProvider, useAutosavedState } from '../../src/react/index'

function Step() {
  const [draft, , meta] = useAutosavedState('project:ssr', { musicDescription: 'initial' })
  return (
    <p>
      {draft.musicDescription} — {meta.restoring ? 'restoring' : 'ready'}
    </p>
  )
}

describe('server rendering', () => {
  it('renderToString works with no window, and creates no engine', () => {
    expect(typeof window).toBe('undefined')
    const html = renderToString(
      <AutosaveProvider transport={memoryTransport()}>
        <Step />
      </AutosaveProvider>,
    )
    expect(html).toContain('initial')
    expect(html).toContain('restoring')
  })
})
