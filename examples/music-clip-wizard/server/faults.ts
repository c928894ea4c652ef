import { json } from './http'

/**
 * Test hooks, mounted only when the server starts with `testHooks: true` (the e2e tests):
 * `POST /__test__/faults { status, count }` makes the next `count` document writes answer
 * `status`, the way a crashing backend would, so the client's retrying can be watched.
 */
export interface Faults {
  /** Answers a queued failure for a write to the document API, or undefined to pass. */
  intercept(request: Request): Response | undefined
  /** Handles `/__test__/*`. */
  handle(request: Request, pathname: string): Promise<Response | undefined>
  /** Document writes seen so far (method and key), for assertions. */
  readonly writes: ReadonlyArray<{ method: string; key: string; failed: boolean }>
}

export function faults(apiPrefix: string): Faults {
  let queue: Array<{ status: number; retryAfter?: string }> = []
  const writes: Array<{ method: string; key: string; failed: boolean }> = []
  return {
    writes,
    intercept(request) {
      const { pathname } = new URL(request.url)
      if (!pathname.startsWith(apiPrefix) || request.method === 'GET' || request.method === 'HEAD') return undefined
      const key = decodeURIComponent(pathname.slice(apiPrefix.length).split('/')[0] ?? '')
      const fault = queue.shift()
      writes.push({ method: request.method, key, failed: fault !== undefined })
      if (!fault) return undefined
      return json(fault.status, { error: `Injected failure (HTTP ${fault.status})` }, fault.retryAfter ? { 'Retry-After': fault.retryAfter } : {})
    },
    async handle(request, pathname) {
      if (pathname === '/__test__/faults' && request.method === 'POST') {
        const body = (await request.json()) as { status?: number; count?: number; retryAfter?: string }
        const status = body.status ?? 500
        queue = Array.from({ length: body.count ?? 1 }, () => (body.retryAfter ? { status, retryAfter: body.retryAfter } : { status }))
        return json(200, { queued: queue.length })
      }
      if (pathname === '/__test__/faults' && request.method === 'DELETE') {
        queue = []
        return json(200, { queued: 0 })
      }
      if (pathname === '/__test__/writes' && request.method === 'GET') return json(200, { writes })
      return undefined
    },
  }
}
