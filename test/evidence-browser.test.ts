import { before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import type { Page } from 'playwright-core'
import { expectAccessible, verifyOnPage } from './helpers/browser.ts'
import { browserApp } from './helpers/browser-app.ts'
import { buildPerson } from './helpers/people.ts'
import { buildAssessment } from './helpers/assessments.ts'

const PDF = Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n')
const day = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10)

describe('evidence on answers in Chromium', async () => {
  const suite = await browserApp()
  const { browser } = suite
  let page: Page
  let assessmentId = ''
  let requirement = { id: '', title: '' }
  let reviewSetup: () => Promise<Page> = async () => page

  before(async () => {
    if (browser === undefined) return
    const { db } = suite.services.store
    const admin = await buildPerson(db, {
      roles: ['authority-admin'],
      organisation: { kind: 'authority', name: 'Ministry of Justice' },
    })
    const contributor = await buildPerson(db, {
      roles: ['supplier-contributor'],
      organisation: { kind: 'supplier', name: 'Contoso Ltd' },
    })
    const [first] = suite.services.catalogue.requirements.filter(r => r.tags.includes('email'))
    assert.ok(first !== undefined)
    requirement = { id: first.id, title: first.title }
    assessmentId = await buildAssessment(
      db,
      {
        organisationId: contributor.organisationId,
        catalogueVersion: suite.services.catalogue.version,
        openedBy: admin.id,
      },
      { scope: JSON.stringify({ tags: ['email'], sections: [] }), title: 'Email security 2026' },
    )
    page = await suite.pageFor(contributor.id)
    const assessor = await buildPerson(db, {
      roles: ['security-assessor'],
      organisation: { kind: 'authority', name: 'Ministry of Justice' },
    })
    // The assessor's view: the supplier answered and submitted (set straight in the store).
    reviewSetup = async () => {
      await db
        .insertInto('assessment_answers')
        .values({
          assessment_id: assessmentId,
          requirement_id: requirement.id,
          status: 'met',
          justification: '',
          evidence_link: null,
          answered_by: contributor.id,
          answered_at: new Date().toISOString(),
          review: null,
          review_comment: null,
          reviewed_by: null,
          reviewed_at: null,
        })
        .execute()
      await db
        .updateTable('assessments')
        .set({ status: 'submitted', submitted_by: contributor.id, submitted_at: new Date().toISOString() })
        .where('id', '=', assessmentId)
        .execute()
      return suite.pageFor(assessor.id)
    }
  })
  it(
    'uploads a file with its dates and marking, flags it as expiring, downloads it and removes it',
    { skip: browser === undefined },
    async () => {
      const heading = `${requirement.id}: ${requirement.title}`
      await page.goto(`${suite.baseUrl}/assessments/${assessmentId}/requirements/${requirement.id}`)
      await verifyOnPage(page, heading)
      assert.match(await page.locator('main').innerText(), /No evidence added/)
      await page.getByRole('link', { name: `Add evidence for ${requirement.id}` }).click()
      await verifyOnPage(page, `Add evidence for ${heading}`)
      await expectAccessible(page, 'evidence-add-form')

      await page.getByRole('button', { name: 'Add evidence' }).click()
      await verifyOnPage(page, `Add evidence for ${heading}`)
      assert.deepEqual(await page.locator('.govuk-error-summary a').allTextContents(), [
        'Select whether you are uploading a file or adding a link',
        'Enter the date the evidence is effective from',
        'Enter the date the evidence expires',
        'Select the marking, OFFICIAL or OFFICIAL-SENSITIVE',
      ])
      await expectAccessible(page, 'evidence-add-errors')

      await page.getByLabel('Upload a file').check()
      await page.getByLabel('File, if you are uploading one').setInputFiles({
        name: 'Email policy.pdf',
        mimeType: 'application/pdf',
        buffer: PDF,
      })
      await page.getByLabel('Effective from').fill(day(-30))
      await page.getByLabel('Expires on').fill(day(20))
      await page.getByLabel('OFFICIAL-SENSITIVE').check()
      await page.getByLabel('Handling instructions (optional)').fill('Named recipients only')
      await page.getByRole('button', { name: 'Add evidence' }).click()
      await verifyOnPage(page, heading)
      assert.match((await page.locator('.govuk-notification-banner--success').textContent()) ?? '', /Evidence added/)
      const table = await page.locator('main table').innerText()
      assert.match(table, /Email policy\.pdf/)
      assert.match(table, /OFFICIAL-SENSITIVE/)
      assert.match(table, /Expires within 30 days/)
      assert.match(await page.locator('.govuk-warning-text').innerText(), /1 evidence item is stale/)
      await expectAccessible(page, 'evidence-answer-with-file')

      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('link', { name: 'Email policy.pdf' }).click(),
      ])
      assert.equal(download.suggestedFilename(), 'Email policy.pdf')
      assert.deepEqual(await readFile(await download.path()), PDF)

      await page.getByRole('button', { name: 'Remove Email policy.pdf' }).click()
      await verifyOnPage(page, heading)
      assert.match((await page.locator('.govuk-notification-banner--success').textContent()) ?? '', /Evidence removed/)
      assert.match(await page.locator('main').innerText(), /No evidence added/)

      await page.goto(`${suite.baseUrl}/assessments/${assessmentId}`)
      await page.getByRole('link', { name: 'Import evidence links from a CSV file' }).click()
      await verifyOnPage(page, 'Import evidence links')
      await expectAccessible(page, 'evidence-import-form')
      await page.getByLabel('CSV file').setInputFiles({
        name: 'evidence.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from(
          `requirement,url,effective_on,expires_on,marking\n${requirement.id},https://docs.contoso.example/a,${day(-1)},${day(400)},RESTRICTED\n`,
        ),
      })
      await page.getByRole('button', { name: 'Import evidence' }).click()
      await verifyOnPage(page, 'Email security 2026')
      assert.match((await page.locator('.govuk-notification-banner--success').textContent()) ?? '', /Evidence imported/)
      await page.goto(`${suite.baseUrl}/assessments/${assessmentId}/requirements/${requirement.id}`)
      assert.match(await page.locator('main table').innerText(), /OFFICIAL \(originally marked RESTRICTED\)/)
      await expectAccessible(page, 'evidence-answer-with-legacy-link')

      const review = await reviewSetup()
      await review.goto(`${suite.baseUrl}/assessments/${assessmentId}/requirements/${requirement.id}/review`)
      await verifyOnPage(review, `Review ${heading}`)
      assert.match(await review.locator('main table').innerText(), /OFFICIAL \(originally marked RESTRICTED\)/)
      assert.equal(await review.getByRole('button', { name: /Remove/ }).count(), 0)
      await expectAccessible(review, 'evidence-review')
    },
  )
})
