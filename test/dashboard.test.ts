import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { browserFor, startApp } from './helpers/app.ts'
import { engines, type TestStore } from './helpers/stores.ts'
import { buildPerson, sessionCookieFor } from './helpers/people.ts'
import { buildAssessment } from './helpers/assessments.ts'
import type { Services } from '../src/services.ts'
import type { Role } from '../src/identity/roles.ts'
import { MCSS_FUNCTIONS } from '../src/catalogue/schema.ts'
import { stackedBars } from '../src/dashboard/presenters.ts'
import { ANSWER_STATUSES, type AnswerStatus, type FunctionCounts } from '../src/dashboard/store.ts'

const AUTHORITY = { kind: 'authority' as const, name: 'Ministry of Justice' }
const CONTOSO = { kind: 'supplier' as const, name: 'Contoso Ltd' }
const FABRIKAM = { kind: 'supplier' as const, name: 'Fabrikam Ltd' }

const zeroCounts = (): FunctionCounts =>
  Object.fromEntries(
    MCSS_FUNCTIONS.map(fn => [fn, Object.fromEntries(ANSWER_STATUSES.map(s => [s, 0]))]),
  ) as FunctionCounts

describe('dashboard chart presenter', () => {
  it('makes each segment proportional to its count against the largest bar', () => {
    const counts = zeroCounts()
    counts.IDENTIFY.met = 6
    counts.IDENTIFY['not-met'] = 2
    counts.PROTECT.met = 2
    const chart = stackedBars(counts, 400)
    const identify = chart.bars.find(b => b.label === 'IDENTIFY')
    const protect = chart.bars.find(b => b.label === 'PROTECT')
    assert.equal(identify?.segments.find(s => s.status === 'met')?.width, 300)
    assert.equal(identify?.segments.find(s => s.status === 'not-met')?.width, 100)
    assert.equal(protect?.segments.find(s => s.status === 'met')?.width, 100)
    // Segments follow one another along the bar.
    const notMet = identify?.segments.find(s => s.status === 'not-met')
    assert.equal(notMet?.x, chart.labelWidth + 300)
    assert.match(chart.description, /IDENTIFY: 6 met, 0 partially met, 2 not met, 0 not applicable/)
    assert.match(chart.description, /DETECT: no answers/)
  })

  it('gives zero widths, never NaN, when there are no answers', () => {
    const chart = stackedBars(zeroCounts())
    for (const bar of chart.bars)
      for (const segment of bar.segments) {
        assert.equal(segment.width, 0)
        assert.ok(Number.isFinite(segment.x))
      }
  })
})

for (const engine of engines()) {
  describe(`dashboards on ${engine.name}`, () => {
    let store: TestStore
    let app: FastifyInstance
    let services: Services
    let close: () => Promise<void>
    const today = new Date('2026-12-03T10:00:00Z')
    let clock = today
    const cookies = new Map<string, string>()
    const ids: Record<string, string> = {}
    const expected = zeroCounts()
    const stageIds: Record<string, string> = {}

    const db = () => services.store.db
    const person = async (key: string, roles: Role[], organisation: typeof AUTHORITY | typeof CONTOSO) => {
      const built = await buildPerson(db(), { roles, organisation })
      cookies.set(key, await sessionCookieFor(db(), built.id, clock))
      ids[key] = built.id
      ids[organisation.name] = built.organisationId
    }
    const as = (key: string) => browserFor(app, cookies.get(key))
    const assessment = async (
      organisationId: string,
      openedAt: string,
      status: 'open' | 'closed',
      scope = { tags: [], sections: [] as string[] },
    ) => {
      return buildAssessment(
        db(),
        { organisationId, catalogueVersion: services.catalogue.version, openedBy: ids.assessor ?? '' },
        {
          scope: JSON.stringify(scope),
          title: `Assessment opened ${openedAt.slice(0, 10)}`,
          status,
          opened_at: openedAt,
          closed_at: status === 'closed' ? openedAt : null,
        },
      )
    }
    const answer = async (
      assessmentId: string,
      requirementId: string,
      status: AnswerStatus,
      review: 'accepted' | 'queried' | null,
    ) =>
      db()
        .insertInto('assessment_answers')
        .values({
          assessment_id: assessmentId,
          requirement_id: requirementId,
          status,
          justification: 'Because',
          evidence_link: null,
          answered_by: ids.contoso ?? '',
          answered_at: '2026-06-02T00:00:00.000Z',
          review,
          review_comment: null,
          reviewed_by: null,
          reviewed_at: null,
        })
        .execute()
    const stage = async (key: string, organisationId: string, dueAt: string, done = false) => {
      const id = randomUUID()
      stageIds[key] = id
      await db()
        .insertInto('deadline_stages')
        .values({
          id,
          subject_type: 'sal',
          subject_id: randomUUID(),
          organisation_id: organisationId,
          stage_key: key,
          title: `Stage ${key}`,
          starts_at: '2026-11-01T00:00:00.000Z',
          due_at: dueAt,
          responsible: 'supplier-contact',
          reminder_offsets: '["P7D","P1D"]',
          escalation: '[]',
          breach_after: 'P7D',
          status: done ? 'done' : 'open',
          opened_at: '2026-11-01T00:00:00.000Z',
          completed_at: done ? '2026-11-02T00:00:00.000Z' : null,
          completed_by: null,
        })
        .execute()
    }
    const incident = async (organisationId: string, status: 'open' | 'closed', summary: string) =>
      db()
        .insertInto('incidents')
        .values({
          id: randomUUID(),
          organisation_id: organisationId,
          summary,
          identified_at: '2026-12-01T09:00:00.000Z',
          reported_at: '2026-12-01T10:00:00.000Z',
          reported_by: ids.contoso ?? '',
          systems_affected: 'Mail',
          data_affected: 'None',
          personal_data: 'no',
          actions_taken: 'Contained',
          status,
          closed_at: null,
          closed_by: null,
          review: null,
        })
        .execute()
    const risk = async (
      organisationId: string,
      assessmentId: string,
      requirementId: string,
      status: 'proposed' | 'accepted' | 'expired' | 'closed',
      expiresOn: string,
    ) =>
      db()
        .insertInto('risks')
        .values({
          id: randomUUID(),
          organisation_id: organisationId,
          assessment_id: assessmentId,
          requirement_id: requirementId,
          owner: 'Head of IT',
          description: `A ${status} risk expiring ${expiresOn}`,
          mitigation: 'Compensating controls',
          expires_on: expiresOn,
          status,
          proposed_by: ids.assessor ?? '',
          proposed_at: '2026-06-10T00:00:00.000Z',
          accepted_by: status === 'proposed' ? null : (ids.viewer ?? ''),
          accepted_at: status === 'proposed' ? null : '2026-06-11T00:00:00.000Z',
        })
        .execute()
    /** A figure in a supplier's row. */
    const cell = (body: string, supplierId: string, attribute: string) => {
      const row =
        new RegExp(`<tr class="govuk-table__row" data-supplier="${supplierId}">([\\s\\S]*?)</tr>`).exec(body)?.[1] ?? ''
      return new RegExp(`${attribute}">([^<]*)</(?:td|span)>`).exec(row)?.[1]
    }
    const total = (body: string, key: string) => new RegExp(`data-total="${key}">(\\d+)<`).exec(body)?.[1]

    before(async () => {
      store = await engine.create()
      ;({ app, services, close } = await startApp(store, { now: () => clock }))
      await person('viewer', ['authority-viewer'], AUTHORITY)
      await person('assessor', ['security-assessor'], AUTHORITY)
      await person('contoso', ['supplier-contributor'], CONTOSO)
      await person('fabrikam', ['supplier-admin'], FABRIKAM)
      const contoso = ids[CONTOSO.name] ?? ''
      const fabrikam = ids[FABRIKAM.name] ?? ''
      const { requirements } = services.catalogue
      // An older assessment, all met: the dashboard must count only the latest.
      const older = await assessment(contoso, '2026-01-01T00:00:00.000Z', 'closed')
      for (const r of requirements.slice(0, 6)) await answer(older, r.id, 'met', 'accepted')
      const latest = await assessment(contoso, '2026-06-01T00:00:00.000Z', 'closed')
      const seeded: Array<[AnswerStatus, 'accepted' | 'queried' | null]> = [
        ['met', 'accepted'],
        ['met', 'accepted'],
        ['not-met', 'accepted'],
        ['partially-met', 'accepted'],
        ['not-met', 'queried'],
        ['not-applicable', null],
        ['partially-met', 'accepted'],
      ]
      for (const [i, [status, review]] of seeded.entries()) {
        const requirement = requirements[i * 3]
        if (requirement === undefined) throw new Error('catalogue too small')
        await answer(latest, requirement.id, status, review)
        for (const fn of requirement.mcss) expected[fn][status] += 1
      }
      // Contoso's risk register on 3 December 2026 (the clock): a risk is expired the day after its expiry date.
      const riskOn = (i: number) => requirements[i]?.id ?? ''
      await risk(contoso, latest, riskOn(30), 'accepted', '2027-03-01') // open
      await risk(contoso, latest, riskOn(31), 'accepted', '2026-12-03') // open: its last day
      await risk(contoso, latest, riskOn(32), 'proposed', '2027-01-15') // awaiting acceptance
      await risk(contoso, latest, riskOn(33), 'accepted', '2026-12-02') // expired yesterday
      await risk(contoso, latest, riskOn(34), 'proposed', '2026-11-30') // expired before anyone accepted it
      await risk(contoso, latest, riskOn(35), 'expired', '2026-10-01') // marked expired
      await risk(contoso, latest, riskOn(36), 'closed', '2027-05-01') // closed: not counted
      const fabrikamAssessment = await assessment(fabrikam, '2026-07-01T00:00:00.000Z', 'closed')
      await risk(fabrikam, fabrikamAssessment, riskOn(30), 'proposed', '2027-02-01')
      // Contoso's clocks: one breached, one overdue, one pending, one done though past due.
      await stage('pending', contoso, '2026-12-10T00:00:00.000Z')
      await stage('breached', contoso, '2026-11-20T00:00:00.000Z')
      await stage('overdue', contoso, '2026-12-01T00:00:00.000Z')
      await stage('done', contoso, '2026-11-10T00:00:00.000Z', true)
      await stage('fabrikam', fabrikam, '2026-12-20T00:00:00.000Z')
      await incident(contoso, 'open', 'Phishing email opened')
      await incident(contoso, 'closed', 'Lost laptop')
      await incident(fabrikam, 'open', 'Fabrikam secret incident')
      // An open assessment with Contoso: everything in scope unanswered except one answered and one queried.
      // It was opened before the closed one, so the closed one stays the latest.
      const section =
        requirements.find(r => requirements.filter(other => other.section === r.section).length >= 3)?.section ?? ''
      const open = await assessment(contoso, '2026-05-01T00:00:00.000Z', 'open', { tags: [], sections: [section] })
      ids.open = open
      const inSection = requirements.filter(r => r.section === section)
      ids.answered = inSection[0]?.id ?? ''
      await answer(open, inSection[0]?.id ?? '', 'met', 'accepted')
      ids.queried = inSection[1]?.id ?? ''
      await answer(open, ids.queried, 'met', 'queried')
    })
    after(async () => {
      await close()
      await store.dispose()
    })

    it('counts the latest assessment of each supplier by MCSS function, with open risks, stages and incidents', async () => {
      const response = await as('viewer').get('/dashboard')
      assert.equal(response.statusCode, 200)
      const contoso = ids[CONTOSO.name] ?? ''
      for (const fn of MCSS_FUNCTIONS)
        assert.equal(
          cell(response.body, contoso, `data-function="${fn}`),
          ANSWER_STATUSES.map(s => expected[fn][s]).join(' / '),
          fn,
        )
      // Risks come from the register, not from the accepted "not met" answers (three of them) on their own.
      assert.equal(cell(response.body, contoso, 'data-figure="risks'), '2')
      assert.equal(cell(response.body, contoso, 'data-figure="proposed-risks'), '1')
      assert.equal(cell(response.body, contoso, 'data-figure="expired-risks'), '3')
      assert.equal(cell(response.body, contoso, 'data-figure="overdue'), '1')
      assert.equal(cell(response.body, contoso, 'data-figure="breached'), '1')
      assert.equal(cell(response.body, contoso, 'data-figure="incidents'), '1')
      const fabrikam = ids[FABRIKAM.name] ?? ''
      assert.equal(cell(response.body, fabrikam, 'data-figure="overdue'), '0')
      assert.equal(cell(response.body, fabrikam, 'data-figure="incidents'), '1')
      assert.equal(cell(response.body, fabrikam, 'data-figure="risks'), '0')
      assert.equal(cell(response.body, fabrikam, 'data-figure="proposed-risks'), '1')
      assert.equal(cell(response.body, fabrikam, 'data-figure="expired-risks'), '0')
      // The chart's data table carries the same totals as the supplier rows (only Contoso has answers).
      const identifyRow =
        /<th scope="row" class="govuk-table__header">IDENTIFY<\/th>([\s\S]*?)<\/tr>/.exec(response.body)?.[1] ?? ''
      const values = [...identifyRow.matchAll(/numeric">(\d+)</g)].map(m => Number(m[1]))
      assert.deepEqual(
        values,
        ANSWER_STATUSES.map(s => expected.IDENTIFY[s]),
      )
    })

    it('counts proposed, accepted and expired risks where they belong, and calls out the expired ones', async () => {
      const { body } = await as('viewer').get('/dashboard')
      assert.equal(total(body, 'open-risks'), '2')
      assert.equal(total(body, 'proposed-risks'), '2')
      assert.equal(total(body, 'expired-risks'), '3')
      assert.match(body, /id="expired-risks-warning"[\s\S]*?3 risks have passed their expiry date and need review\./)
      // The expired figure leads to that supplier's risk register.
      const contoso = ids[CONTOSO.name] ?? ''
      assert.ok(
        body.includes(
          `href="/suppliers/${contoso}/risks"><span data-figure="expired-risks">3</span> expired<span class="govuk-visually-hidden"> for Contoso Ltd</span></a>`,
        ),
      )
      // Filtered to Fabrikam, whose only risk awaits acceptance: nothing to review, so no warning.
      const fabrikam = await as('viewer').get('/dashboard?q=fabrikam')
      assert.equal(total(fabrikam.body, 'open-risks'), '0')
      assert.equal(total(fabrikam.body, 'proposed-risks'), '1')
      assert.equal(total(fabrikam.body, 'expired-risks'), '0')
      assert.ok(!fabrikam.body.includes('expired-risks-warning'))
    })

    it('on the day after its expiry date, an open risk counts as expired', async () => {
      clock = new Date('2026-12-04T00:00:01Z')
      try {
        const cookie = await sessionCookieFor(db(), ids.viewer ?? '', clock)
        const { body } = await browserFor(app, cookie).get('/dashboard?q=contoso')
        assert.equal(total(body, 'open-risks'), '1')
        assert.equal(total(body, 'proposed-risks'), '1')
        assert.equal(total(body, 'expired-risks'), '4')
      } finally {
        clock = today
      }
    })

    it('gives the chart an image role, a text alternative and the data table straight after it', async () => {
      const { body } = await as('viewer').get('/dashboard')
      assert.match(
        body,
        /<svg class="app-dashboard-chart" role="img" aria-labelledby="mcss-chart-title mcss-chart-desc"/,
      )
      assert.match(body, /<desc id="mcss-chart-desc">Requirements by MCSS function/)
      assert.match(body, /<\/svg>\s*<table class="govuk-table" id="mcss-chart-table">/)
    })

    it('filters by supplier name and by "only suppliers with something overdue", without JavaScript', async () => {
      const contoso = ids[CONTOSO.name] ?? ''
      const fabrikam = ids[FABRIKAM.name] ?? ''
      const byName = await as('viewer').get('/dashboard?q=FABRI')
      assert.ok(byName.body.includes(`data-supplier="${fabrikam}"`))
      assert.ok(!byName.body.includes(`data-supplier="${contoso}"`))
      assert.match(byName.body, /1 supplier match the filter/)
      const overdue = await as('viewer').get('/dashboard?overdue=yes')
      assert.ok(overdue.body.includes(`data-supplier="${contoso}"`))
      assert.ok(!overdue.body.includes(`data-supplier="${fabrikam}"`))
      const wildcard = await as('viewer').get('/dashboard?q=%25')
      assert.match(wildcard.body, /0 suppliers match the filter/)
      const expired = await as('viewer').get('/dashboard?risks=expired')
      assert.ok(expired.body.includes(`data-supplier="${contoso}"`))
      assert.ok(!expired.body.includes(`data-supplier="${fabrikam}"`))
      assert.match(expired.body, /name="risks" type="checkbox" value="expired" checked/)
    })

    it('sends supplier people to their own to-do list, due-date order, never another supplier’s', async () => {
      const redirect = await as('contoso').get('/dashboard')
      assert.equal(redirect.statusCode, 303)
      assert.equal(redirect.headers.location, '/dashboard/to-do')
      const { statusCode, body } = await as('contoso').get('/dashboard/to-do')
      assert.equal(statusCode, 200)
      const order = [...body.matchAll(/data-stage="([^"]+)"/g)].map(m => m[1])
      assert.deepEqual(order, [stageIds.breached, stageIds.overdue, stageIds.pending])
      assert.match(body, /Breached/)
      assert.match(body, /Overdue/)
      assert.ok(!body.includes(stageIds.fabrikam ?? 'missing'))
      assert.ok(!body.includes('Fabrikam secret incident'))
      assert.ok(body.includes('Phishing email opened'))
      assert.ok(!body.includes('Lost laptop'))
      assert.ok(!body.includes(`data-requirement="${ids.answered}"`))
      assert.match(body, new RegExp(`data-requirement="${ids.queried}"[\\s\\S]*?\\(queried\\)`))
      assert.match(body, /\(not answered\)/)

      const theirs = await as('fabrikam').get('/dashboard/to-do')
      assert.deepEqual(
        [...theirs.body.matchAll(/data-stage="([^"]+)"/g)].map(m => m[1]),
        [stageIds.fabrikam],
      )
      assert.ok(!theirs.body.includes('Phishing email opened'))
      assert.ok(!theirs.body.includes('Contoso'))
    })

    it('refuses the dashboard to anyone not signed in', async () => {
      const response = await browserFor(app).get('/dashboard')
      assert.notEqual(response.statusCode, 200)
      assert.ok(!response.body.includes('Contoso'))
    })
  })
}
