import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Browser, Page } from 'playwright-core'
import { startApp } from './helpers/app.ts'
import { expectAccessible, launchBrowser, listenOnLoopback, verifyOnPage } from './helpers/browser.ts'
import { sqliteStore, type TestStore } from './helpers/stores.ts'

describe('catalogue pages in Chromium', async () => {
  const browser: Browser | undefined = await launchBrowser()
  let store: TestStore
  let baseUrl: string
  let close: () => Promise<void>
  let page: Page
  const cspViolations: string[] = []

  before(async () => {
    if (browser === undefined) return
    store = sqliteStore()
    const started = await startApp(store)
    close = started.close
    baseUrl = await listenOnLoopback(started.app)
    page = await (await browser.newContext()).newPage()
    page.on('console', message => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text())
    })
  })
  after(async () => {
    await browser?.close()
    if (close !== undefined) await close()
    await store?.dispose()
  })

  const test = browser === undefined ? it.todo : it

  test('shows the home page, accessible, with GOV.UK Frontend running under the CSP', async () => {
    await page.goto(`${baseUrl}/`)
    await verifyOnPage(page, 'Assure')
    assert.equal(await page.evaluate(() => document.body.classList.contains('govuk-frontend-supported')), true)
    await expectAccessible(page, 'home')
  })

  test('skips to the main content by keyboard alone', async () => {
    await page.goto(`${baseUrl}/`)
    await page.keyboard.press('Tab')
    assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), 'Skip to main content')
    await page.keyboard.press('Enter')
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'main-content')
  })

  test('shows the catalogue home, accessible', async () => {
    await page.goto(`${baseUrl}/catalogues/latest`)
    await verifyOnPage(page, 'MoJ Cyber Security Guidance: Supplier Edition')
    await expectAccessible(page, 'catalogue')
  })

  test('searches by keyboard alone and shows accessible results', async () => {
    await page.goto(`${baseUrl}/catalogues/latest`)
    await page.focus('#q')
    await page.keyboard.type('unsuccessful attempts block')
    await page.keyboard.press('Enter')
    await page.waitForURL(/\/requirements\?q=/)
    await verifyOnPage(page, 'Requirements')
    assert.equal(await page.locator('text=1 requirement found').count(), 1)
    await expectAccessible(page, 'search-results')
  })

  test('shows the error summary for a bad filter, accessible', async () => {
    await page.goto(`${baseUrl}/catalogues/latest/requirements?obligation=sometimes`)
    await verifyOnPage(page, 'Requirements')
    assert.equal(await page.locator('.govuk-error-summary').count(), 1)
    await expectAccessible(page, 'search-error')
  })

  test('shows a requirement page, accessible, and follows it into the guidance', async () => {
    await page.goto(`${baseUrl}/catalogues/latest/requirements/TSC-L2-01`)
    await verifyOnPage(page, 'Monitor login attempts and block access after 10 failures')
    await expectAccessible(page, 'requirement')
    await page.click('text=Read it in place in the guidance')
    await verifyOnPage(page, 'Technical Security Controls Guide')
    assert.equal(new URL(page.url()).hash, '#TSC-L2-01')
    await expectAccessible(page, 'guidance-section')
  })

  test('shows the guidance index and the frameworks list, accessible', async () => {
    await page.goto(`${baseUrl}/catalogues/latest/guidance`)
    await verifyOnPage(page, 'Read the guidance')
    await expectAccessible(page, 'guidance-index')
    await page.goto(`${baseUrl}/catalogues`)
    await verifyOnPage(page, 'Frameworks')
    await expectAccessible(page, 'frameworks')
  })

  test('shows the not-found page, accessible', async () => {
    await page.goto(`${baseUrl}/nowhere`)
    await verifyOnPage(page, 'Page not found')
    await expectAccessible(page, 'not-found')
  })

  test('raised no Content Security Policy violations', () => {
    assert.deepEqual(cspViolations, [])
  })
})
