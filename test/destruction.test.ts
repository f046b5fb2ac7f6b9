import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { FastifyInstance } from 'fastify'
import { browserFor, startApp } from './helpers/app.ts'
import { engines, type TestStore } from './helpers/stores.ts'
import { startSmtp } from './helpers/smtp.ts'
import { buildPerson, sessionCookieFor } from './helpers/people.ts'
import type { Services } from '../src/services.ts'
import type { Role } from '../src/identity/roles.ts'
import { createSession } from '../src/identity/sessions.ts'
import { durationParameter, integerParameter } from '../src/catalogue/catalogue.ts'
import { addDuration } from '../src/platform/duration.ts'
import { pdfSha256Of } from '../src/platform/pdf/pdf.ts'
import { sweepDeadlines } from '../src/deadlines/deadlines.ts'
import { ALREADY_ISSUED, ALREADY_SIGNED, NO_LEGAL_NAME, SIGNATORY_ONLY } from '../src/destruction/destruction.ts'
import {
  guidancePeriod,
  numberInWords,
  renderDestructionClauses,
  renderDestructionLetter,
} from '../src/destruction/render.ts'
import { loadCatalogue } from '../src/catalogue/load.ts'
import { instructionStatus } from '../src/destruction/presenters.ts'
import type { StageView } from '../src/deadlines/deadlines.ts'

const CONTRACT = {
  reference: 'MOJ/2025-201',
  title: 'Probation records hosting',
  'startDate-day': '1',
  'startDate-month': '4',
  'startDate-year': '2025',
  'endDate-day': '31',
  'endDate-month': '12',
  'endDate-year': '2026',
  classification: 'OFFICIAL-SENSITIVE',
  dataCategories: ['personal'],
  offshore: 'no',
  offshoreLocations: '',
  keyServices: 'Hosting of probation records',
  subcontractors: '',
}
const PROFILE = {
  legalName: 'Contoso Secure Services Group plc',
  shortName: 'Contoso',
  securityDirectorName: 'Dana Reyes',
  securityDirectorEmail: 'dana.reyes@contoso.example',
  contactName: 'Sam Patel',
  contactEmail: 'sam.patel@contoso.example',
}
const AUTHORITY = { kind: 'authority' as const, name: 'Ministry of Justice' }
const CONTOSO = { kind: 'supplier' as const, name: 'Contoso Ltd' }
const FABRIKAM = { kind: 'supplier' as const, name: 'Fabrikam Ltd' }

/** A complete, valid declaration: the backup clause applies with a promised date, the anonymised one is struck. */
const DECLARATION = {
  'clause-all-data-destroyed': 'applies',
  'clause-backup-lifecycle': 'applies',
  'backup-lifecycle-date-day': '15',
  'backup-lifecycle-date-month': '2',
  'backup-lifecycle-date-year': '2027',
  'clause-anonymised-retained': 'struck',
  position: 'Director of Security',
  declaration: 'yes',
}
const PROMISED_TITLE = 'Confirm backup and disaster recovery systems have destroyed the Authority’s data'

/** The GOV.UK error summary's messages on a page. */
const summaryOf = (html: string) =>
  [
    ...(/govuk-error-summary__list">([\s\S]*?)<\/ul>/.exec(html)?.[1] ?? '').matchAll(/<a href="[^"]*">([^<]*)<\/a>/g),
  ].map(m => m[1]?.trim().replaceAll('&amp;', '&'))

/** A received message's text, with quoted-printable soft breaks and escapes undone. */
const decoded = (raw: string) =>
  Buffer.from(
    raw
      .replace(/=\r?\n/g, '')
      .replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))),
    'latin1',
  ).toString('utf8')

for (const engine of engines()) {
  describe(`data destruction on ${engine.name}`, () => {
    let store: TestStore
    let app: FastifyInstance
    let services: Services
    let close: () => Promise<void>
    let smtp: Awaited<ReturnType<typeof startSmtp>>
    // A frozen clock, moved on only where a test says so: every deadline is computed from it.
    const start = new Date('2026-12-04T10:00:00.000Z')
    let clock = start
    let contoso = ''
    let fabrikam = ''
    let contract = ''
    let instruction = ''
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
    const ledgerFor = async (requestId: unknown) =>
      services.store.db
        .selectFrom('audit_entries')
        .select(['action', 'user_id', 'outcome', 'target_id', 'details'])
        .where('request_id', '=', String(requestId))
        .execute()
    const count = async (
      table:
        | 'destruction_instructions'
        | 'destruction_declarations'
        | 'destruction_data_returns'
        | 'destruction_failures'
        | 'deadline_stages',
    ) =>
      Number(
        (
          await services.store.db
            .selectFrom(table)
            .select(e => e.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      )
    const stagesOf = async (id: string) =>
      services.store.db
        .selectFrom('deadline_stages')
        .select(['id', 'stage_key', 'due_at', 'status', 'completed_by', 'responsible'])
        .where('subject_type', '=', 'destruction')
        .where('subject_id', '=', id)
        .orderBy('stage_key')
        .execute()
    const url = (action?: string, supplier = contoso) =>
      `/suppliers/${supplier}/destruction/${instruction}${action === undefined ? '' : `/${action}`}`

    before(async () => {
      store = await engine.create()
      smtp = await startSmtp()
      ;({ app, services, close } = await startApp(store, { env: { ASSURE_SMTP_URL: smtp.url }, now: () => clock }))
      await person('admin', ['authority-admin'], AUTHORITY)
      await person('assessor', ['security-assessor'], AUTHORITY)
      contoso = (await person('contoso-admin', ['supplier-admin'], CONTOSO)).organisationId
      await person('contoso-signatory', ['supplier-signatory'], CONTOSO)
      fabrikam = (await person('fabrikam-admin', ['supplier-admin'], FABRIKAM)).organisationId
      assert.equal((await as('admin').post(`/suppliers/${contoso}/profile`, PROFILE)).statusCode, 303)
      assert.equal((await as('admin').post(`/suppliers/${contoso}/contracts/new`, CONTRACT)).statusCode, 303)
      assert.equal(
        (await as('admin').post(`/suppliers/${fabrikam}/contracts/new`, { ...CONTRACT, reference: 'MOJ/2025-202' }))
          .statusCode,
        303,
      )
      contract = (
        await services.store.db
          .selectFrom('contracts')
          .select('id')
          .where('reference', '=', CONTRACT.reference)
          .executeTakeFirstOrThrow()
      ).id
    })
    after(async () => {
      await close()
      await smtp.close()
      await store.dispose()
    })

    it('refuses an instruction for a supplier with no legal name, or for a contract that is not its own, storing nothing', async () => {
      const fabrikamContract = await services.store.db
        .selectFrom('contracts')
        .select('id')
        .where('organisation_id', '=', fabrikam)
        .executeTakeFirstOrThrow()
      const [instructions, stages] = [await count('destruction_instructions'), await count('deadline_stages')]
      const noName = await as('admin').post(`/suppliers/${fabrikam}/destruction/new`, {
        contractId: fabrikamContract.id,
      })
      assert.equal(noName.statusCode, 400)
      assert.deepEqual(summaryOf(noName.body), [NO_LEGAL_NAME])
      for (const contractId of ['no-such-contract', fabrikamContract.id]) {
        const response = await as('admin').post(`/suppliers/${contoso}/destruction/new`, { contractId })
        assert.equal(response.statusCode, 400, contractId)
        assert.deepEqual(summaryOf(response.body), ['Select one of this supplier’s contracts'])
      }
      const none = await as('admin').post(`/suppliers/${contoso}/destruction/new`, {})
      assert.deepEqual(summaryOf(none.body), ['Select the contract the instruction is for'])
      assert.equal(await count('destruction_instructions'), instructions)
      assert.equal(await count('deadline_stages'), stages)
    })

    it('keeps issuing to the Authority: supplier people cannot issue', async () => {
      const response = await as('contoso-admin').post(`/suppliers/${contoso}/destruction/new`, { contractId: contract })
      assert.equal(response.statusCode, 403)
      assert.equal(await count('destruction_instructions'), 0)
    })

    it('issues the letter with its hash, and clocks from the contract’s end by the catalogue, in one ledger entry', async () => {
      const response = await as('assessor').post(`/suppliers/${contoso}/destruction/new`, { contractId: contract })
      assert.equal(response.statusCode, 303, response.body.slice(0, 400))
      instruction = /destruction\/([^/?]+)\?done=issued$/.exec(String(response.headers.location))?.[1] ?? ''
      assert.notEqual(instruction, '')
      const entries = await ledgerFor(response.headers['x-request-id'])
      assert.deepEqual(
        entries.map(e => [e.action, e.user_id, e.outcome, e.target_id]),
        [['destruction.instruction.issued', people.get('assessor')?.id, 'success', instruction]],
      )
      const stored = await services.store.db
        .selectFrom('destruction_instructions')
        .selectAll()
        .where('id', '=', instruction)
        .executeTakeFirstOrThrow()
      assert.equal(stored.body_sha256, createHash('sha256').update(stored.body).digest('hex'))
      assert.match(stored.body, /^Contract: MOJ\/2025-201\n\nDate: 4 December 2026\n\nDear Dana Reyes,/)
      assert.doesNotMatch(stored.body, /<[A-Z0-9 ]+>|\[Missing/)
      const { catalogue } = services
      const passes = integerParameter(catalogue, 'destruction-overwrite-passes')
      assert.ok(stored.body.includes(`at least ${passes} (${numberInWords(passes)}) complete overwrite passes`))
      assert.ok(
        stored.body.includes(
          `DIN 66399 Level ${integerParameter(catalogue, 'paper-shredding-din-66399-level')} standard with a maximum cross cut particle surface area ${integerParameter(catalogue, 'paper-shredding-max-particle-area')} (`,
        ),
      )
      const returnPeriod = durationParameter(catalogue, 'data-return-period')
      assert.ok(stored.body.includes(`within ${guidancePeriod(returnPeriod)} of the end of the contract`))
      // The contract ends at the end of its end date; the data and the declaration are due the return period later.
      const due = addDuration(new Date('2026-12-31T23:59:59.000Z'), returnPeriod).toISOString()
      assert.deepEqual(
        (await stagesOf(instruction)).map(s => [s.stage_key, s.due_at, s.status, s.responsible]),
        [
          ['return-data', due, 'open', 'supplier-contact'],
          ['sign-destruction-declaration', due, 'open', 'supplier-signatory'],
        ],
      )
      assert.ok(stored.body.includes(`that is by ${due.slice(8, 10).replace(/^0/, '')} January 2027`))
      assert.deepEqual(JSON.parse(entries[0]?.details ?? '{}').stages, {
        'return-data': due,
        'sign-destruction-declaration': due,
      })
      const page = await as('contoso-signatory').get(url())
      assert.equal(page.statusCode, 200)
      assert.ok(page.body.includes(stored.body_sha256))
      assert.match(page.body, /govuk-tag--blue">Open/)
      assert.match(page.body, /Sign the data destruction declaration/)
      const list = await as('contoso-admin').get(`/suppliers/${contoso}/destruction`)
      assert.ok(list.body.includes(instruction))
      assert.match(list.body, /Short format clause/)
    })

    it('refuses a second instruction for the same contract with its own error', async () => {
      const stagesBefore = await count('deadline_stages')
      const response = await as('admin').post(`/suppliers/${contoso}/destruction/new`, { contractId: contract })
      assert.equal(response.statusCode, 400)
      assert.deepEqual(summaryOf(response.body), [ALREADY_ISSUED])
      assert.equal(await count('destruction_instructions'), 1)
      assert.equal(await count('deadline_stages'), stagesBefore)
    })

    it('answers another supplier’s people, and unknown instructions, as not found, changing nothing', async () => {
      for (const path of [
        url(),
        url('declaration'),
        url('data-return'),
        url('certificate.pdf'),
        url(undefined, fabrikam),
      ])
        assert.equal((await as('fabrikam-admin').get(path)).statusCode, 404, path)
      const denied = await as('fabrikam-admin').post(url('data-return'), { format: 'csv' })
      assert.equal(denied.statusCode, 404)
      assert.deepEqual(
        (await ledgerFor(denied.headers['x-request-id'])).map(e => [e.action, e.outcome]),
        [['access.denied', 'denied']],
      )
      const unknown = await as('contoso-admin').post(`/suppliers/${contoso}/destruction/no-such-id/data-return`, {
        format: 'csv',
      })
      assert.equal(unknown.statusCode, 404)
      assert.equal((await as('contoso-admin').get(`/suppliers/${contoso}/destruction/no-such-id`)).statusCode, 404)
      assert.equal(await count('destruction_data_returns'), 0)
      assert.ok((await stagesOf(instruction)).every(s => s.status === 'open'))
    })

    it('lets only the signatory sign the declaration, and only after a fresh second factor', async () => {
      const admin = await as('contoso-admin').post(url('declaration'), DECLARATION)
      assert.equal(admin.statusCode, 403)
      assert.ok(admin.body.includes(SIGNATORY_ONLY))
      assert.equal((await as('contoso-admin').get(url('declaration'))).statusCode, 403)
      const token = await createSession(services.store.db, {
        userId: people.get('contoso-signatory')?.id ?? '',
        stage: 'active',
        now: clock,
        lifetime: 'PT12H',
      })
      const stale = await browserFor(app, `assure-session=${token}`).post(url('declaration'), DECLARATION)
      assert.equal(stale.statusCode, 303)
      assert.match(String(stale.headers.location), /^\/account\/confirm\?next=/)
      assert.equal(await count('destruction_declarations'), 0)
    })

    it('refuses an undecided clause, a missing or past promised date, with specific errors, saving nothing', async () => {
      const stages = await count('deadline_stages')
      const cases: Array<[Record<string, string>, string[]]> = [
        [
          {},
          [
            'Confirm that all Ministry of Justice data has been destroyed. If it has not, report failed or incomplete destruction instead',
            'Select whether the clause about data backup and disaster recovery systems applies or is struck out',
            'Select whether the clause about anonymised and non-personal data retained applies or is struck out',
            'Enter your position',
            'Select to sign the declaration',
          ],
        ],
        [
          {
            ...DECLARATION,
            'backup-lifecycle-date-day': '',
            'backup-lifecycle-date-month': '',
            'backup-lifecycle-date-year': '',
          },
          ['Enter the date by which backup and disaster recovery systems will have destroyed the data'],
        ],
        [
          {
            ...DECLARATION,
            'backup-lifecycle-date-day': '3',
            'backup-lifecycle-date-month': '12',
            'backup-lifecycle-date-year': '2026',
          },
          [
            'The date by which backup and disaster recovery systems will have destroyed the data must be today or in the future',
          ],
        ],
        [
          { ...DECLARATION, 'backup-lifecycle-date-month': '13' },
          ['The date by which backup and disaster recovery systems will have destroyed the data must be a real date'],
        ],
        [
          { ...DECLARATION, 'clause-all-data-destroyed': 'struck' },
          [
            'Confirm that all Ministry of Justice data has been destroyed. If it has not, report failed or incomplete destruction instead',
          ],
        ],
        [
          { ...DECLARATION, 'clause-anonymised-retained': 'maybe' },
          ['Select whether the clause about anonymised and non-personal data retained applies or is struck out'],
        ],
      ]
      for (const [form, messages] of cases) {
        const response = await as('contoso-signatory').post(url('declaration'), form)
        assert.equal(response.statusCode, 400, messages[0])
        assert.deepEqual(summaryOf(response.body), messages)
      }
      assert.equal(await count('destruction_declarations'), 0)
      assert.equal(await count('deadline_stages'), stages)
      const signed = await services.store.db
        .selectFrom('audit_entries')
        .select('sequence')
        .where('action', '=', 'destruction.declaration.signed')
        .execute()
      assert.equal(signed.length, 0)
    })

    it('signs the declaration: typed clauses, the certificate’s SHA-256 in the store and ledger, the promised date tracked', async () => {
      const response = await as('contoso-signatory').post(url('declaration'), DECLARATION)
      assert.equal(response.statusCode, 303, response.body.slice(0, 600))
      const entries = await ledgerFor(response.headers['x-request-id'])
      assert.deepEqual(
        entries.map(e => [e.action, e.user_id, e.target_id]),
        [['destruction.declaration.signed', people.get('contoso-signatory')?.id, instruction]],
      )
      const stored = await services.store.db
        .selectFrom('destruction_declarations')
        .selectAll()
        .where('instruction_id', '=', instruction)
        .executeTakeFirstOrThrow()
      const clauses = [
        { id: 'all-data-destroyed', decision: 'applies', date: null },
        { id: 'backup-lifecycle', decision: 'applies', date: '2027-02-15' },
        { id: 'anonymised-retained', decision: 'struck', date: null },
      ]
      assert.deepEqual(
        { ...stored, pdf: undefined, clauses: JSON.parse(stored.clauses) },
        {
          instruction_id: instruction,
          signed_at: clock.toISOString(),
          signed_by: people.get('contoso-signatory')?.id,
          signer_name: 'Test Person',
          position: 'Director of Security',
          clauses,
          pdf: undefined,
          pdf_sha256: stored.pdf_sha256,
        },
      )
      const pdf = Buffer.from(stored.pdf, 'base64')
      assert.equal(pdfSha256Of(pdf), stored.pdf_sha256)
      const details = JSON.parse(entries[0]?.details ?? '{}')
      assert.equal(details.pdfSha256, stored.pdf_sha256)
      assert.deepEqual(details.clauses, clauses)
      assert.equal(details.position, 'Director of Security')
      assert.deepEqual(details.promised, { 'backup-lifecycle-destruction': '2027-02-15T23:59:59.000Z' })
      assert.deepEqual(
        (await stagesOf(instruction)).map(s => [s.stage_key, s.due_at, s.status, s.responsible, s.completed_by]),
        [
          ['backup-lifecycle-destruction', '2027-02-15T23:59:59.000Z', 'open', 'supplier-contact', null],
          ['return-data', '2027-01-30T23:59:59.000Z', 'open', 'supplier-contact', null],
          [
            'sign-destruction-declaration',
            '2027-01-30T23:59:59.000Z',
            'done',
            'supplier-signatory',
            people.get('contoso-signatory')?.id,
          ],
        ],
      )

      const certificate = await as('admin').get(url('certificate.pdf'))
      assert.equal(certificate.statusCode, 200)
      assert.equal(certificate.headers['content-type'], 'application/pdf')
      assert.ok(certificate.rawPayload.equals(pdf))
      assert.deepEqual(
        (await ledgerFor(certificate.headers['x-request-id'])).map(e => [e.action, e.user_id]),
        [['destruction.certificate.downloaded', people.get('admin')?.id]],
      )
      const page = await as('admin').get(url())
      assert.ok(page.body.includes(stored.pdf_sha256))
      assert.match(page.body, /on or before the 15 February 2027\./)
      assert.match(page.body, /<s>\[Struck out as not applicable\] Anonymised/)

      const again = await as('contoso-signatory').post(url('declaration'), DECLARATION)
      assert.equal(again.statusCode, 400)
      assert.deepEqual(summaryOf(again.body), [ALREADY_SIGNED])
      assert.equal(await count('destruction_declarations'), 1)
      const form = await as('contoso-signatory').get(url('declaration'))
      assert.deepEqual([form.statusCode, form.headers.location], [303, url()])
    })

    it('refuses a proprietary format for the returned data, then records an open one and completes the stage', async () => {
      const cases: Array<[string, string]> = [
        [
          'xlsx',
          'Microsoft Excel (XLSX) is a proprietary format. Return the data in a machine-readable non-proprietary format: CSV, JSON, XML or ODS',
        ],
        ['', 'Select the format the data was returned in'],
        ['pdf', 'Select the format the data was returned in'],
      ]
      for (const [format, message] of cases) {
        const response = await as('contoso-admin').post(url('data-return'), { format })
        assert.equal(response.statusCode, 400, format)
        assert.deepEqual(summaryOf(response.body), [message])
      }
      assert.equal(await count('destruction_data_returns'), 0)
      const response = await as('contoso-admin').post(url('data-return'), { format: 'csv' })
      assert.equal(response.statusCode, 303)
      assert.deepEqual(
        (await ledgerFor(response.headers['x-request-id'])).map(e => [e.action, JSON.parse(e.details ?? '{}').format]),
        [['destruction.data.returned', 'csv']],
      )
      const stage = (await stagesOf(instruction)).find(s => s.stage_key === 'return-data')
      assert.deepEqual([stage?.status, stage?.completed_by], ['done', people.get('contoso-admin')?.id])
      const again = await as('contoso-admin').post(url('data-return'), { format: 'json' })
      assert.equal(again.statusCode, 400)
      assert.deepEqual(summaryOf(again.body), ['The data return has already been recorded'])
      assert.match((await as('admin').get(url())).body, /Data returned as CSV \(comma-separated values\)/)
    })

    it('records failed destruction, flags it late past the notification period, and tells the Authority’s administrators at once', async () => {
      const period = durationParameter(services.catalogue, 'failed-destruction-notification')
      const form = (day: string, time: string) => ({
        whatFailed: 'One backup tape could not be overwritten',
        'identified-day': day,
        'identified-month': '12',
        'identified-year': '2026',
        identifiedTime: time,
      })
      const refusals: Array<[Record<string, string>, string[]]> = [
        [{ ...form('4', '11:00') }, ['The time it was identified must be in the past']],
        [{ ...form('4', '08:00'), whatFailed: ' ' }, ['Enter what failed or is incomplete']],
        [{ ...form('', '08:00') }, ['The date it was identified must include a day']],
        [{ ...form('4', '8pm') }, ['Enter the time it was identified as hours and minutes, like 14:30']],
      ]
      for (const [body, messages] of refusals) {
        const response = await as('contoso-admin').post(url('failed-destruction'), body)
        assert.equal(response.statusCode, 400, messages[0])
        assert.deepEqual(summaryOf(response.body), messages)
      }
      assert.equal(await count('destruction_failures'), 0)

      const sentBefore = smtp.messages.length
      // Identified two hours ago: on time. Identified two days ago: later than the period allows.
      const onTime = await as('contoso-admin').post(url('failed-destruction'), form('4', '08:00'))
      assert.equal(onTime.statusCode, 303)
      assert.match(String(onTime.headers.location), /\?done=failure$/)
      const late = await as('contoso-signatory').post(url('failed-destruction'), form('2', '09:30'))
      assert.equal(late.statusCode, 303)
      assert.match(String(late.headers.location), /\?done=failure-late$/)
      const rows = await services.store.db
        .selectFrom('destruction_failures')
        .select(['identified_at', 'reported_at', 'due_at', 'late', 'reported_by'])
        .orderBy('identified_at')
        .execute()
      assert.deepEqual(
        rows.map(row => ({ ...row })),
        [
          {
            identified_at: '2026-12-02T09:30:00.000Z',
            reported_at: clock.toISOString(),
            due_at: addDuration(new Date('2026-12-02T09:30:00.000Z'), period).toISOString(),
            late: 1,
            reported_by: people.get('contoso-signatory')?.id,
          },
          {
            identified_at: '2026-12-04T08:00:00.000Z',
            reported_at: clock.toISOString(),
            due_at: addDuration(new Date('2026-12-04T08:00:00.000Z'), period).toISOString(),
            late: 0,
            reported_by: people.get('contoso-admin')?.id,
          },
        ],
      )
      const entry = await ledgerFor(late.headers['x-request-id'])
      assert.deepEqual(
        entry.map(e => [e.action, JSON.parse(e.details ?? '{}').late, JSON.parse(e.details ?? '{}').authorityNotified]),
        [['destruction.failure.reported', true, 1]],
      )
      // Only the Authority's administrators are told, once per report.
      const mails = smtp.messages.slice(sentBefore)
      assert.deepEqual(
        mails.map(m => m.to),
        [[people.get('admin')?.email], [people.get('admin')?.email]],
      )
      assert.match(
        decoded(mails[1]?.raw ?? ''),
        /reported unsuccessful or incomplete data destruction for contract MOJ\/2025-201/,
      )
      const page = await as('assessor').get(url())
      assert.match(page.body, /One backup tape could not be overwritten/)
      assert.equal(page.body.match(/Reported late</g)?.length, 1)
      assert.equal(page.body.match(/Reported on time</g)?.length, 1)
    })

    it('escalates a promised date the sweep finds past due, by email through SMTP, until the supplier confirms it', async () => {
      const promised = (await stagesOf(instruction)).find(s => s.stage_key === 'backup-lifecycle-destruction')
      assert.ok(promised)
      // Two days after the promised date: past the first rung of the day ladder (the supplier's signatory).
      clock = new Date('2027-02-17T10:00:00.000Z')
      const sentBefore = smtp.messages.length
      const result = await sweepDeadlines({ db: services.store.db, now: () => clock, mailer: services.mailer })
      assert.ok(result.sent >= 1)
      const notices = await services.store.db
        .selectFrom('deadline_notices')
        .select(['notice_key', 'status', 'recipient'])
        .where('stage_id', '=', promised.id)
        .execute()
      assert.deepEqual(
        notices.map(n => ({ ...n })),
        [{ notice_key: 'escalation:1', status: 'sent', recipient: people.get('contoso-signatory')?.email }],
      )
      const escalation = smtp.messages
        .slice(sentBefore)
        .find(m => decoded(m.raw).includes(`${PROMISED_TITLE} was due by 2027-02-15 23:59 UTC`))
      assert.ok(escalation, 'the escalation went out through SMTP')
      assert.deepEqual(escalation.to, [people.get('contoso-signatory')?.email])

      // The supplier confirms it, at the new time, which closes the stage.
      const admin = people.get('contoso-admin')
      assert.ok(admin)
      admin.cookie = await sessionCookieFor(services.store.db, admin.id, clock)
      const unknown = await as('contoso-admin').post(url('stages/return-data/complete'), {})
      assert.equal(unknown.statusCode, 404)
      const done = await as('contoso-admin').post(url('stages/backup-lifecycle-destruction/complete'), {})
      assert.equal(done.statusCode, 303)
      assert.deepEqual(
        (await ledgerFor(done.headers['x-request-id'])).map(e => [e.action, e.user_id]),
        [['destruction.promise.completed', admin.id]],
      )
      const closed = (await stagesOf(instruction)).find(s => s.stage_key === 'backup-lifecycle-destruction')
      assert.deepEqual([closed?.status, closed?.completed_by], ['done', admin.id])
      const again = await as('contoso-admin').post(url('stages/backup-lifecycle-destruction/complete'), {})
      assert.equal(again.statusCode, 400)
      assert.deepEqual(summaryOf(again.body), ['That has already been confirmed as done'])
      // Nothing more goes out for it.
      const later = smtp.messages.length
      clock = new Date('2027-03-17T10:00:00.000Z')
      await sweepDeadlines({ db: services.store.db, now: () => clock, mailer: services.mailer })
      assert.equal(smtp.messages.slice(later).filter(m => decoded(m.raw).includes(PROMISED_TITLE)).length, 0)
      const authority = people.get('admin')
      assert.ok(authority)
      authority.cookie = await sessionCookieFor(services.store.db, authority.id, clock)
      // Every stage is done, but a reported failure keeps the instruction flagged for the Authority.
      assert.match((await as('admin').get(url())).body, /govuk-tag--red">Failed destruction reported/)
    })
  })
}

describe('the destruction texts', () => {
  const guidance = readFileSync(
    new URL('../../shared/guidance/moj-cyber-security-guidance-supplier-edition.txt', import.meta.url),
    'utf8',
  ).replaceAll('*', '')
  const catalogue = loadCatalogue()

  it('writes numbers as the guidance does', () => {
    assert.deepEqual([3, 6, 24, 30, 160, 100].map(numberInWords), [
      'three',
      'six',
      'twenty-four',
      'thirty',
      'one hundred and sixty',
      'one hundred',
    ])
    assert.equal(guidancePeriod('PT24H'), '24 (twenty-four) hours')
    assert.equal(guidancePeriod('P30D'), '30 (thirty) calendar days')
    assert.equal(guidancePeriod('P1D'), '1 (one) calendar day')
  })

  it('renders the clauses, with the catalogue’s numbers, in the guidance’s own words', () => {
    const { shortFormat, longFormat, longFormatAppendix } = renderDestructionClauses(catalogue)
    for (const text of [shortFormat, longFormat, longFormatAppendix]) {
      assert.doesNotMatch(text, /<[A-Z0-9 ]+>/)
      for (const paragraph of text.split(/\n{2,}/).map(p => p.replace(/^[a-f]\. /, '').replace(/^- /, ''))) {
        const sentence = paragraph.split(': <http')[0] ?? paragraph
        assert.ok(guidance.includes(sentence.split(': http')[0] ?? sentence), sentence)
      }
    }
  })

  it('takes every number in the texts from the catalogue, so a changed parameter changes the letter', () => {
    const parameters = new Map(catalogue.parameters)
    const set = (id: string, value: number | string) => {
      const found = parameters.get(id)
      assert.ok(found)
      parameters.set(id, { ...found, value } as typeof found)
    }
    set('destruction-overwrite-passes', 7)
    set('paper-shredding-din-66399-level', 5)
    set('paper-shredding-max-particle-area', 40)
    set('paper-shredding-max-strip-width', 2)
    set('data-return-period', 'P14D')
    set('failed-destruction-notification', 'PT12H')
    const changed = { ...catalogue, parameters }
    const { shortFormat, longFormat } = renderDestructionClauses(changed)
    assert.ok(shortFormat.includes('within 14 (fourteen) calendar days of the end of the contract'))
    assert.ok(shortFormat.includes('at least 7 (seven) complete overwrite passes'))
    assert.ok(
      shortFormat.includes(
        'DIN 66399 Level 5 standard with a maximum cross cut particle surface area 40 (forty) millimeters squared with a maximum strip width of 2 (two) millimeters',
      ),
    )
    assert.ok(longFormat.includes('within 12 (twelve) hours of identification'))
    assert.doesNotMatch(`${shortFormat}${longFormat}`, /\b(3 \(three\)|160|24 \(twenty-four\)|30 \(thirty\))/)
  })

  it('renders the letter in the guidance’s words, marking what is missing rather than leaving a blank', () => {
    const body = renderDestructionLetter(
      {
        longLegalName: null,
        shortName: 'Contoso',
        securityDirector: 'Dana Reyes',
        contractReference: 'MOJ/1',
        date: '2026-12-04',
        contractEndDate: '2026-12-31',
        dataReturnDueDate: '2027-01-30',
      },
      catalogue,
    )
    assert.match(body, /for \[Missing: Organisation long legal name\] \("Contoso"\)/)
    assert.ok(
      body.includes(
        'The Ministry of Justice require positive confirmation of the final date by which these systems will have completed their data lifecycle tasks and data destruction will have been completed by.',
      ),
    )
    assert.ok(guidance.includes('data overwriting methods consisting of at least 3 (three) complete overwrite passes'))
    assert.ok(body.includes('data overwriting methods consisting of at least 3 (three) complete overwrite passes'))
  })
})

describe('an instruction’s status', () => {
  const stage = (state: StageView['state']): StageView => ({
    id: 's1',
    subject: { type: 'destruction', id: 'i1' },
    stageKey: 'return-data',
    title: 'Return the Authority’s data after the contract ends',
    startsAt: new Date('2026-12-31T23:59:59Z'),
    dueAt: new Date('2027-01-30T23:59:59Z'),
    responsible: 'supplier-contact',
    reminderOffsets: [],
    escalation: [],
    breachAfter: 'P7D',
    state,
    completedAt: state === 'done' ? new Date('2027-01-02T09:00:00Z') : null,
    completedBy: state === 'done' ? 'user-1' : null,
    notices: [],
  })

  it('is complete only once every stage is done, overdue when any is past due, and flagged after a failure', () => {
    assert.equal(instructionStatus([stage('done'), stage('done')]), 'complete')
    assert.equal(instructionStatus([stage('done'), stage('pending')]), 'open')
    assert.equal(instructionStatus([stage('due-soon'), stage('overdue')]), 'overdue')
    assert.equal(instructionStatus([stage('breached')]), 'overdue')
    assert.equal(instructionStatus([stage('done')], 1), 'failure-reported')
  })
})
