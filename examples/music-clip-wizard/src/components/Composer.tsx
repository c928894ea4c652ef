import { useEffect, useRef, useState, type FormEvent } from 'react'
import type { Step } from '../state'
import { acceptsText, canGenerate, canSkip } from '../workflow'

export interface ComposerActions {
  send(text: string): void
  skip(): void
  generate(): void
  instrumental(): void
  acceptTrack(): void
  continueImages(): void
  uploadAudio(file: File): void
  uploadImages(files: File[]): void
  openGenres(): void
  openStyles(): void
}

const PLACEHOLDER: Partial<Record<Step, string>> = {
  track_input: 'Or describe the music you want…',
  track_ai_description: 'Genre, mood, tempo, instruments…',
  track_ai_lyrics: 'Lyrics, or what the song is about…',
  video_description: 'What happens on screen…',
  reference_image_description: 'One description for the images…',
}

/** The chat input and the step's buttons. The typed draft is local until it is sent. */
export function Composer({ step, draft, onDraft, uploading, imageCount, actions }: { step: Step; draft: string; onDraft: (text: string) => void; uploading: boolean; imageCount: number; actions: ComposerActions }) {
  const audioInput = useRef<HTMLInputElement>(null)
  const imageInput = useRef<HTMLInputElement>(null)
  const text = useRef<HTMLTextAreaElement>(null)
  const [generating, setGenerating] = useState(step === 'track_generating')

  // The fake generation: a progress bar, then the track is "ready".
  useEffect(() => {
    if (step !== 'track_generating') return
    setGenerating(true)
    const timer = setTimeout(() => setGenerating(false), 1200)
    return () => clearTimeout(timer)
  }, [step])

  useEffect(() => {
    if (acceptsText(step)) text.current?.focus()
  }, [step])

  const submit = (event: FormEvent) => {
    event.preventDefault()
    if (draft.trim()) actions.send(draft)
  }

  if (step === 'completed') return <p className="composer composer--done" data-testid="completed">✓ Your clip is queued. Every answer was saved as you went.</p>

  return (
    <form className="composer" onSubmit={submit}>
      {step === 'track_generating' && (
        <div className="generating" data-testid="generating">
          <div className={`generating__bar${generating ? '' : ' generating__bar--done'}`} />
          <span>{generating ? 'Generating your track…' : 'Your track is ready.'}</span>
        </div>
      )}
      {acceptsText(step) && (
        <div className="composer__row">
          <textarea
            ref={text}
            data-testid="chat-input"
            aria-label="Your answer"
            value={draft}
            placeholder={PLACEHOLDER[step] ?? 'Type your answer…'}
            rows={2}
            onChange={(event) => onDraft(event.target.value)}
            onKeyDown={(event) => {
              if (event.key === 'Enter' && !event.shiftKey) submit(event)
            }}
          />
          <button type="submit" className="button" data-testid="send" disabled={!draft.trim()}>
            Send
          </button>
        </div>
      )}
      <div className="composer__actions">
        {step === 'track_input' && (
          <>
            <button type="button" className="button button--secondary" data-testid="upload-audio" disabled={uploading} onClick={() => audioInput.current?.click()}>
              {uploading ? 'Uploading…' : '↑ Upload audio'}
            </button>
            <input
              ref={audioInput}
              hidden
              type="file"
              accept="audio/*"
              data-testid="audio-input"
              onChange={(event) => {
                const file = event.target.files?.[0]
                event.target.value = ''
                if (file) actions.uploadAudio(file)
              }}
            />
          </>
        )}
        {step === 'track_ai_description' && (
          <button type="button" className="button button--secondary" data-testid="open-genres" onClick={actions.openGenres}>
            ♫ Choose genres
          </button>
        )}
        {step === 'track_ai_lyrics' && (
          <button type="button" className="button button--secondary" data-testid="instrumental" onClick={actions.instrumental}>
            ♪ Instrumental
          </button>
        )}
        {step === 'track_generating' && (
          <button type="button" className="button" data-testid="accept-track" disabled={generating} onClick={actions.acceptTrack}>
            Use this track
          </button>
        )}
        {step === 'reference_images' && (
          <>
            <button type="button" className="button button--secondary" data-testid="upload-images" disabled={uploading} onClick={() => imageInput.current?.click()}>
              {uploading ? 'Uploading…' : '↑ Upload images'}
            </button>
            <input
              ref={imageInput}
              hidden
              type="file"
              accept="image/*"
              multiple
              data-testid="images-input"
              onChange={(event) => {
                const files = [...(event.target.files ?? [])]
                event.target.value = ''
                if (files.length) actions.uploadImages(files)
              }}
            />
          </>
        )}
        {(step === 'reference_images' || step === 'reference_image_description') && (
          <button type="button" className="button" data-testid="continue" disabled={step === 'reference_images' && imageCount === 0} onClick={actions.continueImages}>
            Continue
          </button>
        )}
        {step === 'video_styles' && (
          <button type="button" className="button" data-testid="open-styles" onClick={actions.openStyles}>
            ◆ Choose styles
          </button>
        )}
        {canGenerate(step) && (
          <button type="button" className="button button--ai" data-testid="generate" onClick={actions.generate}>
            ✦ Generate with AI
          </button>
        )}
        {canSkip(step) && (
          <button type="button" className="button button--ghost" data-testid="skip" onClick={actions.skip}>
            Skip
          </button>
        )}
      </div>
    </form>
  )
}
