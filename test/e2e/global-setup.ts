/**
 * Once per run: checks that Chromium is there, builds the example app (into a temp folder,
 * so a running demo's build is left alone) and starts the example server on a free port with
 * a fresh PGlite database and its test hooks. Booting PGlite takes seconds, so every test file
 * shares this one server; tests keep apart by using their own project ids. Tests read the
 * address with `inject('e2eUrl')`.
 */
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
import { buildApp } from '../../examples/music-clip-wizard/server/main'
import { startWizardServer } from '../../examples/music-clip-wizard/server/wizard-server'
import { chromiumPath } from './browser'

declare module 'vitest' {
  export interface ProvidedContext {
    e2eUrl: string
  }
}

export default async function setup(project: TestProject) {
  const chromium = chromiumPath()
  if (!existsSync(chromium)) {
    throw new Error(
      `The browser tests need Chromium at ${chromium}: install it with "apt-get install chromium", or set CHROMIUM_PATH to a Chrome or Chromium binary${process.env.CI ? ' (CI must run them)' : ''}`,
    )
  }
  // E2E_APP_DIR: test an app built beforehand (skips the build; left in place afterwards).
  const prebuilt = process.env.E2E_APP_DIR
  const [appDir, dataDir] = await Promise.all([prebuilt ?? mkdtemp(join(tmpdir(), 'autosave-kit-e2e-app-')), mkdtemp(join(tmpdir(), 'autosave-kit-e2e-data-'))])
  if (!prebuilt) await buildApp(appDir)
  const server = await startWizardServer({ port: 0, dataDir, staticDir: appDir, testHooks: true })
  project.provide('e2eUrl', server.url)
  return async () => {
    await server.close()
    await Promise.all([prebuilt ? undefined : rm(appDir, { recursive: true, force: true }), rm(dataDir, { recursive: true, force: true })])
  }
}
