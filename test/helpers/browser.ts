import assert from 'node:assert/strict'
import { existsSync, mkdirSync } from 'node:fs'
import path from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { AxeBuilder } from '@axe-core/playwright'
import type { FastifyInstance } from 'fastify'
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

const SCREENSHOTS = path.resolve('test-results', 'screenshots')

/** Checks that the page is the one a test expects (its heading) before the test uses it. */
export async function verifyOnPage(page: Page, heading: string | RegExp): Promise<void> {
  const h1 = page.locator('h1')
  await h1.first().waitFor()
  const text = (await h1.first().textContent())?.trim() ?? ''
  if (typeof heading === 'string') assert.equal(text, heading)
  else assert.match(text, heading)
}

/** Saves a full-page screenshot under test-results/screenshots/ and fails on any axe violation (WCAG 2.2 AA). */
export async function expectAccessible(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true })
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true })
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'])
    .analyze()
  const violations = results.violations.map(
    v =>
      `${v.id}: ${v.nodes
        .map(n => n.target.join(' '))
        .slice(0, 3)
        .join(', ')}`,
  )
  assert.deepEqual(violations, [], `${name} has accessibility violations`)
}

/** Starts an app listening on a free loopback port, for a real browser; returns its base URL. */
export async function listenOnLoopback(app: FastifyInstance): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  return `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`
}

/** A new page in its own browser context, signed in with a session cookie (`name=value`) for the app at `baseUrl`. */
export async function signedInPage(browser: Browser, baseUrl: string, cookie: string): Promise<Page> {
  const [name = '', value = ''] = cookie.split('=')
  const context = await browser.newContext()
  await context.addCookies([{ name, value, url: baseUrl, httpOnly: true, sameSite: 'Lax' }])
  return context.newPage()
}
