import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Browser, Page } from 'playwright-core'
import { startApp } from './helpers/app.ts'
import { expectAccessible, launchBrowser, listenOnLoopback, signedInPage, verifyOnPage } from './helpers/browser.ts'
import { sqliteStore, type TestStore } from './helpers/stores.ts'
import { buildSupplierProfile, buildContract } from './helpers/suppliers.ts'
import { buildPerson, sessionCookieFor } from './helpers/people.ts'

describe('Security Aspects Letters in Chromium', async () => {
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
    await buildSupplierProfile(db, supplierId)
    await buildContract(db, supplierId, { subcontractors: '["Northwind Hosting"]' })
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
    'lets the Authority issue a Security Aspects Letter through the form',
    { skip: browser === undefined },
    async () => {
      await page.goto(`${baseUrl}/suppliers/${supplierId}`)
      await verifyOnPage(page, 'Contoso Ltd')
      await page.getByRole('link', { name: 'Security Aspects Letters for this supplier' }).click()
      await verifyOnPage(page, 'Security Aspects Letters')
      await expectAccessible(page, 'letters-none')
      await page.getByRole('link', { name: 'Issue a Security Aspects Letter' }).click()
      await verifyOnPage(page, 'Issue a Security Aspects Letter')
      await expectAccessible(page, 'letter-issue-form')

      await page.getByRole('button', { name: 'Issue letter' }).click()
      await verifyOnPage(page, 'Issue a Security Aspects Letter')
      assert.equal(
        await page.locator('.govuk-error-summary a').first().textContent(),
        'Select the contract the letter is for',
      )
      await expectAccessible(page, 'letter-issue-errors')

      await page.getByLabel('MOJ/2026-014: Case management hosting').check()
      await page.getByRole('button', { name: 'Issue letter' }).click()
      await verifyOnPage(page, 'Security Aspects Letter: MOJ/2026-014, version 1')
      assert.match(
        (await page.locator('.govuk-notification-banner--success').textContent()) ?? '',
        /Security Aspects Letter issued/,
      )
      assert.match((await page.locator('[data-letter-body]').textContent()) ?? '', /Dear Dana Reyes,/)
      assert.equal(await page.locator('tr[data-stage]').count(), 3)
      assert.match(await page.locator('code.app-hash').innerText(), /^[0-9a-f]{64}$/)
      await expectAccessible(page, 'letter-issued')
    },
  )
})
