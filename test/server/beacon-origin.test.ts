/**
 * A beacon is a text/plain POST any site may send without a preflight, with the user's
 * cookies: a page on another site overwrote a user's document by trying versions 0–20
 * (issue 15). Cross-site beacons are refused unless their origin is allowed.
 */
import { describe, expect, it } from 'vitest'
import { createAutosaveHandler, memoryDocumentStore, type AutosaveHandlerOptions } from '../../src/server/index'
import { request } from './stores'

const base = '/api/storage/projects'
const beaconPath = `${base}/${encodeURIComponent('project:42')}/beacon`

function setup(options: Partial<AutosaveHandlerOptions> = {}) {
  const store = memoryDocumentStore()
  store.set('project:42', { owner: 'alice' })
  const handler = createAutosaveHandler({ store, basePath: base, ...options })
  const beacon = (headers: Record<string, string>, version = 1) =>
    handler(
      request(beaconPath, {
        method: 'POST',
        raw: JSON.stringify({ baseVersion: version, idempotencyKey: `k${version}-${Math.random()}`, data: { owner: 'mallory' } }),
        headers: { 'Content-Type': 'text/plain', ...headers },
      }),
    )
  return { store, beacon }
}

describe('beacon writes from other sites', () => {
  it('a beacon from a page on another site is refused with 403 for every version it tries, and nothing is written', async () => {
    const { store, beacon } = setup()
    for (let version = 0; version <= 20; version++) {
      const response = await beacon({ Origin: 'https://evil.example', 'Sec-Fetch-Site': 'cross-site', Host: 'app.example.com' }, version)
      expect(response.status, `version ${version} answered ${response.status}`).toBe(403)
    }
    expect(store.peek('project:42')).toMatchObject({ data: { owner: 'alice' }, version: 1 })
  })

  it.each([
    ['Sec-Fetch-Site: same-site (a sibling subdomain)', { Origin: 'https://blog.example.com', 'Sec-Fetch-Site': 'same-site', Host: 'app.example.com' }],
    ['an Origin of another host, without Sec-Fetch-Site (plain HTTP)', { Origin: 'http://evil.example', Host: 'app.example.com' }],
    ['Origin: null (a sandboxed frame)', { Origin: 'null', Host: 'app.example.com' }],
  ])('%s is refused with 403', async (_, headers) => {
    const { store, beacon } = setup()
    expect((await beacon(headers)).status).toBe(403)
    expect(store.peek('project:42')?.version).toBe(1)
  })

  it.each([
    ['Sec-Fetch-Site: same-origin', { Origin: 'https://app.example.com', 'Sec-Fetch-Site': 'same-origin', Host: 'app.example.com' }],
    ['an Origin of this host, without Sec-Fetch-Site', { Origin: 'http://app.example.com', Host: 'app.example.com' }],
    ['an Origin of the host a proxy was asked for', { Origin: 'https://app.example.com', Host: 'backend:8787', 'X-Forwarded-Host': 'app.example.com' }],
    ['no Origin and no Sec-Fetch-Site (not a browser)', {}],
  ])('%s is accepted', async (_, headers) => {
    const { store, beacon } = setup()
    expect((await beacon(headers)).status).toBe(200)
    expect(store.peek('project:42')).toMatchObject({ data: { owner: 'mallory' }, version: 2 })
  })

  it('an origin listed in allowedOrigins may send beacons cross-site; ["*"] allows any', async () => {
    const headers = { Origin: 'https://app.example.com', 'Sec-Fetch-Site': 'cross-site', Host: 'api.example.net' }
    expect((await setup({ allowedOrigins: ['https://app.example.com'] }).beacon(headers)).status).toBe(200)
    expect((await setup({ allowedOrigins: ['https://other.example.com'] }).beacon(headers)).status).toBe(403)
    expect((await setup({ allowedOrigins: ['*'] }).beacon(headers)).status).toBe(200)
  })
})
