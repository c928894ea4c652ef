import { useState } from 'react'
import { VIDEO_STYLES } from '../assistant'
import { Modal } from './Modal'

/** Picks the video styles; applying them answers the last step. */
export function StyleModal({ initial, onApply, onClose }: { initial: readonly string[]; onApply: (styles: string[]) => void; onClose: () => void }) {
  const [picked, setPicked] = useState<string[]>([...initial])
  const toggle = (style: string) => setPicked((current) => (current.includes(style) ? current.filter((s) => s !== style) : [...current, style]))
  return (
    <Modal
      title="Video styles"
      testId="style-modal"
      onClose={onClose}
      footer={
        <>
          <button type="button" className="button button--ghost" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="button" data-testid="apply-styles" disabled={picked.length === 0} onClick={() => onApply(picked)}>
            Apply {picked.length || ''} style{picked.length === 1 ? '' : 's'}
          </button>
        </>
      }
    >
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
    </Modal>
  )
}
