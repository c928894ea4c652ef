import { useEffect, useRef, type ReactNode } from 'react'

export function Modal({
  title,
  testId,
  onClose,
  children,
  footer,
}: {
  title: string
  testId: string
  onClose: () => void
  children: ReactNode
  footer: ReactNode
}) {
  const dialog = useRef<HTMLDialogElement>(null)
  useEffect(() => {
    const element = dialog.current
    // The dialog is unmounted rather than closed, so the browser cannot hand the focus back:
    // it goes back to what opened it (Escape included), never to <body>.
    const opener = document.activeElement
    if (element && !element.open) element.showModal()
    return () => {
      element?.close()
      if (opener instanceof HTMLElement && opener.isConnected && !opener.matches(':disabled')) opener.focus()
    }
  }, [])
  return (
    <dialog
      ref={dialog}
      className="modal"
      data-testid={testId}
      aria-label={title}
      onCancel={(event) => {
        event.preventDefault()
        onClose()
      }}
    >
      <header className="modal__header">
        <h2>{title}</h2>
        <button type="button" className="icon-button" aria-label="Close" onClick={onClose}>
          ×
        </button>
      </header>
      <div className="modal__body">{children}</div>
      <footer className="modal__footer">{footer}</footer>
    </dialog>
  )
}
