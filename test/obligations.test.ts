import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { FastifyInstance } from 'fastify'
import { browserFor, startApp } from './helpers/app.ts'
import { engines, type TestStore } from './helpers/stores.ts'
import { buildPerson, sessionCookieFor } from './helpers/people.ts'
import { startSmtp } from './helpers/smtp.ts'
import type { Services } from '../src/services.ts'
import type { Role } from '../src/identity/roles.ts'
import { loadCatalogue } from '../src/catalogue/load.ts'
import { durationParameter } from '../src/catalogue/catalogue.ts'
import { addDuration } from '../src/platform/duration.ts'
import { sweepDeadlines } from '../src/deadlines/deadlines.ts'
import {
  DATA_MAPPING_INTERVAL,
  INCIDENT_RESPONSE_TEST_INTERVAL,
  OBLIGATION_KINDS,
  intervalOf,
  obligationKind,
} from '../src/obligations/kinds.ts'
import { CHECKLISTS, PHASES } from '../src/obligations/lifecycle.ts'
import { ATTESTATION_MISSING, DUE_IN_PAST, RETURN_NEEDS_COMMENT, SELECT_KIND } from '../src/obligations/forms.ts'
import { ALREADY_SCHEDULED, completeObligation } from '../src/obligations/obligations.ts'
import { SERVICE_NAME_TAKEN, UNKNOWN_ITEM } from '../src/obligations/privacy.ts'
import { instanceState } from '../src/obligations/presenters.ts'
import type { DeadlineStagesTable } from '../src/platform/db/schema.ts'
import { createApiToken } from '../src/identity/api-tokens.ts'
import { findUserById } from '../src/identity/store.ts'
import { AssureError } from '../src/platform/errors.ts'

/** The GOV.UK error summary's messages on a page. */
const summaryOf = (html: string) =>
  [
    ...(/govuk-error-summary__list">([\s\S]*?)<\/ul>/.exec(html)?.[1] ?? '').matchAll(/<a href="[^"]*">([^<]*)<\/a>/g),
  ].map(m => m[1]?.trim())

const AUTHORITY = { kind: 'authority' as const, name: 'Ministry of Justice' }
const CONTOSO = { kind: 'supplier' as const, name: 'Contoso Ltd' }
const FABRIKAM = { kind: 'supplier' as const, name: 'Fabrikam Ltd' }

describe('obligation kinds and the privacy lifecycle as data', () => {
  const catalogue = loadCatalogue()

  it('puts a real catalogue requirement behind every kind, and takes the guidance’s numbers from the catalogue', () => {
    for (const kind of OBLIGATION_KINDS) {
      assert.ok(
        catalogue.requirements.some(r => r.id === kind.requirement),
        `${kind.id} cites ${kind.requirement}`,
      )
    }
    const interval = (id: string) => intervalOf(obligationKind(id) ?? assert.fail(id), catalogue)
    assert.equal(interval('privileged-account-audit'), 'P1M')
    assert.equal(interval('backup-restore-test'), 'P3M')
    assert.equal(interval('control-review'), 'P12M')
    assert.equal(interval('data-mapping'), DATA_MAPPING_INTERVAL)
    assert.equal(interval('incident-response-plan-test'), INCIDENT_RESPONSE_TEST_INTERVAL)
    assert.equal(interval('dpia'), null)
  })

  it('lists the guidance’s expectations for every phase, citing requirements that exist', () => {
    assert.deepEqual(PHASES, ['discovery', 'alpha', 'beta', 'live', 'post-live'])
    for (const phase of PHASES) {
      assert.ok(CHECKLISTS[phase].length > 0, phase)
      for (const item of CHECKLISTS[phase]) {
        if (item.requirement !== null)
          assert.ok(
            catalogue.requirements.some(r => r.id === item.requirement),
            item.id,
          )
      }
    }
    assert.deepEqual(
      CHECKLISTS.beta.map(item => item.requirement),
      ['DSP-20', 'DSP-21', 'DSP-22', 'DSP-23', 'DSP-24'],
    )
  })

  it('shows an open instance as pending, due soon, overdue and breached as its clock runs', () => {
    const due = new Date('2027-01-10T23:59:59.000Z')
    const stage = {
      stage_key: 'backup-restore-test',
      title: 'Test restoring from backup',
      starts_at: '2026-12-01T00:00:00.000Z',
      due_at: due.toISOString(),
      responsible: 'supplier-contact',
      reminder_offsets: JSON.stringify(['P7D', 'P1D']),
      escalation: '[]',
      breach_after: 'P7D',
    } as DeadlineStagesTable
    const open = { status: 'open' as const }
    assert.equal(instanceState(open, stage, new Date('2027-01-01T00:00:00.000Z')), 'pending')
    assert.equal(instanceState(open, stage, new Date('2027-01-05T00:00:00.000Z')), 'due-soon')
    assert.equal(instanceState(open, stage, new Date('2027-01-12T00:00:00.000Z')), 'overdue')
    assert.equal(instanceState(open, stage, new Date('2027-01-18T00:00:00.000Z')), 'breached')
    assert.equal(
      instanceState({ status: 'awaiting-review' }, stage, new Date('2027-01-18T00:00:00.000Z')),
      'awaiting-review',
    )
    assert.equal(instanceState({ status: 'accepted' }, stage, new Date('2027-01-18T00:00:00.000Z')), 'accepted')
  })
})

for (const engine of engines()) {
  describe(`recurring obligations and the privacy lifecycle on ${engine.name}`, () => {
    let store: TestStore
    let app: FastifyInstance
    let services: Services
    let close: () => Promise<void>
    let smtp: Awaited<ReturnType<typeof startSmtp>>
    // A frozen clock: every due date and notice is computed from it.
    const clock = new Date('2026-12-04T10:00:00.000Z')
    let contoso = ''
    let fabrikam = ''
    const people = new Map<string, { id: string; email: string; cookie: string }>()

    const person = async (
      key: string,
      roles: Role[],
      organisation: { kind: 'authority' | 'supplier'; name: string },
    ) => {
      const built = await buildPerson(services.store.db, { roles, organisation })
      people.set(key, {
        id: built.id,
        email: built.email,
        cookie: await sessionCookieFor(services.store.db, built.id, clock),
      })
      return built
    }
    const as = (key: string) => browserFor(app, people.get(key)?.cookie)
    const idOf = (key: string) => people.get(key)?.id
    const ledgerFor = async (requestId: unknown) =>
      services.store.db
        .selectFrom('audit_entries')
        .select(['action', 'user_id', 'outcome', 'target_id', 'details'])
        .where('request_id', '=', String(requestId))
        .execute()
    const count = async (
      table: 'obligation_schedules' | 'obligation_instances' | 'deadline_stages' | 'supplier_services',
    ) =>
      Number(
        (
          await services.store.db
            .selectFrom(table)
            .select(e => e.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      )
    const counts = async () => ({
      schedules: await count('obligation_schedules'),
      instances: await count('obligation_instances'),
      stages: await count('deadline_stages'),
      services: await count('supplier_services'),
    })
    const instancesOf = async (kind: string) =>
      services.store.db
        .selectFrom('obligation_instances')
        .selectAll()
        .where('organisation_id', '=', contoso)
        .where('kind', '=', kind)
        .orderBy('due_at')
        .execute()
    const stageOf = async (instanceId: string) =>
      services.store.db
        .selectFrom('deadline_stages')
        .selectAll()
        .where('subject_type', '=', 'obligation')
        .where('subject_id', '=', instanceId)
        .executeTakeFirstOrThrow()
    const start = async (kind: string, day: string, month: string, year: string, who = 'assessor') =>
      as(who).post(`/suppliers/${contoso}/obligations/new`, {
        kind,
        'firstDue-day': day,
        'firstDue-month': month,
        'firstDue-year': year,
      })
    const url = (instanceId: string, action: 'complete' | 'review', supplier = contoso) =>
      `/suppliers/${supplier}/obligations/${instanceId}/${action}`
    const COMPLETION = {
      description: 'Restored the case database from the 1 December backup into the recovery account; all rows matched.',
      evidence: 'https://evidence.contoso.example/restore-tests/2026-12',
      attestation: 'yes',
    }
    const complete = async (instanceId: string, who = 'contoso-contributor') => {
      const response = await as(who).post(url(instanceId, 'complete'), COMPLETION)
      assert.equal(response.statusCode, 303, summaryOf(response.body).join('; '))
      return response
    }
    const accept = async (instanceId: string) => {
      const response = await as('assessor').post(url(instanceId, 'review'), { decision: 'accept' })
      assert.equal(response.statusCode, 303, summaryOf(response.body).join('; '))
      return response
    }

    before(async () => {
      store = await engine.create()
      smtp = await startSmtp()
      ;({ app, services, close } = await startApp(store, { env: { ASSURE_SMTP_URL: smtp.url }, now: () => clock }))
      await person('admin', ['authority-admin'], AUTHORITY)
      await person('assessor', ['security-assessor'], AUTHORITY)
      await person('viewer', ['authority-viewer'], AUTHORITY)
      contoso = (await person('contoso-admin', ['supplier-admin'], CONTOSO)).organisationId
      await person('contoso-contributor', ['supplier-contributor'], CONTOSO)
      await person('contoso-signatory', ['supplier-signatory'], CONTOSO)
      fabrikam = (await person('fabrikam-admin', ['supplier-admin'], FABRIKAM)).organisationId
    })
    after(async () => {
      services.mailer.close()
      await close()
      await smtp.close()
      await store.dispose()
    })

    it('starts a monthly schedule whose first instance is a deadline stage, with one ledger entry', async () => {
      const response = await start('privileged-account-audit', '10', '12', '2026')
      assert.equal(response.statusCode, 303, summaryOf(response.body).join('; '))
      assert.equal(response.headers.location, `/suppliers/${contoso}/obligations?done=started`)
      const [instance] = await instancesOf('privileged-account-audit')
      assert.ok(instance)
      assert.equal(instance.due_at, '2026-12-10T23:59:59.000Z')
      assert.equal(instance.status, 'open')
      const entries = await ledgerFor(response.headers['x-request-id'])
      assert.deepEqual(
        entries.map(e => [e.action, e.user_id, e.outcome]),
        [['obligation.schedule.started', idOf('assessor'), 'success']],
      )
      assert.equal(JSON.parse(entries[0]?.details ?? '{}').interval, 'P1M')
      const stage = await stageOf(instance.id)
      assert.equal(stage.organisation_id, contoso)
      assert.equal(stage.stage_key, 'privileged-account-audit')
      assert.equal(stage.due_at, instance.due_at)
      assert.equal(stage.status, 'open')
      assert.equal(stage.responsible, 'supplier-contact')

      const page = await as('contoso-contributor').get(`/suppliers/${contoso}/obligations`)
      assert.equal(page.statusCode, 200)
      assert.match(page.body, /Audit the ownership and use of privileged accounts/)
      assert.match(page.body, /10 December 2026/)
      assert.match(page.body, /govuk-tag--yellow">Due soon/)
      assert.match(page.body, /1 month/)
    })

    it('refuses a past first due date, an unknown kind, a missing date and a second schedule, saving nothing', async () => {
      const was = await counts()
      const cases: Array<[Record<string, string>, string[]]> = [
        [
          { kind: 'backup-restore-test', 'firstDue-day': '3', 'firstDue-month': '12', 'firstDue-year': '2026' },
          [DUE_IN_PAST],
        ],
        [{ kind: 'no-such-kind', 'firstDue-day': '3', 'firstDue-month': '1', 'firstDue-year': '2027' }, [SELECT_KIND]],
        [{ kind: 'dpia', 'firstDue-day': '3', 'firstDue-month': '1', 'firstDue-year': '2027' }, [SELECT_KIND]],
        [
          { 'firstDue-day': '31', 'firstDue-month': '2', 'firstDue-year': '2027' },
          [SELECT_KIND, 'The first due date must be a real date'],
        ],
        [{ kind: 'backup-restore-test' }, ['Enter the first due date']],
        [
          { kind: 'privileged-account-audit', 'firstDue-day': '3', 'firstDue-month': '1', 'firstDue-year': '2027' },
          [ALREADY_SCHEDULED],
        ],
      ]
      for (const [form, messages] of cases) {
        const response = await as('assessor').post(`/suppliers/${contoso}/obligations/new`, form)
        assert.equal(response.statusCode, 400, JSON.stringify(form))
        assert.deepEqual(summaryOf(response.body), messages, JSON.stringify(form))
      }
      assert.deepEqual(await counts(), was)
    })

    it('lets only the Authority start schedules, and answers other suppliers’ people as not found', async () => {
      assert.equal((await start('backup-restore-test', '4', '12', '2026', 'contoso-admin')).statusCode, 403)
      assert.equal((await start('backup-restore-test', '4', '12', '2026', 'viewer')).statusCode, 403)
      const [instance] = await instancesOf('privileged-account-audit')
      assert.ok(instance)
      const was = await counts()
      assert.equal((await as('fabrikam-admin').get(`/suppliers/${contoso}/obligations`)).statusCode, 404)
      assert.equal((await as('fabrikam-admin').get(`/suppliers/${contoso}/privacy`)).statusCode, 404)
      assert.equal((await as('fabrikam-admin').get(url(instance.id, 'complete'))).statusCode, 404)
      // Through their own supplier's address, another supplier's instance is not there either.
      assert.equal((await as('fabrikam-admin').get(url(instance.id, 'complete', fabrikam))).statusCode, 404)
      const refused = await as('fabrikam-admin').post(url(instance.id, 'complete'), COMPLETION)
      assert.equal(refused.statusCode, 404)
      assert.equal((await as('contoso-contributor').get(url('no-such-instance', 'complete'))).statusCode, 404)
      assert.deepEqual(await counts(), was)
      assert.equal((await instancesOf('privileged-account-audit'))[0]?.status, 'open')
      assert.equal((await as('viewer').get(`/suppliers/${contoso}/obligations`)).statusCode, 200)
    })

    it('refuses a completion without the attestation or with a non-https link, changing nothing', async () => {
      const [instance] = await instancesOf('privileged-account-audit')
      assert.ok(instance)
      const form = await as('contoso-contributor').get(url(instance.id, 'complete'))
      assert.equal(form.statusCode, 200)
      assert.match(form.body, /I confirm this was carried out as described/)
      const cases: Array<[Record<string, string>, string[]]> = [
        [{ description: COMPLETION.description, evidence: COMPLETION.evidence }, [ATTESTATION_MISSING]],
        [
          { ...COMPLETION, evidence: 'http://evidence.contoso.example/audit' },
          ['Enter a link that starts with https://, or a document reference'],
        ],
        [
          { ...COMPLETION, evidence: 'mailto:security@contoso.example' },
          ['Enter a link that starts with https://, or a document reference'],
        ],
        [{ attestation: 'yes' }, ['Enter what was done', 'Enter a link to the evidence or its document reference']],
      ]
      for (const [body, messages] of cases) {
        const response = await as('contoso-contributor').post(url(instance.id, 'complete'), body)
        assert.equal(response.statusCode, 400)
        assert.deepEqual(summaryOf(response.body), messages)
      }
      const stored = await instancesOf('privileged-account-audit')
      assert.equal(stored[0]?.status, 'open')
      assert.equal(stored[0]?.evidence_link, null)
      assert.equal((await stageOf(instance.id)).status, 'open')
    })

    it('completes with evidence and attestation: awaiting review, the stage done, one ledger entry', async () => {
      const [instance] = await instancesOf('privileged-account-audit')
      assert.ok(instance)
      // A document reference is evidence too.
      const response = await as('contoso-contributor').post(url(instance.id, 'complete'), {
        ...COMPLETION,
        evidence: 'Ref: PAM-AUDIT-2026-12 v1',
      })
      assert.equal(response.statusCode, 303)
      const entries = await ledgerFor(response.headers['x-request-id'])
      assert.deepEqual(
        entries.map(e => [e.action, e.user_id, e.target_id]),
        [['obligation.completed', idOf('contoso-contributor'), instance.id]],
      )
      assert.equal(JSON.parse(entries[0]?.details ?? '{}').attested, true)
      const [stored] = await instancesOf('privileged-account-audit')
      assert.equal(stored?.status, 'awaiting-review')
      assert.equal(stored?.completed_by, idOf('contoso-contributor'))
      assert.equal(stored?.evidence_link, 'Ref: PAM-AUDIT-2026-12 v1')
      const stage = await stageOf(instance.id)
      assert.equal(stage.status, 'done')
      assert.equal(stage.completed_by, idOf('contoso-contributor'))
      const again = await as('contoso-contributor').post(url(instance.id, 'complete'), COMPLETION)
      assert.equal(again.statusCode, 400)
      assert.deepEqual(summaryOf(again.body), ['This obligation is not waiting to be completed'])
      const page = await as('assessor').get(`/suppliers/${contoso}/obligations`)
      assert.match(page.body, /govuk-tag--blue">Awaiting review/)
    })

    it('accepting a monthly obligation schedules the next exactly one catalogue interval after the previous due date', async () => {
      const [instance] = await instancesOf('privileged-account-audit')
      assert.ok(instance)
      const was = await counts()
      const review = await as('assessor').get(url(instance.id, 'review'))
      assert.equal(review.statusCode, 200)
      assert.match(review.body, /Ref: PAM-AUDIT-2026-12 v1/)
      const response = await accept(instance.id)
      assert.equal(response.headers.location, `/suppliers/${contoso}/obligations?done=accepted`)
      const [first, next] = await instancesOf('privileged-account-audit')
      assert.equal(first?.status, 'accepted')
      assert.equal(first?.reviewed_by, idOf('assessor'))
      const interval = durationParameter(services.catalogue, 'privileged-account-audit-interval')
      assert.equal(interval, 'P1M')
      assert.equal(next?.due_at, addDuration(new Date(instance.due_at), interval).toISOString())
      assert.equal(next?.due_at, '2027-01-10T23:59:59.000Z')
      assert.equal(next?.status, 'open')
      assert.equal(next?.schedule_id, instance.schedule_id)
      assert.equal((await stageOf(next?.id ?? '')).status, 'open')
      const entries = await ledgerFor(response.headers['x-request-id'])
      assert.deepEqual(
        entries.map(e => [e.action, e.user_id, e.target_id]),
        [['obligation.accepted', idOf('assessor'), instance.id]],
      )
      assert.deepEqual(
        { next: JSON.parse(entries[0]?.details ?? '{}').nextDueAt },
        { next: '2027-01-10T23:59:59.000Z' },
      )
      assert.deepEqual(await counts(), { ...was, instances: was.instances + 1, stages: was.stages + 1 })
      const page = await as('contoso-admin').get(`/suppliers/${contoso}/obligations`)
      assert.match(page.body, /10 January 2027/)
      assert.match(page.body, /govuk-tag--green">Accepted/)
      // Accepting twice does not schedule twice.
      const twice = await as('assessor').post(url(instance.id, 'review'), { decision: 'accept' })
      assert.equal(twice.statusCode, 400)
      assert.deepEqual(summaryOf(twice.body), ['This obligation is not waiting for review'])
      assert.equal((await instancesOf('privileged-account-audit')).length, 2)
    })

    it('returns a 3-monthly one with a comment, re-opening it; once accepted the next is due P3M later', async () => {
      assert.equal((await start('backup-restore-test', '15', '12', '2026')).statusCode, 303)
      const [instance] = await instancesOf('backup-restore-test')
      assert.ok(instance)
      await complete(instance.id)
      const noComment = await as('assessor').post(url(instance.id, 'review'), { decision: 'return' })
      assert.equal(noComment.statusCode, 400)
      assert.deepEqual(summaryOf(noComment.body), [RETURN_NEEDS_COMMENT])
      assert.deepEqual(summaryOf((await as('assessor').post(url(instance.id, 'review'), {})).body), [
        'Select whether to accept it or return it to the supplier',
      ])
      assert.equal((await instancesOf('backup-restore-test'))[0]?.status, 'awaiting-review')

      const returned = await as('assessor').post(url(instance.id, 'review'), {
        decision: 'return',
        comment: 'Say which backup set was restored and attach the checksum comparison.',
      })
      assert.equal(returned.statusCode, 303)
      assert.deepEqual(
        (await ledgerFor(returned.headers['x-request-id'])).map(e => e.action),
        ['obligation.returned'],
      )
      const [reopened] = await instancesOf('backup-restore-test')
      assert.equal(reopened?.status, 'open')
      assert.equal(reopened?.review_comment, 'Say which backup set was restored and attach the checksum comparison.')
      const stage = await stageOf(instance.id)
      assert.equal(stage.status, 'open')
      assert.equal(stage.completed_at, null)
      const form = await as('contoso-contributor').get(url(instance.id, 'complete'))
      assert.match(form.body, /Returned by the Authority: Say which backup set was restored/)

      await complete(instance.id)
      await accept(instance.id)
      const [, next] = await instancesOf('backup-restore-test')
      assert.equal(durationParameter(services.catalogue, 'backup-test-interval'), 'P3M')
      assert.equal(next?.due_at, '2027-03-15T23:59:59.000Z')
    })

    it('schedules a 12-monthly control review 12 months on, keeping to the calendar', async () => {
      assert.equal((await start('control-review', '31', '1', '2027')).statusCode, 303)
      const [instance] = await instancesOf('control-review')
      assert.ok(instance)
      await complete(instance.id, 'contoso-admin')
      await accept(instance.id)
      const [, next] = await instancesOf('control-review')
      assert.equal(durationParameter(services.catalogue, 'control-review-interval'), 'P12M')
      assert.equal(next?.due_at, '2028-01-31T23:59:59.000Z')
    })

    it('never lets the person who completed an obligation review it', async () => {
      // Someone holding both sides' roles (a misconfiguration the role rules do not forbid) still cannot.
      await person('dual', ['supplier-contributor', 'security-assessor'], CONTOSO)
      assert.equal((await start('data-mapping', '20', '12', '2026')).statusCode, 303)
      const [instance] = await instancesOf('data-mapping')
      assert.ok(instance)
      await complete(instance.id, 'dual')
      const was = await counts()
      const response = await as('dual').post(url(instance.id, 'review'), { decision: 'accept' })
      assert.equal(response.statusCode, 403)
      assert.match(response.body, /You cannot approve an obligation you made yourself; another person must approve it/)
      assert.deepEqual(
        (await ledgerFor(response.headers['x-request-id'])).map(e => [e.action, e.outcome]),
        [['http.request.refused', 'denied']],
      )
      assert.equal((await instancesOf('data-mapping'))[0]?.status, 'awaiting-review')
      assert.deepEqual(await counts(), was)
      // Another assessor may, and the yearly default applies.
      await accept(instance.id)
      assert.equal((await instancesOf('data-mapping'))[1]?.due_at, '2027-12-20T23:59:59.000Z')
    })

    it('refuses the same bad completions when called without the form, saving nothing', async () => {
      assert.equal((await start('incident-response-plan-test', '4', '12', '2026')).statusCode, 303)
      const [instance] = await instancesOf('incident-response-plan-test')
      assert.ok(instance)
      const user = (await findUserById(services.store.db, idOf('contoso-contributor') ?? '')) ?? assert.fail('no user')
      const caller = { user, actor: { type: 'user' as const, id: user.id, organisationId: user.organisationId } }
      const attempt = (overrides: { evidence?: string; attested?: boolean }) =>
        completeObligation(
          { db: services.store.db, now: () => clock, catalogue: services.catalogue },
          {
            caller,
            supplierId: contoso,
            instanceId: instance.id,
            description: COMPLETION.description,
            evidence: COMPLETION.evidence,
            attested: true,
            ...overrides,
          },
        )
      const refusal = (path: string, message: string) => (error: unknown) =>
        error instanceof AssureError &&
        error.code === 'VALIDATION_FAILED' &&
        error.problems.length === 1 &&
        error.problems[0]?.path === path &&
        error.problems[0]?.message === message
      await assert.rejects(attempt({ attested: false }), refusal('attestation', ATTESTATION_MISSING))
      await assert.rejects(
        attempt({ evidence: 'ftp://files.contoso.example/x' }),
        refusal('evidence', 'Enter a link that starts with https://, or a document reference'),
      )
      assert.equal((await instancesOf('incident-response-plan-test'))[0]?.status, 'open')
      assert.equal((await stageOf(instance.id)).status, 'open')
    })

    it('serves a supplier’s obligations over the API, a supplier token seeing only its own', async () => {
      const tokenFor = async (key: string) => {
        const record = (await findUserById(services.store.db, idOf(key) ?? '')) ?? assert.fail(key)
        return (
          await createApiToken(services.identityDeps, record, { name: 'Test', scopes: ['suppliers:read'], days: 7 }, {})
        ).token
      }
      const api = (path: string, token: string) =>
        app.inject({ url: path, headers: { authorization: `Bearer ${token}` } })
      const own = await api(`/api/v1/suppliers/${contoso}/obligations`, await tokenFor('contoso-contributor'))
      assert.equal(own.statusCode, 200)
      const body = own.json()
      assert.equal(body.supplierId, contoso)
      assert.deepEqual(
        body.schedules.map((s: { kind: string; every: string }) => [s.kind, s.every]),
        [
          ['privileged-account-audit', '1 month'],
          ['backup-restore-test', '3 months'],
          ['control-review', '12 months'],
          ['data-mapping', '12 months'],
          ['incident-response-plan-test', '12 months'],
        ],
      )
      const states = body.instances.map((i: { kind: string; state: string; dueAt: string }) => [
        i.kind,
        i.state,
        i.dueAt,
      ])
      assert.deepEqual(states[0], ['incident-response-plan-test', 'due-soon', '2026-12-04T23:59:59.000Z'])
      assert.ok(states.some((s: string[]) => s[0] === 'privileged-account-audit' && s[1] === 'accepted'))
      const other = await api(`/api/v1/suppliers/${contoso}/obligations`, await tokenFor('fabrikam-admin'))
      assert.equal(other.statusCode, 404)
      assert.equal(other.headers['content-type'], 'application/problem+json; charset=utf-8')
    })

    it('reminds, escalates up the ladder and records the breach of an overdue obligation through the sweep', async () => {
      const [instance] = await instancesOf('incident-response-plan-test')
      assert.ok(instance)
      const due = new Date(instance.due_at)
      const sweepAt = async (at: Date) => {
        const sentBefore = smtp.messages.length
        await sweepDeadlines({ db: services.store.db, mailer: services.mailer, now: () => at })
        return smtp.messages
          .slice(sentBefore)
          .filter(mail => mail.raw.includes('Test the incident response and management plan'))
      }
      const noticesOf = async () =>
        (
          await services.store.db
            .selectFrom('deadline_notices')
            .innerJoin('deadline_stages', 'deadline_stages.id', 'deadline_notices.stage_id')
            .select(['deadline_notices.notice_key', 'deadline_notices.status'])
            .where('deadline_stages.subject_id', '=', instance.id)
            .orderBy('deadline_notices.claimed_at')
            .orderBy('deadline_notices.notice_key')
            .execute()
        ).map(row => `${row.notice_key}:${row.status}`)

      const reminder = await sweepAt(new Date('2026-12-04T12:00:00.000Z'))
      assert.deepEqual(
        reminder.flatMap(mail => mail.to),
        [people.get('contoso-admin')?.email],
      )
      assert.match(reminder[0]?.raw ?? '', /Subject: Due in 1 day: Test the incident response and management plan/)

      const first = await sweepAt(addDuration(due, 'P1DT1M'))
      assert.deepEqual(
        first.flatMap(mail => mail.to),
        [people.get('contoso-signatory')?.email],
      )
      assert.match(first[0]?.raw ?? '', /Subject: Overdue: Test the incident response and management plan/)
      const second = await sweepAt(addDuration(due, 'P3DT1M'))
      assert.deepEqual(
        second.flatMap(mail => mail.to),
        [people.get('assessor')?.email],
      )
      const third = await sweepAt(addDuration(due, 'P7DT1M'))
      assert.deepEqual(
        third.flatMap(mail => mail.to),
        [people.get('admin')?.email],
      )
      assert.deepEqual((await noticesOf()).sort(), [
        'breach:recorded',
        'escalation:1:sent',
        'escalation:2:sent',
        'escalation:3:sent',
        'reminder:P1D:sent',
      ])
      const breach = await services.store.db
        .selectFrom('audit_entries')
        .select(['actor_id', 'details'])
        .where('action', '=', 'deadlines.stage.breached')
        .execute()
      assert.ok(breach.some(entry => JSON.parse(entry.details).subject === `obligation:${instance.id}`))
      // Once done, nothing more is sent for it.
      await complete(instance.id)
      assert.deepEqual(await sweepAt(addDuration(due, 'P30D')), [])
    })

    it('adds a service with a DPIA, ticks its checklist, and opens a new DPIA when it changes phase', async () => {
      const was = await counts()
      const added = await as('contoso-contributor').post(`/suppliers/${contoso}/privacy/new`, {
        name: 'Case management',
        phase: 'discovery',
      })
      assert.equal(added.statusCode, 303, summaryOf(added.body).join('; '))
      assert.deepEqual(
        (await ledgerFor(added.headers['x-request-id'])).map(e => e.action),
        ['privacy.service.added'],
      )
      const service = await services.store.db
        .selectFrom('supplier_services')
        .selectAll()
        .where('organisation_id', '=', contoso)
        .executeTakeFirstOrThrow()
      assert.equal(service.phase, 'discovery')
      let dpias = await instancesOf('dpia')
      assert.equal(dpias.length, 1)
      assert.equal(dpias[0]?.service_id, service.id)
      assert.equal(dpias[0]?.due_at, addDuration(clock, 'P30D').toISOString())
      assert.equal((await stageOf(dpias[0]?.id ?? '')).status, 'open')
      assert.deepEqual(await counts(), {
        ...was,
        services: was.services + 1,
        instances: was.instances + 1,
        stages: was.stages + 1,
      })

      const duplicate = await as('contoso-admin').post(`/suppliers/${contoso}/privacy/new`, {
        name: 'Case management',
        phase: 'alpha',
      })
      assert.equal(duplicate.statusCode, 400)
      assert.deepEqual(summaryOf(duplicate.body), [SERVICE_NAME_TAKEN])
      assert.deepEqual(summaryOf((await as('contoso-admin').post(`/suppliers/${contoso}/privacy/new`, {})).body), [
        'Enter the name of the service',
        'Select the phase the service is in',
      ])

      const checklistUrl = `/suppliers/${contoso}/privacy/${service.id}/checklist`
      const unknown = await as('contoso-contributor').post(checklistUrl, { items: ['DSP-12', 'DSP-99'] })
      assert.equal(unknown.statusCode, 400)
      assert.deepEqual(summaryOf(unknown.body), [UNKNOWN_ITEM])
      assert.equal((await services.store.db.selectFrom('privacy_checklist_items').selectAll().execute()).length, 0)
      const ticked = await as('contoso-contributor').post(checklistUrl, { items: ['DSP-12', 'DSP-14'] })
      assert.equal(ticked.statusCode, 303)
      assert.deepEqual(
        (await ledgerFor(ticked.headers['x-request-id'])).map(e => e.action),
        ['privacy.checklist.updated'],
      )
      const rows = await services.store.db
        .selectFrom('privacy_checklist_items')
        .select(['item_id', 'checked'])
        .where('service_id', '=', service.id)
        .orderBy('item_id')
        .execute()
      assert.deepEqual(
        rows.map(row => [row.item_id, Number(row.checked)]),
        [
          ['DSP-12', 1],
          ['DSP-13', 0],
          ['DSP-14', 1],
          ['DSP-15', 0],
          ['DSP-16', 0],
        ],
      )
      const page = await as('viewer').get(`/suppliers/${contoso}/privacy`)
      assert.equal(page.statusCode, 200)
      assert.match(page.body, /2 of 5 expectations met/)

      const phaseUrl = `/suppliers/${contoso}/privacy/${service.id}/phase`
      assert.equal((await as('contoso-contributor').get(phaseUrl)).statusCode, 200)
      const moved = await as('contoso-contributor').post(phaseUrl, { phase: 'alpha' })
      assert.equal(moved.statusCode, 303, summaryOf(moved.body).join('; '))
      const movedEntries = await ledgerFor(moved.headers['x-request-id'])
      assert.deepEqual(
        movedEntries.map(e => e.action),
        ['privacy.service.phase_changed'],
      )
      dpias = await instancesOf('dpia')
      assert.equal(dpias.length, 2)
      assert.ok(dpias.every(dpia => dpia.service_id === service.id))
      assert.equal(JSON.parse(movedEntries[0]?.details ?? '{}').dpiaInstanceId, dpias[1]?.id)
      const alphaStage = await stageOf(dpias[1]?.id ?? '')
      assert.match(alphaStage.title, /Case management \(Alpha\)/)

      const backwards = await as('contoso-contributor').post(phaseUrl, { phase: 'discovery' })
      assert.equal(backwards.statusCode, 400)
      assert.deepEqual(summaryOf(backwards.body), ['Select a phase after Alpha'])
      assert.equal((await instancesOf('dpia')).length, 2)
      const alphaPage = await as('contoso-admin').get(`/suppliers/${contoso}/privacy`)
      assert.match(alphaPage.body, /data-phase>Alpha</)
      assert.match(alphaPage.body, /0 of 3 expectations met/)
      assert.match(alphaPage.body, /The development team can say how their work ensures compliance/)

      // The DPIA is an obligation like the others: the supplier completes it, the Authority accepts it, once.
      await complete(dpias[1]?.id ?? '')
      await accept(dpias[1]?.id ?? '')
      assert.equal((await instancesOf('dpia')).length, 2)

      // Other suppliers' people cannot reach the service.
      assert.equal((await as('fabrikam-admin').post(phaseUrl, { phase: 'beta' })).statusCode, 404)
      assert.equal((await as('fabrikam-admin').post(checklistUrl, { items: ['DSP-17'] })).statusCode, 404)
      assert.equal(
        (await as('fabrikam-admin').get(`/suppliers/${fabrikam}/privacy/${service.id}/phase`)).statusCode,
        404,
      )
      assert.equal(
        (await services.store.db.selectFrom('supplier_services').select('phase').executeTakeFirstOrThrow()).phase,
        'alpha',
      )
    })
  })
}
