import { toCsv } from '../platform/csv/csv.ts'
import { nextStep, type Violation } from './clocks.ts'
import { GLOBAL, violationKey, type Finding } from './findings.ts'
import { AUDIENCE_WORDS, REMEDIATION_WORDS, type Step } from './ladders.ts'
import type { RuleId } from './rules/index.ts'

/**
 * Exports of baseline results for auditors and SIEMs: OCSF Compliance Finding documents (JSON and NDJSON) and a CSV of
 * violations. The issue asks for "OCSF JSON and CSV"; OCSF is what AWS Security Lake and most SIEMs ingest.
 */

/** The OCSF schema version the documents follow. */
export const OCSF_VERSION = '1.3.0'

/** OCSF severity_id values (the base event's). */
export const OCSF_SEVERITIES = { Informational: 1, Low: 2, Medium: 3, High: 4, Critical: 5 } as const
export type Severity = keyof typeof OCSF_SEVERITIES

/**
 * Assure's default severity per rule: High for a detective service off, root use, no MFA, non-EU resources and world
 * access; Medium where data protection or oversight is degraded; Low for tagging and the contact. These are Assure's
 * defaults, not guidance numbers: a deployment may pass its own.
 */
export const RULE_SEVERITIES: Readonly<Record<RuleId, Severity>> = {
  'AWS-CONTACT-01': 'Low',
  'AWS-GD-02': 'High',
  'AWS-GD-04': 'High',
  'AWS-CT-02': 'High',
  'AWS-CT-03': 'Medium',
  'AWS-CFG-02': 'Medium',
  'AWS-SH-02': 'Medium',
  'AWS-TAG-02': 'Low',
  'AWS-REG-02': 'High',
  'AWS-IAM-07': 'Critical',
  'AWS-IAM-10': 'Medium',
  'AWS-IAM-11': 'High',
  'AWS-IAM-12': 'High',
  'AWS-IAM-15': 'High',
  'AWS-ENC-03': 'Medium',
  'AWS-S3W-02': 'High',
  'AWS-CMP-04': 'High',
}

/**
 * The catalogue requirements each rule evidences: the detection row, and the monitoring and resolution rows of the
 * same table that the ladder carries out.
 */
export const RULE_REQUIREMENTS: Readonly<Record<RuleId, readonly string[]>> = {
  'AWS-CONTACT-01': ['AWS-CONTACT-01'],
  'AWS-GD-02': ['AWS-GD-01', 'AWS-GD-02', 'AWS-GD-03', 'AWS-GD-05'],
  'AWS-GD-04': ['AWS-GD-04'],
  'AWS-CT-02': ['AWS-CT-01', 'AWS-CT-02', 'AWS-CT-04', 'AWS-CT-05'],
  'AWS-CT-03': ['AWS-CT-03', 'AWS-CFG-03'],
  'AWS-CFG-02': ['AWS-CFG-01', 'AWS-CFG-02', 'AWS-CFG-04', 'AWS-CFG-05'],
  'AWS-SH-02': ['AWS-SH-01', 'AWS-SH-02', 'AWS-SH-03', 'AWS-SH-04'],
  'AWS-TAG-02': ['AWS-TAG-01', 'AWS-TAG-02', 'AWS-TAG-03', 'AWS-TAG-04', 'AWS-TAG-05'],
  'AWS-REG-02': ['AWS-REG-01', 'AWS-REG-02', 'AWS-REG-03', 'AWS-REG-04'],
  'AWS-IAM-07': ['AWS-IAM-02', 'AWS-IAM-07'],
  'AWS-IAM-10': ['AWS-IAM-05', 'AWS-IAM-10', 'AWS-IAM-13'],
  'AWS-IAM-11': ['AWS-IAM-06', 'AWS-IAM-11', 'AWS-IAM-14'],
  'AWS-IAM-12': ['AWS-IAM-07', 'AWS-IAM-12'],
  'AWS-IAM-15': ['AWS-IAM-08', 'AWS-IAM-15'],
  'AWS-ENC-03': ['AWS-ENC-02', 'AWS-ENC-03', 'AWS-ENC-04'],
  'AWS-S3W-02': ['AWS-S3W-01', 'AWS-S3W-02', 'AWS-S3W-03', 'AWS-S3W-04', 'AWS-S3W-05'],
  'AWS-CMP-04': ['AWS-CMP-01', 'AWS-CMP-03', 'AWS-CMP-04', 'AWS-CMP-05', 'AWS-CMP-06', 'AWS-CMP-07'],
}

const STANDARD = 'MoJ Cyber Security Guidance: Supplier Edition'

/** Compliance Finding (class 2003) in the Findings category (2). */
const CLASS_UID = 2003
const CATEGORY_UID = 2
const ACTIVITIES = { Create: 1, Update: 2, Close: 3 } as const
/** Finding status_id values of OCSF 1.1 to 1.3. */
const STATUSES = { New: 1, 'In Progress': 2, Suppressed: 3, Resolved: 4 } as const
/** The compliance object's status_id values. */
const COMPLIANCE_STATUSES = { Pass: 1, Fail: 3 } as const

/** An OCSF 1.3 Compliance Finding, limited to the documented attributes Assure fills. */
export interface OcsfComplianceFinding {
  readonly activity_id: number
  readonly activity_name: keyof typeof ACTIVITIES
  readonly category_uid: typeof CATEGORY_UID
  readonly category_name: 'Findings'
  readonly class_uid: typeof CLASS_UID
  readonly class_name: 'Compliance Finding'
  readonly type_uid: number
  readonly type_name: string
  readonly severity_id: number
  readonly severity: Severity
  readonly status_id: number
  readonly status: keyof typeof STATUSES
  readonly time: number
  readonly message: string
  readonly metadata: {
    readonly version: string
    readonly profiles: readonly string[]
    readonly product: {
      readonly name: 'Assure'
      readonly vendor_name: 'Ministry of Justice'
      readonly version?: string
    }
  }
  readonly finding_info: {
    readonly uid: string
    readonly title: string
    readonly desc: string
    readonly first_seen_time: number
    readonly last_seen_time: number
  }
  readonly compliance: {
    readonly control: string
    readonly requirements: readonly string[]
    readonly standards: readonly string[]
    readonly status: keyof typeof COMPLIANCE_STATUSES
    readonly status_id: number
  }
  readonly cloud: {
    readonly provider: 'AWS'
    readonly account: { readonly uid: string; readonly type: 'AWS Account'; readonly type_id: 10 }
    readonly region?: string
  }
  readonly resources: ReadonlyArray<{
    readonly uid: string
    readonly name: string
    readonly type: string
    readonly cloud_partition: string
    readonly region?: string
  }>
  readonly remediation?: { readonly desc: string }
  /** Assure's own state, which OCSF has no attribute for: the clock, the ladder steps taken, the evidence. */
  readonly unmapped: Readonly<Record<string, unknown>>
}

/** What an export needs besides the violations: the time, each rule's ladder for the next step, and the mutes. */
export interface ExportContext {
  readonly now: Date
  /** Each rule's ladder (`ladders(catalogue)`), for the next step; without it no next step is given. */
  readonly ladders?: Readonly<Partial<Record<string, readonly Step[]>>>
  /** Keys of muted violations (`violationKey`). */
  readonly muted?: ReadonlySet<string>
  readonly severities?: Readonly<Partial<Record<string, Severity>>>
  readonly productVersion?: string
}

/** A finding from a scan that has no stored state yet: first and last seen at the scan, its clock starting then. */
export const violationFromFinding = (finding: Finding, scannedAt: Date): Violation => ({
  key: violationKey(finding),
  ruleId: finding.ruleId,
  accountId: finding.accountId,
  region: finding.region,
  resourceArn: finding.resourceArn,
  summary: finding.summary,
  evidence: finding.evidence,
  firstSeenAt: scannedAt,
  lastSeenAt: scannedAt,
  clockStartedAt: scannedAt,
  stepsTaken: [],
  resolvedAt: null,
})

/** A ladder step in words: "Notify the creator and the account owner (escalation)" or "Stop the resource". */
export function describeStep(step: Step): string {
  if (step.kind === 'remediate') return REMEDIATION_WORDS[step.action]
  const audiences = step.notify.map(audience => AUDIENCE_WORDS[audience])
  const listed = audiences.length > 1 ? `${audiences.slice(0, -1).join(', ')} and ${audiences.at(-1)}` : audiences[0]
  return `Notify ${listed ?? 'nobody'} (${step.urgency})`
}

/** Where a violation stands, in the words the pages and the CSV use. */
export function violationState(violation: Violation, muted: boolean): 'Resolved' | 'Muted' | 'In progress' | 'Open' {
  if (violation.resolvedAt !== null) return 'Resolved'
  if (muted) return 'Muted'
  return violation.stepsTaken.length > 0 ? 'In progress' : 'Open'
}

const STATE_TO_STATUS = {
  Resolved: 'Resolved',
  Muted: 'Suppressed',
  'In progress': 'In Progress',
  Open: 'New',
} as const satisfies Record<ReturnType<typeof violationState>, keyof typeof STATUSES>

/** The parts of an ARN the resource object needs: partition, and a type and name from the resource part. */
function arnParts(arn: string): { partition: string; type: string; name: string } {
  const [, partition = 'aws', service = '', , , resource = ''] = arn.split(':')
  const slash = resource.indexOf('/')
  const kind = slash === -1 ? '' : resource.slice(0, slash)
  return {
    partition,
    type: kind === '' ? service : `${service}:${kind}`,
    name: slash === -1 ? resource : resource.slice(slash + 1),
  }
}

const ruleRecord = <T>(map: Readonly<Record<string, T>>, ruleId: string): T | undefined =>
  Object.hasOwn(map, ruleId) ? map[ruleId] : undefined

/** Closed once resolved; created at the scan that first saw it; updated by every later scan that sees it again. */
function activityOf(violation: Violation): keyof typeof ACTIVITIES {
  if (violation.resolvedAt !== null) return 'Close'
  return violation.lastSeenAt.getTime() === violation.firstSeenAt.getTime() ? 'Create' : 'Update'
}

/** The next ladder step of an unresolved violation, when the ladders were given. */
function upcoming(violation: Violation, state: string, context: ExportContext) {
  const ladder = context.ladders?.[violation.ruleId]
  return ladder === undefined || state === 'Resolved' ? null : nextStep(violation, ladder, context.now)
}

/** One violation as an OCSF Compliance Finding. */
export function toOcsf(violation: Violation, context: ExportContext): OcsfComplianceFinding {
  const muted = context.muted?.has(violation.key) ?? false
  const state = violationState(violation, muted)
  const status = STATE_TO_STATUS[state]
  const activity = activityOf(violation)
  const severity =
    ruleRecord(context.severities ?? {}, violation.ruleId) ?? ruleRecord(RULE_SEVERITIES, violation.ruleId) ?? 'Medium'
  const next = upcoming(violation, state, context)
  const { partition, type, name } = arnParts(violation.resourceArn)
  const region = violation.region === GLOBAL ? undefined : violation.region
  const compliance = violation.resolvedAt === null ? 'Fail' : 'Pass'
  return {
    activity_id: ACTIVITIES[activity],
    activity_name: activity,
    category_uid: CATEGORY_UID,
    category_name: 'Findings',
    class_uid: CLASS_UID,
    class_name: 'Compliance Finding',
    type_uid: CLASS_UID * 100 + ACTIVITIES[activity],
    type_name: `Compliance Finding: ${activity}`,
    severity_id: OCSF_SEVERITIES[severity],
    severity,
    status_id: STATUSES[status],
    status,
    // OCSF: a finding's `time` is when the finding was created; the latest sighting is finding_info.last_seen_time.
    time: violation.firstSeenAt.getTime(),
    message: violation.summary,
    metadata: {
      version: OCSF_VERSION,
      // `cloud` and the resources' region and cloud_partition belong to the Cloud profile.
      profiles: ['cloud'],
      product: {
        name: 'Assure',
        vendor_name: 'Ministry of Justice',
        ...(context.productVersion === undefined ? {} : { version: context.productVersion }),
      },
    },
    finding_info: {
      uid: violation.key,
      title: `${violation.ruleId}: ${violation.summary}`,
      desc: violation.summary,
      first_seen_time: violation.firstSeenAt.getTime(),
      last_seen_time: violation.lastSeenAt.getTime(),
    },
    compliance: {
      control: violation.ruleId,
      requirements: ruleRecord(RULE_REQUIREMENTS, violation.ruleId) ?? [violation.ruleId],
      standards: [STANDARD],
      status: compliance,
      status_id: COMPLIANCE_STATUSES[compliance],
    },
    cloud: {
      provider: 'AWS',
      account: { uid: violation.accountId, type: 'AWS Account', type_id: 10 },
      ...(region === undefined ? {} : { region }),
    },
    resources: [
      {
        uid: violation.resourceArn,
        name,
        type,
        cloud_partition: partition,
        ...(region === undefined ? {} : { region }),
      },
    ],
    ...(next === null ? {} : { remediation: { desc: describeStep(next.step) } }),
    unmapped: {
      clock_started_time: violation.clockStartedAt.getTime(),
      steps_taken: [...violation.stepsTaken],
      next_step:
        next === null ? null : { key: next.step.key, desc: describeStep(next.step), due_time: next.dueAt.getTime() },
      muted,
      evidence: violation.evidence,
    },
  }
}

/** Scan findings as OCSF documents, for a scan whose results are not (yet) kept in the store. */
export const findingsToOcsf = (findings: readonly Finding[], context: ExportContext): OcsfComplianceFinding[] =>
  findings.map(finding => toOcsf(violationFromFinding(finding, context.now), context))

/** Documents as NDJSON: one per line, each line a complete JSON object, so exports stream and concatenate. */
export function* ndjsonLines(documents: Iterable<OcsfComplianceFinding>): Generator<string> {
  for (const document of documents) yield `${JSON.stringify(document)}\n`
}

/** Documents as one NDJSON text. */
export const toNdjson = (documents: Iterable<OcsfComplianceFinding>): string => [...ndjsonLines(documents)].join('')

/** The CSV columns, one row per violation. */
export const CSV_HEADER = [
  'Account',
  'Region',
  'Rule',
  'Resource',
  'Summary',
  'First seen',
  'Clock started',
  'State',
  'Next step',
  'Next step due',
  'Muted',
] as const

/** Violations as CSV (RFC 4180, formula cells defused), with their clock, state and next step. */
export function violationsCsv(violations: readonly Violation[], context: ExportContext): string {
  const rows = violations.map(violation => {
    const muted = context.muted?.has(violation.key) ?? false
    const state = violationState(violation, muted)
    const next = upcoming(violation, state, context)
    return [
      violation.accountId,
      violation.region,
      violation.ruleId,
      violation.resourceArn,
      violation.summary,
      violation.firstSeenAt.toISOString(),
      violation.clockStartedAt.toISOString(),
      state,
      next === null ? '' : describeStep(next.step),
      next === null ? '' : next.dueAt.toISOString(),
      muted ? 'yes' : 'no',
    ]
  })
  return toCsv([[...CSV_HEADER], ...rows])
}
