import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { AxeBuilder } from '@axe-core/playwright'
import { startApp } from './helpers/app.ts'
import { launchBrowser } from './helpers/browser.ts'
import { sqliteStore, type TestStore } from './helpers/stores.ts'
import { buildPerson, sessionCookieFor } from './helpers/people.ts'

const SCREENSHOTS = path.resolve('test-results', 'screenshots')

/** A page of the service, checked to be the one we expect before a test uses it. */
async function verifyOnPage(page: Page, heading: string): Promise<void> {
  const h1 = page.locator('h1')
  await h1.first().waitFor()
  assert.equal((await h1.first().textContent())?.trim(), heading)
}

async function expectAccessible(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true })
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'])
    .analyze()
  assert.deepEqual(
    results.violations.map(
      v =>
        `${v.id}: ${v.nodes
          .map(n => n.target.join(' '))
          .slice(0, 3)
          .join(', ')}`,
    ),
    [],
    `${name} has accessibility violations`,
  )
}

describe('the supplier register in Chromium', async () => {
  const browser: Browser | undefined = await launchBrowser()
  let store: TestStore
  let baseUrl: string
  let close: () => Promise<void>
  let page: Page
  let supplierId = ''

  before(async () => {
    if (browser === undefined) return
    mkdirSync(SCREENSHOTS, { recursive: true })
    store = sqliteStore()
    const started = await startApp(store)
    close = started.close
    await started.app.listen({ host: '127.0.0.1', port: 0 })
    const address = started.app.server.address()
    baseUrl = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`
    const { db } = started.services.store
    const admin = await buildPerson(db, {
      roles: ['authority-admin'],
      organisation: { kind: 'authority', name: 'Ministry of Justice' },
    })
    supplierId = (await buildPerson(db, { organisation: { kind: 'supplier', name: 'Contoso Ltd' } })).organisationId
    const [name = '', value = ''] = (await sessionCookieFor(db, admin.id)).split('=')
    const context = await browser.newContext()
    await context.addCookies([{ name, value, url: baseUrl, httpOnly: true, sameSite: 'Lax' }])
    page = await context.newPage()
  })
  after(async () => {
    await browser?.close()
    if (browser !== undefined) {
      await close()
      await store.dispose()
    }
  })

  it(
    'lets an Authority administrator register a contract through the form',
    { skip: browser === undefined },
    async () => {
      await page.goto(`${baseUrl}/suppliers`)
      await verifyOnPage(page, 'Suppliers')
      await page.getByRole('link', { name: 'Contoso Ltd' }).click()
      await verifyOnPage(page, 'Contoso Ltd')
      await page.getByRole('link', { name: 'Add a contract' }).click()
      await verifyOnPage(page, 'Add a contract')
      await expectAccessible(page, 'supplier-contract-form')

      await page.getByRole('button', { name: 'Save contract' }).click()
      await verifyOnPage(page, 'Add a contract')
      assert.equal(await page.locator('.govuk-error-summary a').first().textContent(), 'Enter the contract reference')
      await expectAccessible(page, 'supplier-contract-errors')

      await page.getByLabel('Contract reference').fill('MOJ/2026-014')
      await page.getByLabel('Contract title').fill('Case management hosting')
      const start = page.getByRole('group', { name: 'Start date' })
      await start.getByLabel('Day').fill('1')
      await start.getByLabel('Month').fill('4')
      await start.getByLabel('Year').fill('2026')
      const end = page.getByRole('group', { name: 'End date' })
      await end.getByLabel('Day').fill('31')
      await end.getByLabel('Month').fill('3')
      await end.getByLabel('Year').fill('2028')
      await page.getByLabel('OFFICIAL-SENSITIVE').check()
      await page.getByLabel('Personal data', { exact: true }).check()
      await page.getByRole('group', { name: 'Is any work or data offshore?' }).getByLabel('No').check()
      await page.getByLabel('Key services').fill('Hosting and support')
      await page.getByRole('button', { name: 'Save contract' }).click()

      await verifyOnPage(page, 'Contoso Ltd')
      assert.match((await page.locator('.govuk-notification-banner--success').textContent()) ?? '', /Contract saved/)
      assert.match((await page.locator('table').first().textContent()) ?? '', /MOJ\/2026-014/)
      assert.ok(page.url().startsWith(`${baseUrl}/suppliers/${supplierId}`))
      await expectAccessible(page, 'supplier-register-entry')
    },
  )
})
