import { before, describe, it } from 'node:test'
import type { Page } from 'playwright-core'
import { expectAccessible, verifyOnPage } from './helpers/browser.ts'
import { browserApp } from './helpers/browser-app.ts'
import { buildPerson } from './helpers/people.ts'

describe('reporting a security incident in Chromium', async () => {
  const suite = await browserApp()
  const { browser } = suite
  let page: Page

  before(async () => {
    if (browser === undefined) return
    const { db } = suite.services.store
    const reporter = await buildPerson(db, {
      roles: ['supplier-contributor'],
      organisation: { kind: 'supplier', name: 'Contoso Ltd' },
    })
    page = await suite.pageFor(reporter.id)
  })
  it(
    'reports an incident by keyboard, with the error summary first, accessible throughout',
    { skip: browser === undefined },
    async () => {
      await page.goto(`${suite.baseUrl}/incidents`)
      await verifyOnPage(page, 'Security incidents')
      await expectAccessible(page, 'incidents')
      await page.getByRole('button', { name: 'Report an incident' }).click()
      await verifyOnPage(page, 'Report a security incident')
      await expectAccessible(page, 'incident-report')
      await page.getByRole('button', { name: 'Report incident' }).click()
      await verifyOnPage(page, 'Report a security incident')
      await page.locator('.govuk-error-summary').waitFor()
      await expectAccessible(page, 'incident-report-errors')

      await page.getByLabel('What happened').fill('Phishing email opened by one member of staff')
      await page.getByLabel('Day').fill('1')
      await page.getByLabel('Month').fill('12')
      await page.getByLabel('Year').fill('2026')
      await page.getByLabel('Time it was identified (UTC)').fill('09:30')
      await page.getByLabel('Systems affected').fill('One mailbox')
      await page.getByLabel('Data affected').fill('None known')
      await page.getByLabel('Not known yet').check()
      await page.getByLabel('Actions taken so far').fill('Password reset; sessions revoked')
      await page.getByLabel('Actions taken so far').press('Tab')
      await page.keyboard.press('Enter')
      await verifyOnPage(page, 'Security incident')
      await page.getByText('Incident reported.').waitFor()
      await expectAccessible(page, 'incident')
    },
  )
})
