import { GENRES } from '../assistant'
import { PickerModal } from './PickerModal'

/** Picks genres; the choice goes into the chat input for the user to send or edit. */
export function GenreModal({ initial, onApply, onClose }: { initial: readonly string[]; onApply: (genres: string[]) => void; onClose: () => void }) {
  return (
    <PickerModal
      title="Choose genres"
      testId="genre-modal"
      applyTestId="apply-genres"
      applyLabel={(count) => `Use ${count || ''} genre${count === 1 ? '' : 's'}`}
      initial={initial}
      onApply={onApply}
      onClose={onClose}
    >
      {(picked, toggle) => (
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
      )}
    </PickerModal>
  )
}
