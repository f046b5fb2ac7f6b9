import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import type { FastifyInstance } from 'fastify'
import { browserFor, startApp } from './helpers/app.ts'
import { engines, type TestStore } from './helpers/stores.ts'
import { buildPerson, sessionCookieFor } from './helpers/people.ts'
import type { Services } from '../src/services.ts'
import type { Role } from '../src/identity/roles.ts'
import { oscalValidator } from '../src/assessments/exports.ts'

/** The GOV.UK error summary's messages on a page. */
const summaryOf = (html: string) =>
  [
    ...(/govuk-error-summary__list">([\s\S]*?)<\/ul>/.exec(html)?.[1] ?? '').matchAll(/<a href="[^"]*">([^<]*)<\/a>/g),
  ].map(m => m[1]?.trim())

/** The row of a register page for one risk, as text. */
const rowOf = (html: string, riskId: string) =>
  (new RegExp(`<tr class="govuk-table__row" id="risk-${riskId}">([\\s\\S]*?)</tr>`).exec(html)?.[1] ?? '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')

type Finding = {
  target: { 'target-id': string; status: { state: string } }
  'related-observations': Array<{ 'observation-uuid': string }>
}
type Observation = { uuid: string; description: string }

for (const engine of engines()) {
  describe(`the risk register and assessment exports on ${engine.name}`, () => {
    let store: TestStore
    let app: FastifyInstance
    let services: Services
    let close: () => Promise<void>
    let clock = new Date('2026-12-04T10:00:00Z')
    let contoso = ''
    let assessmentId = ''
    let requirements: string[] = []
    let notMet = ''
    let partlyMet = ''
    let notMetRisk = ''
    let partlyMetRisk = ''
    const people = new Map<string, { id: string; cookie: string }>()

    const person = async (
      key: string,
      roles: Role[],
      organisation: { kind: 'authority' | 'supplier'; name: string },
    ) => {
      const built = await buildPerson(services.store.db, { roles, organisation })
      people.set(key, { id: built.id, cookie: await sessionCookieFor(services.store.db, built.id, clock) })
      return built
    }
    const as = (key: string) => browserFor(app, people.get(key)?.cookie)
    const ledgerFor = async (requestId: unknown) =>
      services.store.db
        .selectFrom('audit_entries')
        .select(['action', 'user_id', 'outcome'])
        .where('request_id', '=', String(requestId))
        .execute()
        .then(rows => rows.map(row => ({ ...row })))
    const assertOneEntry = async (
      response: { headers: Record<string, unknown> },
      key: string,
      action: string,
      outcome = 'success',
    ) =>
      assert.deepEqual(await ledgerFor(response.headers['x-request-id']), [
        { action, user_id: people.get(key)?.id, outcome },
      ])
    const risks = () => services.store.db.selectFrom('risks').selectAll().orderBy('requirement_id').execute()
    const riskUrl = (requirementId: string) => `/assessments/${assessmentId}/requirements/${requirementId}/risk`
    const validRisk = {
      owner: 'Priya Shah, IT manager',
      description: 'Mail is not yet signed with DKIM, so spoofed mail is harder to spot',
      mitigation: 'SPF and DMARC quarantine are in place; DKIM planned for Q2 2027',
      expiresOn: '2027-06-30',
    }

    before(async () => {
      store = await engine.create()
      ;({ app, services, close } = await startApp(store, { now: () => clock }))
      const authority = { kind: 'authority' as const, name: 'Ministry of Justice' }
      await person('admin', ['authority-admin'], authority)
      await person('assessor', ['security-assessor'], authority)
      await person('dual', ['security-assessor', 'authority-admin'], authority)
      const contosoOrg = { kind: 'supplier' as const, name: 'Contoso Ltd' }
      contoso = (await person('contoso-admin', ['supplier-admin'], contosoOrg)).organisationId
      await person('contributor', ['supplier-contributor'], contosoOrg)
      await person('fabrikam-admin', ['supplier-admin'], { kind: 'supplier', name: 'Fabrikam Ltd' })

      const opened = await as('assessor').post(`/suppliers/${contoso}/assessments/new`, {
        title: 'Email security',
        tags: 'email',
      })
      assert.equal(opened.statusCode, 303)
      assessmentId = /^\/assessments\/([0-9a-f-]+)/.exec(String(opened.headers.location))?.[1] ?? ''
      requirements = services.catalogue.requirements.filter(r => r.tags.includes('email')).map(r => r.id)
      assert.ok(requirements.length >= 3)
      ;[, notMet = '', partlyMet = ''] = requirements
      for (const id of requirements) {
        const shortfalls: Record<string, Record<string, string>> = {
          [notMet]: { status: 'not-met', justification: 'DKIM is not configured yet' },
          [partlyMet]: { status: 'partially-met', justification: 'DMARC at p=none\nMoving to quarantine' },
        }
        const form = shortfalls[id] ?? {
          status: 'met',
          justification: '',
          evidenceLink: 'https://contoso.example/mail',
        }
        const answered = await as('contributor').post(`/assessments/${assessmentId}/requirements/${id}`, form)
        assert.equal(answered.statusCode, 303, id)
      }
      assert.equal((await as('contoso-admin').post(`/assessments/${assessmentId}/submit`, {})).statusCode, 303)
    })
    after(async () => {
      await close()
      await store.dispose()
    })

    it('goes straight on to proposing a risk when the assessor accepts a not-met answer, and not for a met one', async () => {
      const [met = ''] = requirements
      const accepted = await as('assessor').post(`/assessments/${assessmentId}/requirements/${met}/review`, {
        review: 'accepted',
      })
      assert.equal(accepted.headers.location, `/assessments/${assessmentId}?done=reviewed`)
      const shortfall = await as('assessor').post(`/assessments/${assessmentId}/requirements/${notMet}/review`, {
        review: 'accepted',
      })
      assert.equal(shortfall.statusCode, 303)
      assert.equal(shortfall.headers.location, riskUrl(notMet))
      const form = await as('assessor').get(riskUrl(notMet))
      assert.equal(form.statusCode, 200)
      assert.match(form.body, /The supplier said: DKIM is not configured yet/)
      assert.match(form.body, /no later than 2027-12-04/)
      const page = await as('assessor').get(`/assessments/${assessmentId}`)
      assert.ok(page.body.includes(`href="${riskUrl(notMet)}"`))
      assert.ok(!page.body.includes(`href="${riskUrl(requirements[0] ?? '')}"`))
      assert.ok(page.body.includes(`href="/assessments/${assessmentId}/oscal/poam.json"`))
    })

    it('refuses an expiry date that is missing, not real, not in the future or beyond 12 months, with exact messages', async () => {
      const cases: Array<[string, string]> = [
        ['', 'Enter the date the risk acceptance expires'],
        ['2027-02-30', 'The expiry date must be a real date, for example 2027-03-31'],
        ['30/06/2027', 'The expiry date must be a real date, for example 2027-03-31'],
        ['2026-12-04', 'The expiry date must be in the future'],
        ['2025-01-01', 'The expiry date must be in the future'],
        ['2027-12-05', 'The expiry date must be within 12 months of today'],
      ]
      for (const [expiresOn, message] of cases) {
        const response = await as('assessor').post(riskUrl(notMet), { ...validRisk, expiresOn })
        assert.equal(response.statusCode, 400, expiresOn)
        assert.deepEqual(summaryOf(response.body), [message], expiresOn)
        assert.match(response.body, /value="Priya Shah, IT manager"/)
      }
      const blank = await as('assessor').post(riskUrl(notMet), { expiresOn: '2027-06-30' })
      assert.deepEqual(summaryOf(blank.body), [
        'Enter the name of the person at the supplier who owns the risk',
        'Enter a description of the risk',
        'Enter how the risk is mitigated until it is resolved',
      ])
      assert.deepEqual(await risks(), [])
    })

    it('records the proposal as one ledger entry by the assessor, and refuses a second proposal or a met answer', async () => {
      const response = await as('assessor').post(riskUrl(notMet), { ...validRisk, expiresOn: '2027-12-04' })
      assert.equal(response.statusCode, 303)
      await assertOneEntry(response, 'assessor', 'risk.proposed')
      const [row] = await risks()
      assert.equal(row?.status, 'proposed')
      assert.equal(row?.proposed_by, people.get('assessor')?.id)
      assert.equal(row?.organisation_id, contoso)
      assert.equal(row?.expires_on, '2027-12-04')
      notMetRisk = row?.id ?? ''
      const again = await as('assessor').post(riskUrl(notMet), validRisk)
      assert.equal(again.statusCode, 409)
      const met = await as('assessor').post(riskUrl(requirements[0] ?? ''), validRisk)
      assert.equal(met.statusCode, 409)
      assert.equal((await risks()).length, 1)
    })

    it('does not let a security assessor accept a risk, nor an administrator accept their own proposal', async () => {
      const byAssessor = await as('assessor').post(`/risks/${notMetRisk}/accept`, {})
      assert.equal(byAssessor.statusCode, 403)

      const reviewed = await as('dual').post(`/assessments/${assessmentId}/requirements/${partlyMet}/review`, {
        review: 'accepted',
      })
      assert.equal(reviewed.headers.location, riskUrl(partlyMet))
      const proposed = await as('dual').post(riskUrl(partlyMet), { ...validRisk, expiresOn: '2027-03-31' })
      assert.equal(proposed.statusCode, 303)
      partlyMetRisk = (await risks()).find(r => r.requirement_id === partlyMet)?.id ?? ''
      const own = await as('dual').post(`/risks/${partlyMetRisk}/accept`, {})
      assert.equal(own.statusCode, 403)
      assert.match(own.body, /You cannot approve a risk you made yourself; another person must approve it/)
      await assertOneEntry(own, 'dual', 'http.request.refused', 'denied')
      assert.ok((await risks()).every(r => r.status === 'proposed' && r.accepted_by === null))
    })

    it('lets another authority administrator accept, as one ledger entry, and only once', async () => {
      const response = await as('admin').post(`/risks/${partlyMetRisk}/accept`, {})
      assert.equal(response.statusCode, 303)
      assert.equal(response.headers.location, '/risks?done=accepted')
      await assertOneEntry(response, 'admin', 'risk.accepted')
      const row = (await risks()).find(r => r.id === partlyMetRisk)
      assert.equal(row?.status, 'accepted')
      assert.equal(row?.accepted_by, people.get('admin')?.id)
      assert.equal((await as('admin').post(`/risks/${partlyMetRisk}/accept`, {})).statusCode, 409)
    })

    it('shows each risk with its state on the Authority’s register and the supplier’s own', async () => {
      const register = await as('admin').get('/risks')
      assert.equal(register.statusCode, 200)
      assert.match(
        rowOf(register.body, notMetRisk),
        /Contoso Ltd .*Priya Shah.* 2027-12-04 Proposed, awaiting acceptance Accept the risk/,
      )
      assert.match(rowOf(register.body, partlyMetRisk), /2027-03-31 Accepted $/)
      const own = await as('contoso-admin').get(`/suppliers/${contoso}/risks`)
      assert.equal(own.statusCode, 200)
      assert.match(own.body, /Risk register: Contoso Ltd/)
      assert.match(rowOf(own.body, partlyMetRisk), /Accepted/)
      assert.doesNotMatch(own.body, /Accept the risk/)
      assert.equal((await as('contoso-admin').get('/risks')).statusCode, 403)
    })

    it('exports assessment results that validate against NIST’s schema, one finding per answered requirement', async () => {
      const response = await as('contoso-admin').get(`/assessments/${assessmentId}/oscal/assessment-results.json`)
      assert.equal(response.statusCode, 200)
      assert.match(String(response.headers['content-type']), /^application\/json/)
      const document = JSON.parse(response.body) as {
        'assessment-results': {
          metadata: { 'oscal-version': string }
          'import-ap': { href: string }
          results: Array<{ findings: Finding[]; observations: Observation[] }>
        }
      }
      const validate = oscalValidator('assessment-results')
      assert.equal(validate(document), true, JSON.stringify(validate.errors?.slice(0, 3)))
      const ar = document['assessment-results']
      assert.equal(ar.metadata['oscal-version'], '1.1.2')
      assert.equal(ar['import-ap'].href, `/assessments/${assessmentId}`)
      const [result] = ar.results
      assert.deepEqual(
        result?.findings.map(f => [f.target['target-id'], f.target.status.state]),
        requirements.map(id => [id, id === notMet || id === partlyMet ? 'not-satisfied' : 'satisfied']),
      )
      const finding = result?.findings.find(f => f.target['target-id'] === partlyMet)
      const observation = result?.observations.find(
        o => o.uuid === finding?.['related-observations'][0]?.['observation-uuid'],
      )
      assert.equal(observation?.description, 'DMARC at p=none\nMoving to quarantine')
    })

    it('exports a POA&M that validates against NIST’s schema with one item per open risk', async () => {
      const response = await as('admin').get(`/assessments/${assessmentId}/oscal/poam.json`)
      assert.equal(response.statusCode, 200)
      const document = JSON.parse(response.body) as {
        'plan-of-action-and-milestones': {
          'poam-items': Array<{ title: string; props: Array<{ name: string; value: string }> }>
        }
      }
      const validate = oscalValidator('poam')
      assert.equal(validate(document), true, JSON.stringify(validate.errors?.slice(0, 3)))
      const items = document['plan-of-action-and-milestones']['poam-items']
      assert.deepEqual(
        items.map(item => [item.title.split(':')[0], item.props.find(p => p.name === 'risk-status')?.value]).sort(),
        [
          [notMet, 'proposed'],
          [partlyMet, 'accepted'],
        ].sort(),
      )
    })

    it('exports the answers as CSV with a header and one row per answer', async () => {
      const response = await as('contributor').get(`/assessments/${assessmentId}/answers.csv`)
      assert.equal(response.statusCode, 200)
      assert.match(String(response.headers['content-type']), /^text\/csv/)
      const lines = response.body.split('\r\n')
      assert.equal(lines[0], 'Requirement,Title,Answer,Justification,Evidence link,Answered at,Review,Review comment')
      assert.equal(lines.length, requirements.length + 2)
      assert.equal(lines.at(-1), '')
      await assertOneEntry(response, 'contributor', 'assessment.exported')
      const notMetLine = lines.find(line => line.startsWith(`${notMet},`)) ?? ''
      assert.match(notMetLine, /,Not met,DKIM is not configured yet,,2026-12-04T10:00:00\.000Z,Accepted,$/)
      assert.match(
        response.body,
        new RegExp(`${partlyMet},[^\\r]*,Partially met,"DMARC at p=none\\r?\\nMoving to quarantine"`),
      )
    })

    it('answers another supplier’s people as not found for the register and every export', async () => {
      for (const url of [
        `/suppliers/${contoso}/risks`,
        `/assessments/${assessmentId}/oscal/assessment-results.json`,
        `/assessments/${assessmentId}/oscal/poam.json`,
        `/assessments/${assessmentId}/answers.csv`,
      ]) {
        const response = await as('fabrikam-admin').get(url)
        assert.equal(response.statusCode, 404, url)
        await assertOneEntry(response, 'fabrikam-admin', 'access.denied', 'denied')
      }
    })

    it('shows a risk as expired once its expiry date has passed, drops it from the POA&M, and refuses to accept it', async () => {
      clock = new Date('2027-04-01T09:00:00Z')
      for (const key of ['admin', 'contoso-admin']) {
        const entry = people.get(key)
        if (entry !== undefined) entry.cookie = await sessionCookieFor(services.store.db, entry.id, clock)
      }
      const register = await as('admin').get('/risks')
      assert.match(rowOf(register.body, partlyMetRisk), /2027-03-31 Expired $/)
      assert.match(rowOf(register.body, notMetRisk), /Proposed, awaiting acceptance/)
      const poam = JSON.parse((await as('contoso-admin').get(`/assessments/${assessmentId}/oscal/poam.json`)).body) as {
        'plan-of-action-and-milestones': { 'poam-items': Array<{ title: string }> }
      }
      assert.deepEqual(
        poam['plan-of-action-and-milestones']['poam-items'].map(item => item.title.split(':')[0]),
        [notMet],
      )
      assert.equal((await as('admin').post(`/risks/${partlyMetRisk}/accept`, {})).statusCode, 409)
    })
  })
}

describe('the OSCAL schemas kept beside the assessment exports', () => {
  const shared = path.resolve('..', 'shared', 'oscal')
  for (const file of ['oscal_assessment-results_schema.json', 'oscal_poam_schema.json'])
    it(`keeps ${file} identical to NIST’s`, { skip: !existsSync(shared) && 'no ../shared checkout' }, () => {
      assert.equal(
        readFileSync(path.resolve('src', 'assessments', 'oscal', file), 'utf8'),
        readFileSync(path.join(shared, file), 'utf8'),
      )
    })
})
