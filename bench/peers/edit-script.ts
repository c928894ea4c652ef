/**
 * The one state and the one edit script every contender of the peers bench is fed: a
 * music-clip wizard with a 1,000-message chat, then 1,000 edits as a person makes them —
 * typing into a field character by character, chat messages appended, step changes, toggles
 * and file metadata. Deterministic (seeded), immutable updates (new objects along the edited
 * path only, as React and Redux code does), computed before any contender runs.
 */

export interface FileMeta {
  name: string
  size: number
  type: string
  lastModified: number
  fileId: string
}

export interface ChatMessage {
  id: string
  role: 'user' | 'assistant'
  content: string
  timestamp: string
  files?: { audio?: FileMeta; images?: FileMeta[] }
}

export interface WizardState {
  currentStep: string
  chat: ChatMessage[]
  data: {
    musicDescription: string
    isInstrumental: boolean
    videoDescription: string
    videoStyles: string[]
    referenceImages: Array<{ name: string; size: number; type: string; description: string; id: string }>
    uploadedAudio: { fileName: string; fileSize: number; fileType: string; fileId: string } | null
  }
}

export type EditKind = 'keystroke' | 'chat append' | 'step change' | 'toggle' | 'file metadata'

export interface Edit {
  /** Milliseconds since the script started. */
  at: number
  kind: EditKind
  state: WizardState
}

const STEPS = [
  'track_input',
  'track_ai_description',
  'track_ai_lyrics',
  'track_generating',
  'video_description',
  'reference_images',
  'reference_image_description',
  'video_styles',
  'completed',
]
const T0 = Date.UTC(2026, 10, 25, 9)

const PHRASES = [
  'a dreamy synthwave track with a slow build and a breathy female vocal',
  'neon city at night, rain on the windows, slow camera moves through empty streets',
  'lo-fi hip hop beat, warm vinyl crackle, mellow piano chords around 80 bpm',
  'an orchestral intro that turns into a driving four-on-the-floor chorus',
  'hand-drawn animation, pastel colours, characters drifting between floating islands',
]

/** mulberry32: a tiny seeded PRNG, so every run and every contender sees the same script. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const file = (i: number, type: string): FileMeta => ({
  name: `upload-${i}.${type.split('/')[1]}`,
  size: 200_000 + i * 37,
  type,
  lastModified: T0 - i * 60_000,
  fileId: `file-${i}`,
})

function message(i: number, role: ChatMessage['role'], content: string, at: number): ChatMessage {
  const base: ChatMessage = { id: `msg-${i}`, role, content, timestamp: new Date(at).toISOString() }
  if (role === 'user' && i % 50 === 0) return { ...base, files: { audio: file(i, 'audio/mpeg') } }
  if (role === 'user' && i % 25 === 0) return { ...base, files: { images: [file(i, 'image/png'), file(i + 1, 'image/jpeg')] } }
  return base
}

/** The state the app has when the script starts: already saved everywhere. */
export function initialState(messages = 1000): WizardState {
  return {
    currentStep: 'video_styles',
    chat: Array.from({ length: messages }, (_, i) =>
      message(
        i,
        i % 2 ? 'assistant' : 'user',
        `${i % 2 ? 'Here is an idea' : 'I would like'}: ${PHRASES[i % PHRASES.length]} (take ${i}).`,
        T0 - (messages - i) * 30_000,
      ),
    ),
    data: {
      musicDescription: PHRASES[0]!,
      isInstrumental: false,
      videoDescription: PHRASES[1]!,
      videoStyles: ['retro', 'anime'],
      referenceImages: [],
      uploadedAudio: null,
    },
  }
}

/** `count` edits on top of `initial`, spaced as a person types and chats. */
export function editScript(initial: WizardState, count = 1000, seed = 42): Edit[] {
  const rand = random(seed)
  const between = (min: number, max: number) => Math.round(min + rand() * (max - min))
  const edits: Edit[] = []
  let state = initial
  let at = 0
  let next = initial.chat.length
  const push = (kind: EditKind, wait: number, update: (s: WizardState) => WizardState) => {
    if (edits.length >= count) return
    at += wait
    state = update(state)
    edits.push({ at, kind, state })
  }
  for (let round = 0; edits.length < count; round++) {
    // Type a new description into one field, one character per keystroke (~100 words a minute).
    const field = round % 2 ? 'videoDescription' : 'musicDescription'
    const phrase = PHRASES[round % PHRASES.length]!
    push('keystroke', between(800, 2000), (s) => ({ ...s, data: { ...s.data, [field]: '' } }))
    for (let c = 1; c <= phrase.length; c++) push('keystroke', between(60, 220), (s) => ({ ...s, data: { ...s.data, [field]: phrase.slice(0, c) } }))
    // Send it to the assistant, which answers a few seconds later and moves the wizard on.
    push('chat append', between(600, 1500), (s) => ({ ...s, chat: [...s.chat, message(next++, 'user', phrase, T0 + at)] }))
    push('chat append', between(2000, 5000), (s) => ({ ...s, chat: [...s.chat, message(next++, 'assistant', `Got it: ${phrase}. Shall we go on?`, T0 + at)] }))
    push('step change', between(500, 1500), (s) => ({ ...s, currentStep: STEPS[(STEPS.indexOf(s.currentStep) + 1) % STEPS.length]! }))
    if (round % 3 === 0) push('toggle', between(400, 1200), (s) => ({ ...s, data: { ...s.data, isInstrumental: !s.data.isInstrumental } }))
    if (round % 3 === 1) push('toggle', between(400, 1200), (s) => ({ ...s, data: { ...s.data, videoStyles: [...s.data.videoStyles, `style-${round}`] } }))
    if (round % 4 === 2) {
      const img = file(10_000 + round, 'image/png')
      push('file metadata', between(1000, 3000), (s) => ({
        ...s,
        data: { ...s.data, referenceImages: [...s.data.referenceImages, { name: img.name, size: img.size, type: img.type, description: '', id: img.fileId }] },
      }))
    }
  }
  return edits
}

/**
 * `count` keystrokes, `intervalMs` apart (10 a second by default), typing into
 * `data.musicDescription` one character at a time: the hot path of a form.
 */
export function keystrokeScript(initial: WizardState, count = 1000, intervalMs = 100): Edit[] {
  const text = PHRASES.join(' ')
  const edits: Edit[] = []
  let state = initial
  for (let i = 1; i <= count; i++) {
    // A long description, retyped from the start whenever the phrase runs out.
    const typed = text.slice(0, ((i - 1) % text.length) + 1)
    state = { ...state, data: { ...state.data, musicDescription: typed } }
    edits.push({ at: i * intervalMs, kind: 'keystroke', state })
  }
  return edits
}

/** `count` chat messages appended, one every `intervalMs` (5 s by default), user and assistant in turn. */
export function chatScript(initial: WizardState, count = 100, intervalMs = 5000): Edit[] {
  const edits: Edit[] = []
  let state = initial
  let next = initial.chat.length
  for (let i = 1; i <= count; i++) {
    const role = next % 2 ? 'assistant' : 'user'
    const at = i * intervalMs
    state = {
      ...state,
      chat: [
        ...state.chat,
        message(next, role, `${role === 'user' ? 'I would like' : 'Here is an idea'}: ${PHRASES[next % PHRASES.length]} (take ${next}).`, T0 + at),
      ],
    }
    next++
    edits.push({ at, kind: 'chat append', state })
  }
  return edits
}
