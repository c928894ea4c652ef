import { useState } from 'react'
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

/** One project: the chat on the left, what it has filled in on the right. */
export function Wizard({ projectId, isNew, onExit }: { projectId: string; isNew: boolean; onExit: () => void }) {
  const project = useProject(projectId, isNew)
  const [draft, setDraft] = useState('')
  const [genres, setGenres] = useState<string[]>([])
  const [modal, setModal] = useState<'genres' | 'styles'>()
  const [uploading, setUploading] = useState(false)
  const [notice, setNotice] = useState<string>()

  const { state, update, status } = project

  /** Every interaction goes through here: a pure transition, then the autosave hook saves it. */
  const act = (transition: (current: WizardState) => WizardState, clearDraft = true) => {
    update(transition)
    if (clearDraft) setDraft('')
    setNotice(undefined)
  }

  const upload = async (files: File[], apply: (current: WizardState, uploaded: Awaited<ReturnType<typeof uploadFile>>[]) => WizardState) => {
    setUploading(true)
    setNotice(undefined)
    try {
      const uploaded = await Promise.all(files.map((file) => uploadFile(file)))
      update((current) => apply(current, uploaded))
    } catch (error) {
      setNotice(error instanceof Error ? error.message : String(error))
    } finally {
      setUploading(false)
    }
  }

  return (
    <div className="wizard" data-testid="wizard" data-project-id={projectId} data-step={state?.currentStep ?? ''} data-ready={state ? 'true' : 'false'}>
      <header className="topbar">
        <button type="button" className="button button--ghost" data-testid="back-to-projects" onClick={onExit}>
          ← Projects
        </button>
        <h1>Music-clip wizard</h1>
        <SaveStatus status={status} />
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
            setDraft((text) => `${picked.join(', ')}${text.trim() ? ` — ${text.trim()}` : ''}`)
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
