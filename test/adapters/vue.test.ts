import { mount } from '@vue/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import { createSSRApp, defineComponent, effectScope, h, nextTick, reactive, ref, type Ref } from 'vue'
import { renderToString } from 'vue/server-renderer'
import { createAutosave } from '../../src/index'
import { useAutosave, useAutosaveStatus } from '../../src/vue/index'
import { backend, eventually } from './harness'

type Draft = { musicDescription: string; tags: string[] }

const mounted: Array<{ unmount(): void }> = []
afterEach(() => {
  for (const wrapper of mounted.splice(0)) wrapper.unmount()
})

/** A wizard step: a textarea bound to a `ref` (or a `reactive`), and the status text. */
function step(options: Parameters<typeof useAutosave<Draft>>[0], kind: 'ref' | 'reactive' = 'ref') {
  const exposed: { draft?: Ref<Draft> | Draft; result?: ReturnType<typeof useAutosave<Draft>> } = {}
  const Step = defineComponent({
    setup() {
      const draft = kind === 'ref' ? ref<Draft>({ musicDescription: '', tags: [] }) : reactive<Draft>({ musicDescription: '', tags: [] })
      const result = useAutosave(options, draft)
      Object.assign(exposed, { draft, result })
      const value = () => ('value' in draft ? draft.value : draft) as Draft
      return () =>
        h('div', [
          h('textarea', {
            value: value().musicDescription,
            onInput: (event: Event) => (value().musicDescription = (event.target as HTMLTextAreaElement).value),
          }),
          h('span', { 'data-testid': 'status' }, result.statusText.value),
          h('span', { 'data-testid': 'restoring' }, String(result.restoring.value)),
        ])
    },
  })
  const wrapper = mount(Step)
  mounted.push(wrapper)
  return { wrapper, exposed }
}

describe('autosave-kit/vue useAutosave', () => {
  it('restores the saved draft into the ref without saving it back, then saves each edit', async () => {
    const { transport, options } = backend()
    transport.backend.documents.set('project:1', {
      data: { musicDescription: 'saved before', tags: ['pop'] },
      version: 3,
      updatedAt: new Date(0).toISOString(),
    })
    const { wrapper } = step({ key: 'project:1', ...options })
    await eventually(() => expect(wrapper.get('[data-testid=restoring]').text()).toBe('false'))
    await nextTick()
    expect((wrapper.get('textarea').element as HTMLTextAreaElement).value, 'the restored draft is shown').toBe('saved before')
    await new Promise((resolve) => setTimeout(resolve, 60))
    expect(transport.backend.writes, 'restoring must not write the restored state back').toHaveLength(0)

    await wrapper.get('textarea').setValue('edited')
    await eventually(() => expect(transport.backend.documents.get('project:1')?.data).toEqual({ musicDescription: 'edited', tags: ['pop'] }))
    expect(wrapper.get('[data-testid=status]').text()).toBe('Saved')
  })

  it('works on a reactive object too, and saves copies that later in-place edits cannot change', async () => {
    const { transport, options } = backend()
    const { wrapper, exposed } = step({ key: 'project:2', ...options }, 'reactive')
    await eventually(() => expect(exposed.result!.restoring.value).toBe(false))
    const draft = exposed.draft as Draft
    draft.tags.push('rock')
    const saved = exposed.result!.saver.value!.getState()!
    draft.tags.push('jazz')
    expect(saved.tags, 'the engine holds a snapshot, not the reactive object').toEqual(['rock'])
    await eventually(() => expect(transport.backend.documents.get('project:2')?.data).toEqual({ musicDescription: '', tags: ['rock', 'jazz'] }))
    wrapper.unmount()
  })

  it('the initial value never overwrites saved work: nothing is saved until restore has answered', async () => {
    const { transport, options } = backend()
    transport.backend.documents.set('project:3', { data: { musicDescription: 'on the server', tags: [] }, version: 1, updatedAt: new Date(0).toISOString() })
    const { exposed } = step({ key: 'project:3', ...options })
    await eventually(() => expect(exposed.result!.restoring.value).toBe(false))
    expect((exposed.draft as Ref<Draft>).value.musicDescription).toBe('on the server')
    await new Promise((resolve) => setTimeout(resolve, 60))
    expect(transport.backend.documents.get('project:3')?.version).toBe(1)
  })

  it('a change saved in another tab arrives in the ref', async () => {
    const { options } = backend()
    const { exposed } = step({ key: 'project:4', ...options })
    await eventually(() => expect(exposed.result!.restoring.value).toBe(false))
    const otherTab = createAutosave<Draft>({ key: 'project:4', ...options })
    await otherTab.restore()
    otherTab.save({ musicDescription: 'from the other tab', tags: [] })
    await otherTab.flush()
    await eventually(() => expect((exposed.draft as Ref<Draft>).value.musicDescription).toBe('from the other tab'))
    await otherTab.dispose()
  })

  it('an edit made within the debounce is still sent when the component unmounts', async () => {
    const { transport, options } = backend()
    const { wrapper } = step({ key: 'project:5', ...options, debounceMs: 5_000 })
    await eventually(() => expect(wrapper.get('[data-testid=restoring]').text()).toBe('false'))
    await wrapper.get('textarea').setValue('typed, then left')
    wrapper.unmount()
    await eventually(() =>
      expect(transport.backend.documents.get('project:5')?.data, 'the last edit was lost on unmount').toEqual({
        musicDescription: 'typed, then left',
        tags: [],
      }),
    )
  })

  it('server rendering creates no engine and shows the initial value, restoring', async () => {
    const { transport, options } = backend()
    let loads = 0
    const counting = { ...transport, load: (key: string) => (loads++, transport.load(key)) }
    const App = defineComponent({
      setup() {
        const draft = ref<Draft>({ musicDescription: 'initial', tags: [] })
        const { restoring, statusText } = useAutosave({ key: 'project:ssr', ...options, transport: counting }, draft)
        return () => h('p', `${draft.value.musicDescription}|${restoring.value}|${statusText.value}`)
      },
    })
    expect(await renderToString(createSSRApp(App))).toBe('<p>initial|true|</p>')
    await new Promise((resolve) => setTimeout(resolve, 30))
    expect(loads, 'an engine was created during server rendering').toBe(0)
  })

  it('useAutosaveStatus follows an engine created elsewhere until its scope stops', async () => {
    const { options } = backend()
    const saver = createAutosave<Draft>({ key: 'project:8', ...options })
    const scope = effectScope()
    const status = scope.run(() => useAutosaveStatus(saver))!
    expect(status.value.phase).toBe('idle')
    await saver.restore()
    saver.save({ musicDescription: 'x', tags: [] })
    await saver.flush()
    expect(status.value.phase).toBe('saved')
    scope.stop()
    saver.save({ musicDescription: 'y', tags: [] })
    expect(status.value.phase, 'still following after the scope stopped').toBe('saved')
    await saver.dispose()
  })

  it('two components on one engine restore it once, and both show the draft', async () => {
    const { transport, options } = backend()
    transport.backend.documents.set('project:7', { data: { musicDescription: 'shared', tags: [] }, version: 1, updatedAt: new Date(0).toISOString() })
    const saver = createAutosave<Draft>({ key: 'project:7', ...options })
    let restores = 0
    const restore = saver.restore
    saver.restore = () => (restores++, restore())
    const first = step(saver)
    const second = step(saver)
    for (const { wrapper } of [first, second]) {
      await eventually(() => expect((wrapper.get('textarea').element as HTMLTextAreaElement).value).toBe('shared'))
    }
    expect(restores, 'a second restore() for the same engine').toBe(1)
    first.wrapper.unmount()
    second.wrapper.unmount()
    await saver.dispose()
  })

  it('an engine passed in is used, not disposed; outside a component it works in an effect scope', async () => {
    const { transport, options } = backend()
    const saver = createAutosave<Draft>({ key: 'project:6', ...options })
    const scope = effectScope()
    const draft = ref<Draft>({ musicDescription: '', tags: [] })
    const result = scope.run(() => useAutosave(saver, draft))!
    await eventually(() => expect(result.restoring.value).toBe(false))
    draft.value = { musicDescription: 'in a store', tags: [] }
    await nextTick()
    await result.flush()
    expect(transport.backend.documents.get('project:6')?.data).toEqual({ musicDescription: 'in a store', tags: [] })
    scope.stop()
    saver.save({ musicDescription: 'still usable', tags: [] })
    await saver.flush()
    expect(transport.backend.documents.get('project:6')?.data, 'the caller owns the engine it passed').toEqual({ musicDescription: 'still usable', tags: [] })
    await saver.dispose()
  })
})
