import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { testConfig } from './helpers/app.ts'
import { engines, type TestStore } from './helpers/stores.ts'
import { startSmtp } from './helpers/smtp.ts'
import { bootstrap } from '../src/bootstrap.ts'
import type { Services } from '../src/services.ts'
import { runBaseline, type EnforceDeps, type PlannedRemediation, type Remediator } from '../src/baseline/enforce.ts'
import { evaluateAccount } from '../src/baseline/rules/index.ts'
import { baselineSettings } from '../src/baseline/settings.ts'
import { seen, unseen, type AccountSnapshot } from '../src/baseline/snapshot.ts'
import { insertMute } from '../src/baseline/store.ts'
import { ACCOUNT, compliantAccount, compliantRegion, resource, SECURITY_BUCKET } from './fixtures/baseline/accounts.ts'

const START = new Date('2026-12-01T09:00:00Z')
const day = (n: number) => new Date(START.getTime() + n * 86_400_000)

/** A region whose inventory holds untagged EC2 instances (or nothing, once they are tagged). */
const untagged = (count: number) =>
  compliantAccount({
    regions: [
      compliantRegion('eu-west-2', {
        resources: seen(
          Array.from({ length: count }, (_, i) =>
            resource({ type: 'AWS::EC2::Instance', id: `i-bare-${i}`, tags: {} }),
          ).concat(Array.from({ length: 20 }, (_, i) => resource({ type: 'AWS::EC2::Volume', id: `vol-${i}` }))),
        ),
      }),
    ],
  })

for (const engine of engines()) {
  describe(`AWS baseline enforcement on ${engine.name}`, () => {
    let store: TestStore
    let services: Services
    let smtp: Awaited<ReturnType<typeof startSmtp>>
    let clock = START
    let snapshot: (at: Date) => AccountSnapshot = () => compliantAccount()
    const remediations: { planned: PlannedRemediation[]; applied: PlannedRemediation[] } = { planned: [], applied: [] }

    const remediator: Remediator = {
      plan: (violation, remediation) => {
        if (violation.ruleId === 'AWS-TAG-02' && violation.resourceArn.includes(':volume/'))
          return { skipped: 'EBS volumes are not isolated automatically' }
        const planned = {
          remediation,
          accountId: violation.accountId,
          region: violation.region,
          resourceArn: violation.resourceArn,
          destructive: !['enable-guardduty', 'enable-security-hub'].includes(remediation),
          calls: [{ service: 'ec2', command: 'ModifyInstanceAttribute', region: violation.region }],
        }
        remediations.planned.push(planned)
        return planned
      },
      apply: async planned => {
        remediations.applied.push(planned)
        return { status: 'applied', requestIds: [`req-${remediations.applied.length}`], record: { undo: [] } }
      },
      describe: planned => [`${planned.remediation} ${planned.resourceArn}`],
    }

    const deps = (mailer: EnforceDeps['mailer'] = services.mailer): EnforceDeps => ({
      db: services.store.db,
      now: () => clock,
      catalogue: services.catalogue,
      mailer,
      remediator,
      recipients: async audiences => audiences.map(audience => `${audience}@example.test`),
      scan: async (accountIds, handlers) => {
        const settings = baselineSettings(services.catalogue, { securityLogBucket: SECURITY_BUCKET })
        for (const accountId of accountIds) {
          const taken = snapshot(clock)
          await handlers.onResult({
            accountId,
            scannedAt: clock,
            evaluations: evaluateAccount({ ...taken, collectedAt: clock }, settings),
            regions: taken.regions.map(region => region.region),
            resources: taken.regions.reduce((n, r) => n + (r.resources.observed ? r.resources.value.length : 0), 0),
          })
        }
        return { scanned: accountIds.length, failed: 0 }
      },
    })
    const run = (mode: 'scan' | 'plan' | 'apply', extra: object = {}) =>
      runBaseline(deps(), { mode, accounts: [ACCOUNT], ...extra })
    const ledger = async (action: string) =>
      services.store.db.selectFrom('audit_entries').select(['details']).where('action', '=', action).execute()
    /** The Subject header of each message received, unfolded. */
    const subjects = () =>
      smtp.messages.map(
        message => /^Subject: (.*(?:\r?\n[ \t].*)*)/m.exec(message.raw)?.[1]?.replace(/\r?\n[ \t]/g, ' ') ?? '',
      )

    before(async () => {
      store = await engine.create()
      smtp = await startSmtp()
      services = await bootstrap(testConfig(store, { ASSURE_SMTP_URL: smtp.url }), { now: () => clock })
    })
    after(async () => {
      services.mailer.close()
      await services.store.close()
      await smtp.close()
      await store.dispose()
    })

    it('records detections on a scan, each in the ledger, and sends nothing', async () => {
      snapshot = () => untagged(1)
      clock = day(0)
      const report = await run('scan')
      assert.deepEqual(
        report.accounts[0]?.open.map(v => `${v.ruleId} ${v.resourceArn.split(':').at(-1) ?? ''}`),
        ['AWS-TAG-02 i-bare-0'],
      )
      assert.equal((await ledger('baseline.violation.opened')).length, 1)
      assert.equal(smtp.messages.length, 0)
      const results = await services.store.db
        .selectFrom('baseline_results')
        .selectAll()
        .where('rule_id', '=', 'AWS-TAG-02')
        .execute()
      assert.deepEqual(
        results.map(r => [r.region, r.observed, r.findings]),
        [['eu-west-2', 1, 1]],
      )
    })

    it('climbs the tagging ladder by the days, through an unobservable scan, and plans isolation on day 7', async () => {
      const seenScans: string[] = []
      for (const n of [0, 1, 3, 4, 5, 7]) {
        clock = day(n)
        snapshot =
          n === 4
            ? () => {
                const account = untagged(1)
                return {
                  ...account,
                  regions: account.regions.map(r => ({ ...r, resources: unseen('ThrottlingException') })),
                }
              }
            : () => untagged(1)
        const report = await run('plan')
        seenScans.push(`${n}:${report.accounts[0]?.notices.map(notice => notice.step).join(',') ?? ''}`)
      }
      assert.deepEqual(seenScans, ['0:creator-1', '1:creator-2', '3:creator-3', '4:', '5:owner', '7:'])
      assert.deepEqual(subjects().slice(0, 2), [
        'AWS baseline: AWS::EC2::Instance i-bare-0 has no tags (111122223333, eu-west-2)',
        'Reminder: AWS::EC2::Instance i-bare-0 has no tags (111122223333, eu-west-2)',
      ])
      assert.deepEqual(
        remediations.planned.map(p => p.remediation),
        ['isolate-resource'],
        'planned on day 7, not applied without --apply',
      )
      assert.equal(remediations.applied.length, 0)
    })

    it('applies with --apply, records the action with its request IDs, and does not act twice', async () => {
      clock = day(7.5)
      const report = await run('apply')
      assert.deepEqual(
        report.accounts[0]?.applied.map(a => [a.remediation, a.status, a.requestIds]),
        [['isolate-resource', 'applied', ['req-1']]],
      )
      const [entry] = await ledger('baseline.remediation.applied')
      assert.deepEqual((JSON.parse(entry?.details ?? '{}') as { requestIds: string[] }).requestIds, ['req-1'])
      clock = day(8)
      assert.deepEqual((await run('apply')).accounts[0]?.applied, [])
    })

    it('resolves on a compliant scan, so the next violation starts a new clock', async () => {
      clock = day(9)
      snapshot = () => untagged(0)
      const report = await run('plan')
      assert.equal(report.accounts[0]?.resolved, 1)
      clock = day(10)
      snapshot = () => untagged(1)
      const again = await run('plan')
      assert.equal(again.accounts[0]?.open[0]?.clockStartedAt.toISOString(), day(10).toISOString())
      assert.deepEqual(
        again.accounts[0]?.notices.map(n => n.step),
        ['creator-1'],
      )
    })

    it('takes no step while muted, and resumes once the mute expires', async () => {
      await insertMute(services.store.db, {
        account_id: ACCOUNT,
        rule_id: 'AWS-TAG-02',
        resource_arn: null,
        owner: 'Platform team',
        justification: 'Migration in progress',
        expires_at: day(12).toISOString(),
        created_by: 'test',
        created_at: day(10).toISOString(),
      })
      clock = day(11)
      const muted = await run('plan')
      assert.equal(muted.accounts[0]?.muted, 1)
      assert.deepEqual(muted.accounts[0]?.notices, [])
      clock = day(12.5)
      const resumed = await run('plan')
      assert.deepEqual(
        resumed.accounts[0]?.notices.map(n => n.step),
        ['creator-2'],
        'the step the mute held back',
      )
    })

    it('stops the run at the blast radius, changes nothing, records it and alerts Cyber Security', async () => {
      clock = day(20)
      snapshot = () => untagged(12)
      await run('plan')
      clock = day(28)
      const appliedBefore = remediations.applied.length
      const report = await run('apply')
      assert.match(report.stopped ?? '', /would change 12 resources, over the blast radius \(at most 10 actions/)
      assert.equal(remediations.applied.length, appliedBefore)
      assert.equal((await ledger('baseline.blast_radius.exceeded')).length, 1)
      assert.ok(subjects().some(subject => subject.startsWith('Assure stopped an AWS baseline run')))
    })

    it('keeps a notice it could not send for the next run, and goes on with the rest', async () => {
      clock = day(40)
      snapshot = () =>
        compliantAccount({ regions: [compliantRegion('eu-west-2', { securityHubEnabled: seen(false) })] })
      const down = { send: () => Promise.reject(new Error('SMTP unavailable')), close: () => undefined }
      const failed = await runBaseline(deps(down), { mode: 'plan', accounts: [ACCOUNT] })
      assert.deepEqual(failed.accounts[0]?.notices, [])
      assert.ok(
        failed.accounts[0]?.planned.some(p => p.remediation === 'enable-security-hub'),
        'the remediation was still planned',
      )
      assert.ok((await ledger('baseline.notice.failed')).length >= 1)
      clock = day(40.1)
      const retried = await run('plan')
      // Both notices the failed run could not send (Security Hub off, and the fixture's user now idle 30 days).
      assert.deepEqual(retried.accounts[0]?.notices.map(n => n.step).sort(), ['alert', 'suspension'])
    })

    it('re-enables a detective service without --apply when allowed, outside the blast radius', async () => {
      clock = day(30)
      snapshot = () =>
        compliantAccount({
          regions: [compliantRegion('eu-west-2', { guardDuty: seen({ detectors: [], findings: [] }) })],
        })
      const report = await run('plan', { applySafe: true })
      assert.deepEqual(
        report.accounts[0]?.applied.map(a => a.remediation),
        ['enable-guardduty'],
      )
    })
  })
}
