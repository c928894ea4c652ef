import { useState } from 'react'
import { GENRES } from '../assistant'
import { Modal } from './Modal'

/** Picks genres; the choice goes into the chat input for the user to send or edit. */
export function GenreModal({ initial, onApply, onClose }: { initial: readonly string[]; onApply: (genres: string[]) => void; onClose: () => void }) {
  const [picked, setPicked] = useState<string[]>([...initial])
  const toggle = (genre: string) => setPicked((current) => (current.includes(genre) ? current.filter((g) => g !== genre) : [...current, genre]))
  return (
    <Modal
      title="Choose genres"
      testId="genre-modal"
      onClose={onClose}
      footer={
        <>
          <button type="button" className="button button--ghost" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="button" data-testid="apply-genres" disabled={picked.length === 0} onClick={() => onApply(picked)}>
            Use {picked.length || ''} genre{picked.length === 1 ? '' : 's'}
          </button>
        </>
      }
    >
      <div className="chips">
        {GENRES.map((genre) => (
          <button
            key={genre}
            type="button"
            className={`chip${picked.includes(genre) ? ' chip--on' : ''}`}
            aria-pressed={picked.includes(genre)}
            data-testid="genre-option"
            data-value={genre}
            onClick={() => toggle(genre)}
          >
            {genre}
          </button>
        ))}
      </div>
    </Modal>
  )
}
