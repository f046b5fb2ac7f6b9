import { before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Page } from 'playwright-core'
import { expectAccessible, verifyOnPage } from './helpers/browser.ts'
import { browserApp } from './helpers/browser-app.ts'
import { buildPerson } from './helpers/people.ts'
import { addDuration } from '../src/platform/duration.ts'

describe('recurring obligations and the privacy lifecycle in Chromium', async () => {
  const suite = await browserApp()
  const { browser } = suite
  let assessor: Page
  let supplier: Page
  let supplierId = ''

  before(async () => {
    if (browser === undefined) return
    const { db } = suite.services.store
    const authority = { kind: 'authority' as const, name: 'Ministry of Justice' }
    const assessorPerson = await buildPerson(db, { roles: ['security-assessor'], organisation: authority })
    const contributor = await buildPerson(db, {
      roles: ['supplier-contributor'],
      organisation: { kind: 'supplier', name: 'Contoso Ltd' },
    })
    supplierId = contributor.organisationId
    assessor = await suite.pageFor(assessorPerson.id)
    supplier = await suite.pageFor(contributor.id)
  })
  it(
    'lets the Authority schedule an obligation, the supplier complete it and the assessor accept it',
    { skip: browser === undefined },
    async () => {
      await assessor.goto(`${suite.baseUrl}/suppliers/${supplierId}/obligations`)
      await verifyOnPage(assessor, 'Recurring obligations')
      await expectAccessible(assessor, 'obligations-none')
      await assessor.getByRole('link', { name: 'Start a schedule' }).click()
      await verifyOnPage(assessor, 'Start a schedule')
      await expectAccessible(assessor, 'obligation-start-form')
      await assessor.getByRole('button', { name: 'Start schedule' }).click()
      await verifyOnPage(assessor, 'Start a schedule')
      await assessor.locator('.govuk-error-summary').waitFor()
      assert.deepEqual(await assessor.locator('.govuk-error-summary a').allTextContents(), [
        'Select the obligation to schedule',
        'Enter the first due date',
      ])
      await expectAccessible(assessor, 'obligation-start-errors')

      const due = addDuration(new Date(), 'P10D')
      await assessor.getByLabel('Test restoring from backup').check()
      await assessor.getByLabel('Day').fill(String(due.getUTCDate()))
      await assessor.getByLabel('Month').fill(String(due.getUTCMonth() + 1))
      await assessor.getByLabel('Year').fill(String(due.getUTCFullYear()))
      await assessor.getByRole('button', { name: 'Start schedule' }).click()
      await verifyOnPage(assessor, 'Recurring obligations')
      assert.match((await assessor.locator('[data-schedule="backup-restore-test"]').textContent()) ?? '', /3 months/)
      await expectAccessible(assessor, 'obligations-scheduled')

      await supplier.goto(`${suite.baseUrl}/suppliers/${supplierId}/obligations`)
      await supplier.getByRole('link', { name: /^Complete Test restoring from backup/ }).click()
      await verifyOnPage(supplier, 'Test restoring from backup')
      await supplier.getByRole('button', { name: 'Send for review' }).click()
      await supplier.locator('.govuk-error-summary').waitFor()
      assert.deepEqual(await supplier.locator('.govuk-error-summary a').allTextContents(), [
        'Enter what was done',
        'Enter a link to the evidence or its document reference',
        'Select to confirm this was carried out as described',
      ])
      await expectAccessible(supplier, 'obligation-complete-errors')
      await supplier.getByLabel('What was done').fill('Restored last night’s backup into the recovery account.')
      await supplier
        .getByLabel('Link to the evidence, or its document reference')
        .fill('https://evidence.contoso.example/restore')
      await supplier.getByLabel('I confirm this was carried out as described').check()
      await supplier.getByRole('button', { name: 'Send for review' }).click()
      await verifyOnPage(supplier, 'Recurring obligations')
      assert.match(
        (await supplier.locator('[data-kind="backup-restore-test"]').first().textContent()) ?? '',
        /Awaiting review/,
      )

      await assessor.reload()
      await assessor.getByRole('link', { name: /^Review Test restoring from backup/ }).click()
      await verifyOnPage(assessor, 'Review: Test restoring from backup')
      await expectAccessible(assessor, 'obligation-review-form')
      await assessor.getByLabel('Accept it').check()
      await assessor.getByRole('button', { name: 'Record decision' }).click()
      await verifyOnPage(assessor, 'Recurring obligations')
      assert.match(
        (await assessor.locator('.govuk-notification-banner--success').textContent()) ?? '',
        /the next one is scheduled/,
      )
      await expectAccessible(assessor, 'obligations-accepted')
    },
  )

  it(
    'lets the supplier add a service, tick its checklist and move it to a new phase',
    { skip: browser === undefined },
    async () => {
      await supplier.goto(`${suite.baseUrl}/suppliers/${supplierId}/privacy`)
      await verifyOnPage(supplier, 'Privacy lifecycle')
      await expectAccessible(supplier, 'privacy-none')
      await supplier.getByRole('link', { name: 'Add a service' }).click()
      await verifyOnPage(supplier, 'Add a service')
      await supplier.getByLabel('Name of the service').fill('Case management')
      await supplier.getByLabel('Beta').check()
      await supplier.getByRole('button', { name: 'Add service' }).click()
      await verifyOnPage(supplier, 'Privacy lifecycle')
      await supplier.getByLabel('Manual testing has been done').check()
      await supplier.getByRole('button', { name: 'Save checklist for Case management' }).click()
      await verifyOnPage(supplier, 'Privacy lifecycle')
      assert.match((await supplier.locator('[data-service]').textContent()) ?? '', /1 of 5 expectations met/)
      await expectAccessible(supplier, 'privacy-beta')
      await supplier.getByRole('link', { name: 'Move Case management to a new phase' }).click()
      await verifyOnPage(supplier, 'Move Case management to a new phase')
      await expectAccessible(supplier, 'privacy-phase-form')
      await supplier.getByLabel('Live', { exact: true }).check()
      await supplier.getByRole('button', { name: 'Change phase' }).click()
      await verifyOnPage(supplier, 'Privacy lifecycle')
      assert.equal(await supplier.locator('[data-phase]').textContent(), 'Live')
      assert.equal(await supplier.locator('[data-dpia]').count(), 2)
      await expectAccessible(supplier, 'privacy-live')
    },
  )
})
