import { after, before, beforeEach, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import type { Kysely } from 'kysely'
import type { Browser } from 'playwright-core'
import { browserFor, startApp } from './helpers/app.ts'
import { expectAccessible, launchBrowser, listenOnLoopback, signedInPage, verifyOnPage } from './helpers/browser.ts'
import { engines, sqliteStore, type TestStore } from './helpers/stores.ts'
import { buildPerson, sessionCookieFor } from './helpers/people.ts'
import { buildAssessment } from './helpers/assessments.ts'
import type { Services } from '../src/services.ts'
import type { Database } from '../src/platform/db/schema.ts'
import {
  automatedEvidence,
  describeAge,
  EVIDENCE_FRESHNESS_DAYS,
  presentAutomatedEvidence,
  REQUIREMENT_RULES,
  rulesEvidencing,
} from '../src/baseline/evidence.ts'
import { RULE_IDS, evaluateAccount } from '../src/baseline/rules/index.ts'
import { saveResults } from '../src/baseline/store.ts'
import { insertCloudAccount } from '../src/suppliers/store.ts'
import type { Evaluation, Finding } from '../src/baseline/findings.ts'
import { runBaseline } from '../src/baseline/enforce.ts'
import { baselineSettings } from '../src/baseline/settings.ts'
import { seen, type AccountSnapshot } from '../src/baseline/snapshot.ts'
import { compliantAccount, compliantRegion, resource, SECURITY_BUCKET } from './fixtures/baseline/accounts.ts'

const NOW = new Date('2026-12-04T09:00:00Z')
const daysAgo = (n: number) => new Date(NOW.getTime() - n * 86_400_000)

const CONTOSO_PROD = '111111111111'
const CONTOSO_DEV = '222222222222'
const FABRIKAM = '333333333333'
const REGIONS = ['eu-west-1', 'eu-west-2']

/** One region's outcome for a rule: compliant, this many findings, or not observable. */
type Outcome = 'ok' | number | 'error'

const finding = (ruleId: string, accountId: string, region: string, n: number): Finding => ({
  ruleId,
  accountId,
  region,
  resourceArn: `arn:aws:guardduty:${region}:${accountId}:detector/missing-${n}`,
  summary: 'GuardDuty is not enabled',
  evidence: {},
})

/** Stores a scan's results for one rule in one account, per region, through the store's own write. */
async function seed(
  db: Kysely<Database>,
  props: { accountId: string; ruleId: string; at: Date; regions: Readonly<Record<string, Outcome>> },
) {
  const evaluations: Evaluation[] = Object.entries(props.regions).map(([region, outcome]) => ({
    ruleId: props.ruleId,
    accountId: props.accountId,
    region,
    observed: outcome !== 'error',
    ...(outcome === 'error' ? { error: 'ThrottlingException: Rate exceeded' } : {}),
    findings:
      typeof outcome === 'number'
        ? Array.from({ length: outcome }, (_, n) => finding(props.ruleId, props.accountId, region, n))
        : [],
  }))
  await saveResults(db, { scanId: randomUUID(), evaluations, at: props.at })
}

const everywhere = (outcome: Outcome) => Object.fromEntries(REGIONS.map(region => [region, outcome]))

describe('the mapping from baseline rules to catalogue requirements', () => {
  it('has every rule evidence its own requirement', () => {
    for (const ruleId of RULE_IDS) assert.ok(rulesEvidencing(ruleId).includes(ruleId), ruleId)
  })

  it('has a rule evidence the related requirements of its row of the table', () => {
    for (const id of ['AWS-GD-01', 'AWS-GD-02', 'AWS-GD-03', 'AWS-GD-05'])
      assert.deepEqual(rulesEvidencing(id), ['AWS-GD-02'])
    for (const id of ['AWS-TAG-01', 'AWS-TAG-02', 'AWS-TAG-03', 'AWS-TAG-04', 'AWS-TAG-05'])
      assert.deepEqual(rulesEvidencing(id), ['AWS-TAG-02'])
    // Root use is evidenced both by the root access-key rule and by the root-use alert rule.
    assert.deepEqual(rulesEvidencing('AWS-IAM-07'), ['AWS-IAM-07', 'AWS-IAM-12'])
    assert.deepEqual(rulesEvidencing('AC-01'), [])
  })

  it('covers every automated AWS requirement but AWS-ENC-01, and only catalogue requirements', async () => {
    const store = sqliteStore()
    const { services, close } = await startApp(store)
    try {
      const aws = services.catalogue.requirements.filter(r => r.section === 'aws-baseline')
      const automated = aws.filter(r => r.check !== undefined).map(r => r.id)
      // AWS-ENC-01 ("use native AWS configuration options to protect data") is wider than any one rule shows.
      assert.deepEqual(
        automated.filter(id => rulesEvidencing(id).length === 0),
        ['AWS-ENC-01'],
      )
      const known = new Set(aws.map(r => r.id))
      assert.deepEqual(
        [...REQUIREMENT_RULES.keys()].filter(id => !known.has(id)),
        [],
      )
    } finally {
      await close()
      await store.dispose()
    }
  })

  it('says how old a scan is in words', () => {
    assert.equal(describeAge(59 * 60_000), 'less than an hour ago')
    assert.equal(describeAge(3_600_000), '1 hour ago')
    assert.equal(describeAge(5 * 3_600_000), '5 hours ago')
    assert.equal(describeAge(86_400_000), '1 day ago')
    assert.equal(describeAge(8 * 86_400_000 + 1), '8 days ago')
  })
})

for (const engine of engines()) {
  describe(`automated evidence from the AWS baseline on ${engine.name}`, () => {
    let store: TestStore
    let app: FastifyInstance
    let services: Services
    let close: () => Promise<void>
    let db: Kysely<Database>
    let contoso = ''
    let fabrikam = ''
    let assessmentId = ''
    const cookies = new Map<string, string>()

    const evidenceFor = (supplierId: string, requirementId = 'AWS-GD-01') =>
      automatedEvidence(db, { supplierId, requirementId, now: NOW })
    const statuses = (evidence: Awaited<ReturnType<typeof evidenceFor>>) =>
      evidence?.accounts.map(account => [account.accountId, account.status, account.stale])

    before(async () => {
      store = await engine.create()
      ;({ app, services, close } = await startApp(store, { now: () => NOW }))
      db = services.store.db
      const authority = { kind: 'authority' as const, name: 'Ministry of Justice' }
      const admin = await buildPerson(db, { roles: ['authority-admin'], organisation: authority })
      const assessor = await buildPerson(db, { roles: ['security-assessor'], organisation: authority })
      const contributor = await buildPerson(db, {
        roles: ['supplier-contributor'],
        organisation: { kind: 'supplier', name: 'Contoso Ltd' },
      })
      contoso = contributor.organisationId
      fabrikam = (
        await buildPerson(db, { roles: ['supplier-admin'], organisation: { kind: 'supplier', name: 'Fabrikam Ltd' } })
      ).organisationId
      cookies.set('contributor', await sessionCookieFor(db, contributor.id, NOW))
      cookies.set('assessor', await sessionCookieFor(db, assessor.id, NOW))
      for (const [organisation, accountId, description] of [
        [contoso, CONTOSO_PROD, 'Contoso production'],
        [contoso, CONTOSO_DEV, 'Contoso development'],
        [fabrikam, FABRIKAM, 'Fabrikam hosting'],
      ] as const)
        await insertCloudAccount(db, {
          id: randomUUID(),
          organisation_id: organisation,
          contract_id: null,
          provider: 'aws',
          account_id: accountId,
          description,
          created_at: NOW.toISOString(),
        })
      assessmentId = await buildAssessment(
        db,
        { organisationId: contoso, catalogueVersion: services.catalogue.version, openedBy: admin.id },
        {
          scope: JSON.stringify({ tags: ['aws', 'email'], sections: [] }),
          title: 'AWS and email 2026',
          opened_at: NOW.toISOString(),
        },
      )
      await db
        .insertInto('assessment_answers')
        .values({
          assessment_id: assessmentId,
          requirement_id: 'AWS-GD-01',
          status: 'met',
          justification: 'GuardDuty runs in every region',
          evidence_link: null,
          answered_by: contributor.id,
          answered_at: NOW.toISOString(),
          review: null,
          review_comment: null,
          reviewed_by: null,
          reviewed_at: null,
        })
        .execute()
    })
    beforeEach(async () => {
      await db.deleteFrom('baseline_results').execute()
    })
    after(async () => {
      await close()
      await store.dispose()
    })

    it('is met when every account was observed compliant within the freshness window', async () => {
      await seed(db, { accountId: CONTOSO_PROD, ruleId: 'AWS-GD-02', at: daysAgo(1), regions: everywhere('ok') })
      await seed(db, { accountId: CONTOSO_DEV, ruleId: 'AWS-GD-02', at: daysAgo(2), regions: everywhere('ok') })
      const evidence = await evidenceFor(contoso)
      assert.equal(evidence?.verdict, 'met')
      assert.equal(evidence.freshForDays, EVIDENCE_FRESHNESS_DAYS)
      assert.deepEqual(evidence.ruleIds, ['AWS-GD-02'])
      assert.deepEqual(statuses(evidence), [
        [CONTOSO_PROD, 'compliant', false],
        [CONTOSO_DEV, 'compliant', false],
      ])
      assert.deepEqual(evidence.accounts[0]?.scannedAt, daysAgo(1))
      assert.equal(evidence.accounts[0]?.ageMs, 86_400_000)
    })

    it('is not met when any account has findings, counting them over its regions', async () => {
      await seed(db, { accountId: CONTOSO_PROD, ruleId: 'AWS-GD-02', at: daysAgo(1), regions: everywhere('ok') })
      await seed(db, {
        accountId: CONTOSO_DEV,
        ruleId: 'AWS-GD-02',
        at: daysAgo(1),
        regions: { 'eu-west-1': 1, 'eu-west-2': 2 },
      })
      const evidence = await evidenceFor(contoso)
      assert.equal(evidence?.verdict, 'not-met')
      assert.equal(evidence.accounts[1]?.status, 'findings')
      assert.equal(evidence.accounts[1]?.findings, 3)
    })

    it('is only partially met when one account could not be checked, and says which scope and why', async () => {
      await seed(db, { accountId: CONTOSO_PROD, ruleId: 'AWS-GD-02', at: daysAgo(1), regions: everywhere('ok') })
      await seed(db, {
        accountId: CONTOSO_DEV,
        ruleId: 'AWS-GD-02',
        at: daysAgo(1),
        regions: { 'eu-west-1': 'ok', 'eu-west-2': 'error' },
      })
      const evidence = await evidenceFor(contoso)
      assert.equal(evidence?.verdict, 'partially-met')
      assert.deepEqual(evidence.accounts[1]?.unobserved, [
        { ruleId: 'AWS-GD-02', region: 'eu-west-2', error: 'ThrottlingException: Rate exceeded' },
      ])
    })

    it('is partially met when one account was never scanned, and unknown when none was', async () => {
      assert.deepEqual(statuses(await evidenceFor(contoso)), [
        [CONTOSO_PROD, 'never-scanned', true],
        [CONTOSO_DEV, 'never-scanned', true],
      ])
      assert.equal((await evidenceFor(contoso))?.verdict, 'unknown')
      await seed(db, { accountId: CONTOSO_PROD, ruleId: 'AWS-GD-02', at: daysAgo(1), regions: everywhere('ok') })
      const evidence = await evidenceFor(contoso)
      assert.equal(evidence?.verdict, 'partially-met')
      assert.equal(evidence.accounts[1]?.scannedAt, null)
    })

    it('is unknown when every compliant observation is older than the freshness window', async () => {
      const stale = daysAgo(EVIDENCE_FRESHNESS_DAYS + 1)
      await seed(db, { accountId: CONTOSO_PROD, ruleId: 'AWS-GD-02', at: stale, regions: everywhere('ok') })
      await seed(db, { accountId: CONTOSO_DEV, ruleId: 'AWS-GD-02', at: stale, regions: everywhere('ok') })
      assert.equal((await evidenceFor(contoso))?.verdict, 'unknown')
      assert.deepEqual(statuses(await evidenceFor(contoso)), [
        [CONTOSO_PROD, 'compliant', true],
        [CONTOSO_DEV, 'compliant', true],
      ])
      // Exactly at the window's edge a scan still counts.
      await seed(db, {
        accountId: CONTOSO_DEV,
        ruleId: 'AWS-GD-02',
        at: daysAgo(EVIDENCE_FRESHNESS_DAYS),
        regions: everywhere('ok'),
      })
      assert.equal((await evidenceFor(contoso))?.verdict, 'partially-met')
    })

    it('never shows another supplier’s accounts, whatever their results', async () => {
      await seed(db, { accountId: CONTOSO_PROD, ruleId: 'AWS-GD-02', at: daysAgo(1), regions: everywhere('ok') })
      await seed(db, { accountId: CONTOSO_DEV, ruleId: 'AWS-GD-02', at: daysAgo(1), regions: everywhere('ok') })
      await seed(db, { accountId: FABRIKAM, ruleId: 'AWS-GD-02', at: daysAgo(1), regions: everywhere(4) })
      const contosoEvidence = await evidenceFor(contoso)
      assert.equal(contosoEvidence?.verdict, 'met')
      assert.deepEqual(
        contosoEvidence.accounts.map(account => account.accountId),
        [CONTOSO_PROD, CONTOSO_DEV],
      )
      const fabrikamEvidence = await evidenceFor(fabrikam)
      assert.equal(fabrikamEvidence?.verdict, 'not-met')
      assert.deepEqual(statuses(fabrikamEvidence), [[FABRIKAM, 'findings', false]])
    })

    it('counts only the latest scan of an account, and every rule that evidences the requirement', async () => {
      // A region with findings in an older scan that the latest scan no longer covers (the region was disabled).
      await seed(db, { accountId: CONTOSO_PROD, ruleId: 'AWS-GD-02', at: daysAgo(5), regions: { 'us-east-1': 1 } })
      await seed(db, { accountId: CONTOSO_PROD, ruleId: 'AWS-GD-02', at: daysAgo(1), regions: everywhere('ok') })
      await seed(db, { accountId: CONTOSO_DEV, ruleId: 'AWS-GD-02', at: daysAgo(1), regions: everywhere('ok') })
      assert.equal((await evidenceFor(contoso))?.verdict, 'met')
      // AWS-IAM-07 needs both the root access-key rule and the root-use rule; a missing one is not observed.
      await seed(db, { accountId: CONTOSO_PROD, ruleId: 'AWS-IAM-07', at: daysAgo(1), regions: { global: 'ok' } })
      await seed(db, { accountId: CONTOSO_PROD, ruleId: 'AWS-IAM-12', at: daysAgo(1), regions: { global: 'ok' } })
      await seed(db, { accountId: CONTOSO_DEV, ruleId: 'AWS-IAM-07', at: daysAgo(1), regions: { global: 'ok' } })
      const evidence = await evidenceFor(contoso, 'AWS-IAM-07')
      assert.equal(evidence?.verdict, 'partially-met')
      assert.deepEqual(evidence.accounts[1]?.unobserved, [
        { ruleId: 'AWS-IAM-12', region: 'global', error: 'No result from the latest scan' },
      ])
    })

    it('reads what a baseline scan stored: every rule of a compliant account, and an untagged instance', async () => {
      // Contoso's development account has one never-tagged instance; everything else is compliant.
      const snapshots: Record<string, AccountSnapshot> = {
        [CONTOSO_PROD]: compliantAccount({ accountId: CONTOSO_PROD }),
        [CONTOSO_DEV]: compliantAccount({
          accountId: CONTOSO_DEV,
          regions: [
            compliantRegion('eu-west-2', {
              resources: seen([resource({ type: 'AWS::EC2::Instance', id: 'i-bare', tags: {} })]),
            }),
          ],
        }),
      }
      const settings = baselineSettings(services.catalogue, { securityLogBucket: SECURITY_BUCKET })
      const at = daysAgo(1)
      await runBaseline(
        {
          db,
          now: () => at,
          catalogue: services.catalogue,
          mailer: services.mailer,
          recipients: async () => [],
          remediator: {
            plan: () => ({ skipped: 'a scan plans nothing' }),
            apply: () => Promise.reject(new Error('a scan applies nothing')),
            describe: () => [],
          },
          scan: async (accountIds, handlers) => {
            for (const accountId of accountIds) {
              const snapshot = { ...(snapshots[accountId] ?? compliantAccount()), collectedAt: at }
              await handlers.onResult({
                accountId,
                scannedAt: at,
                evaluations: evaluateAccount(snapshot, settings),
                regions: snapshot.regions.map(region => region.region),
                resources: 1,
              })
            }
            return { scanned: accountIds.length, failed: 0 }
          },
        },
        { mode: 'scan', accounts: [CONTOSO_PROD, CONTOSO_DEV] },
      )
      for (const ruleId of RULE_IDS)
        assert.equal((await evidenceFor(contoso, ruleId))?.verdict, ruleId === 'AWS-TAG-02' ? 'not-met' : 'met', ruleId)
      const tagging = await evidenceFor(contoso, 'AWS-TAG-05')
      assert.deepEqual(
        tagging?.accounts.map(account => [account.status, account.findings]),
        [
          ['compliant', 0],
          ['findings', 1],
        ],
      )
    })

    it('has no automated evidence for a requirement no rule checks', async () => {
      assert.equal(await evidenceFor(contoso, 'AWS-IAM-03'), null)
      assert.equal(await evidenceFor(contoso, 'EMAIL-01'), null)
    })

    it('shows the automated result on the supplier’s answer page for an AWS requirement, and not for another', async () => {
      await seed(db, { accountId: CONTOSO_PROD, ruleId: 'AWS-GD-02', at: daysAgo(2), regions: everywhere('ok') })
      await seed(db, { accountId: CONTOSO_DEV, ruleId: 'AWS-GD-02', at: daysAgo(1), regions: { 'eu-west-2': 1 } })
      await seed(db, { accountId: FABRIKAM, ruleId: 'AWS-GD-02', at: daysAgo(1), regions: everywhere('ok') })
      const contributor = browserFor(app, cookies.get('contributor'))
      const page = await contributor.get(`/assessments/${assessmentId}/requirements/AWS-GD-01`)
      assert.equal(page.statusCode, 200)
      assert.match(page.body, /Automated check \(AWS baseline\)/)
      assert.match(page.body, /govuk-tag--red">Not met</)
      assert.match(page.body, new RegExp(`AWS account ${CONTOSO_PROD}[\\s\\S]*?Observed compliant[\\s\\S]*?2 days ago`))
      assert.match(page.body, new RegExp(`AWS account ${CONTOSO_DEV}[\\s\\S]*?1 finding[\\s\\S]*?1 day ago`))
      assert.doesNotMatch(page.body, new RegExp(FABRIKAM))
      const email = services.catalogue.requirements.find(r => r.tags.includes('email') && !r.tags.includes('aws'))
      assert.ok(email !== undefined)
      const other = await contributor.get(`/assessments/${assessmentId}/requirements/${email.id}`)
      assert.equal(other.statusCode, 200)
      assert.doesNotMatch(other.body, /Automated check/)
    })

    it('shows the automated result to the assessor reviewing the answer', async () => {
      await seed(db, { accountId: CONTOSO_PROD, ruleId: 'AWS-GD-02', at: daysAgo(1), regions: everywhere('ok') })
      await seed(db, { accountId: CONTOSO_DEV, ruleId: 'AWS-GD-02', at: daysAgo(1), regions: everywhere('ok') })
      const review = await browserFor(app, cookies.get('assessor')).get(
        `/assessments/${assessmentId}/requirements/AWS-GD-01/review`,
      )
      assert.equal(review.statusCode, 200)
      assert.match(review.body, /Automated check \(AWS baseline\)[\s\S]*?govuk-tag--green">Met</)
      assert.match(review.body, new RegExp(`AWS account ${CONTOSO_DEV}`))
    })
  })
}

describe('the automated check card in Chromium', async () => {
  const browser: Browser | undefined = await launchBrowser()
  let store: TestStore
  let close: () => Promise<void>

  after(async () => {
    await browser?.close()
    if (close !== undefined) await close()
    await store?.dispose()
  })

  it('is accessible on the answer page, with findings, an unobservable scope and a never-scanned account', async t => {
    if (browser === undefined) {
      t.skip('no Chromium')
      return
    }
    store = sqliteStore()
    const started = await startApp(store, { now: () => NOW })
    close = started.close
    const { db } = started.services.store
    const baseUrl = await listenOnLoopback(started.app)
    const contributor = await buildPerson(db, {
      roles: ['supplier-contributor'],
      organisation: { kind: 'supplier', name: 'Contoso Ltd' },
    })
    for (const [accountId, description] of [
      [CONTOSO_PROD, 'Contoso production'],
      [CONTOSO_DEV, ''],
      ['444444444444', 'Contoso staging'],
    ] as const)
      await insertCloudAccount(db, {
        id: randomUUID(),
        organisation_id: contributor.organisationId,
        contract_id: null,
        provider: 'aws',
        account_id: accountId,
        description,
        created_at: NOW.toISOString(),
      })
    await seed(db, { accountId: CONTOSO_PROD, ruleId: 'AWS-TAG-02', at: daysAgo(1), regions: everywhere(2) })
    await seed(db, {
      accountId: CONTOSO_DEV,
      ruleId: 'AWS-TAG-02',
      at: daysAgo(9),
      regions: { 'eu-west-1': 'ok', 'eu-west-2': 'error' },
    })
    const assessmentId = await buildAssessment(
      db,
      {
        organisationId: contributor.organisationId,
        catalogueVersion: started.services.catalogue.version,
        openedBy: contributor.id,
      },
      { scope: JSON.stringify({ tags: ['aws'], sections: [] }), title: 'AWS 2026', opened_at: NOW.toISOString() },
    )
    const page = await signedInPage(browser, baseUrl, await sessionCookieFor(db, contributor.id, NOW))
    await page.goto(`${baseUrl}/assessments/${assessmentId}/requirements/AWS-TAG-05`)
    await verifyOnPage(page, /^AWS-TAG-05: /)
    const card = page.locator('[data-automated-evidence="AWS-TAG-05"]')
    assert.match(
      (await card.textContent()) ?? '',
      /Not met[\s\S]*4 findings[\s\S]*Could not check 1 scope \(stale\)[\s\S]*Never scanned/,
    )
    await expectAccessible(page, 'assessment-answer-automated-evidence')
  })
})

// The presenter is pure: shown here once without a store.
describe('the automated evidence presenter', () => {
  it('shapes a verdict and account lines for the card', () => {
    const view = presentAutomatedEvidence({
      requirementId: 'AWS-GD-01',
      ruleIds: ['AWS-GD-02'],
      verdict: 'partially-met',
      freshForDays: 7,
      checkedAt: NOW,
      accounts: [
        {
          accountId: CONTOSO_PROD,
          description: 'Production',
          status: 'compliant',
          findings: 0,
          unobserved: [],
          scannedAt: daysAgo(1),
          ageMs: 86_400_000,
          stale: false,
        },
        {
          accountId: CONTOSO_DEV,
          description: '',
          status: 'never-scanned',
          findings: 0,
          unobserved: [],
          scannedAt: null,
          ageMs: null,
          stale: true,
        },
      ],
    })
    assert.equal(view.verdictLabel, 'Partially met')
    assert.equal(view.verdictTag, 'govuk-tag--yellow')
    assert.deepEqual(
      view.accounts.map(account => [account.line, account.age, account.stale]),
      [
        ['Observed compliant', '1 day ago', false],
        ['Never scanned', null, false],
      ],
    )
  })
})
