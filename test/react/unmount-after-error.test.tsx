import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import { TransportError, type Transport } from '../../src/index'
import { AutosaveProvider } from '../../src/react/index'
import { backend, box, restoring, sleep, Step } from './harness'

afterEach(cleanup)

describe('a step unmounted after an earlier refused save', () => {
  it('the last edit (valid) of a step whose previous save was refused is tried once on unmount', async () => {
    const { transport, defaults } = backend()
    // The server refuses (400) a body containing "<script>", accepts the rest.
    const picky: Transport = {
      load: (k, o) => transport.load(k, o),
      write: async (r) => {
        // A real network: the request takes a while and is cancelled by the engine's abort.
        await new Promise((res) => setTimeout(res, 20))
        if (r.signal?.aborted) throw r.signal.reason
        if (JSON.stringify(r.data).includes('<script>')) throw new TransportError('TRANSPORT_HTTP', 'refused', { status: 400 })
        return transport.write(r)
      },
    }
    const view = render(
      <AutosaveProvider {...defaults} transport={picky}>
        <Step id="project:e1" />
      </AutosaveProvider>,
    )
    await waitFor(() => expect(restoring()).toBe('false'))
    fireEvent.change(box(), { target: { value: 'a <script> tag' } })
    await waitFor(() => expect(screen.getByTestId('status').textContent).not.toMatch(/Sav/))
    const shown = screen.getByTestId('status').textContent
    fireEvent.change(box(), { target: { value: 'a tag, fixed' } })
    view.unmount() // within the debounce
    await sleep(300)
    expect(transport.backend.documents.get('project:e1')?.data, `status was "${shown}"`).toEqual({ musicDescription: 'a tag, fixed' })
  })
})
