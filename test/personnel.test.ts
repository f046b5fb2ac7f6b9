import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { browserFor, startApp } from './helpers/app.ts'
import { engines, type TestStore } from './helpers/stores.ts'
import { buildContract } from './helpers/suppliers.ts'
import { buildPerson, sessionCookieFor } from './helpers/people.ts'
import { testMasterKey } from './helpers/keys.ts'
import type { Services } from '../src/services.ts'
import type { Role } from '../src/identity/roles.ts'
import { sealerFor } from '../src/platform/crypto/sealing.ts'
import { CHECK_SEAL_PURPOSE, checkSealContext } from '../src/personnel/checks.ts'
import { clearanceLevels, meetsLevel } from '../src/personnel/levels.ts'

const AUTHORITY = { kind: 'authority' as const, name: 'Ministry of Justice' }
const CONTOSO = { kind: 'supplier' as const, name: 'Contoso Ltd' }
const FABRIKAM = { kind: 'supplier' as const, name: 'Fabrikam Ltd' }

// Someone made up, with names and a date of birth that appear nowhere else, so a scan for them cannot match by chance.
const SUBJECT = { firstName: 'Zephyrine', lastName: 'Quillfeather', born: ['29', '2', '1984'] as const }
const BORN_ISO = '1984-02-29'
const CHECK = {
  firstName: SUBJECT.firstName,
  lastName: SUBJECT.lastName,
  'dateOfBirth-day': SUBJECT.born[0],
  'dateOfBirth-month': SUBJECT.born[1],
  'dateOfBirth-year': SUBJECT.born[2],
  supplierId: '',
}

/** The GOV.UK error summary's messages on a page. */
const summaryOf = (html: string) =>
  [
    ...(/govuk-error-summary__list">([\s\S]*?)<\/ul>/.exec(html)?.[1] ?? '').matchAll(/<a href="[^"]*">([^<]*)<\/a>/g),
  ].map(m => m[1]?.trim().replaceAll('&#8217;', '’').replaceAll('&#39;', "'"))

// Guidance, Personnel Security: "All required security clearances must be achieved, and warranted to the Authority,
// prior to commencement of work"; Minimum User Clearance Requirements: BPSS as a minimum; Checking someone's
// clearance status: first name, last name and date of birth, answered only to those authorised to receive it.
for (const engine of engines()) {
  describe(`personnel clearances on ${engine.name}`, () => {
    let store: TestStore
    let app: FastifyInstance
    let services: Services
    let close: () => Promise<void>
    const clock = new Date('2026-12-03T10:00:00Z')
    const people = new Map<string, { id: string; cookie: string }>()
    let contoso = ''
    let fabrikam = ''
    let contract = ''
    let fabrikamContract = ''

    const person = async (
      key: string,
      roles: Role[],
      organisation: { kind: 'authority' | 'supplier'; name: string },
    ) => {
      const built = await buildPerson(services.store.db, { roles, organisation })
      people.set(key, { id: built.id, cookie: await sessionCookieFor(services.store.db, built.id, clock) })
      return built
    }
    const idOf = (key: string) => people.get(key)?.id
    const as = (key: string) => browserFor(app, people.get(key)?.cookie)
    const ledgerFor = async (requestId: unknown) =>
      services.store.db
        .selectFrom('audit_entries')
        .select(['action', 'user_id', 'outcome', 'target_id', 'details'])
        .where('request_id', '=', String(requestId))
        .execute()
    const count = async (table: 'personnel_attestations' | 'clearance_checks') =>
      Number(
        (
          await services.store.db
            .selectFrom(table)
            .select(e => e.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      )
    const addContract = async (organisationId: string, reference: string) =>
      buildContract(services.store.db, organisationId, {
        reference,
        classification: 'OFFICIAL',
        data_categories: '[]',
        key_services: 'Hosting',
        created_at: clock.toISOString(),
      })
    const attestation = (overrides: Record<string, string> = {}) => ({
      contractId: contract,
      fullName: 'Alex Morgan',
      role: 'Database administrator',
      clearanceLevel: 'SC',
      requiredLevel: 'BPSS',
      'achieved-day': '1',
      'achieved-month': '3',
      'achieved-year': '2026',
      'started-day': '1',
      'started-month': '4',
      'started-year': '2026',
      ...overrides,
    })
    const requestCheck = async (form: Record<string, string> = CHECK) => {
      const response = await as('admin').post('/personnel/clearance-checks/new', form)
      assert.equal(response.statusCode, 303, response.body.slice(0, 400))
      return String(response.headers.location).replace(/\?.*$/, '')
    }

    before(async () => {
      store = await engine.create()
      ;({ app, services, close } = await startApp(store, { now: () => clock }))
      await person('admin', ['authority-admin'], AUTHORITY)
      await person('assessor', ['security-assessor'], AUTHORITY)
      await person('viewer', ['authority-viewer'], AUTHORITY)
      await person('auditor', ['auditor'], AUTHORITY)
      contoso = (await person('contoso-admin', ['supplier-admin'], CONTOSO)).organisationId
      await person('contoso-signatory', ['supplier-signatory'], CONTOSO)
      await person('contoso-contributor', ['supplier-contributor'], CONTOSO)
      fabrikam = (await person('fabrikam-admin', ['supplier-admin'], FABRIKAM)).organisationId
      contract = await addContract(contoso, 'MOJ/2026-201')
      fabrikamContract = await addContract(fabrikam, 'MOJ/2026-202')
    })
    after(async () => {
      await close()
      await store.dispose()
    })

    it('ranks the catalogue’s levels with the enhanced check above the one it enhances', () => {
      const levels = clearanceLevels(services.catalogue)
      assert.deepEqual(levels, ['BPSS', 'CTC', 'SC', 'eSC', 'DV'])
      assert.equal(meetsLevel(levels, 'eSC', 'SC'), true)
      assert.equal(meetsLevel(levels, 'SC', 'eSC'), false)
      assert.equal(meetsLevel(levels, 'TOP', 'BPSS'), false)
    })

    it('records an attestation with one ledger entry that names the contract and levels, not the person', async () => {
      const response = await as('contoso-admin').post(`/suppliers/${contoso}/personnel`, attestation())
      assert.equal(response.statusCode, 303, response.body.slice(0, 500))
      assert.equal(response.headers.location, `/suppliers/${contoso}/personnel?done=attested`)
      const entries = await ledgerFor(response.headers['x-request-id'])
      assert.deepEqual(
        entries.map(e => [e.action, e.user_id]),
        [['personnel.attestation.recorded', idOf('contoso-admin')]],
      )
      assert.deepEqual(JSON.parse(entries[0]?.details ?? '{}'), {
        supplierId: contoso,
        contractReference: 'MOJ/2026-201',
        clearanceLevel: 'SC',
        requiredLevel: 'BPSS',
        achievedOn: '2026-03-01',
        startedOn: '2026-04-01',
      })
      const row = await services.store.db
        .selectFrom('personnel_attestations')
        .selectAll()
        .where('id', '=', String(entries[0]?.target_id))
        .executeTakeFirstOrThrow()
      assert.equal(row.full_name, 'Alex Morgan')
      assert.equal(row.status, 'current')
      // The Authority and the supplier's own people see it; each view of the names is recorded.
      for (const who of ['viewer', 'auditor', 'contoso-contributor']) {
        const page = await as(who).get(`/suppliers/${contoso}/personnel`)
        assert.equal(page.statusCode, 200, who)
        assert.match(page.body, /Alex Morgan/, who)
        assert.match(page.body, /1 March 2026/, who)
        assert.deepEqual(
          (await ledgerFor(page.headers['x-request-id'])).map(e => e.action),
          ['personnel.attestations.viewed'],
        )
      }
    })

    it('refuses an attestation that breaks the rules with a specific error, and stores nothing', async () => {
      const countBefore = await count('personnel_attestations')
      const cases: Array<[Record<string, string>, string]> = [
        [
          { clearanceLevel: 'BPSS', requiredLevel: 'SC' },
          'BPSS is below the SC this role requires: the person must not work on the contract until they hold SC',
        ],
        [
          { 'achieved-month': '5', 'achieved-day': '2' },
          'The clearance must have been achieved before the person started work',
        ],
        [
          { 'achieved-day': '4', 'achieved-month': '12' },
          'The date the clearance was achieved must be today or in the past',
        ],
        [{ 'started-day': '4', 'started-month': '12' }, 'The date they started work must be today or in the past'],
        [{ contractId: fabrikamContract }, 'Select one of this supplier’s contracts'],
        [{ contractId: randomUUID() }, 'Select one of this supplier’s contracts'],
        [{ 'achieved-day': '31', 'achieved-month': '2' }, 'The date the clearance was achieved must be a real date'],
        [{ 'started-year': '' }, 'The date they started work must include a year'],
        [{ fullName: '  ' }, 'Enter the person’s full name'],
        [{ role: '' }, 'Enter the person’s role on the contract'],
        [{ clearanceLevel: 'TOP SECRET' }, 'Select the clearance level the person has achieved'],
        [{ requiredLevel: '' }, 'Select the clearance level the role requires'],
      ]
      for (const [change, message] of cases) {
        const response = await as('contoso-signatory').post(`/suppliers/${contoso}/personnel`, attestation(change))
        assert.equal(response.statusCode, 400, message)
        assert.deepEqual(summaryOf(response.body), [message])
        // What was typed stays in the form.
        if (!('role' in change)) assert.match(response.body, /value="Database administrator"/, message)
      }
      assert.equal(await count('personnel_attestations'), countBefore)
    })

    it('lets the Authority raise a contract’s required level, which attestations on it must then meet', async () => {
      const refused = await as('contoso-admin').post(`/suppliers/${contoso}/personnel/requirements`, {
        contractId: contract,
        requiredLevel: 'SC',
      })
      assert.equal(refused.statusCode, 403)
      const bad = await as('assessor').post(`/suppliers/${contoso}/personnel/requirements`, {
        contractId: contract,
        requiredLevel: 'SECRET',
      })
      assert.equal(bad.statusCode, 400)
      assert.deepEqual(summaryOf(bad.body), ['Select the clearance level the contract requires'])
      const set = await as('assessor').post(`/suppliers/${contoso}/personnel/requirements`, {
        contractId: contract,
        requiredLevel: 'SC',
      })
      assert.equal(set.statusCode, 303)
      const entries = await ledgerFor(set.headers['x-request-id'])
      assert.deepEqual(
        entries.map(e => [e.action, e.user_id, e.target_id]),
        [['personnel.contract_clearance.set', idOf('assessor'), contract]],
      )
      assert.deepEqual(JSON.parse(entries[0]?.details ?? '{}'), {
        supplierId: contoso,
        contractReference: 'MOJ/2026-201',
        requiredLevel: 'SC',
        previous: 'BPSS',
      })

      const countBefore = await count('personnel_attestations')
      const low = await as('contoso-admin').post(
        `/suppliers/${contoso}/personnel`,
        attestation({ requiredLevel: 'BPSS', clearanceLevel: 'SC' }),
      )
      assert.equal(low.statusCode, 400)
      assert.deepEqual(summaryOf(low.body), [
        'The Authority requires at least SC on contract MOJ/2026-201: select SC or higher',
      ])
      const ctc = await as('contoso-admin').post(
        `/suppliers/${contoso}/personnel`,
        attestation({ requiredLevel: 'SC', clearanceLevel: 'CTC' }),
      )
      assert.deepEqual(summaryOf(ctc.body), [
        'CTC is below the SC this role requires: the person must not work on the contract until they hold SC',
      ])
      assert.equal(await count('personnel_attestations'), countBefore)
      const ok = await as('contoso-admin').post(
        `/suppliers/${contoso}/personnel`,
        attestation({ fullName: 'Jordan Blake', requiredLevel: 'SC', clearanceLevel: 'eSC' }),
      )
      assert.equal(ok.statusCode, 303)
      const page = await as('contoso-contributor').get(`/suppliers/${contoso}/personnel`)
      assert.match(page.body, /MOJ\/2026-201: Case management hosting<\/td>\s*<td class="govuk-table__cell">SC<\/td>/)
      assert.match(page.body, /eSC \(requires SC\)/)
    })

    it('keeps each supplier to its own personnel: another supplier’s is not found, and the attempt recorded', async () => {
      const other = await as('fabrikam-admin').get(`/suppliers/${contoso}/personnel`)
      assert.equal(other.statusCode, 404)
      assert.doesNotMatch(other.body, /Alex Morgan/)
      assert.deepEqual(
        (await ledgerFor(other.headers['x-request-id'])).map(e => [e.action, e.outcome]),
        [['access.denied', 'denied']],
      )
      const countBefore = await count('personnel_attestations')
      const post = await as('fabrikam-admin').post(
        `/suppliers/${contoso}/personnel`,
        attestation({ contractId: fabrikamContract }),
      )
      assert.equal(post.statusCode, 404)
      const [row] = await services.store.db.selectFrom('personnel_attestations').select('id').limit(1).execute()
      const withdraw = await as('fabrikam-admin').post(`/suppliers/${contoso}/personnel/${row?.id}/withdraw`, {
        reason: 'Not ours',
      })
      assert.equal(withdraw.statusCode, 404)
      const own = await as('fabrikam-admin').post(`/suppliers/${fabrikam}/personnel/${row?.id}/withdraw`, {
        reason: 'Not ours',
      })
      assert.equal(own.statusCode, 404)
      assert.equal(await count('personnel_attestations'), countBefore)
      // Contributors read their supplier's attestations but cannot attest; the Authority does not attest.
      assert.equal(
        (await as('contoso-contributor').post(`/suppliers/${contoso}/personnel`, attestation())).statusCode,
        403,
      )
      assert.equal((await as('admin').post(`/suppliers/${contoso}/personnel`, attestation())).statusCode, 403)
      assert.equal((await as('fabrikam-admin').get(`/suppliers/${fabrikam}/personnel`)).statusCode, 200)
    })

    it('withdraws an attestation without deleting it, once', async () => {
      const [row] = await services.store.db
        .selectFrom('personnel_attestations')
        .select('id')
        .where('full_name', '=', 'Alex Morgan')
        .execute()
      const url = `/suppliers/${contoso}/personnel/${row?.id}/withdraw`
      assert.equal((await as('contoso-signatory').get(url)).statusCode, 200)
      const blank = await as('contoso-signatory').post(url, { reason: '' })
      assert.equal(blank.statusCode, 400)
      assert.deepEqual(summaryOf(blank.body), [
        'Enter why you are withdrawing the attestation, for example the person left the contract',
      ])
      const withdrawn = await as('contoso-signatory').post(url, { reason: 'Left the contract on 30 November 2026' })
      assert.equal(withdrawn.statusCode, 303)
      assert.deepEqual(
        (await ledgerFor(withdrawn.headers['x-request-id'])).map(e => [e.action, e.user_id, e.target_id]),
        [['personnel.attestation.withdrawn', idOf('contoso-signatory'), row?.id]],
      )
      const stored = await services.store.db
        .selectFrom('personnel_attestations')
        .selectAll()
        .where('id', '=', String(row?.id))
        .executeTakeFirstOrThrow()
      assert.equal(stored.status, 'withdrawn')
      assert.equal(stored.full_name, 'Alex Morgan')
      assert.equal(stored.withdrawn_by, idOf('contoso-signatory'))
      assert.equal(stored.withdrawal_reason, 'Left the contract on 30 November 2026')
      const page = await as('viewer').get(`/suppliers/${contoso}/personnel`)
      assert.match(page.body, /Withdrawn/)
      assert.match(page.body, /Left the contract on 30 November 2026/)
      assert.equal((await as('contoso-signatory').post(url, { reason: 'Again' })).statusCode, 409)
      assert.equal((await as('contoso-signatory').get(url)).statusCode, 409)
    })

    it('seals a check request’s name and date of birth at rest, bound to the request and the field', async () => {
      const url = await requestCheck()
      const id = url.split('/').pop() ?? ''
      const row = await services.store.db
        .selectFrom('clearance_checks')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
      const raw = JSON.stringify(row)
      for (const secret of [SUBJECT.firstName, SUBJECT.lastName, BORN_ISO, '1984'])
        assert.equal(raw.includes(secret), false, secret)
      for (const sealed of [row.first_name_sealed, row.last_name_sealed, row.date_of_birth_sealed])
        assert.match(sealed, /^v1\./)
      const sealer = sealerFor(testMasterKey(), CHECK_SEAL_PURPOSE)
      assert.equal(sealer.open(row.first_name_sealed, checkSealContext(id, 'firstName')).toString(), SUBJECT.firstName)
      assert.equal(sealer.open(row.date_of_birth_sealed, checkSealContext(id, 'dateOfBirth')).toString(), BORN_ISO)
      // Moved to another field or another request, a sealed value does not open.
      assert.throws(() => sealer.open(row.first_name_sealed, checkSealContext(id, 'lastName')))
      assert.throws(() => sealer.open(row.first_name_sealed, checkSealContext(randomUUID(), 'firstName')))
      const requested = await services.store.db
        .selectFrom('audit_entries')
        .select(['action', 'user_id', 'details'])
        .where('target_id', '=', id)
        .execute()
      assert.deepEqual(
        requested.map(e => [e.action, e.user_id, JSON.parse(e.details)]),
        [['personnel.clearance_check.requested', idOf('admin'), { supplierId: null }]],
      )
    })

    it('refuses an incomplete check request with specific errors, and stores nothing', async () => {
      const countBefore = await count('clearance_checks')
      const cases: Array<[Record<string, string>, string]> = [
        [{ firstName: '' }, 'Enter their first name'],
        [{ lastName: ' ' }, 'Enter their last name'],
        [{ 'dateOfBirth-day': '' }, 'The date of birth must include a day'],
        [{ 'dateOfBirth-day': '30' }, 'The date of birth must be a real date'],
        [
          { 'dateOfBirth-day': '3', 'dateOfBirth-month': '12', 'dateOfBirth-year': '2026' },
          'The date of birth must be in the past',
        ],
        [{ supplierId: randomUUID() }, 'Select a supplier from the list, or ‘Not linked to a supplier’'],
      ]
      for (const [change, message] of cases) {
        const response = await as('assessor').post('/personnel/clearance-checks/new', { ...CHECK, ...change })
        assert.equal(response.statusCode, 400, message)
        assert.deepEqual(summaryOf(response.body), [message])
      }
      assert.equal(await count('clearance_checks'), countBefore)
    })

    it('shows the decrypted details only to Authority administrators and security assessors, recording each view', async () => {
      const url = await requestCheck({ ...CHECK, supplierId: contoso })
      const id = url.split('/').pop() ?? ''
      for (const who of ['admin', 'assessor']) {
        const page = await as(who).get(url)
        assert.equal(page.statusCode, 200, who)
        assert.match(page.body, new RegExp(SUBJECT.firstName))
        assert.match(page.body, new RegExp(SUBJECT.lastName))
        assert.match(page.body, /29 February 1984/)
        assert.match(page.body, /Contoso Ltd/)
        const entries = await ledgerFor(page.headers['x-request-id'])
        assert.deepEqual(
          entries.map(e => [e.action, e.user_id, e.target_id, e.outcome]),
          [['personnel.clearance_check.viewed', idOf(who), id, 'success']],
        )
        const list = await as(who).get('/personnel/clearance-checks')
        assert.equal(list.statusCode, 200)
        assert.match(list.body, new RegExp(`${SUBJECT.firstName} ${SUBJECT.lastName}`))
        const listed = await ledgerFor(list.headers['x-request-id'])
        assert.deepEqual(
          listed.map(e => e.action),
          ['personnel.clearance_check.listed'],
        )
        assert.ok((JSON.parse(listed[0]?.details ?? '{}').checkIds as string[]).includes(id))
      }
      for (const who of ['auditor', 'viewer', 'contoso-admin', 'fabrikam-admin']) {
        for (const path of [url, '/personnel/clearance-checks', '/personnel/clearance-checks/new']) {
          const page = await as(who).get(path)
          assert.equal(page.statusCode, 403, `${who} ${path}`)
          assert.doesNotMatch(page.body, new RegExp(SUBJECT.lastName))
          assert.doesNotMatch(page.body, /29 February 1984/)
        }
        assert.equal((await as(who).post(`${url}/answer`, { outcome: 'none' })).statusCode, 403, who)
      }
      // The denied view is recorded too.
      const denied = await as('auditor').get(url)
      assert.deepEqual(
        (await ledgerFor(denied.headers['x-request-id'])).map(e => e.outcome),
        ['denied'],
      )
      assert.equal((await as('admin').get(`/personnel/clearance-checks/${randomUUID()}`)).statusCode, 404)
      assert.equal((await as('admin').get('/personnel/clearance-checks/not-a-uuid')).statusCode, 404)
    })

    it('records the answer once, with who and when, after refusing an incomplete one', async () => {
      const url = await requestCheck()
      const cases: Array<[Record<string, string>, string]> = [
        [{}, 'Select the answer the MoJ Group Security Team gave'],
        [
          { outcome: 'cleared', 'validUntil-day': '30', 'validUntil-month': '6', 'validUntil-year': '2029' },
          'Select the clearance level they hold',
        ],
        [
          {
            outcome: 'cleared',
            clearedLevel: 'SC',
            'validUntil-day': '1',
            'validUntil-month': '1',
            'validUntil-year': '2026',
          },
          'The date the clearance is valid until must be today or in the future. If it has passed, select ‘Lapsed’',
        ],
        [{ outcome: 'cleared', clearedLevel: 'SC' }, 'Enter the date the clearance is valid until'],
        [{ outcome: 'lapsed' }, 'Enter the date the clearance lapsed'],
        [
          { outcome: 'lapsed', 'lapsedOn-day': '1', 'lapsedOn-month': '1', 'lapsedOn-year': '2027' },
          'The date the clearance lapsed must be today or in the past',
        ],
      ]
      for (const [form, message] of cases) {
        const response = await as('assessor').post(`${url}/answer`, form)
        assert.equal(response.statusCode, 400, message)
        assert.deepEqual(summaryOf(response.body), [message])
      }
      const pending = await services.store.db
        .selectFrom('clearance_checks')
        .select('status')
        .where('id', '=', url.split('/').pop() ?? '')
        .executeTakeFirstOrThrow()
      assert.equal(pending.status, 'pending')

      const answered = await as('assessor').post(`${url}/answer`, {
        outcome: 'cleared',
        clearedLevel: 'SC',
        'validUntil-day': '30',
        'validUntil-month': '6',
        'validUntil-year': '2029',
      })
      assert.equal(answered.statusCode, 303)
      const entries = await ledgerFor(answered.headers['x-request-id'])
      assert.deepEqual(
        entries.map(e => [e.action, e.user_id, JSON.parse(e.details)]),
        [
          [
            'personnel.clearance_check.answered',
            idOf('assessor'),
            { supplierId: null, outcome: 'cleared', level: 'SC', validUntil: '2029-06-30' },
          ],
        ],
      )
      const page = await as('admin').get(url)
      assert.match(page.body, /Cleared to SC until 30 June 2029/)
      assert.match(page.body, /3 December 2026 by Test Person/)
      assert.doesNotMatch(page.body, /Record the answer/)
      assert.equal((await as('admin').post(`${url}/answer`, { outcome: 'none' })).statusCode, 409)

      const lapsedUrl = await requestCheck()
      const lapsed = await as('admin').post(`${lapsedUrl}/answer`, {
        outcome: 'lapsed',
        'lapsedOn-day': '31',
        'lapsedOn-month': '3',
        'lapsedOn-year': '2025',
      })
      assert.equal(lapsed.statusCode, 303)
      assert.match((await as('admin').get(lapsedUrl)).body, /Clearance lapsed on 31 March 2025/)
    })

    it('never puts a check’s name or date of birth in the ledger', async () => {
      const rows = await services.store.db.selectFrom('audit_entries').selectAll().execute()
      const actions = new Set(rows.map(row => row.action))
      for (const action of [
        'personnel.clearance_check.requested',
        'personnel.clearance_check.viewed',
        'personnel.clearance_check.listed',
        'personnel.clearance_check.answered',
      ])
        assert.ok(actions.has(action), action)
      const all = JSON.stringify(rows)
      for (const secret of [SUBJECT.firstName, SUBJECT.lastName, BORN_ISO, '29 February 1984', '29/02/1984'])
        assert.equal(all.toLowerCase().includes(secret.toLowerCase()), false, secret)
    })
  })
}
