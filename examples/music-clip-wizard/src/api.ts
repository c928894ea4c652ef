import { serialize } from 'autosave-kit'
import type { ProjectPage, ProjectSummary } from '../server/projects'
import type { FileMeta } from './state'

/** Where the autosave documents live (the reference handler on the example server). */
export const API_BASE = '/api/storage/projects'

export type UploadedFile = FileMeta & { fileId: string }

/**
 * What the upload endpoint accepts (server/uploads.ts checks the same list): any audio, and
 * raster images only — no SVG, which could carry script. For the file pickers' `accept`.
 */
export const AUDIO_ACCEPT = 'audio/*'
export const IMAGE_ACCEPT = 'image/png,image/jpeg,image/gif,image/webp,image/avif'

/**
 * Sends the bytes to the upload endpoint and returns what the wizard state keeps: the
 * serializer's description of the File plus the server's `fileId` — never the bytes.
 */
export async function uploadFile(file: File, signal?: AbortSignal): Promise<UploadedFile> {
  let response: Response
  try {
    response = await fetch('/uploads', {
      method: 'POST',
      body: file,
      headers: { 'Content-Type': file.type || 'application/octet-stream', 'X-File-Name': encodeURIComponent(file.name) },
      signal,
    })
  } catch {
    throw new Error(`Could not upload “${file.name}”: you seem to be offline. Try again when the connection is back.`)
  }
  if (!response.ok) {
    // The server says why (e.g. 415: a type it does not accept, 413: too large).
    const reason = await response
      .json()
      .then((body: { error?: unknown }) => (typeof body.error === 'string' ? body.error : undefined))
      .catch(() => undefined)
    throw new Error(`Could not upload “${file.name}”: ${reason ?? 'the server had a problem. Try again in a moment'}.`)
  }
  const { fileId } = (await response.json()) as { fileId: string }
  return serialize(file, { fileId: () => fileId }) as UploadedFile
}

export function fileUrl(fileId: string): string {
  return `/uploads/${encodeURIComponent(fileId)}`
}

/** One row of the project list, as the example's server sends it. */
export type { ProjectPage, ProjectSummary }

/** One page of the project list, newest first; pass the previous page's `next` for more. */
export async function listProjects(after?: string, signal?: AbortSignal): Promise<ProjectPage> {
  const query = after ? `?after=${encodeURIComponent(after)}` : ''
  let response: Response
  try {
    response = await fetch(`/api/projects${query}`, { signal, headers: { Accept: 'application/json' } })
  } catch (error) {
    if (signal?.aborted) throw error
    throw new Error("Can't reach the server to list your projects. Check the connection and try again.")
  }
  if (!response.ok) throw new Error('The server could not list your projects. Try again in a moment.')
  return (await response.json()) as ProjectPage
}

export async function deleteProject(projectId: string): Promise<void> {
  let response: Response
  try {
    response = await fetch(`/api/projects/${encodeURIComponent(projectId)}`, { method: 'DELETE' })
  } catch {
    throw new Error("Can't reach the server, so the project was not deleted.")
  }
  if (!response.ok) throw new Error('The server could not delete the project. Try again in a moment.')
}

export function newProjectId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(6))
  return `clip-${[...bytes]
    .map((b) => b.toString(36).padStart(2, '0'))
    .join('')
    .slice(0, 10)}`
}
