import type { Tabs } from '../environment/tabs'
import { diffDocuments, patchShared } from '../patch'
import type { Json, JsonPatchOperation } from '../types'
import type { Base } from './ledger'

/**
 * What the tabs of one browser tell each other about a document: acks on a channel, and two
 * kinds of lock — `send` (one tab writes at a time) and `alive:<instance>` (held for an
 * instance's whole life, so other tabs can tell its outbox record is not orphaned).
 */
export interface TabSync {
  /** Undefined when the platform has no locks: every tab then sends on its own. */
  readonly lock: Tabs['lock']
  readonly sendLock: string
  /**
   * Tells the other tabs the server acknowledged `data` as `version`: as the patch from `from`
   * (the acknowledged copy before it, which they hold too) when there is one, so the message
   * costs what changed, not the document.
   */
  postAck(version: number, data: Json, from?: Base): void
  /**
   * Another tab's ack; returns the unsubscribe function (undefined without a channel). `data`
   * is undefined when the ack is a patch from a version other than `base()`: this tab missed one.
   */
  onAck(listener: (version: number, data: Json | undefined) => void, base: () => Base): (() => void) | undefined
  /**
   * Takes over the lifetime lock of a gone instance and keeps it until this one is disposed,
   * so two tabs restoring at once can never both adopt (and both send) the same draft.
   */
  claim(owner: string): Promise<boolean>
  close(): void
}

export function createTabSync(
  tabs: Tabs,
  { storeId, key, instanceId, untilDisposed }: { storeId: string | undefined; key: string; instanceId: string; untilDisposed: Promise<void> },
): TabSync {
  const scope = `autosave-kit:${storeId ?? 'default'}`
  const channel = tabs.channel(`${scope}:${key}`)
  const lockName = (what: string) => `${scope}:${what}:${key}`
  void tabs.lock?.(lockName(`alive:${instanceId}`), {}, () => untilDisposed)

  return {
    lock: tabs.lock,
    sendLock: lockName('send'),
    postAck(version, data, from) {
      if (!channel) return
      const ops = from?.version != null ? diffDocuments(from.data, data) : undefined
      channel.post(ops ? { type: 'ack', version, from: from!.version, ops } : { type: 'ack', version, data })
    },
    onAck(listener, base) {
      return channel?.subscribe((message) => {
        const ack = message as { type?: string; version?: number; data?: Json; from?: number; ops?: JsonPatchOperation[] }
        if (typeof ack?.version !== 'number') return
        const { version, data } = base()
        // A tab that could not apply a patch asks for the whole document; any tab holding it answers.
        if (ack.type === 'need') return void (version === ack.version && channel.post({ type: 'ack', version, data }))
        if (ack.type !== 'ack') return
        if (!Array.isArray(ack.ops)) return listener(ack.version, ack.data as Json)
        let patched: Json | undefined
        try {
          patched = version === ack.from && data !== undefined ? patchShared(data, ack.ops) : undefined
        } catch {
          // Not a patch of what this tab holds: as if missed.
        }
        if (patched === undefined && (version === null || ack.version > version)) channel.post({ type: 'need', version: ack.version })
        listener(ack.version, patched)
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
