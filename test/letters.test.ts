import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { browserFor, startApp } from './helpers/app.ts'
import { engines, type TestStore } from './helpers/stores.ts'
import { buildPerson, sessionCookieFor } from './helpers/people.ts'
import type { Services } from '../src/services.ts'
import type { Role } from '../src/identity/roles.ts'
import { createSession } from '../src/identity/sessions.ts'
import { durationParameter } from '../src/catalogue/catalogue.ts'
import { addDuration, describeDuration } from '../src/platform/duration.ts'
import { NO_LEGAL_NAME } from '../src/letters/letters.ts'
import { presentStage } from '../src/letters/presenters.ts'
import type { StageView } from '../src/deadlines/deadlines.ts'
import { renderLetterPdf } from '../src/letters/pdf.ts'
import { pdfSha256Of } from '../src/platform/pdf/pdf.ts'
import { pdfPages, pdfText } from './helpers/pdf.ts'

const CONTRACT = {
  reference: 'MOJ/2026-101',
  title: 'Case management hosting',
  'startDate-day': '1',
  'startDate-month': '4',
  'startDate-year': '2026',
  'endDate-day': '31',
  'endDate-month': '3',
  'endDate-year': '2028',
  classification: 'OFFICIAL-SENSITIVE',
  dataCategories: ['personal'],
  offshore: 'no',
  offshoreLocations: '',
  keyServices: 'Hosting and support of the case management system',
  subcontractors: 'Northwind Hosting\nTailspin Support',
}
const PROFILE = {
  legalName: 'Contoso Secure Services Group plc',
  shortName: 'Contoso',
  securityDirectorName: 'Dana Reyes',
  securityDirectorEmail: 'dana.reyes@contoso.example',
  contactName: 'Sam Patel',
  contactEmail: 'sam.patel@contoso.example',
}
const STAGE_PARAMETERS = {
  'acknowledge-receipt': 'sal-acknowledgement-period',
  'confirm-personnel-briefed': 'sal-confirmation-period',
  'copy-subcontractor-sals': 'sal-subcontractor-copy-period',
} as const

/** The GOV.UK error summary's messages on a page. */
const summaryOf = (html: string) =>
  [
    ...(/govuk-error-summary__list">([\s\S]*?)<\/ul>/.exec(html)?.[1] ?? '').matchAll(/<a href="[^"]*">([^<]*)<\/a>/g),
  ].map(m => m[1]?.trim())

for (const engine of engines()) {
  describe(`Security Aspects Letters on ${engine.name}`, () => {
    let store: TestStore
    let app: FastifyInstance
    let services: Services
    let close: () => Promise<void>
    // A fixed clock: the deadlines are computed from it, never from the time the test happens to run.
    const clock = new Date('2026-12-04T10:00:00.000Z')
    let contoso = ''
    let fabrikam = ''
    let contract = ''
    let letter = ''
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
        .select(['action', 'user_id', 'outcome', 'target_id'])
        .where('request_id', '=', String(requestId))
        .execute()
        .then(rows => rows.map(row => ({ ...row })))
    const stagesOf = async (letterId: string) =>
      services.store.db
        .selectFrom('deadline_stages')
        .select(['stage_key', 'due_at', 'status', 'completed_by'])
        .where('subject_type', '=', 'sal')
        .where('subject_id', '=', letterId)
        .orderBy('stage_key')
        .execute()
    const count = async (table: 'letters' | 'deadline_stages' | 'letter_events') =>
      Number(
        (
          await services.store.db
            .selectFrom(table)
            .select(e => e.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      )
    const letterUrl = (id: string, action?: string) =>
      `/suppliers/${contoso}/letters/${id}${action === undefined ? '' : `/${action}`}`

    before(async () => {
      store = await engine.create()
      ;({ app, services, close } = await startApp(store, { now: () => clock }))
      const authority = { kind: 'authority' as const, name: 'Ministry of Justice' }
      await person('admin', ['authority-admin'], authority)
      await person('assessor', ['security-assessor'], authority)
      contoso = (await person('contoso-admin', ['supplier-admin'], { kind: 'supplier', name: 'Contoso Ltd' }))
        .organisationId
      await person('contoso-signatory', ['supplier-signatory'], { kind: 'supplier', name: 'Contoso Ltd' })
      fabrikam = (await person('fabrikam-admin', ['supplier-admin'], { kind: 'supplier', name: 'Fabrikam Ltd' }))
        .organisationId
      assert.equal((await as('admin').post(`/suppliers/${contoso}/profile`, PROFILE)).statusCode, 303)
      assert.equal((await as('admin').post(`/suppliers/${contoso}/contracts/new`, CONTRACT)).statusCode, 303)
      assert.equal(
        (await as('admin').post(`/suppliers/${fabrikam}/contracts/new`, { ...CONTRACT, reference: 'MOJ/2026-102' }))
          .statusCode,
        303,
      )
      const row = await services.store.db
        .selectFrom('contracts')
        .select('id')
        .where('reference', '=', CONTRACT.reference)
        .executeTakeFirstOrThrow()
      contract = row.id
    })
    after(async () => {
      await close()
      await store.dispose()
    })

    it('refuses to issue a letter to a supplier with no legal name, with the specific error, storing nothing', async () => {
      const fabrikamContract = await services.store.db
        .selectFrom('contracts')
        .select('id')
        .where('organisation_id', '=', fabrikam)
        .executeTakeFirstOrThrow()
      const [letters, stages] = [await count('letters'), await count('deadline_stages')]
      const form = await as('admin').get(`/suppliers/${fabrikam}/letters/new`)
      assert.equal(form.statusCode, 200)
      assert.match(form.body, /Long legal name|Organisation long legal name/)
      assert.match(form.body, /govuk-tag--red">Missing/)
      const response = await as('admin').post(`/suppliers/${fabrikam}/letters/new`, {
        contractId: fabrikamContract.id,
      })
      assert.equal(response.statusCode, 400)
      assert.deepEqual(summaryOf(response.body), [NO_LEGAL_NAME])
      assert.equal(await count('letters'), letters)
      assert.equal(await count('deadline_stages'), stages)
    })

    it('asks which contract when none is chosen', async () => {
      const response = await as('admin').post(`/suppliers/${contoso}/letters/new`, {})
      assert.equal(response.statusCode, 400)
      assert.deepEqual(summaryOf(response.body), ['Select the contract the letter is for'])
    })

    it('issues a letter from the guidance’s template, with its hash and three stages due by the catalogue', async () => {
      const response = await as('assessor').post(`/suppliers/${contoso}/letters/new`, { contractId: contract })
      assert.equal(response.statusCode, 303)
      letter = /letters\/([^/?]+)\?done=issued$/.exec(String(response.headers.location))?.[1] ?? ''
      assert.notEqual(letter, '')
      assert.deepEqual(await ledgerFor(response.headers['x-request-id']), [
        { action: 'letter.sal.issued', user_id: people.get('assessor')?.id, outcome: 'success', target_id: letter },
      ])
      const stored = await services.store.db
        .selectFrom('letters')
        .selectAll()
        .where('id', '=', letter)
        .executeTakeFirstOrThrow()
      assert.equal(stored.version, 1)
      assert.equal(stored.status, 'issued')
      assert.equal(stored.body_sha256, createHash('sha256').update(stored.body).digest('hex'))
      assert.match(stored.body, /^Contract: MOJ\/2026-101\n\nDate: 4 December 2026\n\nDear Dana Reyes,/)
      assert.match(stored.body, /which Contoso Secure Services Group plc and\/or its affiliates \(together "Contoso"\)/)
      assert.doesNotMatch(stored.body, /<[A-Z ]+>|\[Missing/)
      const ackPeriod = describeDuration(durationParameter(services.catalogue, 'sal-acknowledgement-period'))
      assert.ok(stored.body.includes(`binding within ${ackPeriod}.`))
      assert.deepEqual(JSON.parse(stored.distribution), {
        internalAction: ['Authority Security & Privacy'],
        internalInformation: [
          'Director of Authority Service Delivery',
          'Head of Service Delivery',
          'Authority Commercial',
        ],
        externalAction: ['Contoso'],
      })
      const stages = await stagesOf(letter)
      assert.deepEqual(
        stages.map(s => [s.stage_key, s.due_at, s.status]),
        Object.entries(STAGE_PARAMETERS)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([key, parameter]) => [
            key,
            addDuration(clock, durationParameter(services.catalogue, parameter)).toISOString(),
            'open',
          ]),
      )
      const page = await as('contoso-signatory').get(letterUrl(letter))
      assert.equal(page.statusCode, 200)
      assert.ok(page.body.includes(stored.body_sha256))
      assert.match(page.body, /Pending/)
      assert.match(page.body, /Friday 18 December 2026 at 10:00/)
    })

    it('refuses a second first issue for the same contract', async () => {
      const response = await as('admin').post(`/suppliers/${contoso}/letters/new`, { contractId: contract })
      assert.equal(response.statusCode, 400)
      assert.match(summaryOf(response.body)[0] ?? '', /already has a Security Aspects Letter/)
    })

    it('answers another supplier’s people as not found, and changes nothing', async () => {
      for (const url of [letterUrl(letter), `/suppliers/${fabrikam}/letters/${letter}`]) {
        assert.equal((await as('fabrikam-admin').get(url)).statusCode, 404, url)
      }
      const response = await as('fabrikam-admin').post(letterUrl(letter, 'acknowledge'), { accept: 'yes' })
      assert.equal(response.statusCode, 404)
      assert.deepEqual(
        (await ledgerFor(response.headers['x-request-id'])).map(e => [e.action, e.outcome]),
        [['access.denied', 'denied']],
      )
      assert.ok((await stagesOf(letter)).every(s => s.status === 'open'))
      assert.equal((await as('fabrikam-admin').get(`/suppliers/${fabrikam}/letters`)).body.includes(letter), false)
    })

    it('downloads the letter as issued as a PDF, marked with the contract’s classification, recording the read', async () => {
      const response = await as('contoso-admin').get(letterUrl(letter, 'pdf'))
      assert.equal(response.statusCode, 200)
      assert.equal(response.headers['content-type'], 'application/pdf')
      assert.equal(
        response.headers['content-disposition'],
        'attachment; filename="security-aspects-letter-MOJ-2026-101-v1.pdf"',
      )
      assert.deepEqual(
        (await ledgerFor(response.headers['x-request-id'])).map(e => [e.action, e.user_id, e.target_id]),
        [['letter.pdf.downloaded', people.get('contoso-admin')?.id, null]],
      )
      const stored = await services.store.db
        .selectFrom('letters')
        .selectAll()
        .where('id', '=', letter)
        .executeTakeFirstOrThrow()
      const pages = pdfPages(response.rawPayload)
      assert.ok(pages.length > 1)
      for (const page of pages) assert.equal(page.split('\n').filter(line => line === 'OFFICIAL-SENSITIVE').length, 2)
      const text = pdfText(response.rawPayload).replace(/\s+/g, ' ')
      assert.ok(text.includes('Dear Dana Reyes, Subject: Security Aspects Letter'))
      assert.ok(text.includes(`SHA-256 of the letter text ${stored.body_sha256}`))
      // Anyone holding the stored letter can render it again and get the hash the download carries.
      assert.equal(pdfSha256Of(response.rawPayload), (await renderLetterPdf(stored, 'OFFICIAL-SENSITIVE')).sha256)
      const page = await as('contoso-admin').get(letterUrl(letter))
      assert.ok(page.body.includes(`href="${letterUrl(letter, 'pdf')}"`))
      // Nothing is signed yet, so there is no declaration to download; another supplier finds neither.
      assert.equal((await as('contoso-admin').get(letterUrl(letter, 'declaration.pdf'))).statusCode, 404)
      assert.equal((await as('fabrikam-admin').get(letterUrl(letter, 'pdf'))).statusCode, 404)
      assert.equal((await as('fabrikam-admin').get(`/suppliers/${fabrikam}/letters/${letter}/pdf`)).statusCode, 404)
    })

    it('completes the acknowledgement stage once, attributed to the supplier person who acknowledged', async () => {
      const refused = await as('contoso-admin').post(letterUrl(letter, 'acknowledge'), {})
      assert.equal(refused.statusCode, 400)
      assert.deepEqual(summaryOf(refused.body), ['Select that you have received the letter and accept its terms'])
      const response = await as('contoso-admin').post(letterUrl(letter, 'acknowledge'), { accept: 'yes' })
      assert.equal(response.statusCode, 303)
      assert.deepEqual(await ledgerFor(response.headers['x-request-id']), [
        {
          action: 'letter.sal.acknowledged',
          user_id: people.get('contoso-admin')?.id,
          outcome: 'success',
          target_id: letter,
        },
      ])
      const again = await as('contoso-signatory').post(letterUrl(letter, 'acknowledge'), { accept: 'yes' })
      assert.equal(again.statusCode, 303)
      const acknowledged = await services.store.db
        .selectFrom('audit_entries')
        .select('sequence')
        .where('action', '=', 'letter.sal.acknowledged')
        .where('target_id', '=', letter)
        .execute()
      assert.equal(acknowledged.length, 1)
      const stages = await stagesOf(letter)
      assert.deepEqual(
        stages.map(s => [s.stage_key, s.status, s.completed_by]),
        [
          ['acknowledge-receipt', 'done', people.get('contoso-admin')?.id],
          ['confirm-personnel-briefed', 'open', null],
          ['copy-subcontractor-sals', 'open', null],
        ],
      )
    })

    it('lets only the signatory sign the declaration, and only after a fresh second factor', async () => {
      const admin = await as('contoso-admin').post(letterUrl(letter, 'confirm'), {
        position: 'Director',
        declaration: 'yes',
      })
      assert.equal(admin.statusCode, 403)
      assert.match(admin.body, /Only the supplier’s signatory can sign/)
      // The signatory's session without a recent second factor.
      const token = await createSession(services.store.db, {
        userId: people.get('contoso-signatory')?.id ?? '',
        stage: 'active',
        now: clock,
        lifetime: 'PT12H',
      })
      const stale = await browserFor(app, `assure-session=${token}`).post(letterUrl(letter, 'confirm'), {
        position: 'Director',
        declaration: 'yes',
      })
      assert.equal(stale.statusCode, 303)
      assert.match(String(stale.headers.location), /^\/account\/confirm\?next=/)
      assert.equal((await stagesOf(letter)).find(s => s.stage_key === 'confirm-personnel-briefed')?.status, 'open')

      const missing = await as('contoso-signatory').post(letterUrl(letter, 'confirm'), {})
      assert.equal(missing.statusCode, 400)
      assert.deepEqual(summaryOf(missing.body), ['Enter your position', 'Select to sign the declaration'])
      const signed = await as('contoso-signatory').post(letterUrl(letter, 'confirm'), {
        position: 'Director of Security',
        declaration: 'yes',
      })
      assert.equal(signed.statusCode, 303)
      assert.deepEqual(
        (await ledgerFor(signed.headers['x-request-id'])).map(e => [e.action, e.user_id]),
        [['letter.sal.confirmed', people.get('contoso-signatory')?.id]],
      )
      const event = await services.store.db
        .selectFrom('letter_events')
        .selectAll()
        .where('letter_id', '=', letter)
        .where('stage_key', '=', 'confirm-personnel-briefed')
        .executeTakeFirstOrThrow()
      const details = JSON.parse(event.details) as Record<string, unknown>
      const issued = await services.store.db
        .selectFrom('letters')
        .selectAll()
        .where('id', '=', letter)
        .executeTakeFirstOrThrow()
      assert.match(String(details.declarationSha256), /^[0-9a-f]{64}$/)
      assert.deepEqual(details, {
        signerId: people.get('contoso-signatory')?.id,
        signerName: 'Test Person',
        position: 'Director of Security',
        signedAt: clock.toISOString(),
        marking: 'OFFICIAL-SENSITIVE',
        clauses: JSON.parse(issued.variables),
        letterSha256: issued.body_sha256,
        declarationSha256: details.declarationSha256,
      })
      // The ledger entry carries the same hash, and the clause values signed against.
      const entry = await services.store.db
        .selectFrom('audit_entries')
        .select('details')
        .where('request_id', '=', String(signed.headers['x-request-id']))
        .executeTakeFirstOrThrow()
      const ledgered = JSON.parse(entry.details) as Record<string, unknown>
      assert.equal(ledgered.declarationSha256, details.declarationSha256)
      assert.deepEqual(ledgered.clauses, details.clauses)
      assert.equal((await stagesOf(letter)).find(s => s.stage_key === 'confirm-personnel-briefed')?.status, 'done')
    })

    it('re-renders the signed declaration PDF from the stored values, carrying the hash stored and ledgered', async () => {
      const event = await services.store.db
        .selectFrom('letter_events')
        .select('details')
        .where('letter_id', '=', letter)
        .where('stage_key', '=', 'confirm-personnel-briefed')
        .executeTakeFirstOrThrow()
      const stored = (JSON.parse(event.details) as { declarationSha256: string }).declarationSha256
      for (const who of ['contoso-signatory', 'assessor']) {
        const response = await as(who).get(letterUrl(letter, 'declaration.pdf'))
        assert.equal(response.statusCode, 200, who)
        assert.equal(response.headers['content-type'], 'application/pdf')
        assert.equal(
          response.headers['content-disposition'],
          'attachment; filename="security-aspects-letter-MOJ-2026-101-v1-signed-declaration.pdf"',
        )
        assert.equal(pdfSha256Of(response.rawPayload), stored)
        assert.deepEqual(
          (await ledgerFor(response.headers['x-request-id'])).map(e => [e.action, e.user_id, e.outcome]),
          [['letter.declaration.downloaded', people.get(who)?.id, 'success']],
        )
        const text = pdfText(response.rawPayload).replace(/\s+/g, ' ')
        assert.ok(text.includes('Signed by Test Person Position Director of Security Signed at'))
        assert.ok(text.includes('Organisation long legal name Contoso Secure Services Group plc'))
        assert.ok(text.includes(`SHA-256: ${stored}`))
      }
      // The same bytes twice: a re-render is the signed document, not a new one.
      const [first, second] = [
        await as('contoso-signatory').get(letterUrl(letter, 'declaration.pdf')),
        await as('contoso-signatory').get(letterUrl(letter, 'declaration.pdf')),
      ]
      assert.ok(first.rawPayload.equals(second.rawPayload))
      assert.equal((await as('fabrikam-admin').get(letterUrl(letter, 'declaration.pdf'))).statusCode, 404)
      const page = await as('contoso-admin').get(letterUrl(letter))
      assert.ok(page.body.includes(`data-declaration-sha256>${stored}</code>`))
      assert.ok(page.body.includes(`href="${letterUrl(letter, 'declaration.pdf')}"`))
    })

    it('records subcontractors’ copies only when every subcontractor on the contract is accounted for', async () => {
      const partial = await as('contoso-admin').post(letterUrl(letter, 'subcontractors'), {
        subcontractors: 'Northwind Hosting',
      })
      assert.equal(partial.statusCode, 400)
      assert.deepEqual(summaryOf(partial.body), [
        'Select every subcontractor once each has acknowledged its copy of the SAL',
      ])
      const all = await as('contoso-admin').post(letterUrl(letter, 'subcontractors'), {
        subcontractors: ['Northwind Hosting', 'Tailspin Support'],
      })
      assert.equal(all.statusCode, 303)
      assert.deepEqual(
        (await ledgerFor(all.headers['x-request-id'])).map(e => e.action),
        ['letter.sal.subcontractor_copies_recorded'],
      )
      assert.ok((await stagesOf(letter)).every(s => s.status === 'done'))
    })

    it('issues a revised letter that supersedes the old one, closes its open stages and opens new ones', async () => {
      // Reopen a stage on the first letter, as if the supplier had not done it yet, to see the revision close it.
      await services.store.db
        .updateTable('deadline_stages')
        .set({ status: 'open', completed_at: null, completed_by: null })
        .where('subject_id', '=', letter)
        .where('stage_key', '=', 'copy-subcontractor-sals')
        .execute()
      assert.equal((await as('contoso-admin').get(letterUrl(letter, 'revise'))).statusCode, 403)
      const noNote = await as('admin').post(letterUrl(letter, 'revise'), { note: ' ' })
      assert.equal(noNote.statusCode, 400)
      assert.deepEqual(summaryOf(noNote.body), ['Enter what changed in this revision'])
      const response = await as('admin').post(letterUrl(letter, 'revise'), { note: 'New security director' })
      assert.equal(response.statusCode, 303)
      const revised = /letters\/([^/?]+)\?done=revised$/.exec(String(response.headers.location))?.[1] ?? ''
      assert.notEqual(revised, letter)
      assert.deepEqual(await ledgerFor(response.headers['x-request-id']), [
        { action: 'letter.sal.revised', user_id: people.get('admin')?.id, outcome: 'success', target_id: revised },
      ])
      const rows = await services.store.db
        .selectFrom('letters')
        .select(['id', 'version', 'status', 'supersedes_id', 'revision_note'])
        .where('contract_id', '=', contract)
        .orderBy('version')
        .execute()
      assert.deepEqual(
        rows.map(r => ({ ...r })),
        [
          { id: letter, version: 1, status: 'superseded', supersedes_id: null, revision_note: null },
          { id: revised, version: 2, status: 'issued', supersedes_id: letter, revision_note: 'New security director' },
        ],
      )
      const old = await stagesOf(letter)
      assert.deepEqual(
        old.map(s => [s.stage_key, s.status, s.completed_by]),
        [
          ['acknowledge-receipt', 'done', people.get('contoso-admin')?.id],
          ['confirm-personnel-briefed', 'done', people.get('contoso-signatory')?.id],
          ['copy-subcontractor-sals', 'done', 'superseded'],
        ],
      )
      assert.deepEqual(
        (await stagesOf(revised)).map(s => s.status),
        ['open', 'open', 'open'],
      )
      const oldPage = await as('contoso-admin').get(letterUrl(letter))
      assert.match(oldPage.body, /has been superseded/)
      const lateAck = await as('contoso-admin').post(letterUrl(letter, 'acknowledge'), { accept: 'yes' })
      assert.equal(lateAck.statusCode, 400)
      assert.match(summaryOf(lateAck.body)[0] ?? '', /superseded by version 2/)
      const again = await as('admin').post(letterUrl(letter, 'revise'), { note: 'Again' })
      assert.equal(again.statusCode, 400)
      const list = await as('contoso-admin').get(`/suppliers/${contoso}/letters`)
      assert.ok(list.body.includes(revised) && list.body.includes(letter))
    })
  })
}

describe('a letter’s stages on its page', () => {
  const stage = (state: StageView['state'], completedBy: string | null = null): StageView => ({
    id: 's1',
    subject: { type: 'sal', id: 'l1' },
    stageKey: 'acknowledge-receipt',
    title: 'Acknowledge receipt',
    startsAt: new Date('2026-12-04T10:00:00Z'),
    dueAt: new Date('2026-12-18T10:00:00Z'),
    responsible: 'supplier-contact',
    reminderOffsets: [],
    escalation: [],
    breachAfter: 'P7D',
    state,
    completedAt: completedBy === null ? null : new Date('2026-12-05T09:30:00Z'),
    completedBy,
    notices: [],
  })

  it('names each state, with the due date in words', () => {
    assert.deepEqual(
      (['pending', 'due-soon', 'overdue', 'breached'] as const).map(state => presentStage(stage(state)).tag.text),
      ['Pending', 'Due soon', 'Overdue', 'Breached'],
    )
    assert.equal(presentStage(stage('pending')).due, 'Friday 18 December 2026 at 10:00')
  })

  it('tells a stage done by the supplier from one closed because the letter was revised', () => {
    assert.deepEqual(
      { ...presentStage(stage('done', 'user-1')), title: undefined },
      {
        key: 'acknowledge-receipt',
        title: undefined,
        state: 'done',
        tag: { text: 'Done', classes: 'govuk-tag--green' },
        due: 'Friday 18 December 2026 at 10:00',
        completed: 'Saturday 5 December 2026 at 09:30',
      },
    )
    assert.equal(presentStage(stage('done', 'superseded')).tag.text, 'Superseded')
    assert.equal(presentStage(stage('done', 'superseded')).completed, null)
  })
})
