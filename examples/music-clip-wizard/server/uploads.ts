import { randomUUID } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { json } from './http'

const MAX_UPLOAD_BYTES = 50 * 1024 * 1024
const FILE_ID = /^[0-9a-f-]{36}$/
/** The user reads this after "Could not upload “name”: ". */
const TOO_LARGE = `files can be up to ${MAX_UPLOAD_BYTES / 1024 / 1024} MB`

/**
 * The only types accepted and served inline: audio (the track picker takes `audio/*`) and
 * raster images (the reference-image picker). Never HTML, SVG or anything a browser could run
 * as the app's origin.
 */
const RASTER_IMAGES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif'])
const AUDIO = /^audio\/[a-z0-9][a-z0-9.+-]*$/

/** `Content-Type` without parameters, lower-cased (`audio/ogg; codecs=opus` → `audio/ogg`). */
export function mediaType(header: string | null): string {
  return (header ?? '').split(';')[0]!.trim().toLowerCase()
}

export function isAllowedUpload(type: string): boolean {
  return RASTER_IMAGES.has(type) || AUDIO.test(type)
}

/** On every upload response: no sniffing, and no scripts even if a browser renders it. */
const SAFE = { 'X-Content-Type-Options': 'nosniff', 'Content-Security-Policy': 'sandbox' }

interface UploadMeta {
  name: string
  type: string
  size: number
}

/**
 * `POST /uploads` with the file as the raw body (`Content-Type` and an `X-File-Name` header)
 * answers `{ fileId }` (415 for a type outside the allow-list); `GET /uploads/{fileId}` serves
 * it back, inline only for allowed types and always with `nosniff` and a `sandbox` CSP. The bytes live in the data
 * folder; the autosaved wizard state only ever holds the file's metadata and this id.
 */
export function uploadsHandler(dataDir: string) {
  const dir = join(dataDir, 'uploads')
  const ready = mkdir(dir, { recursive: true })

  async function upload(request: Request): Promise<Response> {
    await ready
    const declared = Number(request.headers.get('Content-Length') ?? 0)
    if (declared > MAX_UPLOAD_BYTES) return json(413, { error: TOO_LARGE }, SAFE)
    const type = mediaType(request.headers.get('Content-Type'))
    if (!isAllowedUpload(type)) {
      await request.body?.cancel().catch(() => {})
      return json(415, { error: `only audio files and PNG, JPEG, GIF, WebP or AVIF images can be uploaded` }, SAFE)
    }
    if (!request.body) return json(400, { error: 'the file was empty' }, SAFE)
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
      return json(size > MAX_UPLOAD_BYTES ? 413 : 400, { error: size > MAX_UPLOAD_BYTES ? TOO_LARGE : 'the upload was interrupted' }, SAFE)
    }
    const meta: UploadMeta = {
      name: decodeName(request.headers.get('X-File-Name')),
      type,
      size,
    }
    await writeFile(`${target}.json`, JSON.stringify(meta))
    return json(201, { fileId, ...meta }, SAFE)
  }

  async function download(fileId: string): Promise<Response> {
    if (!FILE_ID.test(fileId)) return json(404, { error: 'No such file' }, SAFE)
    try {
      const meta = JSON.parse(await readFile(join(dir, `${fileId}.json`), 'utf8')) as UploadMeta
      await stat(join(dir, fileId))
      const body = await readFile(join(dir, fileId))
      // Checked again here: files stored before the allow-list existed may claim any type.
      const type = mediaType(meta.type)
      const inline = isAllowedUpload(type)
      return new Response(body, {
        headers: {
          ...SAFE,
          'Content-Type': inline ? type : 'application/octet-stream',
          ...(inline ? {} : { 'Content-Disposition': `attachment; filename*=UTF-8''${rfc5987(meta.name)}` }),
          'Cache-Control': 'private, max-age=31536000, immutable',
        },
      })
    } catch {
      return json(404, { error: 'No such file' }, SAFE)
    }
  }

  return async (request: Request, pathname: string): Promise<Response | undefined> => {
    if (pathname === '/uploads') return request.method === 'POST' ? upload(request) : json(405, { error: 'POST a file here' }, SAFE)
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

/** A file name as an RFC 5987 `filename*` value. */
function rfc5987(name: string): string {
  return encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
}
