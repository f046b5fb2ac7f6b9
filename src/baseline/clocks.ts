import { addDuration } from '../platform/duration.ts'
import { GLOBAL, violationKey, type Evaluation, type Finding } from './findings.ts'
import type { Step } from './ladders.ts'

/**
 * The enforcement state machine. Every (account, region, resource, rule) violation has a clock kept here, in
 * Assure's store, never on the resource (a tag anyone with TagResource could reset). "Consecutive" is literal: a
 * scan that observes the scope compliant resolves the violation, so the next one starts a new clock; a scan that
 * could not observe the scope (an error, throttling) changes nothing.
 */

/** A violation as the store keeps it. */
export interface Violation {
  readonly key: string
  readonly ruleId: string
  readonly accountId: string
  readonly region: string
  readonly resourceArn: string
  readonly summary: string
  readonly evidence: Readonly<Record<string, unknown>>
  readonly firstSeenAt: Date
  readonly lastSeenAt: Date
  /** When the current consecutive run started: the clock every step counts from. */
  readonly clockStartedAt: Date
  /** The ladder steps already taken (notices sent, remediation planned or done), by key. */
  readonly stepsTaken: readonly string[]
  readonly resolvedAt: Date | null
}

/** What a scan did to the open violations. */
export interface Transition {
  /** Violations still open after the scan, including those it opened. */
  readonly open: Violation[]
  readonly opened: Violation[]
  readonly resolved: Violation[]
  /**
   * Open violations whose scope the scan could not observe: kept as they were, clocks running, but no step is taken
   * on them until a scan confirms them, so nothing is changed on a resource that may since have been fixed.
   */
  readonly unobserved: Violation[]
}

const scopeKey = (item: { ruleId: string; accountId: string; region: string }) =>
  `${item.accountId}|${item.region}|${item.ruleId}`

const fromFinding = (finding: Finding, now: Date): Violation => ({
  key: violationKey(finding),
  ruleId: finding.ruleId,
  accountId: finding.accountId,
  region: finding.region,
  resourceArn: finding.resourceArn,
  summary: finding.summary,
  evidence: finding.evidence,
  firstSeenAt: now,
  lastSeenAt: now,
  clockStartedAt: now,
  stepsTaken: [],
  resolvedAt: null,
})

/**
 * Applies one scan's evaluations to the open violations: a finding already open is seen again (its clock runs on), a
 * new one opens with its clock at `now`, an open violation in an observed scope with no finding is resolved, and an
 * open violation in a scope the scan did not observe (or did not evaluate) is left alone. An account-wide rule's
 * scope (region `global`) covers its findings in every region: a bucket's finding carries the bucket's region.
 */
export function applyScan(open: readonly Violation[], evaluations: readonly Evaluation[], now: Date): Transition {
  const observedScopes = new Set(evaluations.filter(e => e.observed).map(scopeKey))
  const found = new Map(
    evaluations
      .filter(e => e.observed)
      .flatMap(e => e.findings.map(finding => [violationKey(finding), finding] as const)),
  )
  const byKey = new Map(open.map(violation => [violation.key, violation]))
  const result: Transition = { open: [], opened: [], resolved: [], unobserved: [] }
  for (const violation of open) {
    const finding = found.get(violation.key)
    if (finding !== undefined)
      result.open.push({ ...violation, lastSeenAt: now, summary: finding.summary, evidence: finding.evidence })
    else if (observedScopes.has(scopeKey(violation)) || observedScopes.has(scopeKey({ ...violation, region: GLOBAL })))
      result.resolved.push({ ...violation, resolvedAt: now })
    else {
      result.open.push(violation)
      result.unobserved.push(violation)
    }
  }
  for (const [key, finding] of found) {
    if (byKey.has(key)) continue
    const opened = fromFinding(finding, now)
    result.open.push(opened)
    result.opened.push(opened)
  }
  return result
}

/** When a step of the ladder falls due for a violation. */
export const stepDueAt = (violation: Violation, step: Step): Date => addDuration(violation.clockStartedAt, step.after)

/** The steps of a ladder that are due at `now` and not yet taken, in ladder order (notices before remediation). */
export function dueSteps(violation: Violation, ladder: readonly Step[], now: Date): Step[] {
  if (violation.resolvedAt !== null) return []
  return ladder.filter(step => !violation.stepsTaken.includes(step.key) && stepDueAt(violation, step) <= now)
}

/**
 * The earliest step not yet taken, for the pages' "next step" column. A step already due is still next until it is
 * taken: a planned remediation waits for `enforce --apply`, and a notice the mail server refused is sent again.
 */
export function nextStep(
  violation: Violation,
  ladder: readonly Step[],
  now: Date,
): { step: Step; dueAt: Date; overdue: boolean } | null {
  const untaken = ladder
    .filter(step => !violation.stepsTaken.includes(step.key))
    .map(step => ({ step, dueAt: stepDueAt(violation, step) }))
    .sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime())
  const first = untaken[0]
  return first === undefined ? null : { ...first, overdue: first.dueAt <= now }
}

/** A violation with steps recorded as taken. */
export const withStepsTaken = (violation: Violation, keys: readonly string[]): Violation => ({
  ...violation,
  stepsTaken: [...new Set([...violation.stepsTaken, ...keys])],
})

/** A mute as stored: a rule, the whole account or one resource, until it expires. */
type Mute = { readonly rule_id: string; readonly resource_arn: string | null; readonly expires_at: string }

/** Whether a mute covers a violation at `now`: same rule, the whole account or that resource, not yet expired. */
export const mutedBy = (violation: Violation, mutes: readonly Mute[], now: Date): boolean =>
  mutes.some(
    mute =>
      mute.rule_id === violation.ruleId &&
      (mute.resource_arn === null || mute.resource_arn === violation.resourceArn) &&
      new Date(mute.expires_at) > now,
  )
