import { systemClock, type Clock } from './clock'
import { focusManager, type FocusManager } from './focus'
import { onlineManager, type OnlineManager } from './online'
import { pageLifecycle, type PageLifecycle } from './lifecycle'
import { browserTabs, type Tabs } from './tabs'

/**
 * Every way the engine touches the outside world, in one place. Pass a partial
 * `environment` to `createAutosave` to replace any of them; the rest keep their defaults.
 *
 * @example
 * ```ts
 * // A test: offline on demand, two "tabs" in one process, predictable ids.
 * let n = 0
 * const environment: Partial<Environment> = { online: new OnlineManager(() => {}), tabs: localTabs(), randomId: () => `id-${n++}` }
 * createAutosave({ key: 'project:42', transport, environment })
 * ```
 */
export interface Environment {
  clock: Clock
  online: Pick<OnlineManager, 'isOnline' | 'subscribe'>
  lifecycle: Pick<PageLifecycle, 'subscribe'>
  /** The page came back into view or focus: try pending work now, revalidate the server's copy. */
  focus: Pick<FocusManager, 'subscribe'>
  /** Other tabs: BroadcastChannel and Web Locks. */
  tabs: Tabs
  /** Idempotency keys, instance and snapshot ids. */
  randomId: () => string
}

export function resolveEnvironment(overrides: Partial<Environment> = {}): Environment {
  return {
    clock: overrides.clock ?? systemClock,
    online: overrides.online ?? onlineManager,
    lifecycle: overrides.lifecycle ?? pageLifecycle,
    focus: overrides.focus ?? focusManager,
    tabs: overrides.tabs ?? browserTabs,
    randomId: overrides.randomId ?? randomId,
  }
}

function randomId(): string {
  const c = globalThis.crypto
  if (c?.randomUUID) return c.randomUUID()
  // Non-secure contexts (plain http on a LAN) lack randomUUID but keep getRandomValues.
  const b = c?.getRandomValues ? c.getRandomValues(new Uint8Array(16)) : Uint8Array.from({ length: 16 }, () => (Math.random() * 256) | 0)
  b[6] = (b[6]! & 0x0f) | 0x40
  b[8] = (b[8]! & 0x3f) | 0x80
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}
