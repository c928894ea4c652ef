/** What the binding tests share: an in-process backend and an environment of their own. */
import { memoryStore, memoryTransport, type AutosaveOptions } from '../../src/index'
import { OnlineManager } from '../../src/environment/online'
import { PageLifecycle } from '../../src/environment/lifecycle'
import { localTabs } from '../../src/environment/tabs'

/** A memory transport and store, and engine options that use them (debounce 20 ms). */
export function backend() {
  const transport = memoryTransport()
  const store = memoryStore()
  const online = new OnlineManager(() => {})
  const options = {
    transport,
    store,
    debounceMs: 20,
    // localTabs: engines of this test see each other as tabs, and nothing of other tests.
    environment: { online, lifecycle: new PageLifecycle(() => {}), tabs: localTabs() },
  } satisfies Partial<AutosaveOptions<unknown>>
  return { transport, store, online, options }
}

/** Polls until `check` passes (it throws until then), or fails with its last error. */
export async function eventually(check: () => void, timeoutMs = 2000): Promise<void> {
  const until = Date.now() + timeoutMs
  for (;;) {
    try {
      check()
      return
    } catch (error) {
      if (Date.now() > until) throw error
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
  }
}
