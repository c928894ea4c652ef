import type { Tabs } from '../environment/tabs'
import type { Json } from '../types'

/**
 * What the tabs of one browser tell each other about a document: acks on a channel, and two
 * kinds of lock — `send` (one tab writes at a time) and `alive:<instance>` (held for an
 * instance's whole life, so other tabs can tell its outbox record is not orphaned).
 */
export interface TabSync {
  /** Undefined when the platform has no locks: every tab then sends on its own. */
  readonly lock: Tabs['lock']
  readonly sendLock: string
  /** Tells the other tabs the server acknowledged `data` as `version`. */
  postAck(version: number, data: Json): void
  /** Another tab's ack; returns the unsubscribe function (undefined without a channel). */
  onAck(listener: (version: number, data: Json) => void): (() => void) | undefined
  /**
   * Takes over the lifetime lock of a gone instance and keeps it until this one is disposed,
   * so two tabs restoring at once can never both adopt (and both send) the same draft.
   */
  claim(owner: string): Promise<boolean>
  close(): void
}

export function createTabSync(tabs: Tabs, { storeId, key, instanceId, untilDisposed }: { storeId: string | undefined; key: string; instanceId: string; untilDisposed: Promise<void> }): TabSync {
  const scope = `autosave-kit:${storeId ?? 'default'}`
  const channel = tabs.channel(`${scope}:${key}`)
  const lockName = (what: string) => `${scope}:${what}:${key}`
  void tabs.lock?.(lockName(`alive:${instanceId}`), {}, () => untilDisposed)

  return {
    lock: tabs.lock,
    sendLock: lockName('send'),
    postAck(version, data) {
      channel?.post({ type: 'ack', version, data })
    },
    onAck(listener) {
      return channel?.subscribe((message) => {
        const ack = message as { type?: string; version?: number; data?: Json }
        if (ack?.type === 'ack' && typeof ack.version === 'number') listener(ack.version, ack.data as Json)
      })
    },
    claim(owner) {
      const lock = tabs.lock
      if (!lock) return Promise.resolve(true)
      return new Promise<boolean>((resolve) => {
        void lock(lockName(`alive:${owner}`), { ifAvailable: true }, (granted) => {
          resolve(granted)
          return granted ? untilDisposed : undefined
        })
      })
    },
    close() {
      channel?.close()
    },
  }
}
