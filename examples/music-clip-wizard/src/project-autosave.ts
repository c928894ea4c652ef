import { fetchTransport, indexedDBStore, serverEvents } from 'autosave-kit'
import type { AutosaveDefaults } from 'autosave-kit/react'
import { API_BASE } from './api'
import { skipLoadOfNewProjects } from './new-projects'
import { oneAnswerPerStep } from './one-answer-per-step'
import { wizardStateSchema } from './state'

/**
 * How every project is autosaved, handed once to `<AutosaveProvider>` (see App.tsx): to the
 * example server's reference handler, buffered in IndexedDB, validated with the zod schema
 * before each send and after each restore. 1.5 s of quiet (or 8 s of continuous typing) sends
 * a write; failures back off from 1 s up to 15 s. The IndexedDB store opens on first use.
 * Conflicts keep one answer per wizard step, and the copy saved first where both sides changed
 * one field (one-answer-per-step.ts) — between devices and between tabs alike; the page whose
 * edit was replaced offers it back (lost-edits.ts). With nothing unsent, the server's copy is
 * checked whenever the page comes back into view (the library's default), and whenever the
 * server announces a new version (`push`: Server-Sent Events from the reference handler), so
 * another device's save shows up without a reload. A project created in this tab is not asked
 * of the server until its first write (new-projects.ts).
 */
export const projectAutosave: AutosaveDefaults = {
  transport: skipLoadOfNewProjects({ ...fetchTransport({ baseUrl: API_BASE }), watch: serverEvents({ baseUrl: API_BASE }) }),
  store: indexedDBStore({ namespace: 'music-clip-wizard' }),
  schema: wizardStateSchema,
  debounceMs: 1500,
  maxWaitMs: 8000,
  retry: { retries: 10, minTimeout: 1000, maxTimeout: 15_000 },
  conflict: oneAnswerPerStep,
  revalidate: { push: true },
}
