/** Methods Fetch cannot even represent reach `serveNode` too: answered, never a 500 on the console. */
import { request as httpRequest } from 'node:http'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createAutosaveHandler, memoryDocumentStore, serveNode, type NodeServer } from '../../src/server/index'

const basePath = '/api/storage/projects'
const onError = vi.fn()
let server: NodeServer

beforeAll(async () => {
  server = await serveNode(createAutosaveHandler({ store: memoryDocumentStore(), basePath, onError }))
})
afterAll(() => server.close())

function send(method: string, path: string): Promise<{ status: number; allow: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${server.url}${path}`, { method }, (res) => {
      let body = ''
      res.on('data', (chunk) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, allow: res.headers.allow, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('serveNode answers every method', () => {
  it.each(['TRACE', 'PROPFIND', 'DELETE', 'OPTIONS'])('%s on a document answers 405 with Allow, and reports nothing', async (method) => {
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {})
    try {
      const answer = await send(method, `${basePath}/project%3A42`)
      expect(answer.status, `${method} answered ${answer.status}: ${answer.body}`).toBe(405)
      expect(answer.allow).toMatch(/GET/)
      expect(JSON.parse(answer.body).error).toBe(`${method} is not allowed here`)
      expect(consoleError).not.toHaveBeenCalled()
      expect(onError).not.toHaveBeenCalled()
    } finally {
      consoleError.mockRestore()
    }
  })

  // A handler with maxBodyBytes is served by nodeListener (buffered), one without by toNodeListener.
  it.each([
    ['toNodeListener', {}],
    ['nodeListener', { maxBodyBytes: 1024 }],
  ])("an error serveNode meets outside the handler (%s) goes to the handler's onError, not console.error", async (_, extra) => {
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {})
    const reported = vi.fn()
    const broken = Object.assign(async () => ({ status: 200 }) as unknown as Response, { basePath, onError: reported, ...extra })
    const local = await serveNode(broken)
    try {
      const status = await new Promise<number>((resolve, reject) => {
        const req = httpRequest(`${local.url}${basePath}/x`, (res) => {
          res.resume()
          res.on('end', () => resolve(res.statusCode ?? 0))
        })
        req.on('error', reject)
        req.end()
      })
      expect(status).toBe(500)
      expect(reported).toHaveBeenCalledWith(expect.any(TypeError), expect.any(Request))
      expect(consoleError).not.toHaveBeenCalled()
    } finally {
      consoleError.mockRestore()
      await local.close()
    }
  })
})
