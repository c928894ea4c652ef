import { VIDEO_STYLES } from '../assistant'
import { PickerModal } from './PickerModal'

/** Picks the video styles; applying them answers the last step. */
export function StyleModal({ initial, onApply, onClose }: { initial: readonly string[]; onApply: (styles: string[]) => void; onClose: () => void }) {
  return (
    <PickerModal
      title="Video styles"
      testId="style-modal"
      applyTestId="apply-styles"
      applyLabel={(count) => `Apply ${count || ''} style${count === 1 ? '' : 's'}`}
      initial={initial}
      onApply={onApply}
      onClose={onClose}
    >
      {(picked, toggle) => (
        <div className="style-grid">
          {VIDEO_STYLES.map((style) => (
            <button
              key={style.id}
              type="button"
              className={`style-card style-card--${style.id}${picked.includes(style.label) ? ' style-card--on' : ''}`}
              aria-pressed={picked.includes(style.label)}
              data-testid="style-option"
              data-value={style.label}
              onClick={() => toggle(style.label)}
            >
              <strong>{style.label}</strong>
              <span>{style.hint}</span>
            </button>
          ))}
        </div>
      )}
    </PickerModal>
  )
}
