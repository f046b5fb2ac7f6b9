import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { FastifyInstance } from 'fastify'
import { browserFor, startApp } from './helpers/app.ts'
import { engines, type TestStore } from './helpers/stores.ts'
import { buildPerson, sessionCookieFor } from './helpers/people.ts'
import type { Services } from '../src/services.ts'
import type { Role } from '../src/identity/roles.ts'
import { createApiToken } from '../src/identity/api-tokens.ts'
import { parseContractForm } from '../src/suppliers/forms.ts'

const CONTRACT = {
  reference: 'MOJ/2026-014',
  title: 'Case management hosting',
  'startDate-day': '1',
  'startDate-month': '4',
  'startDate-year': '2026',
  'endDate-day': '31',
  'endDate-month': '3',
  'endDate-year': '2028',
  classification: 'OFFICIAL-SENSITIVE',
  dataCategories: ['personal', 'criminal-offence'],
  offshore: 'no',
  offshoreLocations: '',
  keyServices: 'Hosting and support of the case management system',
  subcontractors: 'Northwind Hosting\nTailspin Support',
}
const PROFILE = {
  legalName: 'Contoso Secure Services Limited',
  shortName: 'Contoso',
  securityDirectorName: 'Dana Reyes',
  securityDirectorEmail: 'dana.reyes@contoso.example',
  contactName: 'Sam Patel',
  contactEmail: 'sam.patel@contoso.example',
}

/** The GOV.UK error summary's messages on a page. */
const summaryOf = (html: string) =>
  [
    ...(/govuk-error-summary__list">([\s\S]*?)<\/ul>/.exec(html)?.[1] ?? '').matchAll(/<a href="[^"]*">([^<]*)<\/a>/g),
  ].map(m => m[1]?.trim())

for (const engine of engines()) {
  describe(`the supplier register on ${engine.name}`, () => {
    let store: TestStore
    let app: FastifyInstance
    let services: Services
    let close: () => Promise<void>
    let contoso = ''
    let fabrikam = ''
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
        .select(['action', 'user_id', 'outcome', 'target_id'])
        .where('request_id', '=', String(requestId))
        .execute()
        .then(rows => rows.map(row => ({ ...row })))
    const count = async (table: 'contracts' | 'cloud_accounts' | 'supplier_profiles') =>
      Number(
        (
          await services.store.db
            .selectFrom(table)
            .select(e => e.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      )

    before(async () => {
      store = await engine.create()
      ;({ app, services, close } = await startApp(store))
      const authority = { kind: 'authority' as const, name: 'Ministry of Justice' }
      await person('admin', ['authority-admin'], authority)
      await person('viewer', ['authority-viewer'], authority)
      contoso = (await person('contoso-admin', ['supplier-admin'], { kind: 'supplier', name: 'Contoso Ltd' }))
        .organisationId
      await person('contoso-contributor', ['supplier-contributor'], { kind: 'supplier', name: 'Contoso Ltd' })
      fabrikam = (await person('fabrikam-admin', ['supplier-admin'], { kind: 'supplier', name: 'Fabrikam Ltd' }))
        .organisationId
    })
    after(async () => {
      await close()
      await store.dispose()
    })

    it('lets a supplier administrator record their own profile, as one ledger entry attributed to them', async () => {
      const response = await as('contoso-admin').post(`/suppliers/${contoso}/profile`, PROFILE)
      assert.equal(response.statusCode, 303)
      assert.equal(response.headers.location, `/suppliers/${contoso}?done=profile`)
      assert.deepEqual(await ledgerFor(response.headers['x-request-id']), [
        {
          action: 'supplier.profile.updated',
          user_id: people.get('contoso-admin')?.id,
          outcome: 'success',
          target_id: contoso,
        },
      ])
      const page = await as('contoso-contributor').get(`/suppliers/${contoso}`)
      assert.equal(page.statusCode, 200)
      assert.match(page.body, /Contoso Secure Services Limited/)
      assert.match(page.body, /Dana Reyes \(dana.reyes@contoso.example\)/)
    })

    it('answers a supplier administrator’s attempt on another supplier as not found, and records it', async () => {
      const saved = await count('supplier_profiles')
      const response = await as('contoso-admin').post(`/suppliers/${fabrikam}/profile`, PROFILE)
      assert.equal(response.statusCode, 404)
      assert.equal(await count('supplier_profiles'), saved)
      assert.deepEqual(await ledgerFor(response.headers['x-request-id']), [
        { action: 'access.denied', user_id: people.get('contoso-admin')?.id, outcome: 'denied', target_id: fabrikam },
      ])
      assert.equal((await as('contoso-admin').get(`/suppliers/${fabrikam}`)).statusCode, 404)
      assert.equal((await as('contoso-contributor').get(`/suppliers/${fabrikam}`)).statusCode, 404)
    })

    it('lets a supplier contributor read their supplier but not change it', async () => {
      const list = await as('contoso-contributor').get('/suppliers')
      assert.equal(list.statusCode, 302)
      assert.equal(list.headers.location, `/suppliers/${contoso}`)
      const edit = await as('contoso-contributor').post(`/suppliers/${contoso}/profile`, PROFILE)
      assert.equal(edit.statusCode, 403)
      const add = await as('contoso-contributor').post(`/suppliers/${contoso}/cloud-accounts/new`, {
        accountId: '123456789012',
        description: 'Production',
      })
      assert.equal(add.statusCode, 403)
    })

    it('keeps a profile with a missing security director email unsaved, showing the GOV.UK message', async () => {
      const response = await as('fabrikam-admin').post(`/suppliers/${fabrikam}/profile`, {
        ...PROFILE,
        legalName: 'Fabrikam Trading Limited',
        securityDirectorEmail: 'not an email',
      })
      assert.equal(response.statusCode, 400)
      assert.deepEqual(summaryOf(response.body), [
        'Enter an email address in the correct format, like name@example.com',
      ])
      assert.match(response.body, /value="Fabrikam Trading Limited"/)
      const profile = await services.store.db
        .selectFrom('supplier_profiles')
        .select('legal_name')
        .where('organisation_id', '=', fabrikam)
        .executeTakeFirst()
      assert.equal(profile, undefined)
    })

    it('lets an Authority administrator add a contract, recorded once and attributed to them', async () => {
      const response = await as('admin').post(`/suppliers/${contoso}/contracts/new`, CONTRACT)
      assert.equal(response.statusCode, 303)
      const entries = await ledgerFor(response.headers['x-request-id'])
      assert.deepEqual(
        entries.map(e => [e.action, e.user_id, e.outcome]),
        [['supplier.contract.added', people.get('admin')?.id, 'success']],
      )
      const page = await as('viewer').get(`/suppliers/${contoso}`)
      assert.match(page.body, /MOJ\/2026-014/)
      assert.match(page.body, /Personal data, Criminal offence data/)
    })

    it('refuses the second of two people saving the same new reference at once, with the form error', async () => {
      const race = { ...CONTRACT, reference: 'MOJ/RACE-1' }
      const responses = await Promise.all([
        as('admin').post(`/suppliers/${fabrikam}/contracts/new`, race),
        as('admin').post(`/suppliers/${fabrikam}/contracts/new`, race),
      ])
      assert.deepEqual(responses.map(r => r.statusCode).sort(), [303, 400])
      const refused = responses.find(r => r.statusCode === 400)
      assert.match(refused?.body ?? '', /A contract with that reference already exists/)
      const stored = await services.store.db
        .selectFrom('contracts')
        .select('id')
        .where('reference', '=', 'MOJ/RACE-1')
        .execute()
      assert.equal(stored.length, 1)
    })

    const badContracts: Array<[string, Record<string, string | string[]>, string]> = [
      ['a taken reference', {}, 'A contract with that reference already exists'],
      [
        'a reference with spaces',
        { reference: 'MOJ 14' },
        'Contract reference must only include letters, numbers, hyphens and slashes',
      ],
      [
        'a reference over 50 characters',
        { reference: 'A'.repeat(51) },
        'Contract reference must be 50 characters or fewer',
      ],
      ['an end date before the start', { 'endDate-year': '2025' }, 'The end date must be after the start date'],
      [
        'an end date equal to the start',
        { 'endDate-day': '1', 'endDate-month': '4', 'endDate-year': '2026' },
        'The end date must be after the start date',
      ],
      ['an impossible date', { 'startDate-day': '31', 'startDate-month': '2' }, 'The start date must be a real date'],
      [
        'offshore with no locations',
        { offshore: 'yes', offshoreLocations: '' },
        'Enter the countries where work or data is offshore',
      ],
      ['no data category', { dataCategories: [] }, 'Select the categories of data, or select ‘None’'],
      [
        '“None” with a category',
        { dataCategories: ['none', 'personal'] },
        'Select the categories of data, or select ‘None’, not both',
      ],
      ['no classification', { classification: '' }, 'Select the contract’s classification'],
    ]
    const newContractUrl = () => `/suppliers/${contoso}/contracts/new`
    for (const [what, change, message] of badContracts) {
      it(`refuses a contract with ${what}, saving nothing`, async () => {
        const saved = await count('contracts')
        const form = { ...CONTRACT, ...change }
        if (Array.isArray(form.dataCategories) && form.dataCategories.length === 0)
          delete (form as Partial<typeof form>).dataCategories
        const response = await as('admin').post(newContractUrl(), form)
        assert.equal(response.statusCode, 400)
        assert.deepEqual(summaryOf(response.body), [message])
        assert.match(response.body, new RegExp(`value="${CONTRACT.title}"`))
        assert.equal(await count('contracts'), saved)
      })
    }

    it('accepts “None” as the data category and records offshore locations', async () => {
      const parsed = parseContractForm({
        _csrf: 'token',
        ...CONTRACT,
        dataCategories: 'none',
        offshore: 'yes',
        offshoreLocations: 'India',
      })
      assert.ok('data' in parsed)
      assert.deepEqual(parsed.data.dataCategories, [])
      assert.equal(parsed.data.offshoreLocations, 'India')
    })

    it('keeps contracts to Authority administrators', async () => {
      for (const key of ['contoso-admin', 'viewer']) {
        const response = await as(key).post(`/suppliers/${contoso}/contracts/new`, { ...CONTRACT, reference: 'X-1' })
        assert.equal(response.statusCode, 403, key)
      }
    })

    it('lets an Authority administrator change a contract', async () => {
      const [contract] = await services.store.db
        .selectFrom('contracts')
        .select('id')
        .where('reference', '=', CONTRACT.reference)
        .execute()
      const url = `/suppliers/${contoso}/contracts/${contract?.id}`
      assert.match((await as('admin').get(url)).body, /value="Case management hosting"/)
      const response = await as('admin').post(url, { ...CONTRACT, title: 'Case management hosting and support' })
      assert.equal(response.statusCode, 303)
      assert.deepEqual(
        (await ledgerFor(response.headers['x-request-id'])).map(e => e.action),
        ['supplier.contract.changed'],
      )
      assert.equal((await as('admin').get(`/suppliers/${fabrikam}/contracts/${contract?.id}`)).statusCode, 404)
    })

    it('lets a supplier administrator register their AWS account, once', async () => {
      const response = await as('contoso-admin').post(`/suppliers/${contoso}/cloud-accounts/new`, {
        accountId: '123456789012',
        description: 'Production',
        contractId: '',
      })
      assert.equal(response.statusCode, 303)
      assert.deepEqual(await ledgerFor(response.headers['x-request-id']).then(e => e.map(x => [x.action, x.user_id])), [
        ['supplier.cloud-account.added', people.get('contoso-admin')?.id],
      ])
      for (const [accountId, message] of [
        ['123456789012', 'That AWS account is already registered'],
        ['12345', 'AWS account ID must be 12 digits, like 123456789012'],
        ['', 'Enter the AWS account ID'],
      ] as const) {
        const saved = await count('cloud_accounts')
        const bad = await as('admin').post(`/suppliers/${contoso}/cloud-accounts/new`, {
          accountId,
          description: 'Staging',
        })
        assert.equal(bad.statusCode, 400, accountId)
        assert.deepEqual(summaryOf(bad.body), [message])
        assert.equal(await count('cloud_accounts'), saved)
      }
      const other = await as('fabrikam-admin').post(`/suppliers/${contoso}/cloud-accounts/new`, {
        accountId: '210987654321',
        description: 'Sneaky',
      })
      assert.equal(other.statusCode, 404)
    })

    it('shows every supplier, with counts, to an Authority viewer', async () => {
      const response = await as('viewer').get('/suppliers')
      assert.equal(response.statusCode, 200)
      assert.match(
        response.body,
        /Contoso Ltd<\/a><\/td>\s*<td class="govuk-table__cell">Dana Reyes<\/td>\s*<td[^>]*>1<\/td>\s*<td[^>]*>1<\/td>/,
      )
      assert.match(response.body, /Fabrikam Ltd/)
    })

    it('serves the register over the API, a supplier token seeing only its own supplier', async () => {
      const tokenFor = async (key: string) => {
        const user = await services.store.db
          .selectFrom('users')
          .select('id')
          .where('id', '=', people.get(key)?.id ?? '')
          .executeTakeFirstOrThrow()
        const { findUserById } = await import('../src/identity/store.ts')
        const record = await findUserById(services.store.db, user.id)
        if (record === undefined) throw new Error('no user')
        return (
          await createApiToken(services.identityDeps, record, { name: 'Test', scopes: ['suppliers:read'], days: 7 }, {})
        ).token
      }
      const api = (url: string, token: string) => app.inject({ url, headers: { authorization: `Bearer ${token}` } })
      const authority = await tokenFor('viewer')
      const supplier = await tokenFor('contoso-contributor')
      assert.deepEqual(
        (await api('/api/v1/suppliers', authority)).json().suppliers.map((s: { name: string }) => s.name),
        ['Contoso Ltd', 'Fabrikam Ltd'],
      )
      assert.deepEqual(
        (await api('/api/v1/suppliers', supplier)).json().suppliers.map((s: { name: string }) => s.name),
        ['Contoso Ltd'],
      )
      const own = await api(`/api/v1/suppliers/${contoso}`, supplier)
      assert.equal(own.statusCode, 200)
      assert.equal(own.json().contracts[0].reference, CONTRACT.reference)
      assert.deepEqual(own.json().contracts[0].subcontractors, ['Northwind Hosting', 'Tailspin Support'])
      assert.equal(own.json().cloudAccounts[0].accountId, '123456789012')
      const other = await api(`/api/v1/suppliers/${fabrikam}`, supplier)
      assert.equal(other.statusCode, 404)
      assert.equal(other.headers['content-type'], 'application/problem+json; charset=utf-8')
      const bad = await api('/api/v1/suppliers/not-a-uuid', authority)
      assert.equal(bad.statusCode, 400)
      assert.equal(bad.json().status, 400)
      const wrongScope = await createApiToken(
        services.identityDeps,
        (await (
          await import('../src/identity/store.ts')
        ).findUserById(services.store.db, people.get('viewer')?.id ?? ''))!,
        { name: 'Other', scopes: ['account:read'], days: 7 },
        {},
      )
      assert.equal((await api('/api/v1/suppliers', wrongScope.token)).statusCode, 403)
    })
  })
}
