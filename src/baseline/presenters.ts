import type { Selectable } from 'kysely'
import type { Catalogue } from '../catalogue/catalogue.ts'
import { inWords } from '../letters/render.ts'
import { paths } from '../paths.ts'
import type { BaselineActionsTable, BaselineMutesTable, BaselineResultsTable } from '../platform/db/schema.ts'
import { mutedBy, nextStep, type Violation } from './clocks.ts'
import { describeStep, violationState } from './export.ts'
import { GLOBAL } from './findings.ts'
import { REMEDIATION_WORDS, type Step } from './ladders.ts'
import { ACCOUNT_WIDE_RULES, RULE_IDS } from './rules/index.ts'

/**
 * View models for the AWS baseline pages: an account's rule status by region, its open violations with their clock
 * and next step, the actions taken and the mutes. Pure functions of stored rows and `now`; times in UK time.
 */

type Result = Selectable<BaselineResultsTable>
type Action = Selectable<BaselineActionsTable>
type Mute = Selectable<BaselineMutesTable>

/** The rule families, by the requirement ID's middle part, in the guidance's order. */
export const RULE_FAMILIES = [
  { key: 'CONTACT', label: 'Security contact' },
  { key: 'GD', label: 'GuardDuty' },
  { key: 'CT', label: 'CloudTrail' },
  { key: 'CFG', label: 'Config' },
  { key: 'SH', label: 'Security Hub' },
  { key: 'TAG', label: 'Tagging' },
  { key: 'REG', label: 'Regions' },
  { key: 'IAM', label: 'IAM' },
  { key: 'ENC', label: 'Encryption' },
  { key: 'S3W', label: 'S3 world access' },
  { key: 'CMP', label: 'Compute world access' },
] as const

/** A rule's family: AWS-GD-02 → GD. */
export const familyOf = (ruleId: string): string => ruleId.split('-')[1] ?? ruleId

/** A span of time in words, to the hour: "3 days 4 hours", "12 hours", "less than an hour". */
export function elapsedInWords(from: Date, to: Date): string {
  const hours = Math.floor(Math.max(0, to.getTime() - from.getTime()) / 3_600_000)
  if (hours === 0) return 'less than an hour'
  const days = Math.floor(hours / 24)
  const rest = hours % 24
  const part = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`
  return [days > 0 ? part(days, 'day') : '', rest > 0 ? part(rest, 'hour') : ''].filter(Boolean).join(' ')
}

/** A requirement's title and the link to its catalogue page. */
export function requirementLink(catalogue: Catalogue, ruleId: string) {
  const requirement = catalogue.requirements.find(item => item.id === ruleId)
  return { id: ruleId, title: requirement?.title ?? ruleId, href: paths.requirement(catalogue.version, ruleId) }
}

/** One account's summary for the lists: open violations by family, the oldest clock, last scan, unobserved scopes. */
export function presentAccountSummary(props: {
  account: { supplierId: string; supplierName: string; accountId: string; description: string }
  violations: readonly Violation[]
  results: readonly Result[]
}) {
  const { account, violations, results } = props
  const counts = RULE_FAMILIES.map(family => ({
    ...family,
    open: violations.filter(violation => familyOf(violation.ruleId) === family.key).length,
  }))
  const oldest = violations.reduce<Date | null>(
    (min, violation) => (min === null || violation.clockStartedAt < min ? violation.clockStartedAt : min),
    null,
  )
  const scanned = results.reduce<string | null>(
    (max, result) => (max === null || result.scanned_at > max ? result.scanned_at : max),
    null,
  )
  return {
    ...account,
    href: paths.baseline.account(account.supplierId, account.accountId),
    supplierHref: paths.baseline.supplier(account.supplierId),
    open: violations.length,
    counts,
    oldestClock: oldest === null ? null : inWords(oldest),
    lastScanned: scanned === null ? null : inWords(new Date(scanned)),
    unobserved: results.filter(result => result.observed === 0).length,
  }
}

/** One cell of the rule-by-region table. */
export type StatusCell =
  | { readonly kind: 'compliant'; readonly text: 'Compliant' }
  | { readonly kind: 'findings'; readonly text: string; readonly findings: number }
  | { readonly kind: 'error'; readonly text: string; readonly error: string }
  | { readonly kind: 'not-scanned'; readonly text: 'Not scanned' }
  | { readonly kind: 'not-applicable'; readonly text: 'Not applicable' }

/** A stored result as a cell: compliant, N findings, could not check (with why), or not scanned. */
export function statusCell(result: Result | undefined): StatusCell {
  if (result === undefined) return { kind: 'not-scanned', text: 'Not scanned' }
  if (result.observed === 0) {
    const error = result.error ?? 'no reason recorded'
    return { kind: 'error', text: `Could not check: ${error}`, error }
  }
  if (result.findings === 0) return { kind: 'compliant', text: 'Compliant' }
  return {
    kind: 'findings',
    text: `${result.findings} finding${result.findings === 1 ? '' : 's'}`,
    findings: result.findings,
  }
}

/**
 * An account's rule status by region: one row per rule, a column for account-wide rules and one per region the
 * account's results or violations mention. A regional rule has no account-wide cell and the reverse.
 */
export function presentRuleStatus(catalogue: Catalogue, results: readonly Result[], violations: readonly Violation[]) {
  const regions = [...new Set([...results, ...violations.map(v => ({ region: v.region }))].map(item => item.region))]
    .filter(region => region !== GLOBAL)
    .sort()
  const byScope = new Map(results.map(result => [`${result.region}|${result.rule_id}`, result]))
  const notApplicable: StatusCell = { kind: 'not-applicable', text: 'Not applicable' }
  return {
    regions,
    rows: RULE_IDS.map(ruleId => {
      const accountWide = ACCOUNT_WIDE_RULES.has(ruleId)
      return {
        requirement: requirementLink(catalogue, ruleId),
        accountWide: accountWide ? statusCell(byScope.get(`${GLOBAL}|${ruleId}`)) : notApplicable,
        cells: regions.map(region => (accountWide ? notApplicable : statusCell(byScope.get(`${region}|${ruleId}`)))),
      }
    }),
  }
}

/**
 * What happens next to a violation, in words: the step and when it falls due, or why a due step has not happened
 * yet (a remediation waits for `enforce --apply`; a refused notice goes on the next run), or that the ladder is done.
 */
export function nextStepInWords(violation: Violation, ladder: readonly Step[], muted: boolean, now: Date): string {
  if (violation.resolvedAt !== null) return 'None: resolved'
  if (muted) return 'None while muted: the steps resume when the mute expires'
  const next = nextStep(violation, ladder, now)
  if (next === null) {
    const remediated = ladder.some(step => step.kind === 'remediate' && violation.stepsTaken.includes(step.key))
    return remediated ? 'All steps taken: resolved when a scan finds it compliant' : 'All steps taken'
  }
  const step = describeStep(next.step)
  if (!next.overdue) return `${step}, due ${inWords(next.dueAt)}`
  const waiting =
    next.step.kind === 'remediate'
      ? 'planned, and waits for `assure baseline enforce --apply`'
      : 'sent by the next enforcement run'
  return `${step}, due since ${inWords(next.dueAt)}: ${waiting}`
}

/** An open violation for its table: resource, summary, clock, time in violation, next step and when, muted. */
export function presentViolation(
  violation: Violation,
  context: {
    catalogue: Catalogue
    ladders: Readonly<Partial<Record<string, readonly Step[]>>>
    mutes: readonly Mute[]
    now: Date
  },
) {
  const muted = mutedBy(violation, context.mutes, context.now)
  const ladder = context.ladders[violation.ruleId] ?? []
  return {
    requirement: requirementLink(context.catalogue, violation.ruleId),
    region: violation.region === GLOBAL ? 'Account-wide' : violation.region,
    resourceArn: violation.resourceArn,
    summary: violation.summary,
    clockStarted: inWords(violation.clockStartedAt),
    inViolationFor: elapsedInWords(violation.clockStartedAt, context.now),
    state: violationState(violation, muted),
    muted,
    nextStep: nextStepInWords(violation, ladder, muted, context.now),
    stepsTaken: violation.stepsTaken,
  }
}

/** The rollback command for an applied action, exactly as the CLI takes it. */
export const rollbackCommand = (actionId: string): string => `npx assure baseline rollback ${actionId}`

const STATUS_LABELS: Readonly<Record<Action['status'], string>> = {
  planned: 'Planned',
  applied: 'Applied',
  failed: 'Failed',
  'rolled-back': 'Rolled back',
  'rollback-failed': 'Rollback failed',
}

/** What applying an action recorded: the AWS request IDs, and the error if it failed. */
function appliedOutcome(action: Action): { requestIds: string[]; error: string | null } {
  const applied =
    action.applied === null ? null : (JSON.parse(action.applied) as { requestIds?: unknown; error?: unknown })
  return {
    requestIds: Array.isArray(applied?.requestIds) ? applied.requestIds.map(String) : [],
    error: typeof applied?.error === 'string' ? applied.error : null,
  }
}

/** A stored remediation key in words; a key this version does not know (an older row) is shown as stored. */
const remediationInWords = (key: string): string =>
  (REMEDIATION_WORDS as Readonly<Record<string, string | undefined>>)[key] ?? key

/** An action taken: remediation, status, when, AWS request IDs, and the rollback command while it can be rolled back. */
export function presentAction(action: Action) {
  const { requestIds, error } = appliedOutcome(action)
  const at = action.rolled_back_at ?? action.applied_at ?? action.created_at
  return {
    id: action.id,
    remediation: remediationInWords(action.remediation),
    region: action.region === GLOBAL ? 'Account-wide' : action.region,
    status: STATUS_LABELS[action.status],
    at: inWords(new Date(at)),
    requestIds,
    error,
    rollback: action.status === 'applied' ? rollbackCommand(action.id) : null,
  }
}

/** A mute: what it covers, its owner, justification and expiry; one past its expiry is shown as expired. */
export function presentMute(mute: Mute, catalogue: Catalogue, now: Date) {
  const expired = new Date(mute.expires_at) <= now
  return {
    requirement: requirementLink(catalogue, mute.rule_id),
    resource: mute.resource_arn ?? 'Every resource in the account',
    owner: mute.owner,
    justification: mute.justification,
    expires: inWords(new Date(mute.expires_at)),
    expired,
    tag: expired ? { text: 'Expired', classes: 'govuk-tag--grey' } : { text: 'In force', classes: 'govuk-tag--blue' },
  }
}

/** What the API reports of one account: results by rule and region, open violations, actions and mutes, in UTC. */
export function presentAccountApi(props: {
  account: { accountId: string; description: string }
  records: {
    results: readonly Result[]
    violations: ReadonlyArray<Violation & { id: string }>
    actions: readonly Action[]
    mutes: readonly Mute[]
  }
  ladders: Readonly<Partial<Record<string, readonly Step[]>>>
  now: Date
}) {
  const { account, records, now } = props
  const lastScannedAt = records.results.reduce<string | null>(
    (latest, result) => (latest === null || result.scanned_at > latest ? result.scanned_at : latest),
    null,
  )
  return {
    accountId: account.accountId,
    description: account.description,
    lastScannedAt,
    results: records.results.map(result => ({
      ruleId: result.rule_id,
      region: result.region,
      observed: result.observed === 1,
      findings: result.findings,
      error: result.error,
      scannedAt: result.scanned_at,
    })),
    violations: records.violations.map(violation => {
      const muted = mutedBy(violation, records.mutes, now)
      const next = nextStep(violation, props.ladders[violation.ruleId] ?? [], now)
      return {
        id: violation.id,
        ruleId: violation.ruleId,
        region: violation.region,
        resourceArn: violation.resourceArn,
        summary: violation.summary,
        evidence: violation.evidence,
        firstSeenAt: violation.firstSeenAt.toISOString(),
        lastSeenAt: violation.lastSeenAt.toISOString(),
        clockStartedAt: violation.clockStartedAt.toISOString(),
        state: violationState(violation, muted),
        muted,
        stepsTaken: violation.stepsTaken,
        nextStep:
          next === null
            ? null
            : {
                key: next.step.key,
                description: describeStep(next.step),
                dueAt: next.dueAt.toISOString(),
                overdue: next.overdue,
              },
      }
    }),
    actions: records.actions.map(action => ({
      id: action.id,
      violationId: action.violation_id,
      remediation: action.remediation,
      region: action.region,
      status: action.status,
      createdAt: action.created_at,
      appliedAt: action.applied_at,
      rolledBackAt: action.rolled_back_at,
      ...appliedOutcome(action),
    })),
    mutes: records.mutes.map(mute => ({
      id: mute.id,
      ruleId: mute.rule_id,
      resourceArn: mute.resource_arn,
      owner: mute.owner,
      justification: mute.justification,
      expiresAt: mute.expires_at,
      inForce: new Date(mute.expires_at) > now,
    })),
  }
}
