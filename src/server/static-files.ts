/**
 * Finding the file a static request names, for `serveNode`'s `staticDir` and the example's
 * server alike: one place decides what is inside the directory. Node built-ins load on first
 * use (see node.ts).
 */

const nodeFsPromises = () => import('node:fs/promises')
const nodePath = () => import('node:path')

/** Content types by extension; anything else is `application/octet-stream`. */
export const contentTypes: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.mp3': 'audio/mpeg',
  '.wasm': 'application/wasm',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
}

/** The content type of `file` by its extension. */
export async function contentTypeOf(file: string): Promise<string> {
  const { extname } = await nodePath()
  return contentTypes[extname(file).toLowerCase()] ?? 'application/octet-stream'
}

/**
 * The file under `root` that `pathname` names: a regular file whose real path (symlinks
 * followed) is inside the real root, `index.html` for a directory, and the root's
 * `index.html` for any other page a browser asks for (`acceptsHtml`: a single-page app's deep
 * links). `undefined` when there is none.
 */
export async function findStaticFile(root: string, pathname: string, acceptsHtml: boolean): Promise<string | undefined> {
  const { join, resolve, sep } = await nodePath()
  const { realpath, stat } = await nodeFsPromises()
  const realRoot = await realpath(root).catch(() => root)
  const servable = async (path: string) => {
    const real = await realpath(path).catch(() => undefined)
    const inside = real !== undefined && (real === realRoot || real.startsWith(realRoot + sep))
    return inside && (await stat(real).catch(() => undefined))?.isFile() ? path : undefined
  }
  let file: string | undefined
  try {
    const candidate = resolve(join(root, decodeURIComponent(pathname)))
    // Never outside the directory, whatever `..` or encoded separators the path holds.
    if (candidate === root || candidate.startsWith(root + sep)) {
      const info = await stat(candidate).catch(() => undefined)
      file = await servable(info?.isDirectory() ? join(candidate, 'index.html') : candidate)
    }
  } catch {
    // A malformed path (bad percent-encoding) is simply not found.
  }
  if (!file && acceptsHtml) file = await servable(join(root, 'index.html'))
  return file
}
