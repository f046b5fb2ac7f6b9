import { before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Page } from 'playwright-core'
import { expectAccessible, verifyOnPage } from './helpers/browser.ts'
import { browserApp } from './helpers/browser-app.ts'
import { buildPerson } from './helpers/people.ts'
import { recordAuditEvent } from '../src/audit/record.ts'

/** The ledger list, as an auditor uses it. */
const ledgerPage = {
  async verifyOnPage(page: Page) {
    await verifyOnPage(page, 'Audit ledger')
  },
  rows: (page: Page) => page.locator('table.govuk-table tbody tr'),
}

describe('the audit ledger pages in Chromium', async () => {
  const suite = await browserApp()
  const { browser } = suite
  let page: Page
  const cspViolations: string[] = []

  before(async () => {
    if (browser === undefined) return
    const { db } = suite.services.store
    const auditor = await buildPerson(db, {
      roles: ['auditor'],
      email: 'ida@justice.example',
      organisation: { kind: 'authority', name: 'Ministry of Justice' },
    })
    const subject = await buildPerson(db, { email: 'sam@acme.example' })
    for (const [action, outcome] of [
      ['auth.sign_in.success', 'success'],
      ['auth.sign_in.failure', 'failure'],
      ['identity.person.suspended', 'success'],
      ['access.denied', 'denied'],
    ] as const) {
      await recordAuditEvent(
        db,
        {
          actor: { type: 'user', id: subject.id, organisationId: subject.organisationId },
          action,
          outcome,
          target: { type: 'user', id: subject.id },
          ip: '192.0.2.44',
          details: { route: '/sign-in', attempt: { number: 1, factor: 'totp' } },
        },
        new Date(),
      )
    }
    // The session cookie a signed-in auditor holds (signing in by security key is covered by identity-browser).
    page = await suite.pageFor(auditor.id)
    page.on('console', message => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text())
    })
  })

  const test = browser === undefined ? it.todo : it

  test('opens the ledger from the header, with the status and the entries, accessible', async () => {
    await page.goto(`${suite.baseUrl}/account`)
    await page.getByRole('link', { name: 'Audit', exact: true }).click()
    await ledgerPage.verifyOnPage(page)
    assert.match((await page.locator('#last-verification').textContent()) ?? '', /Not verified yet/)
    assert.ok((await ledgerPage.rows(page).count()) >= 4)
    await expectAccessible(page, 'audit-ledger')
  })

  test('filters by keyboard alone, reaching the filter button by Tab', async () => {
    await page.goto(`${suite.baseUrl}/audit`)
    await ledgerPage.verifyOnPage(page)
    await page.focus('#actor')
    await page.keyboard.type('sam@acme.example')
    await page.keyboard.press('Tab')
    await page.keyboard.type('auth.')
    let presses = 0
    while ((await page.evaluate(() => document.activeElement?.id)) !== 'apply-filters') {
      await page.keyboard.press('Tab')
      presses += 1
      assert.ok(presses <= 8, 'the filter button is a few Tabs after the action field')
    }
    await page.keyboard.press('Enter')
    await page.waitForURL(/\/audit\?actor=sam%40acme\.example&action=auth\./)
    await ledgerPage.verifyOnPage(page)
    assert.equal(await ledgerPage.rows(page).count(), 2)
    assert.match(
      (await page.getByRole('status').textContent()) ?? '',
      /Showing 1 to 2 of 2 entries that match the filters/,
    )
    assert.equal(await page.inputValue('#actor'), 'sam@acme.example')
    await expectAccessible(page, 'audit-ledger-filtered')
  })

  test('shows a GOV.UK error summary for a bad date, keeping what was typed', async () => {
    await page.goto(`${suite.baseUrl}/audit`)
    await page.fill('#from', '31/2/2026')
    await page.click('#apply-filters')
    await ledgerPage.verifyOnPage(page)
    const summary = page.locator('.govuk-error-summary')
    await summary.waitFor()
    assert.equal(await summary.getByRole('link').textContent(), 'Date from must be a real date, like 3/12/2026')
    assert.equal(await page.inputValue('#from'), '31/2/2026')
    assert.match(await page.title(), /^Error: Audit ledger/)
    await expectAccessible(page, 'audit-ledger-error')
  })

  test('opens an entry with its fields, details, hashes and checkpoint status, accessible', async () => {
    await page.goto(`${suite.baseUrl}/audit?action=identity.person.suspended`)
    await ledgerPage.verifyOnPage(page)
    await ledgerPage.rows(page).first().getByRole('link').click()
    await verifyOnPage(page, /^Ledger entry \d+$/)
    assert.match((await page.locator('#details').textContent()) ?? '', /"attempt": \{\n {4}"factor": "totp"/)
    assert.match((await page.locator('#chain').textContent()) ?? '', /[0-9a-f]{64}/)
    assert.match((await page.locator('#checkpoint').textContent()) ?? '', /Not yet covered by a checkpoint/)
    await expectAccessible(page, 'audit-entry')
  })

  test('verifies the ledger on request and says so', async () => {
    await page.goto(`${suite.baseUrl}/audit`)
    await page.click('#verify-now')
    await page.waitForURL(/\/audit\?done=verified$/)
    const banner = page.locator('.govuk-notification-banner--success')
    await banner.waitFor()
    assert.match((await banner.textContent()) ?? '', /Verified: \d+ entries verified\./)
    assert.match((await page.locator('#last-verification').textContent()) ?? '', /Intact/)
    await expectAccessible(page, 'audit-ledger-verified')
    assert.deepEqual(cspViolations, [])
  })
})
