/**
 * The browser-test harness: a real Chromium driven by playwright-core against the example
 * server that global-setup.ts started (PGlite in a temp folder, test hooks on), plus a small
 * page object for the wizard that speaks in the user's terms (answer, skip, upload) and reads
 * what the user sees.
 */
import { existsSync, readFileSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createRequire } from 'node:module'
import { deflateSync } from 'node:zlib'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, inject } from 'vitest'
import type { WizardState } from '../../examples/music-clip-wizard/src/state'
import { API_BASE } from '../../examples/music-clip-wizard/server/wizard-server'
import { launchChromium } from './browser'

export interface E2E {
  /** The example server (started once per run by global-setup.ts). */
  readonly url: string
  readonly browser: Browser
  /** A fresh browser profile (its own IndexedDB), closed after the file; desktop-sized unless told. */
  newContext(viewport?: Viewport): Promise<BrowserContext>
  /** What the server's database holds for a project, read through the wire protocol's GET. */
  serverDocument(projectId: string): Promise<{ data: WizardState; version: number } | undefined>
  /** Make the next `count` document writes answer `status`. */
  failNextWrites(count: number, status?: number): Promise<void>
  /** The server is back: drop the failures still queued. */
  clearFaults(): Promise<void>
  /** Every document write the server has seen (method, key, whether a fault answered it). */
  writes(): Promise<Array<{ method: string; key: string; failed: boolean }>>
}

export interface Viewport {
  width: number
  height: number
}
export const DESKTOP: Viewport = { width: 1280, height: 800 }
/** An iPhone SE / small Android width. */
export const PHONE: Viewport = { width: 375, height: 740 }

/** Starts a browser for one test file; call at the top level of the file. */
export function setupE2E(): E2E {
  const url = inject('e2eUrl')
  let browser: Browser | undefined
  const contexts: BrowserContext[] = []
  beforeAll(async () => {
    browser = await launchChromium()
  })
  afterAll(async () => {
    await Promise.allSettled(contexts.map((context) => context.close()))
    await browser?.close()
  })
  return {
    url,
    get browser() {
      return browser!
    },
    async newContext(viewport = DESKTOP) {
      const context = await browser!.newContext({
        viewport,
        baseURL: url,
        ...(viewport.width < 600 ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
      })
      contexts.push(context)
      return context
    },
    async serverDocument(projectId) {
      const response = await fetch(`${url}${API_BASE}/${encodeURIComponent(projectId)}`)
      if (response.status === 404) return undefined
      expect(response.status).toBe(200)
      const body = (await response.json()) as { data: WizardState; version: number }
      return { data: body.data, version: body.version }
    },
    async failNextWrites(count, status = 500) {
      const response = await fetch(`${url}/__test__/faults`, { method: 'POST', body: JSON.stringify({ status, count }) })
      expect(response.ok).toBe(true)
    },
    async clearFaults() {
      const response = await fetch(`${url}/__test__/faults`, { method: 'DELETE' })
      expect(response.ok).toBe(true)
    },
    async writes() {
      return ((await (await fetch(`${url}/__test__/writes`)).json()) as { writes: Array<{ method: string; key: string; failed: boolean }> }).writes
    },
  }
}

let projects = 0
export function uniqueProjectId(name: string): string {
  return `e2e-${name}-${process.pid}-${++projects}-${Date.now().toString(36)}`
}

/** Everything the user can see of a project: the step, each message, the form data. */
export interface VisibleWizard {
  step: string
  chat: Array<{ id: string; role: string; text: string }>
  data: Record<string, string>
  images: Array<{ id: string; text: string }>
}

/** The wizard as a user drives it. */
export class WizardPage {
  constructor(readonly page: Page) {}

  static async open(context: BrowserContext, projectId: string): Promise<WizardPage> {
    const wizard = new WizardPage(await context.newPage())
    await wizard.goto(projectId)
    return wizard
  }

  async goto(projectId: string): Promise<void> {
    await this.page.goto(`/?project=${encodeURIComponent(projectId)}`)
    await this.ready()
  }

  async reload(): Promise<void> {
    await this.page.reload()
    await this.ready()
  }

  /** The project is restored and on screen. */
  async ready(): Promise<void> {
    await this.page.locator('[data-testid=wizard][data-ready=true]').waitFor({ timeout: 15_000 })
  }

  step(): Promise<string | null> {
    return this.page.getAttribute('[data-testid=wizard]', 'data-step')
  }

  async expectStep(step: string): Promise<void> {
    await expect.poll(() => this.step(), { timeout: 10_000, message: `the wizard should be on step "${step}"` }).toBe(step)
  }

  async answer(text: string): Promise<void> {
    const before = await this.messageCount()
    await this.page.fill('[data-testid=chat-input]', text)
    await this.page.click('[data-testid=send]')
    await this.waitForMessages(before + 2)
  }

  async click(testId: string): Promise<void> {
    await this.page.click(`[data-testid=${testId}]`)
  }

  async skip(): Promise<void> {
    const before = await this.messageCount()
    await this.click('skip')
    await this.waitForMessages(before + 2)
  }

  async generate(): Promise<void> {
    const before = await this.messageCount()
    await this.click('generate')
    await this.waitForMessages(before + 2)
  }

  async uploadAudio(name: string, bytes: Buffer, mimeType = 'audio/mpeg'): Promise<void> {
    await this.page.setInputFiles('[data-testid=audio-input]', { name, mimeType, buffer: bytes })
  }

  async uploadImages(files: Array<{ name: string; buffer: Buffer }>): Promise<void> {
    await this.page.setInputFiles(
      '[data-testid=images-input]',
      files.map((file) => ({ ...file, mimeType: 'image/png' })),
    )
  }

  messageCount(): Promise<number> {
    return this.page.locator('[data-testid=chat-message]').count()
  }

  async waitForMessages(count: number): Promise<void> {
    await expect.poll(() => this.messageCount(), { timeout: 10_000, message: `expected ${count} chat messages` }).toBeGreaterThanOrEqual(count)
  }

  status(): Promise<{ phase: string | null; text: string | null }> {
    return this.page.evaluate(() => {
      const element = document.querySelector('[data-testid=save-status]')
      return { phase: element?.getAttribute('data-phase') ?? null, text: element?.querySelector('[data-testid=save-status-text]')?.textContent ?? null }
    })
  }

  async expectStatus(phase: string, text: string | RegExp, timeout = 20_000): Promise<void> {
    await expect
      .poll(
        async () => {
          const status = await this.status()
          return status.phase === phase && (typeof text === 'string' ? status.text === text : text.test(status.text ?? '')) ? 'ok' : JSON.stringify(status)
        },
        { timeout, interval: 50, message: `the save indicator should read ${String(text)} (phase ${phase})` },
      )
      .toBe('ok')
  }

  /** A project nobody has edited yet: shown, saved nowhere. */
  async expectUnsaved(): Promise<void> {
    await expect
      .poll(() => this.page.getAttribute('[data-testid=save-status]', 'data-unsaved'), { message: 'the project should be new and unsaved' })
      .toBe('true')
  }

  /** Waits until the indicator says the server has everything. */
  async expectSaved(timeout = 20_000): Promise<void> {
    await this.expectStatus('saved', 'Saved', timeout)
  }

  visible(): Promise<VisibleWizard> {
    return this.page.evaluate(() => {
      const text = (element: Element | null) => (element?.textContent ?? '').trim()
      const data: Record<string, string> = {}
      for (const element of document.querySelectorAll('[data-testid^="data-"]')) data[element.getAttribute('data-testid')!.slice(5)] = text(element)
      return {
        step: document.querySelector('[data-testid=wizard]')?.getAttribute('data-step') ?? '',
        chat: [...document.querySelectorAll('[data-testid=chat-message]')].map((element) => ({
          id: element.getAttribute('data-id') ?? '',
          role: element.getAttribute('data-role') ?? '',
          text: text(element.querySelector('p')),
        })),
        data,
        images: [...document.querySelectorAll('[data-testid=reference-image]')].map((element) => ({
          id: element.getAttribute('data-id') ?? '',
          text: (element.querySelector('textarea') as HTMLTextAreaElement | null)?.value ?? text(element.querySelector('.reference__description')),
        })),
      }
    })
  }

  /** The user comes back to this window (what the engine's focus source listens to). */
  async focus(): Promise<void> {
    await this.page.bringToFront()
    // Headless windows do not get focus from bringToFront: the event the browser would fire.
    await this.page.evaluate(() => window.dispatchEvent(new Event('focus')))
  }

  /** The chat box's text, as the user sees it. */
  chatInput(): Promise<string> {
    return this.page.inputValue('[data-testid=chat-input]')
  }

  /** The service worker caches the app shell; needed before a reload while offline. */
  async waitForOfflineShell(): Promise<void> {
    await this.page.evaluate(async () => {
      await navigator.serviceWorker.ready
      if (!navigator.serviceWorker.controller) {
        await new Promise<void>((resolve) => navigator.serviceWorker.addEventListener('controllerchange', () => resolve(), { once: true }))
      }
    })
  }
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

/**
 * axe-core on what the page shows now (WCAG 2.1 A and AA, plus best practices): fails listing
 * every violation with the elements it found it on.
 */
export async function expectAccessible(page: Page, screen: string): Promise<void> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: axeSource })
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run(
            context: Document,
            options: object,
          ): Promise<{ violations: Array<{ id: string; impact: string; help: string; nodes: Array<{ target: unknown[] }> }> }>
        }
      }
    ).axe
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
      resultTypes: ['violations'],
    })
    return result.violations.map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`)
  })
  expect(violations, `axe-core on ${screen}`).toEqual([])
}

/** Nothing on the page is wider than the window (no sideways scrolling). */
export async function expectNoSidewaysScroll(page: Page, screen: string): Promise<void> {
  const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, window: window.innerWidth }))
  expect(widths.page, `${screen}: the page is ${widths.page} px wide in a ${widths.window} px window`).toBeLessThanOrEqual(widths.window)
}

/** Every console error and failed request of `page` from now on (e.g. a 404 the browser logs). */
export function consoleErrors(page: Page): string[] {
  const errors: string[] = []
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text())
  })
  page.on('response', (response) => {
    if (response.status() >= 400) errors.push(`${response.status()} ${response.request().method()} ${response.url()}`)
  })
  return errors
}

const imagesDir = join(dirname(fileURLToPath(import.meta.url)), '../../docs/images')

/**
 * Saves a screenshot for the README into docs/images/ when it is missing or when
 * UPDATE_SCREENSHOTS=1; otherwise into the temp folder, so test runs leave the repo untouched.
 */
export async function screenshot(page: Page, name: string, options: { selector?: string; padding?: number; fullPage?: boolean } = {}): Promise<string> {
  const update = process.env.UPDATE_SCREENSHOTS === '1' || !existsSync(join(imagesDir, name))
  const dir = update ? imagesDir : join(tmpdir(), 'autosave-kit-e2e-screenshots')
  await mkdir(dir, { recursive: true })
  const path = join(dir, name)
  if (options.selector) {
    const box = await page.locator(options.selector).boundingBox()
    if (!box) throw new Error(`screenshot ${name}: ${options.selector} is not visible`)
    const pad = options.padding ?? 0
    await page.screenshot({
      path,
      clip: { x: Math.max(0, box.x - pad), y: Math.max(0, box.y - pad), width: box.width + 2 * pad, height: box.height + 2 * pad },
    })
  } else {
    await page.screenshot({ path, fullPage: options.fullPage ?? false })
  }
  return path
}

/** A small PNG (a diagonal gradient) — real image bytes for the upload tests and screenshots. */
export function pngImage(width: number, height: number, from: [number, number, number], to: [number, number, number]): Buffer {
  const raw = Buffer.alloc((width * 3 + 1) * height)
  for (let y = 0; y < height; y++) {
    raw[y * (width * 3 + 1)] = 0
    for (let x = 0; x < width; x++) {
      const t = (x + y) / (width + height - 2)
      const at = y * (width * 3 + 1) + 1 + x * 3
      for (let c = 0; c < 3; c++) raw[at + c] = Math.round(from[c]! + (to[c]! - from[c]!) * t)
    }
  }
  const chunk = (type: string, body: Buffer) => {
    const length = Buffer.alloc(4)
    length.writeUInt32BE(body.length)
    const typed = Buffer.concat([Buffer.from(type, 'ascii'), body])
    const crc = Buffer.alloc(4)
    crc.writeUInt32BE(crc32(typed))
    return Buffer.concat([length, typed, crc])
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  header[8] = 8 // bit depth
  header[9] = 2 // RGB
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))])
}

function crc32(bytes: Buffer): number {
  let crc = ~0
  for (const byte of bytes) {
    crc ^= byte
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1))
  }
  return ~crc >>> 0
}
