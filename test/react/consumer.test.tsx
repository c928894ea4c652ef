import { cleanup, render, screen, waitFor } from '@testing-library/react'
import { Component, useEffect, useLayoutEffect, useState, version, type ReactNode } from 'react'
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest'
import type { FileMetadata, Jsonified, Restored } from '../../src/index'
import { AutosaveProvider, useAutosave, useAutosavedState, type UseAutosaveResult } from '../../src/react/index'
import { typecheckSamples } from '../../scripts/check-doc-samples'
import { backend, sleep, type Draft } from './harness'

afterEach(cleanup)

/** Every value the screen showed, in commit order ('loading' while restoring). */
function screenLog() {
  const shown: string[] = []
  const useLog = (text: string) => useLayoutEffect(() => void (shown.at(-1) !== text && shown.push(text)))
  return { shown, useLog }
}

describe('no render of the initial state after restoring', () => {
  it('useAutosave + useEffect(setState), as the README shows: loading, then the restored draft', async () => {
    const { transport, defaults } = backend()
    transport.backend.documents.set('project:flash-1', { data: { musicDescription: 'saved before' }, version: 1, updatedAt: '' })
    const { shown, useLog } = screenLog()
    function MusicStep() {
      const [answers, setAnswers] = useState<Draft>({ musicDescription: '' })
      const { restoring, restored } = useAutosave({ key: 'project:flash-1' }, answers)
      useEffect(() => {
        if (restored) setAnswers(restored)
      }, [restored])
      useLog(restoring ? 'loading' : `text:${answers.musicDescription}`)
      return restoring ? <p>Loading your draft…</p> : <textarea aria-label="music" value={answers.musicDescription} readOnly />
    }
    render(
      <AutosaveProvider {...defaults}>
        <MusicStep />
      </AutosaveProvider>,
    )
    await waitFor(() => expect(shown.at(-1)).toBe('text:saved before'))
    await sleep(50)
    expect(shown, 'the empty initial state was shown between "loading" and the restored draft').toEqual(['loading', 'text:saved before'])
  })

  it('useAutosavedState: loading, then the restored draft', async () => {
    const { transport, defaults } = backend()
    transport.backend.documents.set('project:flash-2', { data: { musicDescription: 'saved before' }, version: 1, updatedAt: '' })
    const { shown, useLog } = screenLog()
    function MusicStep() {
      const [draft, , meta] = useAutosavedState<Draft>('project:flash-2', { musicDescription: '' })
      useLog(meta.restoring ? 'loading' : `text:${draft.musicDescription}`)
      return null
    }
    render(
      <AutosaveProvider {...defaults}>
        <MusicStep />
      </AutosaveProvider>,
    )
    await waitFor(() => expect(shown.at(-1)).toBe('text:saved before'))
    await sleep(50)
    expect(shown, 'the empty initial state was shown between "loading" and the restored draft').toEqual(['loading', 'text:saved before'])
    expect(transport.backend.writes, 'the restored draft is not written back').toHaveLength(0)
  })
})

class Catch extends Component<{ children: ReactNode }, { error?: Error }> {
  override state: { error?: Error } = {}
  static getDerivedStateFromError(error: Error) {
    return { error }
  }
  override render() {
    return this.state.error ? <p data-testid="error">{this.state.error.message}</p> : this.props.children
  }
}

describe('one API shape for both hooks, and errors that name them', () => {
  it('useAutosave takes the key as a string, useAutosavedState takes it in the options', async () => {
    const { transport, defaults } = backend()
    function Both() {
      const [draft, setDraft, meta] = useAutosavedState<Draft>({ key: 'project:forms-1' }, { musicDescription: '' })
      const other = useAutosave('project:forms-2', draft, { debounceMs: 10 })
      // biome-ignore lint/correctness/useExhaustiveDependencies: the test reacts to restore finishing, not to a new setter
      useEffect(() => {
        if (!meta.restoring && draft.musicDescription === '') setDraft({ musicDescription: 'both' })
      }, [meta.restoring, draft])
      return <span data-testid="state">{String(other.restoring)}</span>
    }
    render(
      <AutosaveProvider {...defaults}>
        <Both />
      </AutosaveProvider>,
    )
    await waitFor(() => expect(transport.backend.documents.get('project:forms-1')?.data).toEqual({ musicDescription: 'both' }))
    await waitFor(() => expect(transport.backend.documents.get('project:forms-2')?.data).toEqual({ musicDescription: 'both' }))
  })

  // React 18 rethrows an effect's error out of render() under act even below an error boundary,
  // and its next render then fails ("Should not already be working"): these two run on React 19.
  const react19 = !version.startsWith('18.')

  it.runIf(react19)('a missing key names `key` and the hook', async () => {
    const { defaults } = backend()
    function NoKey() {
      useAutosave({} as { key: string }, 1)
      return null
    }
    const quiet = console.error
    console.error = () => {}
    try {
      render(
        <AutosaveProvider {...defaults}>
          <Catch>
            <NoKey />
          </Catch>
        </AutosaveProvider>,
      )
      const message = await waitFor(() => screen.getByTestId('error').textContent!)
      expect(message).toMatch(/^useAutosave\b.*"key"/)
      expect(message).not.toContain('createAutosave')
    } finally {
      console.error = quiet
    }
  })

  it.runIf(react19)('no provider and no transport: the message points to <AutosaveProvider>', async () => {
    function Lonely() {
      useAutosavedState('project:lonely', 1)
      return null
    }
    const quiet = console.error
    console.error = () => {}
    try {
      render(
        <Catch>
          <Lonely />
        </Catch>,
      )
      const message = await waitFor(() => screen.getByTestId('error').textContent!)
      expect(message).toMatch(/^useAutosavedState\b/)
      expect(message).toContain('<AutosaveProvider>')
    } finally {
      console.error = quiet
    }
  })

  it('useAutosave({}, state) is a type error that names `key`', { timeout: 120_000 }, () => {
    const code = ["import { useAutosave } from 'autosave-kit/react'", 'export function Step() {', '  useAutosave({}, { step: 1 })', '}'].join('\n')
    const problems = typecheckSamples([{ doc: 'docs/x.md', line: 1, lang: 'tsx', mode: 'check', continues: false, code, id: 'docs/x.md:1' }])
    expect(problems).toHaveLength(1)
    expect(problems[0]!.messages.join('\n')).toContain("'key'")
  })
})

describe('what a restore gives back is typed as what it is', () => {
  type Plain = { step: string; tags: string[]; done?: boolean }
  type Rich = { at: Date; tags: Set<string>; cover: File; sizes: Map<string, number> }

  it('a plain JSON state is restored as itself: nothing changes for it', () => {
    expectTypeOf<Restored<Plain>>().toEqualTypeOf<Plain>()
    expectTypeOf<UseAutosaveResult<Plain, Restored<Plain>>['restored']>().toEqualTypeOf<Plain | undefined>()
  })

  it('a Date comes back a string, a Set an array, a File its metadata, a Map an object', () => {
    expectTypeOf<Restored<Rich>>().toEqualTypeOf<Jsonified<Rich>>()
    expectTypeOf<Jsonified<Rich>['at']>().toEqualTypeOf<string>()
    expectTypeOf<Jsonified<Rich>['tags']>().toEqualTypeOf<string[]>()
    expectTypeOf<Jsonified<Rich>['cover']>().toEqualTypeOf<FileMetadata>()
    expectTypeOf<Jsonified<Rich>['sizes']>().toEqualTypeOf<{ [key: string]: number }>()
  })

  it('useAutosave types `restored` as the JSON form unless the state is plain JSON', () => {
    const plain = () => useAutosave({ key: 'p' }, {} as Plain)
    const rich = () => useAutosave('r', {} as Rich)
    expectTypeOf<ReturnType<typeof plain>['restored']>().toEqualTypeOf<Plain | undefined>()
    expectTypeOf<ReturnType<typeof rich>['restored']>().toEqualTypeOf<Jsonified<Rich> | undefined>()
    // @ts-expect-error the restored `at` is a string: getTime() would throw
    void ((r: ReturnType<typeof rich>['restored']) => r!.at.getTime())
  })
})
