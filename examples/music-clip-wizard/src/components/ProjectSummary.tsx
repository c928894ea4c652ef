import { fileUrl } from '../api'
import { STEPS, type Step, type WizardData } from '../state'
import { formatBytes } from './ChatMessages'
import { singleClick } from './Composer'

/** The form data the conversation has filled in so far; image descriptions are edited here. */
export function ProjectSummary({
  data,
  step,
  onDescribe,
  onRemoveImage,
}: {
  data: WizardData
  step: Step
  onDescribe: (id: string, text: string) => void
  onRemoveImage: (id: string) => void
}) {
  const editing = step === 'reference_image_description'
  const past = (than: Step) => STEPS.indexOf(step) > STEPS.indexOf(than)
  // Nothing is claimed before the user chose it: "AI generated" only once the track step is behind.
  const track = data.uploadedAudio
    ? `${data.uploadedAudio.fileName} (${formatBytes(data.uploadedAudio.fileSize)})`
    : past('track_input')
      ? 'AI generated'
      : undefined
  const vocals = data.uploadedAudio ? undefined : data.isInstrumental ? 'Instrumental' : past('track_ai_lyrics') ? 'With vocals' : undefined
  return (
    <aside className="summary" data-testid="project-summary">
      <h2>Your clip</h2>
      <dl>
        <dt>Track</dt>
        <dd data-testid="data-uploadedAudio">{track ?? <em>—</em>}</dd>
        <dt>Music</dt>
        <dd data-testid="data-musicDescription">{data.musicDescription || <em>—</em>}</dd>
        <dt>Vocals</dt>
        <dd data-testid="data-isInstrumental">{vocals ?? <em>—</em>}</dd>
        <dt>Video</dt>
        <dd data-testid="data-videoDescription">{data.videoDescription || <em>—</em>}</dd>
        <dt>Styles</dt>
        <dd data-testid="data-videoStyles">{data.videoStyles.length ? data.videoStyles.join(', ') : <em>—</em>}</dd>
      </dl>
      {data.referenceImages.length > 0 && (
        <section className="references">
          <h3>Reference images</h3>
          {data.referenceImages.map((image, i) => (
            <div key={image.id} className="reference" data-testid="reference-image" data-id={image.id}>
              <img src={fileUrl(image.id)} alt={image.name} />
              <div className="reference__text">
                <span className="reference__name">{image.name}</span>
                {editing ? (
                  <textarea
                    data-testid="image-description"
                    aria-label={`Description of image ${i + 1}`}
                    placeholder="What should the video take from this image?"
                    value={image.description}
                    onChange={(event) => onDescribe(image.id, event.target.value)}
                    rows={2}
                  />
                ) : (
                  <span className="reference__description">{image.description || <em>No description</em>}</span>
                )}
              </div>
              {step === 'reference_images' && (
                <button type="button" className="icon-button" aria-label={`Remove ${image.name}`} onClick={singleClick(() => onRemoveImage(image.id))}>
                  ×
                </button>
              )}
            </div>
          ))}
        </section>
      )}
    </aside>
  )
}
