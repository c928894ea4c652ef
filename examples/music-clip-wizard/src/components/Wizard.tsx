import { useEffect, useState } from 'react'
import { uploadFile } from '../api'
import { quote } from '../lost-edits'
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
  const [genres, setGenres] = useState<string[]>([])
  const [modal, setModal] = useState<'genres' | 'styles'>()
  const [uploading, setUploading] = useState(false)
  const [leaving, setLeaving] = useState(false)
  const [notice, setNotice] = useState<string>()

  const { state, update, status, flush } = project
  const step = state?.currentStep
  // The chat box's text is part of the saved state, per step (workflow.setDraft): a reload
  // brings it back, and a new step starts with its own (usually empty) box.
  const draft = state ? workflow.draftOf(state) : ''
  const setDraft = (text: string | ((current: string) => string)) =>
    update(workflow.pinned(step, (s) => workflow.setDraft(s, typeof text === 'function' ? text(workflow.draftOf(s)) : text)))
  const stranded = state ? workflow.strandedDrafts(state) : []

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
  const act = (transition: (current: WizardState) => WizardState) => {
    update(workflow.pinned(step, transition))
    setNotice(undefined)
    project.dismissReplaced()
    project.dismissArrived()
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
          unsaved={project.unsaved}
          problem={project.error ? (project.unreachable ? "Can't reach the server" : "Couldn't open this project") : undefined}
        />
      </header>
      <main className="wizard__main">
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
            Opening your project…
          </p>
        ) : (
          <>
            <StepProgress current={state.currentStep} />
            <div className="wizard__body" data-step={state.currentStep}>
              <section className="chat" aria-label="Conversation">
                <ChatMessages chat={state.chat} />
                {project.replaced && (
                  <p className="notice notice--warn" data-testid="answer-replaced" role="status">
                    Another tab or device answered this step first (“{project.replaced.kept}”), so the wizard kept that answer. Yours (“
                    {project.replaced.mine.join('”, “')}”) was not used.{' '}
                    <button type="button" className="button button--ghost button--small" onClick={project.dismissReplaced}>
                      OK
                    </button>
                  </p>
                )}
                {project.lost && (
                  <div className="notice notice--warn" data-testid="edit-replaced" role="status">
                    {project.lost.edits.map((edit) => (
                      <p key={edit.path} className="notice__line" data-testid="lost-edit" data-path={edit.path}>
                        Your edit to {edit.label} ({quote(edit.mine)}) was replaced by a newer one from another {project.lost!.from} — restore it?{' '}
                        <button
                          type="button"
                          className="button button--secondary button--small"
                          data-testid="restore-edit"
                          onClick={() => project.restoreLost(edit)}
                        >
                          Restore mine
                        </button>
                      </p>
                    ))}
                    <button type="button" className="button button--ghost button--small" data-testid="keep-new" onClick={project.dismissLost}>
                      Keep the new one
                    </button>
                  </div>
                )}
                {project.arrived && !project.lost && !project.replaced && (
                  <p className="notice" data-testid="remote-update" role="status">
                    Updated with changes saved {project.arrived === 'tab' ? 'in another tab' : 'on another device'}.{' '}
                    <button type="button" className="button button--ghost button--small" onClick={project.dismissArrived}>
                      OK
                    </button>
                  </p>
                )}
                {stranded.map(({ step: from, text }) => (
                  <p key={from} className="notice notice--warn" data-testid="stranded-draft" role="status">
                    Not sent before the step was answered in another tab: “{text}”.{' '}
                    {workflow.acceptsText(state.currentStep) && (
                      <button type="button" className="button button--secondary button--small" onClick={() => update((s) => workflow.reuseDraft(s, from))}>
                        Use it here
                      </button>
                    )}{' '}
                    <button type="button" className="button button--ghost button--small" onClick={() => update((s) => workflow.discardDraft(s, from))}>
                      Discard
                    </button>
                  </p>
                ))}
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
                onDescribe={(id, text) => act((s) => workflow.describeImage(s, id, text))}
                onRemoveImage={(id) => act((s) => workflow.removeReferenceImage(s, id))}
              />
            </div>
          </>
        )}
      </main>
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
