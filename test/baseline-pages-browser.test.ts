import { before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import type { Page } from 'playwright-core'
import { expectAccessible, verifyOnPage } from './helpers/browser.ts'
import { browserApp } from './helpers/browser-app.ts'
import { buildPerson } from './helpers/people.ts'
import { runBaseline } from '../src/baseline/enforce.ts'
import { evaluateAccount } from '../src/baseline/rules/index.ts'
import { baselineSettings } from '../src/baseline/settings.ts'
import { seen, unseen } from '../src/baseline/snapshot.ts'
import { insertMute } from '../src/baseline/store.ts'
import { ACCOUNT, compliantAccount, compliantRegion, resource, SECURITY_BUCKET } from './fixtures/baseline/accounts.ts'

describe('AWS baseline pages in Chromium', async () => {
  const suite = await browserApp()
  const { browser } = suite
  let page: Page

  before(async () => {
    if (browser === undefined) return
    const { services } = suite
    const { db } = services.store
    const admin = await buildPerson(db, {
      roles: ['authority-viewer'],
      organisation: { kind: 'authority', name: 'Ministry of Justice' },
    })
    const supplierId = (await buildPerson(db, { organisation: { kind: 'supplier', name: 'Contoso Ltd' } }))
      .organisationId
    await db
      .insertInto('cloud_accounts')
      .values({
        id: randomUUID(),
        organisation_id: supplierId,
        contract_id: null,
        provider: 'aws',
        account_id: ACCOUNT,
        description: 'Case management production',
        created_at: new Date().toISOString(),
      })
      .execute()
    const scannedAt = new Date(Date.now() - 5 * 3_600_000)
    const snapshot = compliantAccount({
      regions: [
        compliantRegion('eu-west-2', {
          guardDuty: seen({ detectors: [], findings: [] }),
          resources: seen([resource({ type: 'AWS::EC2::Instance', id: 'i-bare', tags: {} }, 'eu-west-2')]),
        }),
        compliantRegion('eu-west-1', { guardDuty: unseen('AccessDeniedException: not authorized') }),
      ],
    })
    await runBaseline(
      {
        db,
        now: () => scannedAt,
        catalogue: services.catalogue,
        mailer: services.mailer,
        recipients: async () => [],
        remediator: {
          plan: (violation, remediation) => ({
            remediation,
            accountId: violation.accountId,
            region: violation.region,
            resourceArn: violation.resourceArn,
            destructive: false,
            calls: [],
          }),
          apply: async () => ({ status: 'applied', requestIds: ['req-gd-0001'], record: {} }),
          describe: () => [],
        },
        scan: async (accountIds, handlers) => {
          const settings = baselineSettings(services.catalogue, { securityLogBucket: SECURITY_BUCKET })
          await handlers.onResult({
            accountId: ACCOUNT,
            scannedAt,
            evaluations: evaluateAccount({ ...snapshot, collectedAt: scannedAt }, settings),
            regions: ['eu-west-2', 'eu-west-1'],
            resources: 1,
          })
          return { scanned: accountIds.length, failed: 0 }
        },
      },
      { mode: 'plan', accounts: [ACCOUNT], applySafe: true },
    )
    await insertMute(db, {
      account_id: ACCOUNT,
      rule_id: 'AWS-TAG-02',
      resource_arn: null,
      owner: 'Old migration team',
      justification: 'Migration finished',
      expires_at: new Date(Date.now() - 86_400_000).toISOString(),
      created_by: 'test',
      created_at: new Date(Date.now() - 30 * 86_400_000).toISOString(),
    })
    page = await suite.pageFor(admin.id)
  })
  it(
    'shows the Authority the accounts, filters them, and opens one account’s baseline',
    { skip: browser === undefined },
    async () => {
      await page.goto(`${suite.baseUrl}/baseline`)
      await verifyOnPage(page, 'AWS account baseline')
      await expectAccessible(page, 'baseline-accounts')
      await page.getByLabel('Supplier').selectOption({ label: 'Contoso Ltd' })
      await Promise.all([
        page.waitForURL(/\/baseline\?supplier=/),
        page.getByRole('button', { name: 'Filter' }).click(),
      ])
      await verifyOnPage(page, 'AWS account baseline')
      assert.equal(await page.locator('tr[data-account]').count(), 1)
      await page.getByRole('link', { name: ACCOUNT }).click()
      await verifyOnPage(page, `AWS account ${ACCOUNT}`)
      assert.equal(await page.locator('#rule-status tbody tr').count(), 17)
      assert.match((await page.locator('[data-rollback]').textContent()) ?? '', /^npx assure baseline rollback /)
      await expectAccessible(page, 'baseline-account')
      await page.screenshot({ path: '/tmp/baseline-account.png', fullPage: true })
    },
  )
})
