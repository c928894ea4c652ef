import { chromium, type Browser } from 'playwright-core'
import { chromiumPath } from './chromium-path'

export { chromiumPath }

/** Debian's Chromium (apt-get install chromium); CHROMIUM_PATH overrides. No browser download. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  })
}
