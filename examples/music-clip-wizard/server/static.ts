import { readFile, stat } from 'node:fs/promises'
import { extname, join, resolve, sep } from 'node:path'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.map': 'application/json; charset=utf-8',
}

/** The built app (vite build output): hashed assets cached forever, the rest revalidated. */
export function staticHandler(dir: string) {
  const root = resolve(dir)
  return async (request: Request, pathname: string): Promise<Response | undefined> => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return undefined
    let file: string | undefined
    try {
      const candidate = resolve(join(root, decodeURIComponent(pathname)))
      if (candidate.startsWith(root + sep) && (await stat(candidate).catch(() => undefined))?.isFile()) file = candidate
    } catch {
      // A malformed path is not found.
    }
    // A single-page app: every page URL (e.g. /?project=…) gets index.html.
    if (!file && (pathname === '/' || (request.headers.get('Accept') ?? '').includes('text/html'))) file = join(root, 'index.html')
    if (!file) return undefined
    let body: Buffer
    try {
      body = await readFile(file)
    } catch {
      return new Response(`The app is not built: run "npm run demo" (missing ${file})`, { status: 503 })
    }
    const immutable = file.includes(`${sep}assets${sep}`)
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), {
      headers: {
        'Content-Type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
        'Cache-Control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      },
    })
  }
}
