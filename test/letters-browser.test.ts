import { before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Page } from 'playwright-core'
import { expectAccessible, verifyOnPage } from './helpers/browser.ts'
import { browserApp } from './helpers/browser-app.ts'
import { buildSupplierProfile, buildContract } from './helpers/suppliers.ts'
import { buildPerson } from './helpers/people.ts'

describe('Security Aspects Letters in Chromium', async () => {
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
    await buildSupplierProfile(db, supplierId)
    await buildContract(db, supplierId, { subcontractors: '["Northwind Hosting"]' })
    page = await suite.pageFor(admin.id)
  })
  it(
    'lets the Authority issue a Security Aspects Letter through the form',
    { skip: browser === undefined },
    async () => {
      await page.goto(`${suite.baseUrl}/suppliers/${supplierId}`)
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
