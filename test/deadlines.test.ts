import { after, afterEach, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { loadCatalogue } from '../src/catalogue/load.ts'
import type { Catalogue } from '../src/catalogue/catalogue.ts'
import { bootstrap } from '../src/bootstrap.ts'
import type { Services } from '../src/services.ts'
import { noticesDue, planStages, stageState, type StagePlan, type Subject } from '../src/deadlines/stages.ts'
import { completeStage, openStages, stagesFor, sweepDeadlines, type DeadlineDeps } from '../src/deadlines/deadlines.ts'
import { testConfig } from './helpers/app.ts'
import { engines, type TestStore } from './helpers/stores.ts'
import { startSmtp } from './helpers/smtp.ts'
import { buildPerson } from './helpers/people.ts'

const DAY = 24 * 60 * 60_000
const ISSUED = new Date('2026-12-01T09:00:00.000Z')
const at = (days: number, extraMs = 0) => new Date(ISSUED.getTime() + days * DAY + extraMs)
const catalogue = loadCatalogue()

function salStage(stageKey: string): StagePlan {
  const stage = planStages('security-aspects-letter', ISSUED, catalogue).find(s => s.stageKey === stageKey)
  assert.ok(stage, `no ${stageKey} stage`)
  return stage
}

describe('planning deadline stages from the catalogue', () => {
  it('plans a Security Aspects Letter’s three stages from issue: 14, 28 and 28 days', () => {
    const stages = planStages('security-aspects-letter', ISSUED, catalogue)
    assert.deepEqual(
      stages.map(s => [s.stageKey, s.dueAt.toISOString(), s.responsible]),
      [
        ['acknowledge-receipt', '2026-12-15T09:00:00.000Z', 'supplier-contact'],
        ['confirm-personnel-briefed', '2026-12-29T09:00:00.000Z', 'supplier-signatory'],
        ['copy-subcontractor-sals', '2026-12-29T09:00:00.000Z', 'supplier-contact'],
      ],
    )
    assert.deepEqual(stages[0]?.reminderOffsets, ['P7D', 'P1D'])
    assert.deepEqual(
      stages[0]?.escalation.map(rung => `${rung.after}:${rung.notify}`),
      ['P1D:supplier-signatory', 'P3D:authority-contract-owner', 'P7D:authority-admin'],
    )
  })

  it('reads the acknowledgement period from the catalogue, not from the code', () => {
    const original = catalogue.parameters.get('sal-acknowledgement-period')
    assert.ok(original?.type === 'duration')
    const changed: Catalogue = {
      ...catalogue,
      parameters: new Map(catalogue.parameters).set('sal-acknowledgement-period', { ...original, value: 'P10D' }),
    }
    const [acknowledge, confirm] = planStages('security-aspects-letter', ISSUED, changed)
    assert.equal(acknowledge?.dueAt.toISOString(), '2026-12-11T09:00:00.000Z')
    assert.equal(confirm?.dueAt.toISOString(), '2026-12-29T09:00:00.000Z', 'the other periods are unchanged')
  })

  it('plans data return 30 days after contract end and the failed-destruction report 24 hours after identification', () => {
    const [returnData] = planStages('data-return', ISSUED, catalogue)
    assert.equal(returnData?.stageKey, 'return-data')
    assert.equal(returnData?.dueAt.toISOString(), '2026-12-31T09:00:00.000Z')
    const [report] = planStages('failed-destruction-report', ISSUED, catalogue)
    assert.equal(report?.stageKey, 'report-failed-destruction')
    assert.equal(report?.dueAt.toISOString(), '2026-12-02T09:00:00.000Z')
    assert.deepEqual(report?.reminderOffsets, ['PT12H', 'PT2H'])
  })
})

describe('a Security Aspects Letter’s acknowledgement clock', () => {
  const stage = salStage('acknowledge-receipt')
  const state = (when: Date, completedAt: Date | null = null) => stageState(stage, when, completedAt)
  const keys = (when: Date, sent: string[] = []) => noticesDue(stage, when, new Set(sent)).map(n => n.key)

  it('is pending until the first reminder, due soon from 7 days before, overdue on day 15, breached a week later', () => {
    assert.equal(state(at(1)), 'pending')
    assert.equal(state(at(7, -1)), 'pending')
    assert.equal(state(at(7)), 'due-soon')
    assert.equal(state(at(14)), 'due-soon', 'due at the end of day 14, so not yet late')
    assert.equal(state(at(14, 1)), 'overdue')
    assert.equal(state(at(15)), 'overdue')
    assert.equal(state(at(21, -1)), 'overdue')
    assert.equal(state(at(21)), 'breached')
  })

  it('reminds at 7 days and 1 day before, each once', () => {
    assert.deepEqual(keys(at(7, -1)), [])
    assert.deepEqual(keys(at(7)), ['reminder:P7D'])
    assert.deepEqual(keys(at(10), ['reminder:P7D']), [])
    assert.deepEqual(keys(at(13), ['reminder:P7D']), ['reminder:P1D'])
    assert.deepEqual(keys(at(14), ['reminder:P7D', 'reminder:P1D']), [])
  })

  it('sends only the latest reminder when a sweep missed the earlier one', () => {
    assert.deepEqual(keys(at(13)), ['reminder:P1D'])
  })

  it('escalates up the ladder in order once overdue, then records the breach', () => {
    const reminders = ['reminder:P7D', 'reminder:P1D']
    assert.deepEqual(keys(at(15, -1), reminders), [], 'overdue, but the first rung is a day past due')
    assert.deepEqual(keys(at(15), reminders), ['escalation:1'])
    assert.deepEqual(keys(at(17), [...reminders, 'escalation:1']), ['escalation:2'])
    assert.deepEqual(keys(at(21), reminders), ['escalation:1', 'escalation:2', 'escalation:3', 'breach'])
    assert.deepEqual(
      noticesDue(stage, at(21), new Set(reminders)).map(n => n.notify),
      ['supplier-signatory', 'authority-contract-owner', 'authority-admin', null],
    )
    assert.deepEqual(keys(at(60), [...reminders, 'escalation:1', 'escalation:2', 'escalation:3', 'breach']), [])
  })

  it('stops everything once done', () => {
    assert.equal(state(at(30), at(20)), 'done')
    assert.deepEqual(noticesDue(stage, at(30), new Set(), at(20)), [])
    assert.deepEqual(noticesDue(stage, at(7), new Set(), at(2)), [])
  })
})

for (const engine of engines()) {
  describe(`the deadline store on ${engine.name}`, () => {
    let store: TestStore
    let smtp: Awaited<ReturnType<typeof startSmtp>>
    let first: Services
    let second: Services
    let clock = ISSUED
    const now = () => clock
    const deps = (services: Services): DeadlineDeps => services.identityDeps
    let assessor: { id: string; email: string }
    let admin: { id: string; email: string }

    before(async () => {
      store = await engine.create()
      smtp = await startSmtp()
      const config = testConfig(store, { ASSURE_SMTP_URL: smtp.url })
      // Two instances of the service on one database, as behind a load balancer.
      first = await bootstrap(config, { now })
      second = await bootstrap(config, { now })
      const authority = { kind: 'authority' as const, name: 'Ministry of Justice' }
      assessor = await buildPerson(first.store.db, { roles: ['security-assessor'], organisation: authority })
      admin = await buildPerson(first.store.db, { roles: ['authority-admin'], organisation: authority })
    })
    after(async () => {
      for (const services of [first, second]) {
        services.mailer.close()
        await services.store.close()
      }
      await smtp.close()
      await store.dispose()
    })

    /** A supplier with a contact and a signatory, and a letter issued to it at ISSUED. */
    async function issueLetter(options: { withOrganisation?: boolean } = {}) {
      const organisation = { kind: 'supplier' as const, name: `Supplier ${randomUUID()}` }
      const contact = await buildPerson(first.store.db, { roles: ['supplier-admin'], organisation })
      const signatory = await buildPerson(first.store.db, { roles: ['supplier-signatory'], organisation })
      const subject: Subject = {
        type: 'sal',
        id: randomUUID(),
        ...(options.withOrganisation === false ? {} : { organisationId: contact.organisationId }),
      }
      const stages = await openStages(deps(first), {
        subject,
        stages: planStages('security-aspects-letter', ISSUED, catalogue),
      })
      opened.push(...stages)
      return { subject, stages, contact, signatory }
    }
    const stageId = (stages: ReadonlyArray<{ id: string; stageKey: string }>, key: string) => {
      const found = stages.find(s => s.stageKey === key)
      assert.ok(found)
      return found.id
    }
    const opened: Array<{ id: string }> = []
    // Ends each test's stages, passing or failing, so their clocks send no mail in the tests after it.
    afterEach(async () => {
      for (const stage of opened.splice(0))
        await completeStage(deps(first), { stageId: stage.id, by: { type: 'system', id: 'test' } })
    })
    const noticeRows = (stages: ReadonlyArray<{ id: string }>) =>
      first.store.db
        .selectFrom('deadline_notices')
        .selectAll()
        .where(
          'stage_id',
          'in',
          stages.map(s => s.id),
        )
        .orderBy('notice_key')
        .execute()
    const ledger = (stages: ReadonlyArray<{ id: string }>, action: string) =>
      first.store.db
        .selectFrom('audit_entries')
        .select(['action', 'actor_type', 'actor_id', 'target_id'])
        .where(
          'target_id',
          'in',
          stages.map(s => s.id),
        )
        .where('action', '=', action)
        .execute()
    const subjectLine = (raw: string) => /Subject: ([^\r\n]+)/.exec(raw.replace(/\r\n[ \t]+/g, ' '))?.[1]

    it('opens a letter’s stages once, in the ledger, and lists them with their state', async () => {
      const { subject, stages } = await issueLetter()
      const again = await openStages(deps(first), {
        subject,
        stages: planStages('security-aspects-letter', ISSUED, catalogue),
      })
      assert.deepEqual(
        again.map(s => s.id),
        stages.map(s => s.id),
      )
      assert.equal((await ledger(stages, 'deadlines.stage.opened')).length, 3)
      clock = at(8)
      assert.deepEqual(
        (await stagesFor(deps(first), subject)).map(s => [s.stageKey, s.state]),
        [
          ['acknowledge-receipt', 'due-soon'],
          ['confirm-personnel-briefed', 'pending'],
          ['copy-subcontractor-sals', 'pending'],
        ],
      )
    })

    it('sends a due reminder once, however often it sweeps', async () => {
      const { stages, contact } = await issueLetter()
      const mailsBefore = smtp.messages.length
      clock = at(7)
      assert.deepEqual(await sweepDeadlines(deps(first)), { sent: 1, noRecipient: 0, breached: 0, failed: 0 })
      assert.deepEqual(await sweepDeadlines(deps(first)), { sent: 0, noRecipient: 0, breached: 0, failed: 0 })
      const mails = smtp.messages.slice(mailsBefore)
      assert.equal(mails.length, 1)
      assert.deepEqual(mails[0]?.to, [contact.email])
      assert.equal(
        subjectLine(mails[0]?.raw ?? ''),
        'Due in 7 days: Acknowledge receipt and acceptance of the Security Aspects Letter',
      )
      const rows = await noticeRows(stages)
      assert.deepEqual(
        rows.map(r => [r.notice_key, r.status, r.recipient, r.channel]),
        [['reminder:P7D', 'sent', contact.email, 'email']],
      )
    })

    it('sends each notice exactly once when two instances sweep at the same time, one ledger entry each', async () => {
      const { stages, contact, signatory } = await issueLetter()
      const mailsBefore = smtp.messages.length
      // Day 22: the acknowledgement is a week overdue (every rung and the breach), the others are a week from due.
      clock = at(22)
      const results = await Promise.all([sweepDeadlines(deps(first)), sweepDeadlines(deps(second))])
      assert.equal(
        results.reduce((sum, r) => sum + r.sent, 0),
        5,
      )
      assert.equal(
        results.reduce((sum, r) => sum + r.breached, 0),
        1,
      )
      await Promise.all([sweepDeadlines(deps(first)), sweepDeadlines(deps(second))])
      const mails = smtp.messages.slice(mailsBefore)
      assert.equal(mails.length, 5)
      const to = (email: string) => mails.filter(m => m.to.includes(email)).length
      assert.deepEqual([to(contact.email), to(signatory.email), to(assessor.email), to(admin.email)], [1, 2, 1, 1])
      const rows = await noticeRows(stages)
      assert.equal(rows.length, 6)
      assert.deepEqual(rows.map(r => r.notice_key).sort(), [
        'breach',
        'escalation:1',
        'escalation:2',
        'escalation:3',
        'reminder:P7D',
        'reminder:P7D',
      ])
      const sent = await ledger(stages, 'deadlines.notice.sent')
      assert.equal(sent.length, 5)
      assert.ok(sent.every(e => e.actor_type === 'system' && e.actor_id === 'sweep-deadlines'))
      assert.equal((await ledger(stages, 'deadlines.stage.breached')).length, 1)
      assert.equal(
        (await stagesFor(deps(first), { type: 'sal', id: stages[0]?.subject.id ?? '' }))[0]?.state,
        'breached',
      )
    })

    it('lists each notice once per recipient in-service when two instances sweep at the same time', async () => {
      const { stages, contact, signatory } = await issueLetter()
      clock = at(22)
      await Promise.all([
        sweepDeadlines(deps(first)),
        sweepDeadlines(deps(second)),
        sweepDeadlines(deps(first)),
        sweepDeadlines(deps(second)),
      ])
      const rows = await first.store.db
        .selectFrom('notifications')
        .select(['user_id', 'source', 'title', 'link'])
        .where(
          'source',
          'in',
          stages.flatMap(s =>
            ['reminder:P7D', 'escalation:1', 'escalation:2', 'escalation:3', 'breach'].map(
              k => `deadline:${s.id}:${k}`,
            ),
          ),
        )
        .execute()
      assert.equal(rows.length, 5, 'five notices sent, each to one person')
      assert.equal(new Set(rows.map(r => `${r.user_id} ${r.source}`)).size, 5, 'no (person, notice) twice')
      const to = (id: string) => rows.filter(r => r.user_id === id).length
      assert.deepEqual([to(contact.id), to(signatory.id), to(assessor.id), to(admin.id)], [1, 2, 1, 1])
      const escalated = rows.find(r => r.source === `deadline:${stageId(stages, 'acknowledge-receipt')}:escalation:3`)
      assert.equal(escalated?.user_id, admin.id)
      assert.equal(escalated?.title, 'Overdue: Acknowledge receipt and acceptance of the Security Aspects Letter')
      assert.equal(escalated?.link, `/suppliers/${contact.organisationId}/letters/${stages[0]?.subject.id ?? ''}`)
    })

    it('completes a stage inside a workflow’s transaction, committing or rolling back with it', async () => {
      const { stages, contact } = await issueLetter()
      const acknowledge = stageId(stages, 'acknowledge-receipt')
      const by = { type: 'user' as const, id: contact.id, organisationId: contact.organisationId }
      await assert.rejects(
        first.store.db.transaction().execute(async trx => {
          await completeStage(deps(first), { stageId: acknowledge, by, trx })
          throw new Error('the workflow’s own step failed')
        }),
        { message: 'the workflow’s own step failed' },
      )
      assert.equal((await stagesFor(deps(first), stages[0]?.subject ?? { type: 'sal', id: '' }))[0]?.completedAt, null)
      assert.equal((await ledger(stages, 'deadlines.stage.completed')).length, 0, 'its ledger entry rolled back too')

      clock = at(3)
      const completed = await first.store.db.transaction().execute(async trx => {
        const result = await completeStage(deps(first), { stageId: acknowledge, by, trx })
        const row = await trx
          .selectFrom('deadline_stages')
          .select('status')
          .where('id', '=', acknowledge)
          .executeTakeFirst()
        assert.equal(row?.status, 'done', 'visible inside the transaction before it commits')
        return result
      })
      assert.equal(completed.completedAt.toISOString(), at(3).toISOString())
      const [view] = await stagesFor(deps(first), stages[0]?.subject ?? { type: 'sal', id: '' })
      assert.deepEqual([view?.state, view?.completedBy], ['done', contact.id])
      assert.equal((await ledger(stages, 'deadlines.stage.completed')).length, 1)
      await assert.rejects(
        first.store.db.transaction().execute(trx => completeStage(deps(first), { stageId: randomUUID(), by, trx })),
        { code: 'NOT_FOUND' },
      )
    })

    it('stops a stage’s notices once it is completed, and records who completed it', async () => {
      const { subject, stages, contact } = await issueLetter()
      const mailsBefore = smtp.messages.length
      clock = at(7)
      await sweepDeadlines(deps(first))
      const acknowledge = stageId(stages, 'acknowledge-receipt')
      const by = { type: 'user' as const, id: contact.id, organisationId: contact.organisationId }
      await completeStage(deps(first), { stageId: acknowledge, by })
      await completeStage(deps(first), { stageId: acknowledge, by })
      assert.equal((await ledger(stages, 'deadlines.stage.completed')).length, 1, 'completing twice is one change')
      clock = at(16)
      assert.deepEqual(await sweepDeadlines(deps(first)), { sent: 0, noRecipient: 0, breached: 0, failed: 0 })
      clock = at(22)
      assert.equal((await sweepDeadlines(deps(first))).sent, 2, 'the other two stages still remind')
      const views = await stagesFor(deps(first), subject)
      assert.deepEqual(
        views.map(v => [v.stageKey, v.state, v.notices.map(n => n.key)]),
        [
          ['acknowledge-receipt', 'done', ['reminder:P7D']],
          ['confirm-personnel-briefed', 'due-soon', ['reminder:P7D']],
          ['copy-subcontractor-sals', 'due-soon', ['reminder:P7D']],
        ],
      )
      assert.equal(views[0]?.completedBy, contact.id)
      assert.equal(smtp.messages.length - mailsBefore, 3)
    })

    it('records a notice with nobody to send it to as no-recipient, once, and sends nothing', async () => {
      const { stages } = await issueLetter({ withOrganisation: false })
      const mailsBefore = smtp.messages.length
      clock = at(7)
      assert.deepEqual(await sweepDeadlines(deps(first)), { sent: 0, noRecipient: 1, breached: 0, failed: 0 })
      assert.deepEqual(await sweepDeadlines(deps(second)), { sent: 0, noRecipient: 0, breached: 0, failed: 0 })
      assert.equal(smtp.messages.length, mailsBefore)
      assert.deepEqual(
        (await noticeRows(stages)).map(r => [r.notice_key, r.status, r.recipient]),
        [['reminder:P7D', 'no-recipient', null]],
      )
      assert.equal((await ledger(stages, 'deadlines.notice.skipped')).length, 1)
    })

    it('releases a notice whose mail could not be sent, so the next sweep sends it', async () => {
      const { stages, contact } = await issueLetter()
      const mailsBefore = smtp.messages.length
      clock = at(7)
      const failing: DeadlineDeps = {
        ...deps(first),
        mailer: {
          send: () => Promise.reject(new Error('SMTP unavailable')),
          close: () => undefined,
        },
      }
      assert.deepEqual(await sweepDeadlines(failing), { sent: 0, noRecipient: 0, breached: 0, failed: 1 })
      assert.deepEqual(await noticeRows(stages), [])
      assert.equal((await ledger(stages, 'deadlines.notice.failed')).length, 1)
      assert.deepEqual(await sweepDeadlines(deps(second)), { sent: 1, noRecipient: 0, breached: 0, failed: 0 })
      assert.deepEqual(
        smtp.messages.slice(mailsBefore).map(m => m.to),
        [[contact.email]],
      )
    })

    it('refuses a stage whose durations are not ISO 8601', async () => {
      const [plan] = planStages('data-return', ISSUED, catalogue)
      assert.ok(plan)
      await assert.rejects(
        openStages(deps(first), {
          subject: { type: 'contract', id: randomUUID() },
          stages: [{ ...plan, breachAfter: '7 days' }],
        }),
        (error: Error & { code?: string; problems?: Array<{ path: string; message: string }> }) => {
          assert.equal(error.code, 'VALIDATION_FAILED')
          assert.deepEqual(error.problems, [
            { path: 'stages.0.breachAfter', message: 'Enter an ISO 8601 duration, like P7D or PT24H' },
          ])
          return true
        },
      )
    })
  })
}
