import { useEffect, useState } from 'react'
import { uploadFile } from '../api'
import type { WizardState } from '../state'
import { useProject } from '../useProject'
import * as workflow from '../workflow'
import { Composer } from './Composer'
import { ChatMessages } from './ChatMessages'
import { GenreModal } from './GenreModal'
import { ProjectSummary } from './ProjectSummary'
import { SaveStatus } from './SaveStatus'
import { StepProgress } from './StepProgress'
import { StyleModal } from './StyleModal'

/** How long "← Projects" waits for the pending save before showing the list anyway. */
const LEAVE_FLUSH_MS = 2000

/** The genre prefix the modal put in front of the user's own words, replaced instead of stacked. */
function withGenres(draft: string, previous: readonly string[], picked: readonly string[]): string {
  let own = draft.trim()
  const prefix = previous.join(', ')
  if (prefix && own === prefix) own = ''
  else if (prefix && own.startsWith(`${prefix} — `)) own = own.slice(prefix.length + 3).trim()
  const genres = picked.join(', ')
  return genres ? `${genres}${own ? ` — ${own}` : ''}` : own
}

/** One project: the chat on the left, what it has filled in on the right. */
export function Wizard({ projectId, isNew, onExit }: { projectId: string; isNew: boolean; onExit: () => void }) {
  const project = useProject(projectId, isNew)
  const [draft, setDraft] = useState('')
  const [genres, setGenres] = useState<string[]>([])
  const [modal, setModal] = useState<'genres' | 'styles'>()
  const [uploading, setUploading] = useState(false)
  const [leaving, setLeaving] = useState(false)
  const [notice, setNotice] = useState<string>()

  const { state, update, status, flush } = project
  const step = state?.currentStep

  // The draft answers the question on screen: a new step (taken here or in another tab) starts
  // with an empty composer, so the text never lands in the next step's field.
  const [draftStep, setDraftStep] = useState(step)
  if (draftStep !== step) {
    setDraftStep(step)
    setDraft('')
  }

  // Leaving or reloading while a file is on its way would drop it from the project.
  useEffect(() => {
    if (!uploading) return
    const warn = (event: BeforeUnloadEvent) => event.preventDefault()
    addEventListener('beforeunload', warn)
    return () => removeEventListener('beforeunload', warn)
  }, [uploading])

  /**
   * Every step action goes through here: a pure transition pinned to the step this render
   * offered it at, then the autosave hook saves the result.
   */
  const act = (transition: (current: WizardState) => WizardState, clearDraft = true) => {
    update(workflow.pinned(step, transition))
    if (clearDraft) setDraft('')
    setNotice(undefined)
  }

  const upload = async (files: File[], apply: (current: WizardState, uploaded: Awaited<ReturnType<typeof uploadFile>>[]) => WizardState) => {
    const at = step
    setUploading(true)
    setNotice(undefined)
    try {
      const uploaded = await Promise.all(files.map((file) => uploadFile(file)))
      update(workflow.pinned(at, (current) => apply(current, uploaded)))
    } catch (error) {
      setNotice(error instanceof Error ? error.message : String(error))
    } finally {
      setUploading(false)
    }
  }

  /** Back to the list once the server has this project's last change, so the list shows it. */
  const leave = async () => {
    if (uploading || leaving) return
    setLeaving(true)
    // Only wait for a save that is on its way; offline or failing, the engine keeps the change
    // (IndexedDB outbox) and sends it later, and the user should not be held here.
    if (status.pending && (status.phase === 'pending' || status.phase === 'saving')) {
      await Promise.race([flush().catch(() => {}), new Promise((resolve) => setTimeout(resolve, LEAVE_FLUSH_MS))])
    }
    onExit()
  }

  return (
    <div className="wizard" data-testid="wizard" data-project-id={projectId} data-step={step ?? ''} data-ready={state ? 'true' : 'false'}>
      <header className="topbar">
        <button
          type="button"
          className="button button--ghost"
          data-testid="back-to-projects"
          disabled={uploading || leaving}
          title={uploading ? 'Wait for the upload to finish' : undefined}
          onClick={() => void leave()}
        >
          {leaving ? 'Saving…' : '← Projects'}
        </button>
        <h1>Music-clip wizard</h1>
        <SaveStatus
          status={status}
          opening={project.opening}
          problem={project.error ? (project.unreachable ? "Can't reach the server" : "Couldn't open this project") : undefined}
          unsentDraft={draft.trim() !== ''}
        />
      </header>
      {project.error && (
        <p className="notice notice--error" data-testid="load-error">
          {project.error}{' '}
          <button type="button" className="button button--secondary" onClick={() => location.reload()}>
            Try again
          </button>
        </p>
      )}
      {project.error ? null : !state ? (
        <p className="notice" data-testid="restoring">
          Restoring your project…
        </p>
      ) : (
        <>
          <StepProgress current={state.currentStep} />
          <div className="wizard__body">
            <section className="chat" aria-label="Conversation">
              <ChatMessages chat={state.chat} />
              {uploading && (
                <p className="notice" data-testid="uploading" role="status">
                  Uploading… the wizard continues when the file is on the server.
                </p>
              )}
              {notice && (
                <p className="notice notice--error" data-testid="notice" role="alert">
                  {notice}
                </p>
              )}
              <Composer
                step={state.currentStep}
                draft={draft}
                onDraft={setDraft}
                uploading={uploading}
                imageCount={state.data.referenceImages.length}
                actions={{
                  send: (text) => act((s) => workflow.answer(s, text)),
                  skip: () => act((s) => workflow.skip(s)),
                  generate: () => act((s) => workflow.generate(s, genres)),
                  instrumental: () => act((s) => workflow.chooseInstrumental(s)),
                  acceptTrack: () => act((s) => workflow.acceptTrack(s)),
                  continueImages: () => act((s) => workflow.continueImages(s)),
                  uploadAudio: (file) => void upload([file], (s, [audio]) => workflow.uploadAudio(s, audio!)),
                  uploadImages: (files) => void upload(files, (s, images) => workflow.addReferenceImages(s, images)),
                  openGenres: () => setModal('genres'),
                  openStyles: () => setModal('styles'),
                }}
              />
            </section>
            <ProjectSummary
              data={state.data}
              step={state.currentStep}
              onDescribe={(id, text) => act((s) => workflow.describeImage(s, id, text), false)}
              onRemoveImage={(id) => act((s) => workflow.removeReferenceImage(s, id), false)}
            />
          </div>
        </>
      )}
      {modal === 'genres' && (
        <GenreModal
          initial={genres}
          onClose={() => setModal(undefined)}
          onApply={(picked) => {
            setGenres(picked)
            setModal(undefined)
            setDraft((text) => withGenres(text, genres, picked))
          }}
        />
      )}
      {modal === 'styles' && state && (
        <StyleModal
          initial={state.data.videoStyles}
          onClose={() => setModal(undefined)}
          onApply={(picked) => {
            setModal(undefined)
            act((s) => workflow.chooseStyles(s, picked))
          }}
        />
      )}
    </div>
  )
}
