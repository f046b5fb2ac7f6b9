import { before, describe, it } from 'node:test'
import type { Page } from 'playwright-core'
import { expectAccessible, verifyOnPage } from './helpers/browser.ts'
import { browserApp } from './helpers/browser-app.ts'
import { buildContract } from './helpers/suppliers.ts'
import { buildPerson } from './helpers/people.ts'

describe('personnel clearances and clearance checks in Chromium', async () => {
  const suite = await browserApp()
  const { browser } = suite
  let supplierPage: Page
  let authorityPage: Page
  let supplierId = ''

  before(async () => {
    if (browser === undefined) return
    const { db } = suite.services.store
    const supplierAdmin = await buildPerson(db, {
      roles: ['supplier-admin'],
      organisation: { kind: 'supplier', name: 'Contoso Ltd' },
    })
    supplierId = supplierAdmin.organisationId
    const admin = await buildPerson(db, {
      roles: ['authority-admin'],
      organisation: { kind: 'authority', name: 'Ministry of Justice' },
    })
    await buildContract(db, supplierId, {
      reference: 'MOJ/2026-301',
      start_date: '2026-01-01',
      classification: 'OFFICIAL',
      data_categories: '[]',
      key_services: 'Hosting',
    })
    supplierPage = await suite.pageFor(supplierAdmin.id)
    authorityPage = await suite.pageFor(admin.id)
  })
  it(
    'attests a clearance after correcting a refused one, accessible throughout',
    { skip: browser === undefined },
    async () => {
      const page = supplierPage
      await page.goto(`${suite.baseUrl}/suppliers/${supplierId}/personnel`)
      await verifyOnPage(page, 'Personnel clearances')
      await expectAccessible(page, 'personnel')
      await page
        .getByLabel('Contract', { exact: true })
        .selectOption({ label: 'MOJ/2026-301: Case management hosting (requires BPSS)' })
      await page.getByLabel('Full name').fill('Alex Morgan')
      await page.getByLabel('Role on the contract').fill('Database administrator')
      await page.getByLabel('Clearance level achieved').selectOption('BPSS')
      await page.getByLabel('Clearance level the role requires').selectOption('SC')
      const achieved = page.getByRole('group', { name: 'Date the clearance was achieved' })
      await achieved.getByLabel('Day').fill('1')
      await achieved.getByLabel('Month').fill('3')
      await achieved.getByLabel('Year').fill('2026')
      const started = page.getByRole('group', { name: 'Date they started work on the contract' })
      await started.getByLabel('Day').fill('1')
      await started.getByLabel('Month').fill('4')
      await started.getByLabel('Year').fill('2026')
      await page.getByRole('button', { name: 'Attest clearance' }).click()
      await page.locator('.govuk-error-summary').waitFor()
      await page.getByText('BPSS is below the SC this role requires').first().waitFor()
      await expectAccessible(page, 'personnel-errors')
      await page.getByLabel('Clearance level achieved').selectOption('SC')
      await page.getByRole('button', { name: 'Attest clearance' }).click()
      await page.getByText('Clearance attested.').waitFor()
      await expectAccessible(page, 'personnel-attested')
      await page.getByRole('link', { name: /Withdraw/ }).click()
      await verifyOnPage(page, 'Withdraw the attestation for Alex Morgan')
      await expectAccessible(page, 'personnel-withdraw')
    },
  )

  it('records a clearance check and its answer, accessible throughout', { skip: browser === undefined }, async () => {
    const page = authorityPage
    await page.goto(`${suite.baseUrl}/personnel/clearance-checks`)
    await verifyOnPage(page, 'Clearance status checks')
    await expectAccessible(page, 'clearance-checks')
    await page.getByRole('button', { name: 'Request a clearance status check' }).click()
    await verifyOnPage(page, 'Request a clearance status check')
    await page.getByRole('button', { name: 'Record request' }).click()
    await page.locator('.govuk-error-summary').waitFor()
    await expectAccessible(page, 'clearance-check-new-errors')
    await page.getByLabel('First name').fill('Zephyrine')
    await page.getByLabel('Last name').fill('Quillfeather')
    await page.getByLabel('Day').fill('29')
    await page.getByLabel('Month').fill('2')
    await page.getByLabel('Year').fill('1984')
    await page.getByLabel('Supplier (optional)').selectOption({ label: 'Contoso Ltd' })
    await page.getByRole('button', { name: 'Record request' }).click()
    await verifyOnPage(page, 'Clearance status check')
    await page.getByText('Request recorded.').waitFor()
    await expectAccessible(page, 'clearance-check')
    await page.getByRole('button', { name: 'Record answer' }).click()
    await page.locator('.govuk-error-summary').waitFor()
    await expectAccessible(page, 'clearance-check-errors')
    await page.getByLabel('No clearance held').check()
    await page.getByRole('button', { name: 'Record answer' }).click()
    await page.getByText('Answer recorded.').waitFor()
    await expectAccessible(page, 'clearance-check-answered')
  })
})
