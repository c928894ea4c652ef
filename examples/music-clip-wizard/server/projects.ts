import { autosaveTables, type DocumentStore, type SqlClient } from '../../../src/server/index'
import { json } from './http'

/** One row of the project list. */
export interface ProjectSummary {
  id: string
  currentStep: string
  title: string
  updatedAt: string
  version: number
}

/** One page of the list, newest first; `next` asks for the page after it. */
export interface ProjectPage {
  projects: ProjectSummary[]
  next: string | undefined
}

export const PAGE_SIZE = 20
const MAX_PAGE_SIZE = 100

/**
 * `GET /api/projects?limit=&after=` pages through the projects, newest first (keyset paging:
 * a project saved meanwhile moves to the top instead of shifting the pages), and
 * `DELETE /api/projects/{id}` removes one with its history. The reference handler serves one
 * document at a time, so the list is a plain query over the table it writes — no second index
 * to keep in sync.
 */
export function projectsHandler(client: SqlClient, documents: DocumentStore) {
  const tables = autosaveTables()
  return async (request: Request, pathname: string): Promise<Response | undefined> => {
    if (pathname.startsWith('/api/projects/')) {
      if (request.method !== 'DELETE') return json(405, { error: 'DELETE only' }, { Allow: 'DELETE' })
      let id: string
      try {
        id = decodeURIComponent(pathname.slice('/api/projects/'.length))
      } catch {
        return json(400, { error: 'Malformed project id' })
      }
      await documents.delete(id)
      return new Response(null, { status: 204, headers: { 'Cache-Control': 'no-store' } })
    }
    if (pathname !== '/api/projects') return undefined
    if (request.method !== 'GET') return json(405, { error: 'GET only' }, { Allow: 'GET' })
    const params = new URL(request.url).searchParams
    const limit = Math.min(MAX_PAGE_SIZE, Math.max(1, Number(params.get('limit')) || PAGE_SIZE))
    const after = parseCursor(params.get('after'))
    // One more than asked: whether there is a next page.
    const { rows } = await client.query(
      `SELECT key, version, updated_at, updated_at::text AS cursor_at,
              data->>'currentStep' AS step,
              data->'data'->'uploadedAudio'->>'fileName' AS audio,
              data->'data'->>'musicDescription' AS music,
              data->'data'->>'videoDescription' AS video
       FROM ${tables.documents}
       ${after ? 'WHERE (updated_at, key) < ($2::timestamptz, $3)' : ''}
       ORDER BY updated_at DESC, key DESC LIMIT $1`,
      after ? [limit + 1, after.at, after.key] : [limit + 1],
    )
    const more = rows.length > limit
    const page = rows.slice(0, limit)
    const projects: ProjectSummary[] = page.map((row) => ({
      id: String(row.key),
      currentStep: String(row.step ?? ''),
      title: titleOf(row),
      updatedAt: (row.updated_at instanceof Date ? row.updated_at : new Date(String(row.updated_at))).toISOString(),
      version: Number(row.version),
    }))
    const last = page.at(-1)
    const body: ProjectPage = { projects, next: more && last ? JSON.stringify([String(last.cursor_at), String(last.key)]) : undefined }
    return json(200, body)
  }
}

/** The cursor is the last row's exact `updated_at` (microseconds, as text) and key. */
function parseCursor(value: string | null): { at: string; key: string } | undefined {
  if (!value) return undefined
  try {
    const [at, key] = JSON.parse(value) as unknown[]
    return typeof at === 'string' && typeof key === 'string' ? { at, key } : undefined
  } catch {
    return undefined
  }
}

function titleOf(row: Record<string, unknown>): string {
  for (const candidate of [row.audio, row.music, row.video]) {
    if (typeof candidate === 'string' && candidate.trim()) {
      const text = candidate.trim()
      return text.length > 60 ? `${text.slice(0, 59)}…` : text
    }
  }
  return 'Untitled clip'
}
