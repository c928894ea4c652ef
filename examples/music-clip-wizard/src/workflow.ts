import { generated, GENERATED_STYLES, question } from './assistant'
import type { ChatMessage, FileMeta, ReferenceImage, Step, WizardState } from './state'

/**
 * Every user interaction as a pure function of the state: the component calls one and hands
 * the result to the autosave hook. Keeping them pure is what makes "reload and get exactly the
 * same wizard back" easy to reason about.
 */

export function initialState(now = new Date()): WizardState {
  const data: WizardState['data'] = {
    musicDescription: '',
    isInstrumental: false,
    videoDescription: '',
    videoStyles: [],
    referenceImages: [],
    uploadedAudio: null,
  }
  return { currentStep: 'track_input', chat: [message('assistant', question('track_input', data), now)], data }
}

/**
 * `transition`, pinned to the step it was offered at: once the wizard has moved on (the first
 * click of a double-click already ran, or another tab got there first) it leaves the state as
 * it is, instead of becoming the next step's action. The UI wraps every action in it.
 */
export function pinned(at: Step | undefined, transition: (state: WizardState) => WizardState): (state: WizardState) => WizardState {
  return (state) => (state.currentStep === at ? transition(state) : state)
}

/** Steps where a typed answer means something. */
export function acceptsText(step: Step): boolean {
  return step !== 'track_generating' && step !== 'completed' && step !== 'video_styles' && step !== 'reference_images'
}

export function canSkip(step: Step): boolean {
  return step !== 'track_generating' && step !== 'completed' && step !== 'reference_image_description'
}

export function canGenerate(step: Step): boolean {
  return (
    step === 'track_ai_description' ||
    step === 'track_ai_lyrics' ||
    step === 'video_description' ||
    step === 'reference_image_description' ||
    step === 'video_styles'
  )
}

/** The unsent text of the current step (what the chat box shows). */
export function draftOf(state: WizardState): string {
  return state.drafts?.[state.currentStep] ?? ''
}

/** Typing in the chat box: the draft of the step on screen, saved with the rest. */
export function setDraft(state: WizardState, text: string): WizardState {
  // Unchanged is the same state: no save, and no project created by an empty edit.
  if (draftOf(state) === text) return state
  const { [state.currentStep]: _previous, ...others } = state.drafts ?? {}
  return { ...state, drafts: text ? { ...others, [state.currentStep]: text } : others }
}

/** Text typed for steps no longer on screen: another tab answered them first. */
export function strandedDrafts(state: WizardState): Array<{ step: Step; text: string }> {
  return Object.entries(state.drafts ?? {})
    .filter(([step, text]) => step !== state.currentStep && text.trim())
    .map(([step, text]) => ({ step: step as Step, text }))
}

/** Drops the draft of `step` (stranded or not). */
export function discardDraft(state: WizardState, step: Step): WizardState {
  const { [step]: _dropped, ...others } = state.drafts ?? {}
  return { ...state, drafts: others }
}

/** Moves a stranded draft into the chat box of the current step (after what is there). */
export function reuseDraft(state: WizardState, step: Step): WizardState {
  const text = state.drafts?.[step]
  if (!text || !acceptsText(state.currentStep)) return state
  const current = draftOf(state).trim()
  return setDraft(discardDraft(state, step), current ? `${current} ${text}` : text)
}

/** The user sent `text` in the chat. */
export function answer(state: WizardState, text: string, now = new Date()): WizardState {
  const content = text.trim()
  if (!content || !acceptsText(state.currentStep)) return state
  const { data } = state
  switch (state.currentStep) {
    case 'track_input':
    case 'track_ai_description':
      return advance(state, 'track_ai_lyrics', content, { ...data, musicDescription: content }, now)
    case 'track_ai_lyrics':
      return advance(state, 'track_generating', content, { ...data, isInstrumental: false }, now)
    case 'video_description':
      return advance(state, 'reference_images', content, { ...data, videoDescription: content }, now)
    case 'reference_image_description': {
      const referenceImages = data.referenceImages.map((image) => (image.description ? image : { ...image, description: content }))
      return advance(state, 'video_styles', content, { ...data, referenceImages }, now)
    }
    default:
      return state
  }
}

export function skip(state: WizardState, now = new Date()): WizardState {
  const { data } = state
  switch (state.currentStep) {
    case 'track_input':
      return advance(state, 'track_ai_description', 'Skip — create a track with AI.', data, now)
    case 'track_ai_description':
      return advance(state, 'track_ai_lyrics', 'Skip — surprise me.', data, now)
    case 'track_ai_lyrics':
      return advance(state, 'track_generating', 'Skip — no lyrics for now.', { ...data, isInstrumental: true }, now)
    case 'video_description':
      return advance(state, 'reference_images', 'Skip — no video idea yet.', data, now)
    case 'reference_images':
      return advance(state, 'video_styles', 'Skip — no reference images.', data, now)
    case 'video_styles':
      return advance(state, 'completed', 'Skip — any style is fine.', { ...data, videoStyles: [] }, now)
    default:
      return state
  }
}

/** "Generate with AI": the scripted answer, sent as if the user had typed it. */
export function generate(state: WizardState, genres: readonly string[] = [], now = new Date()): WizardState {
  if (state.currentStep === 'video_styles') return chooseStyles(state, GENERATED_STYLES, now)
  if (state.currentStep === 'reference_image_description') {
    const text = generated(state.currentStep, state.data) ?? ''
    const referenceImages = state.data.referenceImages.map((image, i) => (image.description ? image : { ...image, description: `${text} (image ${i + 1})` }))
    return advance(state, 'video_styles', 'Generate the descriptions with AI.', { ...state.data, referenceImages }, now)
  }
  const text = generated(state.currentStep, state.data, genres)
  return text === undefined ? state : answer(state, text, now)
}

export function chooseInstrumental(state: WizardState, now = new Date()): WizardState {
  if (state.currentStep !== 'track_ai_lyrics') return state
  return advance(state, 'track_generating', 'Instrumental, please.', { ...state.data, isInstrumental: true }, now)
}

/** The fake generation finished and the user keeps the track. */
export function acceptTrack(state: WizardState, now = new Date()): WizardState {
  if (state.currentStep !== 'track_generating') return state
  return advance(state, 'video_description', 'Sounds great — use this track.', state.data, now)
}

/** `audio` is the serializer's metadata of the uploaded File (with its `fileId`). */
export function uploadAudio(state: WizardState, audio: FileMeta & { fileId: string }, now = new Date()): WizardState {
  if (state.currentStep !== 'track_input') return state
  const uploadedAudio = { fileName: audio.name, fileSize: audio.size, fileType: audio.type, fileId: audio.fileId }
  return advance(state, 'video_description', `Here is my track: ${audio.name}`, { ...state.data, uploadedAudio }, now, { audio })
}

export function addReferenceImages(state: WizardState, images: ReadonlyArray<FileMeta & { fileId: string }>, now = new Date()): WizardState {
  if (state.currentStep !== 'reference_images' || images.length === 0) return state
  const added: ReferenceImage[] = images.map((image) => ({ name: image.name, size: image.size, type: image.type, description: '', id: image.fileId }))
  const user = message('user', images.length === 1 ? `Uploaded ${images[0]!.name}` : `Uploaded ${images.length} images`, now, { images: [...images] })
  return { ...state, chat: [...state.chat, user], data: { ...state.data, referenceImages: [...state.data.referenceImages, ...added] } }
}

export function removeReferenceImage(state: WizardState, id: string): WizardState {
  return { ...state, data: { ...state.data, referenceImages: state.data.referenceImages.filter((image) => image.id !== id) } }
}

/** Typing in an image's description field: saved on every keystroke. */
export function describeImage(state: WizardState, id: string, description: string): WizardState {
  const referenceImages = state.data.referenceImages.map((image) => (image.id === id ? { ...image, description } : image))
  return { ...state, data: { ...state.data, referenceImages } }
}

/** "Continue" on the image steps. */
export function continueImages(state: WizardState, now = new Date()): WizardState {
  const { data } = state
  if (state.currentStep === 'reference_images' && data.referenceImages.length > 0) {
    return advance(state, 'reference_image_description', "That's all the images.", data, now)
  }
  if (state.currentStep === 'reference_image_description') {
    const described = data.referenceImages.filter((image) => image.description.trim()).length
    return advance(state, 'video_styles', `Described ${described} of ${data.referenceImages.length} images.`, data, now)
  }
  return state
}

export function chooseStyles(state: WizardState, styles: readonly string[], now = new Date()): WizardState {
  if (state.currentStep !== 'video_styles' || styles.length === 0) return state
  return advance(state, 'completed', `Styles: ${styles.join(', ')}`, { ...state.data, videoStyles: [...styles] }, now)
}

/** The user's message, the new data, and the assistant's question for the next step. */
function advance(state: WizardState, next: Step, userText: string, data: WizardState['data'], now: Date, files?: ChatMessage['files']): WizardState {
  const user = message('user', userText, now, files)
  const assistant = message('assistant', question(next, data), new Date(now.getTime() + 1))
  // The step is answered: its draft is spent (whether it was sent, skipped or generated).
  const { [state.currentStep]: _answered, ...drafts } = state.drafts ?? {}
  return { currentStep: next, chat: [...state.chat, user, assistant], data, ...(Object.keys(drafts).length ? { drafts } : {}) }
}

function message(role: ChatMessage['role'], content: string, at: Date, files?: ChatMessage['files']): ChatMessage {
  const base: ChatMessage = { id: messageId(), role, content, timestamp: at.toISOString() }
  return files ? { ...base, files } : base
}

function messageId(): string {
  const c = globalThis.crypto
  return c?.randomUUID ? c.randomUUID() : `m-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`
}
