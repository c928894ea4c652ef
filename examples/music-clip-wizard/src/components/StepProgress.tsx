import { STEPS, type Step } from '../state'

const LABELS: Record<Step, string> = {
  track_input: 'Track',
  track_ai_description: 'Music',
  track_ai_lyrics: 'Lyrics',
  track_generating: 'Generate',
  video_description: 'Video',
  reference_images: 'References',
  reference_image_description: 'Describe',
  video_styles: 'Style',
  completed: 'Done',
}

export function StepProgress({ current }: { current: Step }) {
  const at = STEPS.indexOf(current)
  return (
    <ol className="progress" data-testid="step-progress" aria-label="Steps">
      {STEPS.map((step, i) => (
        <li
          key={step}
          className={i < at ? 'progress__done' : i === at ? 'progress__current' : undefined}
          aria-current={i === at ? 'step' : undefined}
          data-step={step}
        >
          {LABELS[step]}
        </li>
      ))}
    </ol>
  )
}
