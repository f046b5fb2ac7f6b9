import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Browser, Page } from 'playwright-core'
import { startApp } from './helpers/app.ts'
import { expectAccessible, launchBrowser, listenOnLoopback, signedInPage, verifyOnPage } from './helpers/browser.ts'
import { sqliteStore, type TestStore } from './helpers/stores.ts'
import { buildPerson, sessionCookieFor } from './helpers/people.ts'

describe('the supplier register in Chromium', async () => {
  const browser: Browser | undefined = await launchBrowser()
  let store: TestStore
  let baseUrl: string
  let close: () => Promise<void>
  let page: Page
  let supplierId = ''

  before(async () => {
    if (browser === undefined) return
    store = sqliteStore()
    const started = await startApp(store)
    close = started.close
    baseUrl = await listenOnLoopback(started.app)
    const { db } = started.services.store
    const admin = await buildPerson(db, {
      roles: ['authority-admin'],
      organisation: { kind: 'authority', name: 'Ministry of Justice' },
    })
    supplierId = (await buildPerson(db, { organisation: { kind: 'supplier', name: 'Contoso Ltd' } })).organisationId
    page = await signedInPage(browser, baseUrl, await sessionCookieFor(db, admin.id))
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
