import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Violation } from '../src/baseline/clocks.ts'
import {
  CSV_HEADER,
  RULE_REQUIREMENTS,
  RULE_SEVERITIES,
  findingsToOcsf,
  toNdjson,
  toOcsf,
  violationsCsv,
} from '../src/baseline/export.ts'
import { violationKey } from '../src/baseline/findings.ts'
import { ladders } from '../src/baseline/ladders.ts'
import { evaluateAccount, RULE_IDS } from '../src/baseline/rules/index.ts'
import { baselineSettings } from '../src/baseline/settings.ts'
import { seen } from '../src/baseline/snapshot.ts'
import { loadCatalogue } from '../src/catalogue/load.ts'
import {
  ACCOUNT,
  SCANNED_AT,
  SECURITY_BUCKET,
  bucket,
  compliantAccount,
  daysBefore,
} from './fixtures/baseline/accounts.ts'

const catalogue = loadCatalogue()
const LADDERS = ladders(catalogue)

/** A violation built from its identity, open since `days` ago with the first notice sent. */
function violation(overrides: Partial<Violation> = {}): Violation {
  const identity = {
    ruleId: 'AWS-S3W-02',
    accountId: ACCOUNT,
    region: 'eu-west-2',
    resourceArn: 'arn:aws:s3:::moj-downloads',
    ...overrides,
  }
  return {
    key: violationKey(identity),
    summary: 'S3 bucket moj-downloads is public through its bucket policy',
    evidence: { bucket: 'moj-downloads', exposure: ['bucket policy'] },
    firstSeenAt: daysBefore(3),
    lastSeenAt: SCANNED_AT,
    clockStartedAt: daysBefore(3),
    stepsTaken: ['alert'],
    resolvedAt: null,
    ...identity,
    ...overrides,
  }
}

describe('the OCSF export', () => {
  it('writes a Compliance Finding with the class, compliance, cloud, resource and clock of a violation', () => {
    const document = toOcsf(violation(), { now: SCANNED_AT, ladders: LADDERS, productVersion: '0.1.0' })
    assert.deepEqual(document, {
      activity_id: 2,
      activity_name: 'Update',
      category_uid: 2,
      category_name: 'Findings',
      class_uid: 2003,
      class_name: 'Compliance Finding',
      type_uid: 200302,
      type_name: 'Compliance Finding: Update',
      severity_id: 4,
      severity: 'High',
      status_id: 2,
      status: 'In Progress',
      time: daysBefore(3).getTime(),
      message: 'S3 bucket moj-downloads is public through its bucket policy',
      metadata: {
        version: '1.3.0',
        profiles: ['cloud'],
        product: { name: 'Assure', vendor_name: 'Ministry of Justice', version: '0.1.0' },
      },
      finding_info: {
        uid: `${ACCOUNT}|eu-west-2|AWS-S3W-02|arn:aws:s3:::moj-downloads`,
        title: 'AWS-S3W-02: S3 bucket moj-downloads is public through its bucket policy',
        desc: 'S3 bucket moj-downloads is public through its bucket policy',
        first_seen_time: daysBefore(3).getTime(),
        last_seen_time: SCANNED_AT.getTime(),
      },
      compliance: {
        control: 'AWS-S3W-02',
        requirements: ['AWS-S3W-01', 'AWS-S3W-02', 'AWS-S3W-03', 'AWS-S3W-04', 'AWS-S3W-05'],
        standards: ['MoJ Cyber Security Guidance: Supplier Edition'],
        status: 'Fail',
        status_id: 3,
      },
      cloud: {
        provider: 'AWS',
        account: { uid: ACCOUNT, type: 'AWS Account', type_id: 10 },
        region: 'eu-west-2',
      },
      resources: [
        {
          uid: 'arn:aws:s3:::moj-downloads',
          name: 'moj-downloads',
          type: 's3',
          cloud_partition: 'aws',
          region: 'eu-west-2',
        },
      ],
      // Guidance, 'World' Access: "After 7 days of non-action, alerts are sent to central hosting infrastructure teams".
      remediation: { desc: 'Notify the central teams (escalation)' },
      unmapped: {
        clock_started_time: daysBefore(3).getTime(),
        steps_taken: ['alert'],
        next_step: {
          key: 'central',
          desc: 'Notify the central teams (escalation)',
          due_time: daysBefore(-4).getTime(),
        },
        muted: false,
        evidence: { bucket: 'moj-downloads', exposure: ['bucket policy'] },
      },
    })
  })

  it('closes a resolved violation as passing, suppresses a muted one, and leaves account-wide ones without a region', () => {
    const resolved = toOcsf(violation({ resolvedAt: SCANNED_AT }), { now: SCANNED_AT, ladders: LADDERS })
    assert.deepEqual(
      [resolved.activity_id, resolved.type_uid, resolved.status, resolved.compliance.status, resolved.remediation],
      [3, 200303, 'Resolved', 'Pass', undefined],
    )
    const root = violation({ ruleId: 'AWS-IAM-07', region: 'global', resourceArn: `arn:aws:iam::${ACCOUNT}:root` })
    const muted = toOcsf(root, { now: SCANNED_AT, muted: new Set([root.key]) })
    assert.deepEqual([muted.status_id, muted.status, muted.unmapped.muted], [3, 'Suppressed', true])
    assert.equal(muted.severity, 'Critical')
    assert.deepEqual(muted.cloud, { provider: 'AWS', account: { uid: ACCOUNT, type: 'AWS Account', type_id: 10 } })
    assert.deepEqual(muted.resources, [
      { uid: `arn:aws:iam::${ACCOUNT}:root`, name: 'root', type: 'iam', cloud_partition: 'aws' },
    ])
  })

  it('exports a scan’s findings as new findings, created at the scan', () => {
    const snapshot = compliantAccount({
      buckets: seen([bucket({ name: 'case-notes-store', defaultEncryption: null })]),
    })
    const findings = evaluateAccount(
      snapshot,
      baselineSettings(catalogue, { securityLogBucket: SECURITY_BUCKET }),
    ).flatMap(evaluation => evaluation.findings)
    const [document] = findingsToOcsf(findings, { now: SCANNED_AT })
    assert.equal(findings.length, 1)
    assert.deepEqual(
      [document?.activity_name, document?.type_uid, document?.status, document?.compliance.control],
      ['Create', 200301, 'New', 'AWS-ENC-03'],
    )
    assert.equal(document?.finding_info.first_seen_time, SCANNED_AT.getTime())
  })

  it('writes NDJSON: one complete document per line', () => {
    const documents = [violation(), violation({ resourceArn: 'arn:aws:s3:::moj-open-data' })].map(item =>
      toOcsf(item, { now: SCANNED_AT }),
    )
    const lines = toNdjson(documents).split('\n')
    assert.equal(lines.length, 3)
    assert.equal(lines[2], '')
    assert.deepEqual(
      lines.slice(0, 2).map(line => (JSON.parse(line) as { resources: Array<{ uid: string }> }).resources[0]?.uid),
      ['arn:aws:s3:::moj-downloads', 'arn:aws:s3:::moj-open-data'],
    )
  })

  it('has a severity and requirements for every rule', () => {
    assert.deepEqual(Object.keys(RULE_SEVERITIES).sort(), [...RULE_IDS].sort())
    assert.deepEqual(Object.keys(RULE_REQUIREMENTS).sort(), [...RULE_IDS].sort())
    const ids = new Set(catalogue.requirements.map(requirement => requirement.id))
    for (const requirements of Object.values(RULE_REQUIREMENTS))
      for (const id of requirements) assert.ok(ids.has(id), `${id} is a catalogue requirement`)
  })
})

describe('the CSV export', () => {
  it('writes a header and one row per violation with its clock, state and next step', () => {
    const csv = violationsCsv(
      [
        violation(),
        violation({
          ruleId: 'AWS-IAM-07',
          region: 'global',
          resourceArn: `arn:aws:iam::${ACCOUNT}:root`,
          summary: '=Root has access keys, 1 active',
        }),
      ],
      {
        now: SCANNED_AT,
        ladders: LADDERS,
        muted: new Set([`${ACCOUNT}|global|AWS-IAM-07|arn:aws:iam::${ACCOUNT}:root`]),
      },
    )
    const lines = csv.split('\r\n')
    assert.equal(lines[0], CSV_HEADER.join(','))
    assert.equal(
      lines[0],
      'Account,Region,Rule,Resource,Summary,First seen,Clock started,State,Next step,Next step due,Muted',
    )
    assert.equal(
      lines[1],
      `${ACCOUNT},eu-west-2,AWS-S3W-02,arn:aws:s3:::moj-downloads,S3 bucket moj-downloads is public through its bucket policy,2026-12-01T09:00:00.000Z,2026-12-01T09:00:00.000Z,In progress,Notify the central teams (escalation),2026-12-08T09:00:00.000Z,no`,
    )
    // A summary that a spreadsheet would run as a formula is defused.
    assert.equal(
      lines[2],
      `${ACCOUNT},global,AWS-IAM-07,arn:aws:iam::${ACCOUNT}:root,"'=Root has access keys, 1 active",2026-12-01T09:00:00.000Z,2026-12-01T09:00:00.000Z,Muted,,,yes`,
    )
    assert.equal(lines.length, 4)
  })
})
