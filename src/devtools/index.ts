/**
 * A devtools panel for autosave-kit, as a custom element (`<autosave-devtools>`) that works in
 * any framework: every tracked engine by key with its phase, pending state, last save, outbox
 * size, history (with rollback) and last conflicts, and switches to simulate offline and to
 * fail the next save. Nothing here is bundled unless you import `autosave-kit/devtools`.
 *
 * @module autosave-kit/devtools
 */
export { track, devtools, type TrackOptions, type TrackedEngine, type ConflictRecord } from './registry'
export { devtoolsTransport } from './transport'
export { defineDevtoolsElement, mountDevtools } from './panel'
