import type { ConflictEvent, Json } from 'autosave-kit'
import type { WizardState } from './state'

/**
 * What the wizard offers back after a conflict: an edit of this page the other side's replaced
 * (the `conflict` event's `lost`), named in the user's words, with what they had typed.
 */
export interface LostEdit {
  /** The JSON Pointer the engine reported, e.g. `/drafts/track_input`. */
  path: string
  /** "the message you were typing", "the description of beach.png"… */
  label: string
  /** What this page had there (undefined: it had deleted it). */
  mine: Json | undefined
}

/** `lost`, in the wizard's words. */
export function lostEdits(event: ConflictEvent): LostEdit[] {
  return event.lost.map(({ path, local }) => ({ path, label: describe(path, event.resolved), mine: local }))
}

/** Puts `edit.mine` back into `state`: a new edit, saved (and merged) like any other. */
export function restoreEdit(state: WizardState, edit: LostEdit): WizardState {
  return setAt(state as unknown as Json, edit.path, edit.mine) as unknown as WizardState
}

/** A short quote of a value for the notice. */
export function quote(value: Json | undefined): string {
  if (value === undefined || value === '') return '(empty)'
  const text = typeof value === 'string' ? value : Array.isArray(value) && value.every((v) => typeof v === 'string') ? value.join(', ') : JSON.stringify(value)
  return `“${text.length > 80 ? `${text.slice(0, 79)}…` : text}”`
}

const FIELDS: Record<string, string> = {
  '/data/musicDescription': 'the music description',
  '/data/videoDescription': 'the video description',
  '/data/videoStyles': 'the video styles',
  '/data/isInstrumental': 'the vocals choice',
  '/data/uploadedAudio': 'the uploaded track',
  '/data/referenceImages': 'the reference images',
}

function describe(path: string, resolved: Json): string {
  if (path.startsWith('/drafts/')) return 'the message you were typing'
  const image = /^\/data\/referenceImages\/(\d+)\/description$/.exec(path)
  if (image) {
    const name = (resolved as unknown as WizardState).data?.referenceImages?.[Number(image[1])]?.name
    return name ? `the description of ${name}` : 'an image description'
  }
  return FIELDS[path] ?? 'this project'
}

function tokens(path: string): string[] {
  return path === ''
    ? []
    : path
        .slice(1)
        .split('/')
        .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'))
}

const idOf = (item: Json | undefined) => (item !== null && typeof item === 'object' && !Array.isArray(item) ? item.id : undefined)

/**
 * The value at `path` in `doc`, where an index into a list of items with ids means the item
 * with the id `guide` (the merged document the path came from) has there.
 */
export function valueAt(doc: Json | undefined, path: string, guide: Json | undefined): Json | undefined {
  let at = doc
  let along = guide
  for (const token of tokens(path)) {
    if (Array.isArray(at)) {
      const id = Array.isArray(along) ? idOf(along[Number(token)]) : undefined
      at = id === undefined ? at[Number(token)] : at.find((item) => idOf(item) === id)
    } else if (at !== null && typeof at === 'object') {
      at = Object.hasOwn(at, token) ? at[token] : undefined
    } else {
      return undefined
    }
    along = Array.isArray(along) ? along[Number(token)] : along !== null && typeof along === 'object' ? along[token] : undefined
  }
  return at
}

/** A copy of `doc` with `value` at `path` (removed when undefined); `doc` itself when the place is gone. */
export function setAt(doc: Json, path: string, value: Json | undefined): Json {
  const [head, ...rest] = tokens(path)
  if (head === undefined) return value ?? doc
  const restPath = rest.length ? `/${rest.map((t) => t.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}` : ''
  if (Array.isArray(doc)) {
    const index = Number(head)
    const copy = [...doc]
    if (rest.length) {
      if (!(index in doc)) return doc
      copy[index] = setAt(doc[index]!, restPath, value)
    } else if (value === undefined) {
      if (index in doc) copy.splice(index, 1)
    } else if (index in doc && idOf(doc[index]) === idOf(value)) {
      copy[index] = value
    } else {
      // An item the other side removed: put it back where it was.
      copy.splice(Math.min(index, doc.length), 0, value)
    }
    return copy
  }
  if (doc === null || typeof doc !== 'object') return doc
  if (rest.length) return Object.hasOwn(doc, head) ? { ...doc, [head]: setAt(doc[head]!, restPath, value) } : doc
  const { [head]: _replaced, ...others } = doc
  return value === undefined ? others : { ...others, [head]: value }
}
