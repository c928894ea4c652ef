import { useEffect, useRef, useState, type FormEvent, type MouseEvent } from 'react'
import { AUDIO_ACCEPT, IMAGE_ACCEPT } from '../api'
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

/**
 * A click handler that ignores the second click of a double-click (`detail` counts the clicks;
 * 0 for the keyboard). The first click already moved the wizard on and re-rendered it, so the
 * second one lands on whatever button of the next step is now under the pointer: pinning the
 * transition to its step (workflow.pinned) cannot catch that, this can.
 */
export function singleClick(action: () => void) {
  return (event: MouseEvent) => {
    if (event.detail <= 1) action()
  }
}

const PLACEHOLDER: Partial<Record<Step, string>> = {
  track_input: 'Or describe the music you want…',
  track_ai_description: 'Genre, mood, tempo, instruments…',
  track_ai_lyrics: 'Lyrics, or what the song is about…',
  video_description: 'What happens on screen…',
  reference_image_description: 'One description for the images…',
}

/**
 * The chat input and the step's buttons. The typed draft is local until it is sent. While a
 * file uploads, nothing that leaves the step (Send, Skip, Generate, Continue) can be pressed:
 * the file would arrive after the step it belongs to.
 */
export function Composer({
  step,
  draft,
  onDraft,
  uploading,
  imageCount,
  actions,
}: {
  step: Step
  draft: string
  onDraft: (text: string) => void
  uploading: boolean
  imageCount: number
  actions: ComposerActions
}) {
  const audioInput = useRef<HTMLInputElement>(null)
  const imageInput = useRef<HTMLInputElement>(null)
  const text = useRef<HTMLTextAreaElement>(null)
  // The step's main control, focused when the step has no text input.
  const primary = useRef<HTMLElement | null>(null)
  const setPrimary = (element: HTMLElement | null) => {
    primary.current = element
  }
  const acceptButton = useRef<HTMLButtonElement>(null)
  const [generating, setGenerating] = useState(step === 'track_generating')
  // Set while rendering the new step, not in an effect: otherwise the first render of
  // track_generating would show "Use this track" enabled (and focus it) for a moment.
  const [generatingStep, setGeneratingStep] = useState(step)
  if (generatingStep !== step) {
    setGeneratingStep(step)
    setGenerating(step === 'track_generating')
  }

  // The fake generation: a progress bar, then the track is "ready".
  useEffect(() => {
    if (step !== 'track_generating') return
    const timer = setTimeout(() => setGenerating(false), 1200)
    return () => clearTimeout(timer)
  }, [step])

  // A new step moves the focus to where it is answered, never leaving it on <body>.
  useEffect(() => {
    ;(acceptsText(step) ? text.current : primary.current)?.focus()
  }, [step])

  // "Use this track" is disabled while the track generates: focus it once it can be pressed,
  // unless the user has put the focus somewhere else meanwhile.
  useEffect(() => {
    if (step !== 'track_generating' || generating) return
    const active = document.activeElement
    if (!active || active === document.body || active === primary.current) acceptButton.current?.focus()
  }, [step, generating])

  const submit = (event: FormEvent) => {
    event.preventDefault()
    if (draft.trim() && !uploading) actions.send(draft)
  }

  if (step === 'completed') {
    return (
      <p className="composer composer--done" data-testid="completed" tabIndex={-1} ref={setPrimary}>
        ✓ Your clip is queued. Every answer was saved as you went.
      </p>
    )
  }

  return (
    <form className="composer" onSubmit={submit}>
      {step === 'track_generating' && (
        <div className="generating" data-testid="generating" tabIndex={-1} ref={setPrimary}>
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
          <button
            type="submit"
            className="button"
            data-testid="send"
            disabled={!draft.trim() || uploading}
            onClick={(event) => {
              if (event.detail > 1) event.preventDefault()
            }}
          >
            Send
          </button>
        </div>
      )}
      <div className="composer__actions">
        {step === 'track_input' && (
          <>
            <button
              type="button"
              className="button button--secondary"
              data-testid="upload-audio"
              disabled={uploading}
              onClick={singleClick(() => audioInput.current?.click())}
            >
              {uploading ? 'Uploading…' : '↑ Upload audio'}
            </button>
            <input
              ref={audioInput}
              hidden
              type="file"
              accept={AUDIO_ACCEPT}
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
          <button type="button" className="button button--secondary" data-testid="open-genres" onClick={singleClick(actions.openGenres)}>
            ♫ Choose genres
          </button>
        )}
        {step === 'track_ai_lyrics' && (
          <button type="button" className="button button--secondary" data-testid="instrumental" onClick={singleClick(actions.instrumental)}>
            ♪ Instrumental
          </button>
        )}
        {step === 'track_generating' && (
          <button
            type="button"
            className="button"
            data-testid="accept-track"
            disabled={generating}
            ref={acceptButton}
            onClick={singleClick(actions.acceptTrack)}
          >
            Use this track
          </button>
        )}
        {step === 'reference_images' && (
          <>
            <button
              type="button"
              className="button button--secondary"
              data-testid="upload-images"
              disabled={uploading}
              ref={setPrimary}
              onClick={singleClick(() => imageInput.current?.click())}
            >
              {uploading ? 'Uploading…' : '↑ Upload images'}
            </button>
            <input
              ref={imageInput}
              hidden
              type="file"
              accept={IMAGE_ACCEPT}
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
          <button
            type="button"
            className="button"
            data-testid="continue"
            disabled={uploading || (step === 'reference_images' && imageCount === 0)}
            onClick={singleClick(actions.continueImages)}
          >
            Continue
          </button>
        )}
        {step === 'video_styles' && (
          <button type="button" className="button" data-testid="open-styles" ref={setPrimary} onClick={singleClick(actions.openStyles)}>
            ◆ Choose styles
          </button>
        )}
        {canGenerate(step) && (
          <button type="button" className="button button--ai" data-testid="generate" disabled={uploading} onClick={singleClick(actions.generate)}>
            ✦ Generate with AI
          </button>
        )}
        {canSkip(step) && (
          <button type="button" className="button button--ghost" data-testid="skip" disabled={uploading} onClick={singleClick(actions.skip)}>
            Skip
          </button>
        )}
      </div>
    </form>
  )
}
