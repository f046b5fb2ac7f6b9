import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { browserFor, startApp } from './helpers/app.ts'
import { engines, type TestStore } from './helpers/stores.ts'
import { buildPerson, sessionCookieFor } from './helpers/people.ts'
import type { Services } from '../src/services.ts'
import type { Role } from '../src/identity/roles.ts'
import { runBaseline, type EnforceDeps, type Remediator } from '../src/baseline/enforce.ts'
import { evaluateAccount } from '../src/baseline/rules/index.ts'
import { baselineSettings } from '../src/baseline/settings.ts'
import { seen, unseen } from '../src/baseline/snapshot.ts'
import { insertMute } from '../src/baseline/store.ts'
import {
  elapsedInWords,
  nextStepInWords,
  presentAction,
  presentMute,
  rollbackCommand,
  statusCell,
} from '../src/baseline/presenters.ts'
import { applyScan, withStepsTaken } from '../src/baseline/clocks.ts'
import { ladders } from '../src/baseline/ladders.ts'
import { loadCatalogue } from '../src/catalogue/load.ts'
import type { Catalogue } from '../src/catalogue/catalogue.ts'
import { createApiToken } from '../src/identity/api-tokens.ts'
import { findUserById } from '../src/identity/store.ts'
import { ACCOUNT, compliantAccount, compliantRegion, resource, SECURITY_BUCKET } from './fixtures/baseline/accounts.ts'

const START = new Date('2026-12-01T09:00:00Z')
/** When people look at the pages: five hours after the scan. */
const VIEW = new Date('2026-12-01T14:00:00Z')
const OTHER_ACCOUNT = '444455556666'
const UNREGISTERED = '777788889999'

/** eu-west-2 with an untagged instance and no GuardDuty detector; eu-west-1 whose GuardDuty could not be read. */
const snapshotOf = (accountId: string) =>
  compliantAccount({
    accountId,
    regions: [
      compliantRegion('eu-west-2', {
        guardDuty: seen({ detectors: [], findings: [] }),
        resources: seen([resource({ type: 'AWS::EC2::Instance', id: 'i-bare', tags: {} }, 'eu-west-2')]),
      }),
      compliantRegion('eu-west-1', {
        guardDuty: unseen('AccessDeniedException: not authorized to perform guardduty:ListDetectors'),
      }),
    ],
  })

/** The text of an element's contents, tags removed and spaces collapsed. */
const textOf = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;|&rsquo;|’/g, "'")
    .replace(/\s+/g, ' ')
    .trim()

/** One cell of the rule-by-region table. */
function statusOf(html: string, ruleId: string, region: string): string {
  const row = new RegExp(`<tr class="govuk-table__row" data-rule="${ruleId}">([\\s\\S]*?)</tr>`).exec(html)?.[1]
  assert.ok(row !== undefined, `no row for ${ruleId}`)
  const cell = new RegExp(`<td class="govuk-table__cell" data-region="${region}">([\\s\\S]*?)</td>`).exec(row)?.[1]
  assert.ok(cell !== undefined, `no ${region} cell for ${ruleId}`)
  return textOf(cell)
}

/** A table's body rows as text. */
function rowsOf(html: string, tableId: string): string[] {
  const table = new RegExp(`<table[^>]*id="${tableId}"[^>]*>([\\s\\S]*?)</table>`).exec(html)?.[1] ?? ''
  const body = /<tbody[^>]*>([\s\S]*?)<\/tbody>/.exec(table)?.[1] ?? ''
  return [...body.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map(match => textOf(match[1] ?? ''))
}

describe('AWS baseline presenters', () => {
  const result = (overrides: Partial<Parameters<typeof statusCell>[0] & object> = {}) => ({
    account_id: ACCOUNT,
    region: 'eu-west-2',
    rule_id: 'AWS-GD-02',
    scan_id: 'scan',
    scanned_at: START.toISOString(),
    observed: 1,
    error: null,
    findings: 0,
    ...overrides,
  })

  it('shows a result as compliant, N findings, could not check with the error, or not scanned', () => {
    assert.equal(statusCell(result()).text, 'Compliant')
    assert.equal(statusCell(result({ findings: 1 })).text, '1 finding')
    assert.equal(statusCell(result({ findings: 3 })).text, '3 findings')
    assert.deepEqual(statusCell(result({ observed: 0, error: 'ThrottlingException: Rate exceeded' })), {
      kind: 'error',
      text: 'Could not check: ThrottlingException: Rate exceeded',
      error: 'ThrottlingException: Rate exceeded',
    })
    assert.equal(statusCell(undefined).text, 'Not scanned')
  })

  it('gives time in violation in days and hours', () => {
    assert.equal(elapsedInWords(START, new Date('2026-12-01T09:59:00Z')), 'less than an hour')
    assert.equal(elapsedInWords(START, new Date('2026-12-02T10:00:00Z')), '1 day 1 hour')
    assert.equal(elapsedInWords(START, new Date('2026-12-08T09:00:00Z')), '7 days')
    assert.equal(elapsedInWords(START, new Date('2026-12-01T21:30:00Z')), '12 hours')
  })

  it('offers rollback only for an applied action, with its request IDs, in UK time', () => {
    const action = {
      id: 'act-1',
      violation_id: 'v',
      scan_id: 's',
      account_id: ACCOUNT,
      region: 'eu-west-2',
      remediation: 'enable-guardduty',
      status: 'applied' as const,
      planned: '{}',
      applied: JSON.stringify({ status: 'applied', requestIds: ['req-a', 'req-b'], record: {} }),
      created_at: '2026-07-01T08:59:00.000Z',
      applied_at: '2026-07-01T09:00:00.000Z',
      rolled_back_at: null,
    }
    const shown = presentAction(action)
    assert.equal(shown.remediation, 'Re-enable GuardDuty')
    assert.equal(presentAction({ ...action, remediation: 'retired-remediation' }).remediation, 'retired-remediation')
    assert.equal(shown.rollback, 'npx assure baseline rollback act-1')
    assert.deepEqual(shown.requestIds, ['req-a', 'req-b'])
    // British Summer Time in July: 09:00 UTC is 10:00 in London.
    assert.equal(shown.at, 'Wednesday 1 July 2026 at 10:00')
    assert.equal(presentAction({ ...action, status: 'rolled-back' }).rollback, null)
    assert.equal(presentAction({ ...action, status: 'failed', applied: null }).rollback, null)
    assert.equal(rollbackCommand('x'), 'npx assure baseline rollback x')
  })

  it('says what comes next: the step and when, why a due step waits, or that the ladder is done', () => {
    const ladder = ladders(loadCatalogue())['AWS-TAG-02']
    const scope = { ruleId: 'AWS-TAG-02', accountId: ACCOUNT, region: 'eu-west-2' }
    const resourceArn = `arn:aws:ec2:eu-west-2:${ACCOUNT}:instance/i-bare`
    const finding = { ...scope, resourceArn, summary: 'no tags', evidence: {} }
    const [violation] = applyScan([], [{ ...scope, observed: true, findings: [finding] }], START).open
    assert.ok(violation !== undefined)
    const day = (days: number) => new Date(START.getTime() + days * 24 * 3_600_000)
    const noticed = withStepsTaken(violation, ['creator-1'])
    assert.equal(
      nextStepInWords(noticed, ladder, false, VIEW),
      'Notify the creator (reminder), due Wednesday 2 December 2026 at 09:00',
    )
    assert.equal(
      nextStepInWords(violation, ladder, false, VIEW),
      'Notify the creator (notice), due since Tuesday 1 December 2026 at 09:00: sent by the next enforcement run',
    )
    const notified = withStepsTaken(noticed, ['creator-2', 'creator-3', 'owner'])
    assert.equal(
      nextStepInWords(notified, ladder, false, day(8)),
      'Isolate or stop the resource, due since Tuesday 8 December 2026 at 09:00: ' +
        'planned, and waits for `assure baseline enforce --apply`',
    )
    assert.equal(
      nextStepInWords(withStepsTaken(notified, ['remediate']), ladder, false, day(8)),
      'All steps taken: resolved when a scan finds it compliant',
    )
    assert.equal(
      nextStepInWords(violation, ladder, true, VIEW),
      'None while muted: the steps resume when the mute expires',
    )
  })

  it('shows a mute past its expiry as expired', () => {
    const catalogue = { version: '1.0.0', requirements: [] } as unknown as Catalogue
    const mute = {
      id: 'm',
      account_id: ACCOUNT,
      rule_id: 'AWS-TAG-02',
      resource_arn: null,
      owner: 'Platform team',
      justification: 'Migration',
      expires_at: START.toISOString(),
      created_by: 'x',
      created_at: START.toISOString(),
    }
    assert.equal(presentMute(mute, catalogue, START).expired, true, 'expires at the instant')
    assert.equal(presentMute(mute, catalogue, new Date(START.getTime() - 1)).tag.text, 'In force')
    assert.equal(presentMute(mute, catalogue, START).resource, 'Every resource in the account')
  })
})

for (const engine of engines()) {
  describe(`AWS baseline pages on ${engine.name}`, () => {
    let store: TestStore
    let app: FastifyInstance
    let services: Services
    let close: () => Promise<void>
    let clock = START
    let contoso = ''
    let fabrikam = ''
    const cookies = new Map<string, string>()
    const personIds = new Map<string, string>()
    const as = (key: string) => browserFor(app, cookies.get(key))
    const accountUrl = (supplier: string, account: string) => `/suppliers/${supplier}/baseline/${account}`

    const remediator: Remediator = {
      plan: (violation, remediation) => ({
        remediation,
        accountId: violation.accountId,
        region: violation.region,
        resourceArn: violation.resourceArn,
        destructive: remediation !== 'enable-guardduty',
        calls: [{ service: 'guardduty', command: 'CreateDetector', region: violation.region }],
      }),
      apply: async () => ({ status: 'applied', requestIds: ['req-gd-0001'], record: { undo: [] } }),
      describe: planned => [`${planned.remediation} ${planned.resourceArn}`],
    }
    const enforceDeps = (): EnforceDeps => ({
      db: services.store.db,
      now: () => clock,
      catalogue: services.catalogue,
      mailer: services.mailer,
      remediator,
      recipients: async () => [],
      scan: async (accountIds, handlers) => {
        const settings = baselineSettings(services.catalogue, { securityLogBucket: SECURITY_BUCKET })
        for (const accountId of accountIds) {
          const taken = snapshotOf(accountId)
          await handlers.onResult({
            accountId,
            scannedAt: clock,
            evaluations: evaluateAccount({ ...taken, collectedAt: clock }, settings),
            regions: taken.regions.map(region => region.region),
            resources: 1,
          })
        }
        return { scanned: accountIds.length, failed: 0 }
      },
    })

    before(async () => {
      store = await engine.create()
      ;({ app, services, close } = await startApp(store, { now: () => clock }))
      const people: Array<[string, Role[], { kind: 'authority' | 'supplier'; name: string }]> = [
        ['admin', ['authority-admin'], { kind: 'authority', name: 'Ministry of Justice' }],
        ['viewer', ['authority-viewer'], { kind: 'authority', name: 'Ministry of Justice' }],
        ['contoso', ['supplier-admin'], { kind: 'supplier', name: 'Contoso Ltd' }],
        ['fabrikam', ['supplier-contributor'], { kind: 'supplier', name: 'Fabrikam Ltd' }],
      ]
      const ids = new Map<string, string>()
      for (const [key, roles, organisation] of people) {
        const person = await buildPerson(services.store.db, { roles, organisation })
        ids.set(key, person.id)
        personIds.set(key, person.id)
        if (key === 'contoso') contoso = person.organisationId
        if (key === 'fabrikam') fabrikam = person.organisationId
      }
      for (const [organisation, accountId, description] of [
        [contoso, ACCOUNT, 'Case management production'],
        [fabrikam, OTHER_ACCOUNT, 'Fabrikam hosting'],
      ] as const) {
        await services.store.db
          .insertInto('cloud_accounts')
          .values({
            id: randomUUID(),
            organisation_id: organisation,
            contract_id: null,
            provider: 'aws',
            account_id: accountId,
            description,
            created_at: START.toISOString(),
          })
          .execute()
      }
      // Contoso's account is scanned (notices due at once, GuardDuty re-enabled); Fabrikam's never has been.
      await runBaseline(enforceDeps(), { mode: 'plan', accounts: [ACCOUNT], applySafe: true })
      await insertMute(services.store.db, {
        account_id: ACCOUNT,
        rule_id: 'AWS-TAG-02',
        resource_arn: null,
        owner: 'Old migration team',
        justification: 'Migration finished last month',
        expires_at: new Date('2026-11-30T12:00:00Z').toISOString(),
        created_by: 'test',
        created_at: new Date('2026-11-01T12:00:00Z').toISOString(),
      })
      await insertMute(services.store.db, {
        account_id: ACCOUNT,
        rule_id: 'AWS-GD-02',
        resource_arn: null,
        owner: 'Platform team: platform@contoso.example',
        justification: 'Detector being recreated by Terraform',
        expires_at: new Date('2026-12-08T17:00:00Z').toISOString(),
        created_by: 'test',
        created_at: START.toISOString(),
      })
      clock = VIEW
      for (const [key, id] of ids) cookies.set(key, await sessionCookieFor(services.store.db, id, VIEW))
    })
    after(async () => {
      await close()
      await store.dispose()
    })

    it('lists every registered account for the Authority, with open violations by family and the last scan', async () => {
      const response = await as('viewer').get('/baseline')
      assert.equal(response.statusCode, 200)
      const rows = rowsOf(response.body, 'baseline-accounts')
      assert.equal(rows.length, 2)
      const con = rows.find(row => row.startsWith(ACCOUNT))
      const fab = rows.find(row => row.startsWith(OTHER_ACCOUNT))
      assert.match(con ?? '', /^111122223333 Case management production Contoso Ltd 2 /)
      assert.match(con ?? '', /Tuesday 1 December 2026 at 09:00 Tuesday 1 December 2026 at 09:00 2$/)
      // GuardDuty in eu-west-1 could not be read: both GuardDuty rules there are unobserved.
      assert.match(fab ?? '', /^444455556666 Fabrikam hosting Fabrikam Ltd 0 .* None open Not scanned yet 0$/)
      const family = (key: string) =>
        new RegExp(`data-account="${ACCOUNT}"[\\s\\S]*?data-family="${key}">(\\d+)<`).exec(response.body)?.[1]
      assert.deepEqual([family('GD'), family('TAG'), family('IAM')], ['1', '1', '0'])
    })

    it('filters the list by supplier without JavaScript, and ignores an unknown supplier', async () => {
      const filtered = await as('admin').get(`/baseline?supplier=${fabrikam}`)
      assert.deepEqual(
        rowsOf(filtered.body, 'baseline-accounts').map(row => row.split(' ')[0]),
        [OTHER_ACCOUNT],
      )
      assert.match(filtered.body, new RegExp(`<option value="${fabrikam}" selected>Fabrikam Ltd</option>`))
      const unknown = await as('admin').get('/baseline?supplier=nobody')
      assert.equal(rowsOf(unknown.body, 'baseline-accounts').length, 2)
    })

    it('sends supplier people from the list to their own supplier’s accounts, and shows them only those', async () => {
      const list = await as('contoso').get('/baseline')
      assert.equal(list.statusCode, 302)
      assert.equal(list.headers.location, `/suppliers/${contoso}/baseline`)
      const own = await as('contoso').get(`/suppliers/${contoso}/baseline`)
      assert.equal(own.statusCode, 200)
      assert.deepEqual(
        rowsOf(own.body, 'baseline-accounts').map(row => row.split(' ')[0]),
        [ACCOUNT],
      )
      assert.doesNotMatch(own.body, new RegExp(OTHER_ACCOUNT))
    })

    it('answers another supplier’s baseline, and accounts not registered to the supplier, as not found', async () => {
      const refused = [
        ['contoso', `/suppliers/${fabrikam}/baseline`],
        ['contoso', accountUrl(fabrikam, OTHER_ACCOUNT)],
        ['contoso', accountUrl(contoso, OTHER_ACCOUNT)],
        ['fabrikam', accountUrl(contoso, ACCOUNT)],
        ['fabrikam', accountUrl(fabrikam, ACCOUNT)],
        ['admin', accountUrl(fabrikam, ACCOUNT)],
        ['admin', accountUrl(contoso, UNREGISTERED)],
        ['admin', accountUrl(contoso, 'not-an-account')],
      ] as const
      for (const [who, url] of refused) assert.equal((await as(who).get(url)).statusCode, 404, `${who} ${url}`)
      const denied = await services.store.db
        .selectFrom('audit_entries')
        .select(['target_id'])
        .where('action', '=', 'access.denied')
        .where('target_type', '=', 'cloud account')
        .execute()
      assert.ok(denied.some(entry => entry.target_id === OTHER_ACCOUNT))
      assert.equal((await as('fabrikam').get(accountUrl(fabrikam, OTHER_ACCOUNT))).statusCode, 200)
    })

    it('shows rule status by region: compliant, findings, could not check with the error, not applicable', async () => {
      const response = await as('contoso').get(accountUrl(contoso, ACCOUNT))
      assert.equal(response.statusCode, 200)
      const html = response.body
      assert.match(html, /<caption class="govuk-table__caption govuk-table__caption--s" id="status-caption">/)
      assert.match(html, /<th scope="col" class="govuk-table__header">eu-west-1<\/th>/)
      assert.deepEqual(
        [
          statusOf(html, 'AWS-TAG-02', 'eu-west-2'),
          statusOf(html, 'AWS-TAG-02', 'eu-west-1'),
          statusOf(html, 'AWS-GD-02', 'eu-west-2'),
          statusOf(html, 'AWS-GD-02', 'eu-west-1'),
          statusOf(html, 'AWS-CT-02', 'global'),
          statusOf(html, 'AWS-CT-02', 'eu-west-2'),
          statusOf(html, 'AWS-TAG-02', 'global'),
        ],
        [
          '1 finding',
          'Compliant',
          '1 finding',
          'Could not check AccessDeniedException: not authorized to perform guardduty:ListDetectors',
          'Compliant',
          '– Not applicable',
          '– Not applicable',
        ],
      )
      // Each rule names its catalogue requirement and links to its page.
      assert.match(
        html,
        new RegExp(
          `<a class="govuk-link" href="/catalogues/${services.catalogue.version}/requirements/AWS-TAG-02">AWS-TAG-02</a><br><span class="govuk-body-s">`,
        ),
      )
      const requirement = await as('contoso').get(`/catalogues/${services.catalogue.version}/requirements/AWS-TAG-02`)
      assert.equal(requirement.statusCode, 200)
      const viewed = await services.store.db
        .selectFrom('audit_entries')
        .select('action')
        .where('action', '=', 'baseline.account.viewed')
        .execute()
      assert.ok(viewed.length >= 1, 'the account page is a recorded read')
    })

    it('serves a supplier’s baseline over the API with the baseline:read scope, a supplier token seeing only its own', async () => {
      const tokenFor = async (key: string, scopes: Array<'baseline:read' | 'suppliers:read'> = ['baseline:read']) => {
        const record = (await findUserById(services.store.db, personIds.get(key) ?? '')) ?? assert.fail(key)
        return (await createApiToken(services.identityDeps, record, { name: 'Test', scopes, days: 7 }, {})).token
      }
      const api = async (path: string, token: string) =>
        app.inject({ url: path, headers: { authorization: `Bearer ${token}` } })
      const own = await api(`/api/v1/suppliers/${contoso}/baseline`, await tokenFor('contoso'))
      assert.equal(own.statusCode, 200)
      const body = own.json() as {
        supplierId: string
        accounts: Array<{
          accountId: string
          lastScannedAt: string | null
          results: Array<{ ruleId: string; region: string; observed: boolean; findings: number; error: string | null }>
          violations: Array<{
            ruleId: string
            region: string
            resourceArn: string
            clockStartedAt: string
            state: string
            muted: boolean
            stepsTaken: string[]
            nextStep: { key: string; description: string; dueAt: string } | null
          }>
          actions: Array<{ remediation: string; status: string; requestIds: string[] }>
          mutes: Array<{ ruleId: string; inForce: boolean }>
        }>
      }
      assert.equal(body.supplierId, contoso)
      assert.deepEqual(
        body.accounts.map(account => account.accountId),
        [ACCOUNT],
      )
      const [account] = body.accounts
      assert.ok(account)
      assert.equal(account.lastScannedAt, START.toISOString())
      assert.deepEqual(
        account.results.find(result => result.ruleId === 'AWS-GD-02' && result.region === 'eu-west-1'),
        {
          ruleId: 'AWS-GD-02',
          region: 'eu-west-1',
          observed: false,
          findings: 0,
          error: 'AccessDeniedException: not authorized to perform guardduty:ListDetectors',
          scannedAt: START.toISOString(),
        },
      )
      const tagging = account.violations.find(violation => violation.ruleId === 'AWS-TAG-02')
      assert.ok(tagging)
      assert.equal(tagging.resourceArn, `arn:aws:ec2:eu-west-2:${ACCOUNT}:i-bare`)
      assert.equal(tagging.clockStartedAt, START.toISOString())
      assert.equal(tagging.muted, false, 'the tagging mute expired')
      // The tagging ladder isolates at the catalogue's 7 days; its next step falls inside them.
      assert.ok(tagging.nextStep !== null && new Date(tagging.nextStep.dueAt) > VIEW)
      assert.ok(new Date(tagging.nextStep.dueAt) <= new Date(START.getTime() + 7 * 24 * 3_600_000))
      const guardDuty = account.violations.find(violation => violation.ruleId === 'AWS-GD-02')
      assert.equal(guardDuty?.state, 'Muted')
      assert.deepEqual(
        account.actions.map(action => [action.remediation, action.status, action.requestIds]),
        [['enable-guardduty', 'applied', ['req-gd-0001']]],
      )
      assert.deepEqual(account.mutes.map(mute => [mute.ruleId, mute.inForce]).sort(), [
        ['AWS-GD-02', true],
        ['AWS-TAG-02', false],
      ])

      const admin = await api(`/api/v1/suppliers/${fabrikam}/baseline`, await tokenFor('admin'))
      assert.equal(admin.statusCode, 200)
      assert.deepEqual(admin.json().accounts[0].violations, [], 'never scanned: nothing open')
      const other = await api(`/api/v1/suppliers/${fabrikam}/baseline`, await tokenFor('contoso'))
      assert.equal(other.statusCode, 404)
      assert.equal(other.headers['content-type'], 'application/problem+json; charset=utf-8')
      const unscoped = await api(`/api/v1/suppliers/${contoso}/baseline`, await tokenFor('contoso', ['suppliers:read']))
      assert.equal(unscoped.statusCode, 403)
      assert.match(unscoped.json().detail, /baseline:read/)
      const recorded = await services.store.db
        .selectFrom('audit_entries')
        .select('action')
        .where('request_id', '=', String(own.headers['x-request-id']))
        .execute()
      assert.deepEqual(
        recorded.map(entry => entry.action),
        ['api.token.used'],
        'each API read is recorded with its token',
      )
    })

    it('shows an account never scanned as not scanned', async () => {
      const response = await as('fabrikam').get(accountUrl(fabrikam, OTHER_ACCOUNT))
      assert.equal(statusOf(response.body, 'AWS-CT-02', 'global'), 'Not scanned')
      assert.match(response.body, /There are no open violations\./)
    })

    it('shows each open violation with its clock, time in violation, next step and when, and whether muted', async () => {
      const response = await as('admin').get(accountUrl(contoso, ACCOUNT))
      const rows = rowsOf(response.body, 'violations')
      const tagging = rows.find(row => row.startsWith('AWS-TAG-02'))
      const guardDuty = rows.find(row => row.startsWith('AWS-GD-02'))
      assert.equal(
        tagging,
        `AWS-TAG-02 : AWS::EC2::Instance i-bare has no tags eu-west-2 · arn:aws:ec2:eu-west-2:${ACCOUNT}:i-bare ` +
          'Tuesday 1 December 2026 at 09:00 5 hours ' +
          'Notify the creator (reminder), due Wednesday 2 December 2026 at 09:00 In progress',
      )
      // A mute in force covers GuardDuty, so its ladder waits.
      assert.match(
        guardDuty ?? '',
        /Tuesday 1 December 2026 at 09:00 5 hours None while muted: the steps resume when the mute expires Muted$/,
      )
    })

    it('lists actions taken with request IDs and the exact rollback command for an applied one', async () => {
      const [action] = await services.store.db.selectFrom('baseline_actions').select(['id', 'status']).execute()
      assert.equal(action?.status, 'applied')
      const response = await as('admin').get(accountUrl(contoso, ACCOUNT))
      assert.deepEqual(rowsOf(response.body, 'actions'), [
        `Re-enable GuardDuty eu-west-2 Applied Tuesday 1 December 2026 at 09:00 req-gd-0001 npx assure baseline rollback ${action.id}`,
      ])
      assert.match(response.body, new RegExp(`<code data-rollback>npx assure baseline rollback ${action.id}</code>`))
    })

    it('lists mutes with owner, justification and expiry, an expired one as expired', async () => {
      const response = await as('contoso').get(accountUrl(contoso, ACCOUNT))
      assert.deepEqual(rowsOf(response.body, 'mutes'), [
        'AWS-GD-02 Every resource in the account Platform team: platform@contoso.example Detector being recreated by Terraform Tuesday 8 December 2026 at 17:00 In force',
        'AWS-TAG-02 Every resource in the account Old migration team Migration finished last month Monday 30 November 2026 at 12:00 Expired',
      ])
    })

    it('links a supplier’s register entry to its baseline page', async () => {
      const response = await as('contoso').get(`/suppliers/${contoso}`)
      assert.match(response.body, new RegExp(`href="/suppliers/${contoso}/baseline">See the AWS account baseline</a>`))
    })
  })
}
