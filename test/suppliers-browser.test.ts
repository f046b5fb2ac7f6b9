import { before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Page } from 'playwright-core'
import { expectAccessible, verifyOnPage } from './helpers/browser.ts'
import { browserApp } from './helpers/browser-app.ts'
import { buildPerson } from './helpers/people.ts'

describe('the supplier register in Chromium', async () => {
  const suite = await browserApp()
  const { browser } = suite
  let page: Page
  let supplierId = ''

  before(async () => {
    if (browser === undefined) return
    const { db } = suite.services.store
    const admin = await buildPerson(db, {
      roles: ['authority-admin'],
      organisation: { kind: 'authority', name: 'Ministry of Justice' },
    })
    supplierId = (await buildPerson(db, { organisation: { kind: 'supplier', name: 'Contoso Ltd' } })).organisationId
    page = await suite.pageFor(admin.id)
  })
  it(
    'lets an Authority administrator register a contract through the form',
    { skip: browser === undefined },
    async () => {
      await page.goto(`${suite.baseUrl}/suppliers`)
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
      assert.ok(page.url().startsWith(`${suite.baseUrl}/suppliers/${supplierId}`))
      await expectAccessible(page, 'supplier-register-entry')
    },
  )
})
