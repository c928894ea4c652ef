/**
 * The devtools panel in Chromium, beside the music-clip wizard's save indicator, on a test
 * page of its own (test/devtools-page): the panel's switches drive what the indicator says.
 * `UPDATE_SCREENSHOTS=1` also writes docs/images/devtools.png for the README.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { build } from 'esbuild'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from './browser'

const root = fileURLToPath(new URL('../..', import.meta.url))
let dir: string
let browser: Browser

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'autosave-kit-devtools-page-'))
  await build({
    entryPoints: [join(root, 'test/devtools-page/main.tsx')],
    bundle: true,
    // A classic script: Chromium refuses module scripts from file: URLs.
    format: 'iife',
    outdir: dir,
    jsx: 'automatic',
    alias: { 'autosave-kit': join(root, 'src/index.ts') },
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'error',
  })
  await writeFile(
    join(dir, 'index.html'),
    '<!doctype html><meta charset="utf-8"><title>devtools</title><link rel="stylesheet" href="main.css"><div id="root"></div><script src="main.js"></script>',
  )
  browser = await launchChromium()
})

afterAll(async () => {
  await browser?.close()
  await rm(dir, { recursive: true, force: true })
})

const statusText = (page: Page) => page.getByTestId('save-status-text')
// Playwright's locators pierce the panel's open shadow root.
const panelField = (page: Page, name: string) => page.locator(`autosave-devtools section[data-key="project:demo"] [data-field="${name}"]`)
const serverText = (page: Page) =>
  page.evaluate(
    () =>
      (window as unknown as { backend: { documents: Map<string, { data: { musicDescription: string } }> } }).backend.documents.get('project:demo')?.data
        .musicDescription,
  )

describe('devtools panel beside the wizard’s save indicator (Chromium)', () => {
  it('shows the engine live, and its switches take the step offline and fail a save', async () => {
    const context = await browser.newContext({ viewport: { width: 1100, height: 640 } })
    const page = await context.newPage()
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(error.message))
    await page.goto(pathToFileURL(join(dir, 'index.html')).href)

    await expect.poll(() => panelField(page, 'phase').textContent()).toBe('idle')
    await page.getByLabel('music').fill('Dreamy synth-pop')
    await expect.poll(() => statusText(page).textContent()).toBe('Saved')
    await expect.poll(() => panelField(page, 'phase').textContent()).toBe('saved')
    expect(await serverText(page)).toBe('Dreamy synth-pop')

    await page.getByLabel('Simulate offline').check()
    await page.getByLabel('music').fill('Dreamy synth-pop, no drums')
    await expect.poll(() => statusText(page).textContent()).toBe('Offline — saved on this device')
    await expect.poll(() => panelField(page, 'phase').textContent()).toBe('offline')
    await expect.poll(() => panelField(page, 'outbox').textContent()).toMatch(/^1 record/)
    expect(await serverText(page), 'nothing may reach the server while offline').toBe('Dreamy synth-pop')

    await page.getByLabel('Simulate offline').uncheck()
    await expect.poll(() => statusText(page).textContent()).toBe('Saved')
    expect(await serverText(page)).toBe('Dreamy synth-pop, no drums')

    await page.getByLabel('Fail next save').check()
    await page.getByLabel('music').fill('Dreamy synth-pop, no drums, 90 bpm')
    await expect.poll(() => statusText(page).textContent()).toMatch(/^Couldn't save — retrying in \d+ s$/)
    await expect.poll(() => panelField(page, 'phase').textContent()).toBe('retrying')
    expect(await page.getByLabel('Fail next save').isChecked(), 'the switch disarms after one failure').toBe(false)
    if (process.env.UPDATE_SCREENSHOTS) await page.screenshot({ path: join(root, 'docs/images/devtools.png') })
    await expect.poll(() => statusText(page).textContent(), { timeout: 10_000 }).toBe('Saved')
    expect(await serverText(page)).toBe('Dreamy synth-pop, no drums, 90 bpm')
    await expect.poll(() => page.locator('autosave-devtools [data-action="rollback"]').count()).toBeGreaterThanOrEqual(3)
    expect(errors).toEqual([])
    await context.close()
  })
})
