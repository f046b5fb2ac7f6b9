import { before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Page } from 'playwright-core'
import { expectAccessible, verifyOnPage } from './helpers/browser.ts'
import { browserApp } from './helpers/browser-app.ts'
import { buildSupplierProfile, buildContract } from './helpers/suppliers.ts'
import { buildPerson } from './helpers/people.ts'

/** The data destruction pages as the Authority and the supplier's signatory use them. */
class InstructionPage {
  readonly page: Page

  constructor(page: Page) {
    this.page = page
  }

  /** Checks the page is the instruction's page. */
  async verify(reference: string): Promise<void> {
    await verifyOnPage(this.page, `Data destruction: ${reference}`)
  }

  /** The banner's text after a change. */
  async notice(): Promise<string> {
    return (await this.page.locator('.govuk-notification-banner--success').textContent()) ?? ''
  }
}

describe('data destruction in Chromium', async () => {
  const suite = await browserApp()
  const { browser } = suite
  let authority: Page
  let signatory: Page
  let supplierId = ''

  before(async () => {
    if (browser === undefined) return
    const { db } = suite.services.store
    const admin = await buildPerson(db, {
      roles: ['authority-admin'],
      organisation: { kind: 'authority', name: 'Ministry of Justice' },
    })
    const signer = await buildPerson(db, {
      roles: ['supplier-signatory'],
      organisation: { kind: 'supplier', name: 'Contoso Ltd' },
    })
    supplierId = signer.organisationId
    await buildSupplierProfile(db, supplierId)
    await buildContract(db, supplierId)
    authority = await suite.pageFor(admin.id)
    signatory = await suite.pageFor(signer.id)
  })
  it('lets the Authority issue an instruction from the supplier’s page', { skip: browser === undefined }, async () => {
    await authority.goto(`${suite.baseUrl}/suppliers/${supplierId}`)
    await authority.getByRole('link', { name: 'Data destruction instructions for this supplier' }).click()
    await verifyOnPage(authority, 'Data destruction')
    await authority.getByText('Short format clause').click()
    await expectAccessible(authority, 'destruction-list')
    await authority.getByRole('link', { name: 'Issue a data destruction instruction' }).click()
    await verifyOnPage(authority, 'Issue a data destruction instruction')
    await authority.getByRole('button', { name: 'Issue instruction' }).click()
    await authority.locator('.govuk-error-summary').waitFor()
    assert.equal(
      await authority.locator('.govuk-error-summary a').first().textContent(),
      'Select the contract the instruction is for',
    )
    await expectAccessible(authority, 'destruction-issue-errors')
    await authority.getByLabel('MOJ/2026-014: Case management hosting').check()
    await authority.getByRole('button', { name: 'Issue instruction' }).click()
    const instruction = new InstructionPage(authority)
    await instruction.verify('MOJ/2026-014')
    assert.match(await instruction.notice(), /Data destruction instruction issued/)
    assert.equal(await authority.locator('tr[data-stage]').count(), 2)
    await expectAccessible(authority, 'destruction-instruction')
  })

  it(
    'lets the signatory sign the declaration, deciding each clause, and report failed destruction',
    { skip: browser === undefined },
    async () => {
      await signatory.goto(`${suite.baseUrl}/suppliers/${supplierId}/destruction`)
      await signatory.getByRole('link', { name: 'MOJ/2026-014' }).click()
      await signatory.getByRole('link', { name: 'Sign the data destruction declaration' }).click()
      await verifyOnPage(signatory, 'Sign the data destruction declaration')
      await signatory.getByRole('button', { name: 'Sign declaration' }).click()
      await signatory.locator('.govuk-error-summary').waitFor()
      assert.equal(await signatory.locator('.govuk-error-summary a').count(), 5)
      await expectAccessible(signatory, 'destruction-declaration-errors')

      await signatory.getByLabel('We confirm this').check()
      const backup = signatory.getByRole('group', { name: /Data backup, including disaster recovery systems/ })
      await backup.getByLabel('This applies').check()
      await signatory.getByLabel('Day').fill('30')
      await signatory.getByLabel('Month').fill('6')
      await signatory.getByLabel('Year').fill('2030')
      const anonymised = signatory.getByRole('group', { name: /Anonymised and\/or non-Personal Data/ })
      await anonymised.getByLabel('Strike this out: it does not apply').check()
      await signatory.getByLabel('Your position').fill('Director of Security')
      await signatory.getByLabel(/I sign this declaration electronically/).check()
      await expectAccessible(signatory, 'destruction-declaration-form')
      await signatory.getByRole('button', { name: 'Sign declaration' }).click()
      const instruction = new InstructionPage(signatory)
      await instruction.verify('MOJ/2026-014')
      assert.match(await instruction.notice(), /Declaration signed/)
      assert.match((await signatory.locator('[data-declaration]').textContent()) ?? '', /on or before the 30 June 2030/)
      assert.equal(await signatory.locator('tr[data-stage]').count(), 3)
      await expectAccessible(signatory, 'destruction-signed')

      await signatory.getByRole('link', { name: 'Report failed or incomplete destruction' }).click()
      await verifyOnPage(signatory, 'Report failed or incomplete destruction')
      await signatory.getByLabel('What failed or is incomplete').fill('A backup tape could not be overwritten')
      const today = new Date()
      await signatory.getByLabel('Day').fill(String(today.getUTCDate()))
      await signatory.getByLabel('Month').fill(String(today.getUTCMonth() + 1))
      await signatory.getByLabel('Year').fill(String(today.getUTCFullYear()))
      await signatory.getByLabel('Time it was identified (UTC)').fill('25:00')
      await signatory.getByRole('button', { name: 'Report failed destruction' }).click()
      await signatory.locator('.govuk-error-summary').waitFor()
      assert.equal(
        await signatory.locator('.govuk-error-summary a').first().textContent(),
        'Enter the time it was identified as hours and minutes, like 14:30',
      )
      await expectAccessible(signatory, 'destruction-failed-errors')
      await signatory.getByLabel('Time it was identified (UTC)').fill('00:00')
      await signatory.getByRole('button', { name: 'Report failed destruction' }).click()
      await instruction.verify('MOJ/2026-014')
      assert.match(
        (await signatory.locator('[data-failure]').textContent()) ?? '',
        /A backup tape could not be overwritten/,
      )
      await expectAccessible(signatory, 'destruction-failure-reported')

      await signatory.getByRole('link', { name: 'Record that the data was returned' }).click()
      await signatory.getByLabel('JSON').check()
      await expectAccessible(signatory, 'destruction-data-return')
      await signatory.getByRole('button', { name: 'Record data return' }).click()
      assert.match(await instruction.notice(), /Data return recorded/)
    },
  )
})
