import { fileURLToPath } from 'node:url'
import { createAutosaveHandler, postgresDocumentStore, serveNode, type DocumentStore, type NodeServer } from '../../../src/server/index'
import { openDatabase, type Database } from './database'
import { faults, type Faults } from './faults'
import { json } from './http'
import { projectsHandler } from './projects'
import { staticHandler } from './static'
import { uploadsHandler } from './uploads'

export const API_BASE = '/api/storage/projects'

export interface WizardServerOptions {
  /** Default 5173; 0 picks a free port. */
  port?: number
  /** Default 127.0.0.1. */
  host?: string
  /** PGlite's files and the uploads. Default `examples/music-clip-wizard/data`. */
  dataDir?: string
  /** Use this PostgreSQL instead of PGlite. */
  databaseUrl?: string | undefined
  /** The built app. Default `examples/music-clip-wizard/dist`. */
  staticDir?: string
  /** Mount `/__test__/*` (fault injection). Never in the demo. */
  testHooks?: boolean
}

export interface WizardServer {
  readonly url: string
  readonly port: number
  /** The documents the reference handler serves (for assertions on what the server holds). */
  readonly documents: DocumentStore
  readonly database: Database
  /** Present with `testHooks`. */
  readonly faults: Faults | undefined
  close(): Promise<void>
}

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url))

/**
 * One server for everything the example needs: the app, the autosave API (the library's
 * reference handler on PGlite or PostgreSQL), uploads and the project list.
 */
export async function startWizardServer(options: WizardServerOptions = {}): Promise<WizardServer> {
  const dataDir = options.dataDir ?? here('../data')
  const database = await openDatabase({ dataDir, databaseUrl: options.databaseUrl })
  const documents = postgresDocumentStore(database.client)
  const autosave = createAutosaveHandler({ store: documents, basePath: API_BASE, maxBodyBytes: 2 * 1024 * 1024 })
  const uploads = uploadsHandler(dataDir)
  const projects = projectsHandler(database.client, documents)
  const files = staticHandler(options.staticDir ?? here('../dist'))
  const testFaults = options.testHooks ? faults(`${API_BASE}/`) : undefined

  async function handle(request: Request): Promise<Response> {
    const { pathname } = new URL(request.url)
    if (pathname.startsWith(`${API_BASE}/`)) return testFaults?.intercept(request) ?? autosave(request)
    const answer =
      (testFaults && pathname.startsWith('/__test__/') ? await testFaults.handle(request, pathname) : undefined) ??
      (await uploads(request, pathname)) ??
      (await projects(request, pathname)) ??
      (await files(request, pathname))
    return answer ?? json(404, { error: 'Not found' })
  }

  let server: NodeServer
  try {
    server = await serveNode(handle, { port: options.port ?? 5173, host: options.host ?? '127.0.0.1' })
  } catch (error) {
    await database.close()
    throw error
  }
  return {
    url: server.url,
    port: server.port,
    documents,
    database,
    faults: testFaults,
    async close() {
      await server.close()
      await database.close()
    },
  }
}
