import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import type { Browser, Page } from 'playwright-core'
import { startApp } from './helpers/app.ts'
import { expectAccessible, launchBrowser, listenOnLoopback, signedInPage, verifyOnPage } from './helpers/browser.ts'
import { sqliteStore, type TestStore } from './helpers/stores.ts'
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
    const now = new Date().toISOString()
    await db
      .insertInto('supplier_profiles')
      .values({
        organisation_id: supplierId,
        legal_name: 'Contoso Secure Services Group plc',
        short_name: 'Contoso',
        security_director_name: 'Dana Reyes',
        security_director_email: 'dana.reyes@contoso.example',
        contacts: '[]',
        updated_at: now,
        updated_by: null,
      })
      .execute()
    await db
      .insertInto('contracts')
      .values({
        id: randomUUID(),
        organisation_id: supplierId,
        reference: 'MOJ/2026-014',
        title: 'Case management hosting',
        start_date: '2026-04-01',
        end_date: '2028-03-31',
        classification: 'OFFICIAL-SENSITIVE',
        data_categories: '["personal"]',
        offshore: 0,
        offshore_locations: null,
        key_services: 'Hosting and support',
        subcontractors: '["Northwind Hosting"]',
        created_at: now,
        created_by: null,
      })
      .execute()
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
