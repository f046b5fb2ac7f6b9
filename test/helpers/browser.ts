import { existsSync } from 'node:fs'
import { chromium, type Browser } from 'playwright-core'
import { markSuiteRan, suiteUnavailable } from './suites.ts'

/** Debian's Chromium, or CHROMIUM_PATH. Playwright's own browser downloads are not used. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/** Launches headless Chromium, or reports the browser suite as not run (failing when it is required). */
export async function launchBrowser(): Promise<Browser | undefined> {
  if (!existsSync(CHROMIUM_PATH)) {
    suiteUnavailable('browser', `no Chromium at ${CHROMIUM_PATH} (apt-get install chromium)`)
    return undefined
  }
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    // As root in a container, without the network: no sandbox, no background calls home.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
  markSuiteRan('browser')
  return browser
}
