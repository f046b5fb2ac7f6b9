import { after, afterEach, before, beforeEach, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { GetDetectorCommand, UpdateDetectorCommand } from '@aws-sdk/client-guardduty'
import { engines, type TestStore } from './helpers/stores.ts'
import { startSmtp } from './helpers/smtp.ts'
import { testMasterKey } from './helpers/keys.ts'
import { buildPerson } from './helpers/people.ts'
import { until } from './helpers/until.ts'
import {
  mockedAccount,
  seedBucket,
  SECURITY_BUCKET,
  type MockedAccount,
} from './fixtures/baseline/mocked-organisation.ts'
import { bootstrap } from '../src/bootstrap.ts'
import { loadConfig } from '../src/config.ts'
import type { Services } from '../src/services.ts'
import { ACCOUNT_SCAN_QUEUE, startBaselineWorker } from '../src/baseline/jobs.ts'
import type { AccountReport } from '../src/baseline/enforce.ts'
import type { AwsAccess } from '../src/baseline/service.ts'

const LEAKY = '111111111111'
const TIDY = '222222222222'
const SPARE = '333333333333'

/**
 * The scheduled baseline run as the service runs it: the job queues one scan per registered account and worker
 * instances take them. On PostgreSQL two service instances share one pg-boss queue, as two worker processes would.
 */
for (const engine of engines()) {
  describe(`the scheduled baseline scan, shared out to workers, on ${engine.name}`, () => {
    let store: TestStore
    let smtp: Awaited<ReturnType<typeof startSmtp>>
    let accounts: Map<string, MockedAccount>
    let instances: Services[]
    const failures: string[] = []
    const access = (): AwsAccess => ({
      scanClients: id => accounts.get(id)?.clients ?? assert.fail(`no mocked account ${id}`),
      remediationClients: id => accounts.get(id)?.clients ?? assert.fail(`no mocked account ${id}`),
      organizationAccounts: async () => [],
    })

    before(async () => {
      store = await engine.create()
      smtp = await startSmtp()
      const env = {
        ASSURE_SMTP_URL: smtp.url,
        NODE_ENV: 'test',
        ASSURE_DATA_DIR: store.dataDir,
        ASSURE_MASTER_KEY: testMasterKey().toString('base64'),
        ASSURE_BASELINE_SECURITY_LOG_BUCKET: SECURITY_BUCKET,
        ASSURE_BASELINE_SCAN_INTERVAL: 'PT6H',
        ...(store.location.engine === 'postgres' ? { DATABASE_URL: store.location.url } : {}),
      }
      const onQueueFailure = (queue: string, error: unknown) =>
        failures.push(`${queue}: ${error instanceof Error ? error.message : String(error)}`)
      // SQLite is one instance; PostgreSQL gets two sharing the store and the queue.
      instances = []
      for (let n = 0; n < (engine.name === 'postgres' ? 2 : 1); n += 1)
        instances.push(await bootstrap(loadConfig(env), { onQueueFailure }))
      const first = instances[0] ?? assert.fail('an instance')
      const owner = await buildPerson(first.store.db, {
        roles: ['supplier-admin'],
        organisation: { kind: 'supplier', name: 'Leaky Ltd' },
      })
      for (const accountId of [LEAKY, TIDY, SPARE])
        await first.store.db
          .insertInto('cloud_accounts')
          .values({
            id: `acct-${accountId}`,
            organisation_id: owner.organisationId,
            contract_id: null,
            provider: 'aws',
            account_id: accountId,
            description: 'Production',
            created_at: new Date().toISOString(),
          })
          .execute()
    })
    after(async () => {
      for (const services of instances) {
        await services.queue.stop()
        services.mailer.close()
        await services.store.close()
      }
      await smtp.close()
      await store.dispose()
    })
    beforeEach(() => {
      accounts = new Map([LEAKY, TIDY, SPARE].map(id => [id, mockedAccount(id)]))
      const leaky = accounts.get(LEAKY) ?? assert.fail('leaky')
      leaky.stub('guardDuty', 'eu-west-1').on(GetDetectorCommand).resolves({ Status: 'DISABLED' })
      seedBucket(leaky, 'leaky-reports', { public: true })
    })
    afterEach(() => {
      for (const account of accounts.values()) account.restore()
    })

    it('queues one scan per account, never twice, and the workers scan each account once, planning but changing nothing', async () => {
      const first = instances[0] ?? assert.fail('an instance')
      const job =
        first.jobs.find(candidate => candidate.name === 'baseline-scan') ??
        assert.fail('the interval schedules the job')
      await first.queue.start()
      assert.equal(await job.run(new Date()), '3 accounts queued for scanning')
      assert.equal(
        await job.run(new Date()),
        '0 accounts queued for scanning; 3 accounts still queued or being scanned',
        'an account already queued is not queued again',
      )

      const scanned: Array<{ instance: number; report: AccountReport }> = []
      for (const [instance, services] of instances.entries()) {
        await services.queue.start()
        await startBaselineWorker(services, services.queue, {
          concurrency: 2,
          accessFor: access,
          onScanned: report => scanned.push({ instance, report }),
        })
      }
      await until(
        () => scanned.length >= 3,
        () => JSON.stringify(scanned.map(entry => entry.report.accountId)),
      )
      await sleep(1_000)
      assert.deepEqual(failures, [])
      assert.deepEqual(scanned.map(entry => entry.report.accountId).sort(), [LEAKY, TIDY, SPARE], 'each account once')
      const byAccount = new Map(scanned.map(entry => [entry.report.accountId, entry.report]))
      assert.deepEqual(
        byAccount
          .get(LEAKY)
          ?.open.map(violation => `${violation.ruleId} ${violation.region}`)
          .sort(),
        ['AWS-GD-02 eu-west-1', 'AWS-S3W-02 eu-west-2'],
      )
      assert.deepEqual(byAccount.get(TIDY)?.open, [])
      assert.deepEqual(byAccount.get(SPARE)?.open, [])
      const scans = await first.store.db.selectFrom('baseline_scans').select(['mode', 'accounts']).execute()
      assert.deepEqual(
        scans.map(scan => `${scan.mode} ${scan.accounts}`),
        ['plan 1', 'plan 1', 'plan 1'],
        'one plan-mode run per account',
      )
      assert.equal(accounts.get(LEAKY)?.stub('guardDuty', 'eu-west-1').commandCalls(UpdateDetectorCommand).length, 0)
      await until(
        () => smtp.messages.length > 0,
        () => 'no mail',
      )
      assert.ok(
        smtp.messages.some(message => message.raw.includes(LEAKY)),
        'the account owner was told of the leaky account',
      )

      assert.equal(await job.run(new Date()), '3 accounts queued for scanning', 'scanned accounts can be queued again')
      await until(
        () => scanned.length >= 6,
        () => `${scanned.length} scans`,
      )
    })

    it('refuses a queued item that is not an account scan, reporting why', async () => {
      const first = instances[0] ?? assert.fail('an instance')
      await first.queue.enqueue(ACCOUNT_SCAN_QUEUE, [{ key: 'bad', data: { accountId: 'not-an-account' } }])
      await until(
        () => failures.length > 0,
        () => 'no failure reported',
      )
      assert.match(failures[0] ?? '', /^baseline-account-scan: .*must be a 12-digit AWS account ID/s)
    })
  })
}
