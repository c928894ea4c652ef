import type { Transport } from 'autosave-kit'

/**
 * Projects this tab created and has not written yet. The server cannot hold them, so opening
 * one asks it nothing (a GET would only answer 404, and the browser logs every 404 in the
 * console). Kept in sessionStorage, so a reload before the first edit asks nothing either.
 */
const KEY = 'music-clip-wizard:new-projects'
const memory = new Set<string>()

function read(): Set<string> {
  try {
    return new Set(JSON.parse(sessionStorage.getItem(KEY) ?? '[]') as string[])
  } catch {
    return memory
  }
}

function write(ids: Set<string>): void {
  try {
    sessionStorage.setItem(KEY, JSON.stringify([...ids]))
  } catch {
    // No sessionStorage (private mode quotas): the in-memory set is all there is.
  }
}

export function markNew(projectId: string): void {
  memory.add(projectId)
  write(read().add(projectId))
}

export function isUnwritten(projectId: string): boolean {
  return memory.has(projectId) || read().has(projectId)
}

function written(projectId: string): void {
  memory.delete(projectId)
  const ids = read()
  if (ids.delete(projectId)) write(ids)
}

/** `transport`, minus the load of a project that cannot be on the server yet. */
export function skipLoadOfNewProjects(transport: Transport): Transport {
  const { loadIfChanged, watch } = transport
  return {
    load: (key, options) => (isUnwritten(key) ? Promise.resolve(undefined) : transport.load(key, options)),
    // Kept: revalidation on focus asks with If-None-Match and gets a 304 when nothing changed.
    ...(loadIfChanged
      ? { loadIfChanged: (key: string, options: { version: number; signal?: AbortSignal }) => loadIfChanged.call(transport, key, options) }
      : {}),
    // And the server's announcements of new versions (Server-Sent Events, see project-autosave.ts).
    ...(watch ? { watch: (key: string, onVersion: (version: number) => void) => watch.call(transport, key, onVersion) } : {}),
    async write(request) {
      const result = await transport.write(request)
      written(request.key)
      return result
    },
  }
}
