import { spawn } from 'node:child_process'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, inject, test } from 'vitest'
import { API_BASE } from '../../examples/music-clip-wizard/server/wizard-server'
import { expectAccessible, setupE2E, uniqueProjectId, WizardPage } from './harness'

const e2e = setupE2E()

describe('serving the app', () => {
  test('scripts and styles go out compressed and cached for good; the page is revalidated', async () => {
    const url = inject('e2eUrl')
    const page = await fetch(url, { headers: { Accept: 'text/html', 'Accept-Encoding': 'br, gzip' } })
    expect(page.headers.get('cache-control')).toBe('no-cache')
    const etag = page.headers.get('etag')
    expect(etag).toBeTruthy()
    const html = await page.text()
    expect((await fetch(url, { headers: { Accept: 'text/html', 'If-None-Match': etag! } })).status).toBe(304)

    const script = html.match(/src="(\/assets\/[^"]+\.js)"/)![1]!
    for (const [accept, encoding] of [
      ['br, gzip', 'br'],
      ['gzip', 'gzip'],
      ['identity', null],
    ] as const) {
      const response = await fetch(`${url}${script}`, { headers: { 'Accept-Encoding': accept } })
      expect(response.status).toBe(200)
      expect(response.headers.get('content-encoding')).toBe(encoding)
      expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
      expect(response.headers.get('vary')).toBe('Accept-Encoding')
      // fetch decodes it: the same script either way.
      expect((await response.text()).length).toBeGreaterThan(100_000)
    }
    // What the browser downloads: the compressed size.
    const compressed = await fetch(`${url}${script}`, { headers: { 'Accept-Encoding': 'br' } })
    expect(Number(compressed.headers.get('content-length'))).toBeLessThan(120_000)
  })

  test('a project the schema rejects is explained in words, not in zod issues', async () => {
    const projectId = uniqueProjectId('bad-schema')
    const bad = { currentStep: 'step_from_the_future', chat: [], data: {} }
    const put = await fetch(`${e2e.url}${API_BASE}/${projectId}`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': crypto.randomUUID() },
      body: JSON.stringify({ data: bad }),
    })
    expect(put.status).toBe(200)
    const context = await e2e.newContext()
    const wizard = new WizardPage(await context.newPage())
    await wizard.page.goto(`/?project=${projectId}`)
    const error = wizard.page.locator('[data-testid=load-error]')
    await expect.poll(() => error.textContent(), { timeout: 15_000 }).toContain('saved by a different version of the wizard')
    expect(await error.textContent()).not.toMatch(/schema|currentStep|Invalid/)
    await expectAccessible(wizard.page, 'a project that cannot be opened')
  })

  test('"npm run demo" on a busy port says so and builds nothing', async () => {
    const busy = createServer()
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve))
    const port = (busy.address() as { port: number }).port
    const dataDir = await mkdtemp(join(tmpdir(), 'autosave-kit-demo-'))
    const distBefore = await stat('examples/music-clip-wizard/dist').then(
      (s) => s.mtimeMs,
      () => undefined,
    )
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', 'examples/music-clip-wizard/server/main.ts'], {
        env: { ...process.env, PORT: String(port), DATA_DIR: dataDir },
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      let output = ''
      child.stdout.on('data', (chunk: Buffer) => (output += chunk))
      child.stderr.on('data', (chunk: Buffer) => (output += chunk))
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve))
      expect(code).toBe(1)
      expect(output.trim()).toBe(`Port ${port} is in use (another "npm run demo"?) — stop it, or set PORT to use another port, e.g. PORT=5180 npm run demo`)
      expect(output).not.toContain('Building')
      expect(
        await stat('examples/music-clip-wizard/dist').then(
          (s) => s.mtimeMs,
          () => undefined,
        ),
      ).toBe(distBefore)
    } finally {
      busy.close()
      await rm(dataDir, { recursive: true, force: true })
    }
  })
})
