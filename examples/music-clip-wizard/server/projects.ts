import { autosaveTables, type SqlClient } from '../../../src/server/index'
import { json } from './http'

/** One row of the project list. */
export interface ProjectSummary {
  id: string
  currentStep: string
  title: string
  updatedAt: string
  version: number
}

/**
 * `GET /api/projects`: the reference handler serves one document at a time, so the list is a
 * plain query over the same table it writes — no second index to keep in sync.
 */
export function projectsHandler(client: SqlClient) {
  const { documents } = autosaveTables()
  return async (request: Request, pathname: string): Promise<Response | undefined> => {
    if (pathname !== '/api/projects') return undefined
    if (request.method !== 'GET') return json(405, { error: 'GET only' }, { Allow: 'GET' })
    const { rows } = await client.query(
      `SELECT key, version, updated_at,
              data->>'currentStep' AS step,
              data->'data'->'uploadedAudio'->>'fileName' AS audio,
              data->'data'->>'musicDescription' AS music,
              data->'data'->>'videoDescription' AS video
       FROM ${documents} ORDER BY updated_at DESC LIMIT 100`,
    )
    const projects: ProjectSummary[] = rows.map((row) => ({
      id: String(row.key),
      currentStep: String(row.step ?? ''),
      title: titleOf(row),
      updatedAt: (row.updated_at instanceof Date ? row.updated_at : new Date(String(row.updated_at))).toISOString(),
      version: Number(row.version),
    }))
    return json(200, { projects })
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
