import { useEffect, useRef, useState } from 'react'
import { deleteProject, listProjects, newProjectId, type ProjectSummary } from '../api'
import { markNew } from '../new-projects'

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

/**
 * The projects the server holds, newest first, a page at a time: open one to continue where
 * you left off, or delete it. "New clip" only opens an empty wizard: the project exists once
 * its first edit is saved.
 */
export function ProjectList({ open }: { open: (projectId: string, isNew?: boolean) => void }) {
  const [projects, setProjects] = useState<ProjectSummary[] | undefined>()
  const [next, setNext] = useState<string>()
  const [loadingMore, setLoadingMore] = useState(false)
  const [error, setError] = useState<string>()
  const loaded = useRef(1)
  // Loaded on mount (the wizard flushes its save before coming back here), and again whenever
  // the page comes back into view: another tab or a late save may have changed a project.
  // A reload fetches as many pages as were shown.
  useEffect(() => {
    let controller: AbortController | undefined
    const load = async () => {
      controller?.abort()
      const current = (controller = new AbortController())
      try {
        let list: ProjectSummary[] = []
        let cursor: string | undefined
        for (let page = 0; page < loaded.current; page++) {
          const result = await listProjects(cursor, current.signal)
          list = [...list, ...result.projects]
          cursor = result.next
          if (!cursor) break
        }
        setProjects(list)
        setNext(cursor)
        setError(undefined)
      } catch (e) {
        if (!current.signal.aborted) setError(e instanceof Error ? e.message : String(e))
      }
    }
    const onVisible = () => {
      if (document.visibilityState === 'visible') void load()
    }
    void load()
    addEventListener('focus', load)
    document.addEventListener('visibilitychange', onVisible)
    return () => {
      controller?.abort()
      removeEventListener('focus', load)
      document.removeEventListener('visibilitychange', onVisible)
    }
  }, [])

  const more = async () => {
    if (!next) return
    setLoadingMore(true)
    try {
      const page = await listProjects(next)
      loaded.current++
      setProjects((list) => [...(list ?? []), ...page.projects.filter((p) => !list?.some((q) => q.id === p.id))])
      setNext(page.next)
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e))
    } finally {
      setLoadingMore(false)
    }
  }

  const remove = async (project: ProjectSummary) => {
    if (!confirm(`Delete “${project.title}”? This cannot be undone.`)) return
    try {
      await deleteProject(project.id)
      setProjects((list) => list?.filter((p) => p.id !== project.id))
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e))
    }
  }

  return (
    <main className="projects" data-testid="project-list">
      <header className="projects__header">
        <div>
          <h1>♫ Music-clip wizard</h1>
          <p>Every answer is saved as you go — close the tab, lose the network, come back later.</p>
        </div>
        <button
          type="button"
          className="button"
          data-testid="new-project"
          onClick={() => {
            const id = newProjectId()
            markNew(id)
            open(id, true)
          }}
        >
          + New clip
        </button>
      </header>
      {error && (
        <p className="notice notice--error" role="alert">
          {error}
        </p>
      )}
      {!projects && !error && <p className="notice">Loading projects…</p>}
      {projects?.length === 0 && <p className="notice">No projects yet. Start a new clip.</p>}
      {projects && projects.length > 0 && (
        <>
          <h2 className="visually-hidden">Your projects</h2>
          <ul className="projects__list">
            {projects.map((project) => (
              <li key={project.id} className="project" data-testid="project-row" data-project-id={project.id}>
                <a
                  className="project__title"
                  href={`?project=${encodeURIComponent(project.id)}`}
                  data-testid="project-link"
                  data-project-id={project.id}
                  onClick={(event) => {
                    event.preventDefault()
                    open(project.id)
                  }}
                >
                  {project.title}
                </a>
                <p className="project__meta">
                  <span className={`tag${project.currentStep === 'completed' ? ' tag--done' : ''}`} data-testid="project-step">
                    {STEP_NAMES[project.currentStep] ?? 'In progress'}
                  </span>{' '}
                  <span className="visually-hidden">, last saved </span>
                  <time dateTime={project.updatedAt}>{new Date(project.updatedAt).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' })}</time>
                </p>
                <button
                  type="button"
                  className="button button--ghost button--small project__delete"
                  data-testid="delete-project"
                  aria-label={`Delete “${project.title}”`}
                  onClick={() => void remove(project)}
                >
                  Delete
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
      {next && (
        <button
          type="button"
          className="button button--secondary projects__more"
          data-testid="more-projects"
          disabled={loadingMore}
          onClick={() => void more()}
        >
          {loadingMore ? 'Loading…' : 'Show more projects'}
        </button>
      )}
    </main>
  )
}
