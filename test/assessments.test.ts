import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { FastifyInstance } from 'fastify'
import { browserFor, startApp } from './helpers/app.ts'
import { engines, type TestStore } from './helpers/stores.ts'
import { buildPerson, sessionCookieFor } from './helpers/people.ts'
import type { Services } from '../src/services.ts'
import type { Role } from '../src/identity/roles.ts'

/** The GOV.UK error summary's messages on a page. */
const summaryOf = (html: string) =>
  [
    ...(/govuk-error-summary__list">([\s\S]*?)<\/ul>/.exec(html)?.[1] ?? '').matchAll(/<a href="[^"]*">([^<]*)<\/a>/g),
  ].map(m => m[1]?.trim())

for (const engine of engines()) {
  describe(`supplier self-assessments on ${engine.name}`, () => {
    let store: TestStore
    let app: FastifyInstance
    let services: Services
    let close: () => Promise<void>
    let contoso = ''
    let fabrikam = ''
    let assessmentId = ''
    let emailRequirements: string[] = []
    const people = new Map<string, { id: string; cookie: string }>()

    const person = async (
      key: string,
      roles: Role[],
      organisation: { kind: 'authority' | 'supplier'; name: string },
    ) => {
      const built = await buildPerson(services.store.db, { roles, organisation })
      people.set(key, { id: built.id, cookie: await sessionCookieFor(services.store.db, built.id) })
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
    /** Asserts the request left exactly one ledger entry, with this action and outcome, attributed to this person. */
    const assertOneEntry = async (
      response: { headers: Record<string, unknown> },
      key: string,
      action: string,
      outcome = 'success',
    ) =>
      assert.deepEqual(await ledgerFor(response.headers['x-request-id']), [
        { action, user_id: people.get(key)?.id, outcome },
      ])
    const assessment = () =>
      services.store.db.selectFrom('assessments').selectAll().where('id', '=', assessmentId).executeTakeFirstOrThrow()
    const answer = (requirementId: string) =>
      services.store.db
        .selectFrom('assessment_answers')
        .selectAll()
        .where('assessment_id', '=', assessmentId)
        .where('requirement_id', '=', requirementId)
        .executeTakeFirst()
    const countAssessments = async () =>
      Number(
        (
          await services.store.db
            .selectFrom('assessments')
            .select(e => e.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      )
    const answerAs = (key: string, requirementId: string, form: Record<string, string>) =>
      as(key).post(`/assessments/${assessmentId}/requirements/${requirementId}`, form)

    before(async () => {
      store = await engine.create()
      ;({ app, services, close } = await startApp(store))
      const authority = { kind: 'authority' as const, name: 'Ministry of Justice' }
      await person('admin', ['authority-admin'], authority)
      await person('assessor', ['security-assessor'], authority)
      const contosoOrg = { kind: 'supplier' as const, name: 'Contoso Ltd' }
      contoso = (await person('contoso-admin', ['supplier-admin'], contosoOrg)).organisationId
      await person('contributor', ['supplier-contributor'], contosoOrg)
      // Someone who both answers for the supplier and could review: segregation must stop them reviewing their own.
      await person('dual', ['supplier-contributor', 'security-assessor'], contosoOrg)
      fabrikam = (await person('fabrikam-admin', ['supplier-admin'], { kind: 'supplier', name: 'Fabrikam Ltd' }))
        .organisationId
      emailRequirements = services.catalogue.requirements.filter(r => r.tags.includes('email')).map(r => r.id)
      assert.ok(emailRequirements.length >= 3, 'the flow needs a few email requirements')
    })
    after(async () => {
      await close()
      await store.dispose()
    })

    it('opens an assessment over a scope of tags and section, covering the catalogue’s requirements with them', async () => {
      const form = await as('admin').get(`/suppliers/${contoso}/assessments/new`)
      assert.equal(form.statusCode, 200)
      assert.match(form.body, /value="supplier-corporate-it"/)
      assert.match(form.body, /aws \(\d+\)/)
      const response = await as('admin').post(`/suppliers/${contoso}/assessments/new`, {
        title: 'Corporate IT and AWS 2026',
        tags: ['aws', 'corporate-it'],
        sections: ['supplier-corporate-it'],
      })
      assert.equal(response.statusCode, 303)
      const id = /^\/assessments\/([0-9a-f-]+)\?done=opened$/.exec(String(response.headers.location))?.[1]
      assert.ok(id !== undefined, String(response.headers.location))
      await assertOneEntry(response, 'admin', 'assessment.opened')
      const expected = services.catalogue.requirements.filter(
        r => r.tags.includes('aws') || r.tags.includes('corporate-it') || r.section === 'supplier-corporate-it',
      )
      assert.ok(expected.length > 63)
      const row = await services.store.db
        .selectFrom('assessments')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
      assert.equal(row.status, 'open')
      assert.equal(row.catalogue_version, services.catalogue.version)
      assert.deepEqual(JSON.parse(row.scope), { tags: ['aws', 'corporate-it'], sections: ['supplier-corporate-it'] })
      const page = await as('contributor').get(`/assessments/${id}`)
      assert.equal(page.statusCode, 200)
      assert.match(page.body, new RegExp(`${expected.length} requirements`))
      assert.match(page.body, /0 of \d+/)
      for (const r of expected.slice(0, 5)) assert.ok(page.body.includes(r.id), r.id)
    })

    it('refuses to open an assessment with an empty scope, keeping the title', async () => {
      const saved = await countAssessments()
      const response = await as('assessor').post(`/suppliers/${contoso}/assessments/new`, { title: 'Nothing at all' })
      assert.equal(response.statusCode, 400)
      assert.deepEqual(summaryOf(response.body), ['Select at least one tag or section for the scope of the assessment'])
      assert.match(response.body, /value="Nothing at all"/)
      assert.equal(await countAssessments(), saved)
      await assertOneEntry(response, 'assessor', 'http.request.refused', 'failure')
    })

    it('does not let a supplier open an assessment', async () => {
      const response = await as('contoso-admin').post(`/suppliers/${contoso}/assessments/new`, {
        title: 'Our own',
        tags: 'email',
      })
      assert.equal(response.statusCode, 403)
    })

    it('refuses an answer other than met without a justification, with the exact message, saving nothing', async () => {
      const opened = await as('assessor').post(`/suppliers/${contoso}/assessments/new`, {
        title: 'Email security',
        tags: 'email',
      })
      assert.equal(opened.statusCode, 303)
      assessmentId = /^\/assessments\/([0-9a-f-]+)/.exec(String(opened.headers.location))?.[1] ?? ''
      const [first = ''] = emailRequirements
      const partly = await answerAs('contributor', first, { status: 'partially-met', justification: '  ' })
      assert.equal(partly.statusCode, 400)
      assert.deepEqual(summaryOf(partly.body), ['Explain how far the requirement is met and what is missing'])
      assert.match(partly.body, /value="partially-met" checked/)
      const notApplicable = await answerAs('contributor', first, { status: 'not-applicable', justification: '' })
      assert.deepEqual(summaryOf(notApplicable.body), ['Explain why the requirement does not apply'])
      const badLink = await answerAs('contributor', first, { status: 'met', evidenceLink: 'http://example.com/x' })
      assert.deepEqual(summaryOf(badLink.body), ['Enter the evidence link as a web address starting https://'])
      assert.equal(await answer(first), undefined)
      await assertOneEntry(partly, 'contributor', 'http.request.refused', 'failure')
    })

    it('records an answer as one ledger entry attributed to the person who gave it', async () => {
      const [first = ''] = emailRequirements
      const response = await answerAs('dual', first, {
        status: 'met',
        justification: '',
        evidenceLink: 'https://contoso.example/policies/email',
      })
      assert.equal(response.statusCode, 303)
      await assertOneEntry(response, 'dual', 'assessment.answer.recorded')
      const saved = await answer(first)
      assert.equal(saved?.status, 'met')
      assert.equal(saved?.answered_by, people.get('dual')?.id)
      assert.equal(saved?.evidence_link, 'https://contoso.example/policies/email')
    })

    it('refuses to submit while answers are missing, saying how many', async () => {
      const rest = emailRequirements.slice(1)
      for (const id of rest.slice(0, -1)) {
        const done = await answerAs('contributor', id, { status: 'not-met', justification: 'Planned for next quarter' })
        assert.equal(done.statusCode, 303, id)
      }
      const response = await as('contoso-admin').post(`/assessments/${assessmentId}/submit`, {})
      assert.equal(response.statusCode, 400)
      assert.deepEqual(summaryOf(response.body), [
        `Answer every requirement before you submit: 1 of ${emailRequirements.length} still needs an answer`,
      ])
      assert.equal((await assessment()).status, 'open')
      await assertOneEntry(response, 'contoso-admin', 'http.request.refused', 'failure')
    })

    it('submits once every requirement is answered, recording who submitted', async () => {
      const last = emailRequirements.at(-1) ?? ''
      assert.equal((await answerAs('contributor', last, { status: 'met' })).statusCode, 303)
      const response = await as('contoso-admin').post(`/assessments/${assessmentId}/submit`, {})
      assert.equal(response.statusCode, 303)
      await assertOneEntry(response, 'contoso-admin', 'assessment.submitted')
      const row = await assessment()
      assert.equal(row.status, 'submitted')
      assert.equal(row.submitted_by, people.get('contoso-admin')?.id)
      const late = await answerAs('contributor', last, { status: 'not-met', justification: 'Changed my mind' })
      assert.equal(late.statusCode, 409)
      assert.equal((await answer(last))?.status, 'met')
    })

    it('refuses a reviewer who gave the answer themselves', async () => {
      const [first = ''] = emailRequirements
      const response = await as('dual').post(`/assessments/${assessmentId}/requirements/${first}/review`, {
        review: 'accepted',
      })
      assert.equal(response.statusCode, 403)
      assert.match(response.body, /You cannot approve an answer you made yourself; another person must approve it/)
      assert.equal((await answer(first))?.review, null)
      assert.equal((await assessment()).status, 'submitted')
      await assertOneEntry(response, 'dual', 'http.request.refused', 'denied')
    })

    it('queries an answer (with a comment), returns it, and the supplier answers again', async () => {
      const second = emailRequirements[1] ?? ''
      const reviewUrl = `/assessments/${assessmentId}/requirements/${second}/review`
      const noComment = await as('assessor').post(reviewUrl, { review: 'queried', comment: '' })
      assert.equal(noComment.statusCode, 400)
      assert.deepEqual(summaryOf(noComment.body), ['Enter what the supplier needs to answer'])
      const queried = await as('assessor').post(reviewUrl, {
        review: 'queried',
        comment: 'Which quarter, and who owns it?',
      })
      assert.equal(queried.statusCode, 303)
      await assertOneEntry(queried, 'assessor', 'assessment.answer.reviewed')
      assert.equal((await assessment()).status, 'in-review')

      const closing = await as('assessor').post(`/assessments/${assessmentId}/close`, { outcome: 'satisfactory' })
      assert.equal(closing.statusCode, 400)
      assert.deepEqual(summaryOf(closing.body), [
        `Accept or reject every answer before you close the assessment: ${emailRequirements.length} still need a decision`,
      ])

      const returned = await as('assessor').post(`/assessments/${assessmentId}/return`, {})
      assert.equal(returned.statusCode, 303)
      await assertOneEntry(returned, 'assessor', 'assessment.returned')
      const row = await assessment()
      assert.equal(row.status, 'open')
      assert.equal(row.submitted_by, null)

      const form = await as('contributor').get(`/assessments/${assessmentId}/requirements/${second}`)
      assert.match(form.body, /The assessor queried this answer: Which quarter, and who owns it\?/)
      const again = await answerAs('contributor', second, {
        status: 'partially-met',
        justification: 'Q3 2026, owned by the IT manager',
      })
      assert.equal(again.statusCode, 303)
      const saved = await answer(second)
      assert.equal(saved?.status, 'partially-met')
      assert.equal(saved?.review, null)
      assert.equal((await as('contoso-admin').post(`/assessments/${assessmentId}/submit`, {})).statusCode, 303)
    })

    it('accepts or rejects every answer and closes the assessment with its outcome', async () => {
      for (const [index, id] of emailRequirements.entries()) {
        const review = index === 2 ? 'rejected' : 'accepted'
        const response = await as('assessor').post(`/assessments/${assessmentId}/requirements/${id}/review`, { review })
        assert.equal(response.statusCode, 303, id)
      }
      assert.equal((await as('assessor').get(`/assessments/${assessmentId}/close`)).statusCode, 200)
      const reviewForm = await as('assessor').get(
        `/assessments/${assessmentId}/requirements/${emailRequirements[0] ?? ''}/review`,
      )
      assert.equal(reviewForm.statusCode, 200)
      assert.match(reviewForm.body, /value="accepted" checked/)
      const noOutcome = await as('assessor').post(`/assessments/${assessmentId}/close`, {})
      assert.deepEqual(summaryOf(noOutcome.body), ['Select the outcome of the assessment'])
      const response = await as('assessor').post(`/assessments/${assessmentId}/close`, {
        outcome: 'satisfactory-with-actions',
      })
      assert.equal(response.statusCode, 303)
      await assertOneEntry(response, 'assessor', 'assessment.closed')
      const row = await assessment()
      assert.equal(row.status, 'closed')
      assert.equal(row.outcome, 'satisfactory-with-actions')
      assert.equal(row.closed_by, people.get('assessor')?.id)
      assert.equal((await answer(emailRequirements[2] ?? ''))?.review, 'rejected')
      const page = await as('contributor').get(`/assessments/${assessmentId}`)
      assert.match(page.body, /Satisfactory with actions/)
    })

    it('answers another supplier’s people as not found, changing nothing, and records the attempt', async () => {
      const view = await as('fabrikam-admin').get(`/assessments/${assessmentId}`)
      assert.equal(view.statusCode, 404)
      const list = await as('fabrikam-admin').get(`/suppliers/${contoso}/assessments`)
      assert.equal(list.statusCode, 404)
      const [first = ''] = emailRequirements
      const earlier = await answer(first)
      const response = await as('fabrikam-admin').post(`/assessments/${assessmentId}/requirements/${first}`, {
        status: 'not-met',
        justification: 'Sabotage',
      })
      assert.equal(response.statusCode, 404)
      assert.deepEqual(await answer(first), earlier)
      await assertOneEntry(response, 'fabrikam-admin', 'access.denied', 'denied')
      const own = await as('fabrikam-admin').get(`/suppliers/${fabrikam}/assessments`)
      assert.equal(own.statusCode, 200)
      assert.match(own.body, /No self-assessments have been opened/)
    })
  })
}
