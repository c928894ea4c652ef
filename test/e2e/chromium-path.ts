/**
 * Where the browser tests find Chromium: CHROMIUM_PATH (any Chrome or Chromium binary, e.g.
 * Playwright's own download or a macOS Chrome), else Debian's `/usr/bin/chromium`. Kept free of
 * imports: vitest.config.ts reads it to decide whether the browser suites run.
 */
export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH || '/usr/bin/chromium'
}
