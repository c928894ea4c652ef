import type { Step, WizardData } from './state'

/**
 * The scripted assistant: what it asks on entering each step, and the canned answers behind
 * "Generate with AI". No model, no network — the point of the example is the saving.
 */
export function question(step: Step, data: WizardData): string {
  switch (step) {
    case 'track_input':
      return "Hi! Let's make a music clip. Do you already have a track? Upload it (MP3, WAV, OGG), describe the music you want, or press Skip and we'll create one with AI."
    case 'track_ai_description':
      return 'Describe the music you want: genre, mood, tempo, instruments. Choose genres for ideas, or let AI write it.'
    case 'track_ai_lyrics':
      return 'Should the song have vocals? Send lyrics or a theme for them — or choose Instrumental.'
    case 'track_generating':
      return `Generating your track${data.musicDescription ? ` from “${truncate(data.musicDescription, 80)}”` : ''}${data.isInstrumental ? ' (instrumental)' : ''}…`
    case 'video_description':
      return data.uploadedAudio
        ? `Got “${data.uploadedAudio.fileName}”. Now the video: what should happen on screen?`
        : 'Your track is ready. Now the video: what should happen on screen?'
    case 'reference_images':
      return 'Do you have reference images for the look? Upload one or more, or Skip.'
    case 'reference_image_description':
      return `What should I take from ${data.referenceImages.length === 1 ? 'this image' : `these ${data.referenceImages.length} images`}? Describe each one.`
    case 'video_styles':
      return 'Last step: pick one or more video styles.'
    case 'completed':
      return 'All set! Your music clip is queued for rendering. You can come back to this project any time.'
  }
}

/** "Generate with AI": deterministic text per step, so tests and screenshots are stable. */
export function generated(step: Step, data: WizardData, genres: readonly string[] = []): string | undefined {
  switch (step) {
    case 'track_input':
    case 'track_ai_description': {
      const style = genres.length ? genres.join(' / ').toLowerCase() : 'dreamy synthwave'
      return `A ${style} track at 96 BPM: warm analog pads, a punchy drum machine and a bright lead melody that builds into a wide, nostalgic chorus.`
    }
    case 'track_ai_lyrics':
      return 'Verse: city lights are humming low, we drive until the night lets go. Chorus: hold on, hold on, the radio is playing our song.'
    case 'video_description':
      return 'A night drive through a neon city: rain on the windshield, reflections of signs, and a final shot of the sunrise over the highway.'
    case 'reference_image_description':
      return data.referenceImages.length ? 'Use its colour palette and lighting.' : undefined
    default:
      return undefined
  }
}

export const GENRES = ['Pop', 'Rock', 'Hip-hop', 'Electronic', 'Synthwave', 'Lo-fi', 'Jazz', 'Classical', 'R&B', 'Ambient'] as const

export const VIDEO_STYLES = [
  { id: 'cinematic', label: 'Cinematic', hint: 'Wide shots, shallow depth of field' },
  { id: 'anime', label: 'Anime', hint: 'Hand-drawn look, bold outlines' },
  { id: 'retro-vhs', label: 'Retro VHS', hint: 'Scan lines, tape noise, 4:3' },
  { id: 'neon-noir', label: 'Neon noir', hint: 'Rain, reflections, magenta and cyan' },
  { id: 'claymation', label: 'Claymation', hint: 'Stop-motion clay figures' },
  { id: 'watercolor', label: 'Watercolor', hint: 'Soft washes of colour' },
  { id: 'documentary', label: 'Documentary', hint: 'Handheld, natural light' },
  { id: 'glitch', label: 'Glitch', hint: 'Datamosh and RGB split' },
] as const

/** Styles "Generate with AI" picks on the last step. */
export const GENERATED_STYLES = ['Cinematic', 'Neon noir']

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`
}
