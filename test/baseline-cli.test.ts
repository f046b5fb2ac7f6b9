import { after, afterEach, before, beforeEach, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { Command } from 'commander'
import { GetDetectorCommand, UpdateDetectorCommand } from '@aws-sdk/client-guardduty'
import { engines, type TestStore } from './helpers/stores.ts'
import { startSmtp } from './helpers/smtp.ts'
import { testMasterKey } from './helpers/keys.ts'
import { registerBaselineCommands } from '../src/cli/baseline.ts'
import {
  mockedAccount,
  seedBucket,
  SECURITY_BUCKET,
  type MockedAccount,
} from './fixtures/baseline/mocked-organisation.ts'
import { openStore } from '../src/platform/db/database.ts'

const LEAKY = '111111111111'
const TIDY = '222222222222'

interface Report {
  accounts: Array<{
    accountId: string
    violations: Array<{ ruleId: string; region: string; resourceArn: string }>
    planned: Array<{ remediation: string; lines: string[] }>
    applied: Array<{ actionId: string; remediation: string; status: string; requestIds: string[] }>
  }>
}

/**
 * `assure baseline` end to end against a mocked organisation: the real command, store, collectors, rules, clocks and
 * remediation, with every AWS call answered by aws-sdk-client-mock and asserted exactly.
 */
for (const engine of engines()) {
  describe(`assure baseline against a mocked organisation on ${engine.name}`, () => {
    let store: TestStore
    let accounts: Map<string, MockedAccount>
    let env: Record<string, string>
    let smtp: Awaited<ReturnType<typeof startSmtp>>

    /** The ledger's entries whose action matches `pattern` (SQL LIKE), oldest first, read through a store of its own. */
    const ledger = async (pattern: string) => {
      const opened = openStore(
        engine.name === 'postgres' && store.location.engine === 'postgres'
          ? { engine: 'postgres', url: store.location.url }
          : { engine: 'sqlite', file: `${store.dataDir}/assure.sqlite` },
      )
      try {
        return await opened.db
          .selectFrom('audit_entries')
          .select(['action', 'details'])
          .where('action', 'like', pattern)
          .orderBy('sequence')
          .execute()
      } finally {
        await opened.close()
      }
    }

    /** Runs one `assure baseline …` command in-process and returns what it printed. */
    async function assure(...argv: string[]): Promise<string> {
      const program = new Command('assure').exitOverride()
      const printed: string[] = []
      registerBaselineCommands(program, {
        env,
        write: text => printed.push(text),
        accessFor: () => ({
          scanClients: id => accounts.get(id)?.clients ?? assert.fail(`no mocked account ${id}`),
          remediationClients: id => accounts.get(id)?.clients ?? assert.fail(`no mocked account ${id}`),
          organizationAccounts: async () => [...accounts.keys()],
        }),
      })
      await program.parseAsync(['baseline', ...argv], { from: 'user' })
      return printed.join('')
    }
    const json = async (...argv: string[]) => JSON.parse(await assure(...argv, '--json')) as Report

    before(async () => {
      store = await engine.create()
      smtp = await startSmtp()
      env = {
        ASSURE_SMTP_URL: smtp.url,
        NODE_ENV: 'test',
        ASSURE_DATA_DIR: store.dataDir,
        ASSURE_MASTER_KEY: testMasterKey().toString('base64'),
        ASSURE_BASELINE_SECURITY_LOG_BUCKET: SECURITY_BUCKET,
        ...(store.location.engine === 'postgres' ? { DATABASE_URL: store.location.url } : {}),
      }
    })
    after(async () => {
      await smtp.close()
      await store.dispose()
    })
    beforeEach(() => {
      accounts = new Map([LEAKY, TIDY].map(id => [id, mockedAccount(id)]))
      const leaky = accounts.get(LEAKY)
      assert.ok(leaky !== undefined)
      // Seeded: GuardDuty suspended in eu-west-1, and a bucket public through its ACL.
      leaky.stub('guardDuty', 'eu-west-1').on(GetDetectorCommand).resolves({ Status: 'DISABLED' })
      seedBucket(leaky, 'leaky-reports', { public: true })
    })
    afterEach(() => {
      for (const account of accounts.values()) account.restore()
    })

    it('scan --json reports every seeded violation and no false ones, changing nothing', async () => {
      const report = await json('scan', '--organization')
      assert.deepEqual(
        report.accounts.map(account => [
          account.accountId,
          account.violations.map(v => `${v.ruleId} ${v.region} ${v.resourceArn}`).sort(),
        ]),
        [
          [
            LEAKY,
            [
              `AWS-GD-02 eu-west-1 arn:aws:guardduty:eu-west-1:${LEAKY}:detector/det-eu-west-1`,
              'AWS-S3W-02 eu-west-2 arn:aws:s3:::leaky-reports',
            ].sort(),
          ],
          [TIDY, []],
        ].map(([id, list]) => [id, list]),
      )
      assert.equal(accounts.get(LEAKY)?.stub('guardDuty', 'eu-west-1').commandCalls(UpdateDetectorCommand).length, 0)

      const ocsf = JSON.parse(await assure('export', '--format', 'ocsf')) as Array<{
        class_uid: number
        compliance: { control: string }
      }>
      assert.deepEqual(ocsf.map(document => [document.class_uid, document.compliance.control]).sort(), [
        [2003, 'AWS-GD-02'],
        [2003, 'AWS-S3W-02'],
      ])
      const csv = await assure('export', '--format', 'csv', '--account', LEAKY)
      assert.match(
        csv,
        /^Account,Region,Rule,Resource,Summary,First seen,Clock started,State,Next step,Next step due,Muted\r?\n/,
      )
      assert.equal(csv.trim().split(/\r?\n/).length, 3, 'a header and one row per open violation')
      assert.deepEqual(
        (await ledger('baseline.violations.exported')).map(entry => {
          const { format, violations, accounts: covered, out } = JSON.parse(entry.details) as Record<string, unknown>
          return { format, violations, covered, out }
        }),
        [
          { format: 'ocsf', violations: 2, covered: 'all', out: 'stdout' },
          { format: 'csv', violations: 2, covered: [LEAKY], out: 'stdout' },
        ],
        'each export is in the ledger with what it covered',
      )
    })

    it('enforce prints the plan and sends nothing; enforce --apply sends exactly the planned calls; rollback reverts them', async () => {
      const guardDuty = () => accounts.get(LEAKY)?.stub('guardDuty', 'eu-west-1')
      const printed = await assure('enforce', '--account', LEAKY)
      assert.match(printed, /plan: enable-guardduty/)
      assert.match(printed, /guardduty UpdateDetector eu-west-1 \{"DetectorId":"det-eu-west-1","Enable":true\}/)
      assert.match(printed, /Nothing was changed\. Run again with --apply/)
      assert.equal(guardDuty()?.commandCalls(UpdateDetectorCommand).length, 0)
      assert.ok(
        smtp.messages.some(message =>
          // Quoted-printable wraps long lines with a soft break (=CRLF).
          message.raw.replace(/=\r\n/g, '').includes('GuardDuty detector det-eu-west-1 in eu-west-1 is suspended'),
        ),
        'the alert went to the account owner and Cyber Security at once',
      )

      guardDuty()
        ?.on(UpdateDetectorCommand)
        .resolves({ $metadata: { requestId: 'req-enable-1' } })
      const applied = await json('enforce', '--account', LEAKY, '--apply')
      const [action] = applied.accounts[0]?.applied ?? []
      assert.deepEqual(
        [action?.remediation, action?.status, action?.requestIds.includes('req-enable-1')],
        ['enable-guardduty', 'applied', true],
      )
      assert.deepEqual(
        guardDuty()
          ?.commandCalls(UpdateDetectorCommand)
          .map(call => call.args[0].input),
        [{ DetectorId: 'det-eu-west-1', Enable: true }],
      )

      guardDuty()
        ?.on(UpdateDetectorCommand)
        .resolves({ $metadata: { requestId: 'req-undo-1' } })
      const rolledBack = JSON.parse(await assure('rollback', action?.actionId ?? '', '--json')) as {
        status: string
        requestIds: string[]
      }
      assert.deepEqual(rolledBack, { actionId: action?.actionId, status: 'rolled-back', requestIds: ['req-undo-1'] })
      assert.deepEqual(
        guardDuty()
          ?.commandCalls(UpdateDetectorCommand)
          .map(call => call.args[0].input),
        [
          { DetectorId: 'det-eu-west-1', Enable: true },
          { DetectorId: 'det-eu-west-1', Enable: false },
        ],
        'the detector Assure found suspended is suspended again',
      )
      assert.deepEqual(
        (await ledger('baseline.remediation.%')).map(entry => entry.action),
        ['baseline.remediation.applied', 'baseline.remediation.rolled_back'],
      )
    })
  })
}
