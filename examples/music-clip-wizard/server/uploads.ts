import { randomUUID } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { json } from './http'

const MAX_UPLOAD_BYTES = 50 * 1024 * 1024
const FILE_ID = /^[0-9a-f-]{36}$/

interface UploadMeta {
  name: string
  type: string
  size: number
}

/**
 * `POST /uploads` with the file as the raw body (`Content-Type` and an `X-File-Name` header)
 * answers `{ fileId }`; `GET /uploads/{fileId}` serves it back. The bytes live in the data
 * folder; the autosaved wizard state only ever holds the file's metadata and this id.
 */
export function uploadsHandler(dataDir: string) {
  const dir = join(dataDir, 'uploads')
  const ready = mkdir(dir, { recursive: true })

  async function upload(request: Request): Promise<Response> {
    await ready
    const declared = Number(request.headers.get('Content-Length') ?? 0)
    if (declared > MAX_UPLOAD_BYTES) return json(413, { error: `Files are limited to ${MAX_UPLOAD_BYTES} bytes` })
    if (!request.body) return json(400, { error: 'The request has no file' })
    const fileId = randomUUID()
    const target = join(dir, fileId)
    let size = 0
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        size += chunk.length
        done(size > MAX_UPLOAD_BYTES ? new Error('too large') : null, chunk)
      },
    })
    try {
      await pipeline(Readable.fromWeb(request.body as import('node:stream/web').ReadableStream), counter, createWriteStream(target))
    } catch {
      await rm(target, { force: true })
      return json(size > MAX_UPLOAD_BYTES ? 413 : 400, { error: size > MAX_UPLOAD_BYTES ? 'File too large' : 'Upload interrupted' })
    }
    const meta: UploadMeta = {
      name: decodeName(request.headers.get('X-File-Name')),
      type: request.headers.get('Content-Type') ?? 'application/octet-stream',
      size,
    }
    await writeFile(`${target}.json`, JSON.stringify(meta))
    return json(201, { fileId, ...meta })
  }

  async function download(fileId: string): Promise<Response> {
    if (!FILE_ID.test(fileId)) return json(404, { error: 'No such file' })
    try {
      const meta = JSON.parse(await readFile(join(dir, `${fileId}.json`), 'utf8')) as UploadMeta
      await stat(join(dir, fileId))
      const body = await readFile(join(dir, fileId))
      return new Response(body, { headers: { 'Content-Type': meta.type, 'Cache-Control': 'private, max-age=31536000, immutable' } })
    } catch {
      return json(404, { error: 'No such file' })
    }
  }

  return async (request: Request, pathname: string): Promise<Response | undefined> => {
    if (pathname === '/uploads') return request.method === 'POST' ? upload(request) : json(405, { error: 'POST a file here' })
    if (pathname.startsWith('/uploads/') && request.method === 'GET') return download(pathname.slice('/uploads/'.length))
    return undefined
  }
}

function decodeName(header: string | null): string {
  if (!header) return 'file'
  try {
    return decodeURIComponent(header).slice(0, 255)
  } catch {
    return 'file'
  }
}
