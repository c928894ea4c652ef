import { createAutosave } from '../../src/engine/autosave'
import { PageLifecycle } from '../../src/environment/lifecycle'
import { localTabs } from '../../src/environment/tabs'
import { memoryStore } from '../../src/stores/memory'
import { memoryTransport } from '../../src/transports/memory'
import type { AutosaveStore, StandardSchema, Transport, WriteResult } from '../../src/types'
import { fakeEnvironment, type wizard } from '../helpers'

/** The wizard document these tests save. */
export type Wizard = ReturnType<typeof wizard>

/** Lets pending promise callbacks and one macrotask run. */
export const settle = () => new Promise((resolve) => setTimeout(resolve, 0))

/**
 * Tabs of one browser on 'project:7': one fake environment, tab channel, store and memory server;
 * `open()` starts a tab, `openAandB()` the usual pair.
 */
export function twoTabWorld(options: { store?: AutosaveStore } = {}) {
  const env = fakeEnvironment()
  const tabs = localTabs()
  const store = options.store ?? memoryStore()
  const server = memoryTransport()
  const open = (extra: { transport?: Transport; lifecycle?: PageLifecycle; schema?: StandardSchema } = {}) =>
    createAutosave<Wizard>({
      key: 'project:7',
      transport: extra.transport ?? server,
      store,
      schema: extra.schema,
      debounceMs: 50,
      environment: { ...env.environment, lifecycle: extra.lifecycle ?? env.lifecycle, tabs },
    })
  /** Tab A over `aTransport` and tab B on the server with a page lifecycle of its own (`bLifecycle`), both restored. */
  const openAandB = async (aTransport: Transport) => {
    const bLifecycle = new PageLifecycle(() => {})
    const a = open({ transport: aTransport })
    const b = open({ lifecycle: bLifecycle })
    await a.restore()
    await b.restore()
    return { a, b, bLifecycle }
  }
  return { env, tabs, store, server, open, openAandB }
}

/** A tab's network to `server`: the server decides a write at once, the answer reaches the tab after `release()`; `writing` resolves when the first write reached the server. */
export function heldAnswers(server: Transport) {
  let release!: () => void
  const answer = new Promise<void>((resolve) => (release = resolve))
  let wrote!: () => void
  const writing = new Promise<void>((resolve) => (wrote = resolve))
  const transport: Transport = {
    load: (key, options) => server.load(key, options),
    write: async (request) => {
      const decided: Promise<WriteResult> = server.write(request) // applied at once
      decided.catch(() => {})
      wrote()
      await answer // the answer is slow
      return decided
    },
  }
  return { transport, release, writing }
}
