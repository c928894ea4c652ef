import type { Autosave, HistoryEntry } from 'autosave-kit'
import { devtools, type TrackedEngine } from './registry'

interface Details {
  /** The status object these were read for: read again once it changes. */
  readFor: unknown
  history: HistoryEntry[]
  outbox: { records: number; bytes: number } | undefined
}

const STYLE = `
:host { display: block; color-scheme: light; font: 12px/1.4 system-ui, sans-serif; color: #1f2328; background: #fff; border: 1px solid #d0d7de; border-radius: 8px; max-width: 440px; overflow: auto; }
:host([floating]) { position: fixed; right: 12px; bottom: 12px; max-height: 60vh; z-index: 2147483647; box-shadow: 0 4px 16px rgba(0,0,0,.15); }
header { display: flex; flex-wrap: wrap; gap: 4px 12px; align-items: center; padding: 8px 10px; background: #f6f8fa; border-bottom: 1px solid #d0d7de; }
header strong { flex: 1 0 100%; }
section { padding: 8px 10px; border-bottom: 1px solid #eaeef2; }
h3 { margin: 0 0 4px; font-size: 13px; display: flex; gap: 6px; align-items: center; }
h3 small { color: #656d76; font-weight: normal; }
.phase { margin-left: auto; padding: 1px 6px; border-radius: 10px; background: #eaeef2; font-weight: 600; }
.phase-saved { background: #dafbe1; color: #1a7f37; } .phase-pending, .phase-saving { background: #fff8c5; color: #7d4e00; }
.phase-offline, .phase-retrying { background: #ddf4ff; color: #0969da; } .phase-error, .phase-conflict { background: #ffebe9; color: #cf222e; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0 8px; margin: 0; } dt { color: #656d76; } dd { margin: 0; }
ol, ul { margin: 4px 0; padding-left: 18px; } button { font: inherit; padding: 0 6px; margin-left: 6px; cursor: pointer; }
.empty, .note { padding: 8px 10px; color: #656d76; }
`

const escapeHtml = (text: unknown) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
const time = (ms: number | null | undefined) => (ms ? new Date(ms).toLocaleTimeString() : '—')
const size = (bytes: number) => (bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KB`)

/**
 * The unsent drafts of one document in its store: each tab's checkpoint and the log entries after
 * it (record names as the engine writes them today). A log whose newest entry closes it (`done`:
 * an ack covered everything) has nothing to send and is not counted.
 */
async function outboxOf(saver: Autosave<unknown>, engine: TrackedEngine) {
  const store = engine.options.store
  if (!store) return undefined
  const all = await store.keys()
  let records = 0
  let bytes = 0
  for (const checkpoint of all.filter((key) => key.startsWith(`outbox:${saver.key}:`))) {
    const head = (await store.get(checkpoint)) as { n?: number; done?: boolean } | undefined
    const number = (key: string) => Number(key.slice(key.lastIndexOf(':') + 1))
    const entries = all.filter((key) => key.startsWith(`wal:${checkpoint.slice('outbox:'.length)}:`) && number(key) > (head?.n ?? 0))
    const newest = entries.sort((a, b) => number(b) - number(a))[0]
    const last = newest === undefined ? head : ((await store.get(newest)) as { done?: boolean } | undefined)
    if (last?.done) continue
    for (const key of [checkpoint, ...entries]) {
      records++
      bytes += JSON.stringify((await store.get(key)) ?? null).length
    }
  }
  return { records, bytes }
}

/**
 * Registers the devtools panel as a custom element (default `<autosave-devtools>`; add the
 * `floating` attribute to pin it to the corner) and returns its class. Safe to call twice; does
 * nothing where there is no `customElements` (server rendering).
 *
 * @example
 * ```ts
 * defineDevtoolsElement()
 * document.body.append(document.createElement('autosave-devtools'))
 * ```
 */
export function defineDevtoolsElement(tagName = 'autosave-devtools'): CustomElementConstructor | undefined {
  if (typeof customElements === 'undefined') return undefined
  const existing = customElements.get(tagName)
  if (existing) return existing

  // Declared here, not at the top level: HTMLElement does not exist during server rendering.
  class AutosaveDevtoolsElement extends HTMLElement {
    #root = this.attachShadow({ mode: 'open' })
    #stop: (() => void) | undefined
    #scheduled = false
    #details = new WeakMap<object, Details>()
    /** The last details read, shown while a fresh read is on its way. */
    #previous = new WeakMap<object, Details>()
    #message = ''
    #html = ''
    #poll: ReturnType<typeof setInterval> | undefined

    connectedCallback() {
      this.#stop = devtools.subscribe(() => this.#schedule())
      // The store is written after the status changes (the local delay): read it again now and then.
      this.#poll = setInterval(() => {
        this.#details = new WeakMap()
        if (devtools.engines().length) this.#schedule()
      }, 500)
      this.#root.addEventListener('click', this.#onClick)
      this.#root.addEventListener('change', this.#onChange)
      this.#render()
    }

    disconnectedCallback() {
      this.#stop?.()
      clearInterval(this.#poll)
      this.#root.removeEventListener('click', this.#onClick)
      this.#root.removeEventListener('change', this.#onChange)
    }

    #onChange = (event: Event) => {
      const input = event.target as HTMLInputElement
      if (input.dataset.action === 'offline') devtools.setOffline(input.checked)
      if (input.dataset.action === 'fail') devtools.setFailNextSave(input.checked)
    }

    #onClick = (event: Event) => {
      const button = (event.target as HTMLElement).closest?.('button[data-action="rollback"]') as HTMLButtonElement | null
      if (!button) return
      const engine = devtools.engines().find(({ saver }) => saver.key === button.dataset.key)
      if (!engine) return
      engine.saver.rollback(button.dataset.id!).then(
        () => this.#say(`Rolled ${engine.saver.key} back to ${button.dataset.version}`),
        (error: unknown) => this.#say(`Rollback failed: ${error instanceof Error ? error.message : String(error)}`),
      )
    }

    #say(message: string) {
      this.#message = message
      this.#schedule()
    }

    #schedule() {
      if (this.#scheduled) return
      this.#scheduled = true
      queueMicrotask(() => {
        this.#scheduled = false
        if (this.isConnected) this.#render()
      })
    }

    /** Reads history and outbox again for engines whose status changed since they were read. */
    #refresh(engine: TrackedEngine) {
      const { saver } = engine
      const status = saver.getStatus()
      const known = this.#details.get(saver) ?? this.#previous.get(saver)
      if (known?.readFor === status && this.#details.has(saver)) return known
      const details: Details = { readFor: status, history: known?.history ?? [], outbox: known?.outbox }
      this.#previous.set(saver, details)
      this.#details.set(saver, details)
      void Promise.all([saver.history().catch(() => details.history), outboxOf(saver, engine).catch(() => undefined)]).then(([history, outbox]) => {
        details.history = history
        details.outbox = outbox
        this.#schedule()
      })
      return details
    }

    #render() {
      const engines = devtools.engines()
      const sections = engines.map((engine) => {
        const { saver, options, conflicts } = engine
        const status = saver.getStatus()
        const { history, outbox } = this.#refresh(engine)
        const key = escapeHtml(saver.key)
        return `<section data-key="${key}">
<h3>${key}${options.label ? ` <small>${escapeHtml(options.label)}</small>` : ''}<span class="phase phase-${status.phase}" data-field="phase">${status.phase}</span></h3>
<dl><dt>Pending</dt><dd data-field="pending">${status.pending ? 'yes' : 'no'}</dd>
<dt>Last saved</dt><dd data-field="last-saved">${time(status.lastSavedAt)}${status.version !== null ? ` (v${status.version})` : ''}</dd>
<dt>Outbox</dt><dd data-field="outbox">${outbox ? `${outbox.records} record${outbox.records === 1 ? '' : 's'}, ${size(outbox.bytes)}` : 'pass { store } to track()'}</dd>
${status.error ? `<dt>Error</dt><dd data-field="error">${escapeHtml(status.error.code)}: ${escapeHtml(status.error.message)}</dd>` : ''}</dl>
<details open><summary>History (${history.length})</summary><ol data-field="history">${history
          .map(
            (entry) =>
              `<li>v${entry.version} · ${time(entry.savedAt)}<button data-action="rollback" data-key="${key}" data-id="${escapeHtml(entry.id)}" data-version="v${entry.version}">Roll back</button></li>`,
          )
          .join('')}</ol></details>
<details${conflicts.length ? ' open' : ''}><summary>Conflicts (${conflicts.length})</summary><ul data-field="conflicts">${conflicts
          .map(
            (c) => `<li>${time(c.at)} · ${escapeHtml(c.strategy)} onto v${c.remoteVersion}${c.paths.length ? ` · ${escapeHtml(c.paths.join(', '))}` : ''}</li>`,
          )
          .join('')}</ul></details></section>`
      })
      const html = `<style>${STYLE}</style><header><strong>autosave-kit devtools</strong>
<label><input type="checkbox" data-action="offline"${devtools.isOffline() ? ' checked' : ''}> Simulate offline</label>
<label><input type="checkbox" data-action="fail"${devtools.failsNextSave() ? ' checked' : ''}> Fail next save</label></header>
${sections.join('') || '<p class="empty">No engines tracked: call track(saver).</p>'}${this.#message ? `<p class="note" role="status">${escapeHtml(this.#message)}</p>` : ''}`
      // Unchanged markup is not rewritten: a click in progress and opened <details> survive.
      if (html !== this.#html) this.#root.innerHTML = this.#html = html
    }
  }

  customElements.define(tagName, AutosaveDevtoolsElement)
  return AutosaveDevtoolsElement
}

/**
 * Defines the element and appends a floating panel to `parent` (default `document.body`);
 * returns it (remove it to unmount). Returns `undefined` on the server.
 *
 * @example
 * ```ts
 * if (location.hostname === 'localhost') mountDevtools()
 * ```
 */
export function mountDevtools(parent?: ParentNode): HTMLElement | undefined {
  if (!defineDevtoolsElement() || typeof document === 'undefined') return undefined
  const panel = document.createElement('autosave-devtools')
  panel.setAttribute('floating', '')
  ;(parent ?? document.body).append(panel)
  return panel
}
