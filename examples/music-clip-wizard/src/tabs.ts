import { browserTabs, type Tabs } from 'autosave-kit'

const busy = new Set<() => boolean>()

/**
 * Tabs of one browser tell each other about every acknowledged save, and the engine merges
 * that into its unsent edits with the three-way merge — not with the `conflict` option, so two
 * tabs answering one step would keep both answers. While this tab has unsent work, the example
 * holds those messages back: its next write then meets the other tab's save as a 412 and
 * `oneAnswerPerStep` decides, as it does between devices (the library documents tabs without
 * BroadcastChannel working this way). With nothing unsent, the other tab's save shows at once.
 */
export const wizardTabs: Tabs = {
  channel(name) {
    const channel = browserTabs.channel(name)
    if (!channel) return undefined
    return {
      ...channel,
      subscribe: (listener) => channel.subscribe((message) => [...busy].some((pending) => pending()) || listener(message)),
    }
  },
  // Only where Web Locks exist (the engine asks whether `lock` is there).
  ...(typeof navigator !== 'undefined' && 'locks' in navigator ? { lock: browserTabs.lock } : {}),
}

/** While `pending()` says so, other tabs' saves wait for this tab's own write (see above). */
export function holdOtherTabsWhile(pending: () => boolean): () => void {
  busy.add(pending)
  return () => busy.delete(pending)
}
