import { useEffect, useState } from 'react'
import { listProjects, newProjectId, type ProjectSummary } from '../api'

const STEP_NAMES: Record<string, string> = {
  track_input: 'Choosing a track',
  track_ai_description: 'Describing the music',
  track_ai_lyrics: 'Writing lyrics',
  track_generating: 'Generating the track',
  video_description: 'Describing the video',
  reference_images: 'Adding reference images',
  reference_image_description: 'Describing the images',
  video_styles: 'Choosing styles',
  completed: 'Completed',
}

/** The projects the server holds, newest first: open one to continue where you left off. */
export function ProjectList({ open }: { open: (projectId: string, isNew?: boolean) => void }) {
  const [projects, setProjects] = useState<ProjectSummary[] | undefined>()
  const [error, setError] = useState<string>()
  // Loaded on mount (the wizard flushes its save before coming back here), and again whenever
  // the page comes back into view: another tab or a late save may have changed a project.
  useEffect(() => {
    let controller: AbortController | undefined
    const load = () => {
      controller?.abort()
      const current = (controller = new AbortController())
      listProjects(current.signal).then(
        (list) => {
          setProjects(list)
          setError(undefined)
        },
        (e: unknown) => {
          if (!current.signal.aborted) setError(e instanceof Error ? e.message : String(e))
        },
      )
    }
    const onVisible = () => {
      if (document.visibilityState === 'visible') load()
    }
    load()
    addEventListener('focus', load)
    document.addEventListener('visibilitychange', onVisible)
    return () => {
      controller?.abort()
      removeEventListener('focus', load)
      document.removeEventListener('visibilitychange', onVisible)
    }
  }, [])
  return (
    <main className="projects" data-testid="project-list">
      <header className="projects__header">
        <div>
          <h1>♫ Music-clip wizard</h1>
          <p>Every answer is saved as you go — close the tab, lose the network, come back later.</p>
        </div>
        <button type="button" className="button" data-testid="new-project" onClick={() => open(newProjectId(), true)}>
          + New clip
        </button>
      </header>
      {error && <p className="notice notice--error">{error}</p>}
      {!projects && !error && <p className="notice">Loading projects…</p>}
      {projects?.length === 0 && <p className="notice">No projects yet. Start a new clip.</p>}
      <ul className="projects__list">
        {projects?.map((project) => (
          <li key={project.id}>
            <a
              href={`?project=${encodeURIComponent(project.id)}`}
              data-testid="project-link"
              data-project-id={project.id}
              onClick={(event) => {
                event.preventDefault()
                open(project.id)
              }}
            >
              <strong>{project.title}</strong>
              <span className={`tag${project.currentStep === 'completed' ? ' tag--done' : ''}`}>{STEP_NAMES[project.currentStep] ?? project.currentStep}</span>
              <time dateTime={project.updatedAt}>{new Date(project.updatedAt).toLocaleString()}</time>
            </a>
          </li>
        ))}
      </ul>
    </main>
  )
}
