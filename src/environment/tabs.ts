/**
 * One named message channel between the instances of one browser (a BroadcastChannel, or the
 * stand-in of `localTabs()`): a message reaches every other subscriber, never its sender.
 *
 * @example
 * ```ts
 * const tabs = localTabs()
 * const a = tabs.channel('project:42')!
 * const b = tabs.channel('project:42')!
 * b.subscribe((message) => console.log(message)) // { hello: 'from a' }
 * a.post({ hello: 'from a' })
 * ```
 */
export interface TabChannel {
  /** Sends a structured-cloneable message to every other subscriber of the channel's name. */
  post(message: unknown): void
  /** Receives the messages of other instances; returns the unsubscribe function. */
  subscribe(listener: (message: unknown) => void): () => void
  /** Stops receiving and sending; the engine calls it on `dispose()`. */
  close(): void
}

/**
 * The cross-tab seam of `Environment`: a message channel per name and, where the platform
 * has them, exclusive locks. Both are looked up when first used, never at import.
 * `browserTabs` (BroadcastChannel and Web Locks) is the default; `localTabs()` runs tabs in
 * one process.
 *
 * @example
 * ```ts
 * // Two engines on one `tabs` behave like two tabs of one browser.
 * const tabs = localTabs()
 * const tabA = createAutosave({ key: 'project:42', transport, store, environment: { tabs } })
 * const tabB = createAutosave({ key: 'project:42', transport, store, environment: { tabs } })
 * ```
 */
export interface Tabs {
  /** A channel shared by every instance on this device that opens the same name; undefined if none exists. */
  channel(name: string): TabChannel | undefined
  /**
   * Runs `fn` holding the exclusive lock `name` across tabs. With `ifAvailable`, `fn` gets
   * `false` at once when another holder has it. Undefined when the platform has no locks.
   */
  lock?: <T>(name: string, options: { ifAvailable?: boolean; signal?: AbortSignal }, fn: (granted: boolean) => Promise<T> | T) => Promise<T>
}

interface LockManagerLike {
  request(name: string, options: { ifAvailable?: boolean; signal?: AbortSignal }, callback: (lock: unknown) => unknown): Promise<unknown>
}

/**
 * The default `Tabs`: BroadcastChannel and `navigator.locks` where the platform has them
 * (nothing on the server, where engines of different requests must not talk).
 *
 * @example
 * ```ts
 * // The default; pass it explicitly only to undo a replacement.
 * createAutosave({ key, transport, environment: { tabs: browserTabs } })
 * ```
 */
export const browserTabs: Tabs = {
  channel(name) {
    // Browsers and workers only: Node has BroadcastChannel too, and server-side engines of
    // different requests must not talk to each other.
    const browser = typeof window !== 'undefined' || typeof (globalThis as { importScripts?: unknown }).importScripts === 'function'
    if (!browser || typeof BroadcastChannel !== 'function') return undefined
    const channel = new BroadcastChannel(name)
    return {
      post: (message) => channel.postMessage(message),
      subscribe(listener) {
        const onMessage = (event: MessageEvent) => listener(event.data)
        channel.addEventListener('message', onMessage)
        return () => channel.removeEventListener('message', onMessage)
      },
      close: () => channel.close(),
    }
  },
  lock(name, options, fn) {
    const locks = (globalThis.navigator as { locks?: LockManagerLike } | undefined)?.locks
    // No Web Locks (old Safari, Node): the caller degrades; see `hasLocks`.
    if (!locks) return Promise.resolve(fn(true))
    return locks.request(name, options, (lock) => fn(lock !== null)) as Promise<never>
  },
}

/** Whether `tabs` can really exclude other tabs (Web Locks present). */
export function hasLocks(tabs: Tabs): boolean {
  if (tabs !== browserTabs) return tabs.lock !== undefined
  return typeof (globalThis.navigator as { locks?: unknown } | undefined)?.locks === 'object'
}

/**
 * An in-process stand-in for BroadcastChannel + Web Locks: every engine given the same
 * `localTabs()` object sees the others as tabs of one browser. For tests and for
 * environments (workers, React Native) that run several engines in one realm.
 *
 * @example
 * ```ts
 * const tabs = localTabs()
 * const a = createAutosave({ key, transport, store, environment: { tabs } })
 * const b = createAutosave({ key, transport, store, environment: { tabs } })
 * ```
 */
export function localTabs(): Tabs {
  const rooms = new Map<string, Set<(message: unknown) => void>>()
  const held = new Map<string, Promise<void>>()
  return {
    channel(name) {
      const room = rooms.get(name) ?? new Set()
      rooms.set(name, room)
      const mine = new Set<(message: unknown) => void>()
      let closed = false
      return {
        // Like BroadcastChannel: delivered asynchronously, structured-cloned, never to the sender.
        post(message) {
          if (closed) throw new DOMException('The channel is closed', 'InvalidStateError')
          const copy = structuredClone(message)
          for (const listener of room) if (!mine.has(listener)) queueMicrotask(() => room.has(listener) && listener(copy))
        },
        subscribe(listener) {
          room.add(listener)
          mine.add(listener)
          return () => {
            room.delete(listener)
            mine.delete(listener)
          }
        },
        close() {
          closed = true
          for (const listener of mine) room.delete(listener)
          mine.clear()
        },
      }
    },
    async lock(name, options, fn) {
      const { signal } = options
      signal?.throwIfAborted()
      for (;;) {
        const current = held.get(name)
        if (!current) break
        if (options.ifAvailable) return fn(false)
        await new Promise<void>((resolve, reject) => {
          const onAbort = () => reject(signal!.reason)
          signal?.addEventListener('abort', onAbort, { once: true })
          void current.then(() => {
            signal?.removeEventListener('abort', onAbort)
            resolve()
          })
        })
      }
      let release!: () => void
      held.set(name, new Promise<void>((resolve) => (release = resolve)))
      try {
        return await fn(true)
      } finally {
        held.delete(name)
        release()
      }
    },
  }
}
