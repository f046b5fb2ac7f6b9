import { before, describe, it } from 'node:test'
import { randomUUID } from 'node:crypto'
import type { Page } from 'playwright-core'
import { expectAccessible, verifyOnPage } from './helpers/browser.ts'
import { browserApp } from './helpers/browser-app.ts'
import { buildPerson } from './helpers/people.ts'
import { buildAssessment } from './helpers/assessments.ts'

describe('the supplier assurance dashboard in Chromium', async () => {
  const suite = await browserApp()
  const { browser } = suite
  let page: Page

  before(async () => {
    if (browser === undefined) return
    const { db } = suite.services.store
    const viewer = await buildPerson(db, {
      roles: ['authority-viewer'],
      organisation: { kind: 'authority', name: 'Ministry of Justice' },
    })
    const supplier = await buildPerson(db, {
      roles: ['supplier-contributor'],
      organisation: { kind: 'supplier', name: 'Contoso Ltd' },
    })
    const now = new Date().toISOString()
    const assessmentId = await buildAssessment(
      db,
      {
        organisationId: supplier.organisationId,
        catalogueVersion: suite.services.catalogue.version,
        openedBy: viewer.id,
      },
      { status: 'closed', opened_at: now, closed_at: now },
    )
    const statuses = ['met', 'partially-met', 'not-met', 'not-applicable'] as const
    for (const [i, requirement] of suite.services.catalogue.requirements.slice(0, 12).entries())
      await db
        .insertInto('assessment_answers')
        .values({
          assessment_id: assessmentId,
          requirement_id: requirement.id,
          status: statuses[i % 4] ?? 'met',
          justification: 'Seeded',
          evidence_link: null,
          answered_by: supplier.id,
          answered_at: now,
          review: 'accepted',
          review_comment: null,
          reviewed_by: null,
          reviewed_at: null,
        })
        .execute()
    // One risk past its expiry date, so the page's warning and link to the register are checked by axe too.
    await db
      .insertInto('risks')
      .values({
        id: randomUUID(),
        organisation_id: supplier.organisationId,
        assessment_id: assessmentId,
        requirement_id: suite.services.catalogue.requirements[2]?.id ?? '',
        owner: 'Head of IT',
        description: 'Patching is late',
        mitigation: 'Network isolation',
        expires_on: '2026-01-31',
        status: 'accepted',
        proposed_by: viewer.id,
        proposed_at: '2026-01-01T00:00:00.000Z',
        accepted_by: viewer.id,
        accepted_at: '2026-01-02T00:00:00.000Z',
      })
      .execute()
    page = await suite.pageFor(viewer.id)
  })
  it(
    'shows the chart with its data table, filters without JavaScript, and passes axe',
    { skip: browser === undefined },
    async () => {
      await page.goto(`${suite.baseUrl}/dashboard`)
      await verifyOnPage(page, 'Supplier assurance dashboard')
      await page.getByRole('img', { name: 'Requirements by MCSS function' }).waitFor()
      await page.getByRole('table', { name: /the chart’s data/ }).waitFor()
      await page.getByText('1 risk has passed its expiry date and needs review.').waitFor()
      await expectAccessible(page, 'dashboard')
      await page.getByLabel('Only suppliers with an expired risk').check()
      await page.getByRole('button', { name: 'Filter' }).click()
      await verifyOnPage(page, 'Supplier assurance dashboard')
      await page.getByText('1 supplier match the filter').waitFor()
      await page.getByLabel('Only suppliers with an expired risk').uncheck()
      await page.getByLabel('Supplier name').fill('contoso')
      await page.getByLabel('Only suppliers with something overdue').check()
      await page.getByRole('button', { name: 'Filter' }).click()
      await verifyOnPage(page, 'Supplier assurance dashboard')
      await page.getByText('0 suppliers match the filter').waitFor()
      await expectAccessible(page, 'dashboard-filtered')
    },
  )
})
