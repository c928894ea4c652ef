import { useState, type ReactNode } from 'react'
import { Modal } from './Modal'

/** A modal that picks several values (genres, video styles) and applies them together. */
export function PickerModal({
  title,
  testId,
  applyTestId,
  applyLabel,
  initial,
  onApply,
  onClose,
  children,
}: {
  title: string
  testId: string
  applyTestId: string
  applyLabel: (count: number) => string
  initial: readonly string[]
  onApply: (picked: string[]) => void
  onClose: () => void
  children: (picked: readonly string[], toggle: (value: string) => void) => ReactNode
}) {
  const [picked, setPicked] = useState<string[]>([...initial])
  const toggle = (value: string) => setPicked((current) => (current.includes(value) ? current.filter((v) => v !== value) : [...current, value]))
  return (
    <Modal
      title={title}
      testId={testId}
      onClose={onClose}
      footer={
        <>
          <button type="button" className="button button--ghost" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="button" data-testid={applyTestId} disabled={picked.length === 0} onClick={() => onApply(picked)}>
            {applyLabel(picked.length)}
          </button>
        </>
      }
    >
      {children(picked, toggle)}
    </Modal>
  )
}
