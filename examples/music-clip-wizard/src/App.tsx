import { AutosaveProvider } from 'autosave-kit/react'
import { useEffect, useState } from 'react'
import { ProjectList } from './components/ProjectList'
import { Wizard } from './components/Wizard'
import { projectAutosave } from './project-autosave'

function projectFromUrl(): string | undefined {
  return new URLSearchParams(location.search).get('project') ?? undefined
}

/** Two screens: the project list, and the wizard for `?project=<id>`. */
export function App() {
  const [projectId, setProjectId] = useState(projectFromUrl)
  useEffect(() => {
    const onPop = () => setProjectId(projectFromUrl())
    addEventListener('popstate', onPop)
    return () => removeEventListener('popstate', onPop)
  }, [])
  const navigate = (id: string | undefined, isNew = false) => {
    history.pushState({ isNew }, '', id ? `?project=${encodeURIComponent(id)}` : location.pathname)
    setProjectId(id)
  }
  // Every autosave hook below shares the transport, store and schema; each names only its key.
  return (
    <AutosaveProvider {...projectAutosave}>
      {projectId ? (
        // `key`: every project gets its own Wizard, hence its own autosave engine.
        <Wizard
          key={projectId}
          projectId={projectId}
          isNew={(history.state as { isNew?: boolean } | null)?.isNew === true}
          onExit={() => navigate(undefined)}
        />
      ) : (
        <ProjectList open={navigate} />
      )}
    </AutosaveProvider>
  )
}
