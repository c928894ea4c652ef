import { createHash } from 'node:crypto'
import { readFile, stat } from 'node:fs/promises'
import { extname, resolve, sep } from 'node:path'
import { promisify } from 'node:util'
import { brotliCompress, constants, gzip } from 'node:zlib'
// The library's own lookup (serveNode's staticDir): one place decides what is inside the directory.
import { contentTypeOf, findStaticFile } from '../../../src/server/static-files'

/** Worth compressing: text. Images are compressed already. */
const TEXT = new Set(['.html', '.js', '.css', '.json', '.svg', '.wasm', '.map'])

const brotli = promisify(brotliCompress)
const gzipped = promisify(gzip)

interface Prepared {
  mtimeMs: number
  etag: string
  raw: Uint8Array
  br?: Uint8Array
  gzip?: Uint8Array
}

/**
 * The built app (vite build output). Hashed assets are cached for a year; index.html and
 * sw.js are revalidated (ETag, 304). Text files are sent brotli- or gzip-compressed when the
 * browser accepts it, compressed once per build (cached in memory until the file changes).
 */
export function staticHandler(dir: string) {
  const root = resolve(dir)
  const prepared = new Map<string, Promise<Prepared>>()

  const prepare = async (file: string, mtimeMs: number): Promise<Prepared> => {
    const raw: Uint8Array = new Uint8Array(await readFile(file))
    const etag = `"${createHash('sha1').update(raw).digest('base64url').slice(0, 20)}"`
    if (!TEXT.has(extname(file).toLowerCase()) || raw.byteLength < 1024) return { mtimeMs, etag, raw }
    const [br, gz] = await Promise.all([brotli(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }), gzipped(raw, { level: 9 })])
    return { mtimeMs, etag, raw, br: new Uint8Array(br), gzip: new Uint8Array(gz) }
  }

  return async (request: Request, pathname: string): Promise<Response | undefined> => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return undefined
    // A single-page app: every page URL (e.g. /?project=…) gets index.html.
    const page = pathname === '/' || (request.headers.get('Accept') ?? '').includes('text/html')
    const file = await findStaticFile(root, pathname, page)
    const info = file === undefined ? undefined : await stat(file).catch(() => undefined)
    if (!file || !info) {
      return page
        ? new Response('The app is not built: run "npm run demo".', { status: 503, headers: { 'Content-Type': 'text/plain; charset=utf-8' } })
        : undefined
    }
    let entry = prepared.get(file)
    if (!entry || (await entry).mtimeMs !== info.mtimeMs) {
      entry = prepare(file, info.mtimeMs)
      prepared.set(file, entry)
      entry.catch(() => prepared.delete(file))
    }
    const { etag, raw, br, gzip: gz } = await entry
    const immutable = file.includes(`${sep}assets${sep}`)
    const headers: Record<string, string> = {
      'Content-Type': await contentTypeOf(file),
      'Cache-Control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      ETag: etag,
      'X-Content-Type-Options': 'nosniff',
    }
    if (br || gz) headers.Vary = 'Accept-Encoding'
    if (!immutable && request.headers.get('If-None-Match') === etag) return new Response(null, { status: 304, headers })
    const accepted = request.headers.get('Accept-Encoding') ?? ''
    let body = raw
    if (br && /\bbr\b/.test(accepted)) {
      body = br
      headers['Content-Encoding'] = 'br'
    } else if (gz && /\bgzip\b/.test(accepted)) {
      body = gz
      headers['Content-Encoding'] = 'gzip'
    }
    headers['Content-Length'] = String(body.byteLength)
    return new Response(request.method === 'HEAD' ? null : (body as Uint8Array<ArrayBuffer>), { headers })
  }
}
