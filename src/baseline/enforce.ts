import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Catalogue } from '../catalogue/catalogue.ts'
import type { Database } from '../platform/db/schema.ts'
import type { Mailer } from '../platform/mail/mailer.ts'
import { recordAuditEvent, type Actor } from '../audit/record.ts'
import { AssureError, notFound } from '../platform/errors.ts'
import { applyScan, dueSteps, mutedBy, withStepsTaken, type Violation } from './clocks.ts'
import type { Evaluation } from './findings.ts'
import { ladders, SAFE_REMEDIATIONS, type Audience, type Remediation, type Step } from './ladders.ts'
import type { RuleId } from './rules/index.ts'
import type { AccountResult, scanAccounts } from './scan.ts'
import {
  activeMutes,
  findAction,
  finishScan,
  insertAction,
  insertScan,
  insertViolation,
  markResolved,
  markSeen,
  markStepsTaken,
  openViolations,
  saveResults,
  updateAction,
  type StoredViolation,
} from './store.ts'

/** The system actor every baseline ledger entry is recorded as. */
export const BASELINE_ACTOR: Actor = { type: 'system', id: 'baseline' }

/** A remediation as planned: the exact SDK calls it will make, as data. */
export interface PlannedRemediation {
  readonly remediation: Remediation
  readonly accountId: string
  readonly region: string
  readonly resourceArn: string
  readonly destructive: boolean
  readonly calls: readonly unknown[]
}

/** How applying one went: AWS request IDs, and the record of what changed (kept for rollback). */
export interface AppliedRemediation {
  readonly status: 'applied' | 'failed'
  readonly requestIds: readonly string[]
  readonly error?: string
  readonly record: unknown
}

/** What turns a violation's remediation step into SDK calls, and makes them. */
export interface Remediator {
  plan(violation: Violation, remediation: Remediation): PlannedRemediation | { readonly skipped: string }
  apply(planned: PlannedRemediation): Promise<AppliedRemediation>
  /** The plan's calls as lines to print: service, command, region and input. */
  describe(planned: PlannedRemediation): string[]
}

/** Resolves a notice's audiences to addresses, for one violation. */
export type BaselineRecipients = (audiences: readonly Audience[], violation: Violation) => Promise<string[]>

/** Scans accounts, streaming each result: `scanAccounts` with its deps bound, or a fake in tests. */
export type Scanner = (
  accountIds: readonly string[],
  handlers: Parameters<typeof scanAccounts>[2],
) => ReturnType<typeof scanAccounts>

/** What a run needs. */
export interface EnforceDeps {
  readonly db: Kysely<Database>
  readonly now: () => Date
  readonly catalogue: Catalogue
  readonly mailer: Mailer
  readonly scan: Scanner
  readonly remediator: Remediator
  readonly recipients: BaselineRecipients
}

/**
 * Blast-radius limits, on by default: at most this many workload-changing actions per account per run, and at most
 * this share of an account's resources changed. Exceeding either stops the run's actions and alerts.
 */
export interface BlastRadius {
  readonly maxActionsPerAccount: number
  readonly maxShareOfResources: number
}

export const DEFAULT_BLAST_RADIUS: BlastRadius = { maxActionsPerAccount: 10, maxShareOfResources: 0.1 }

/** How a run goes: `scan` records detections only; `plan` also sends due notices and prints the plan; `apply` acts. */
export interface RunOptions {
  readonly mode: 'scan' | 'plan' | 'apply'
  readonly accounts: readonly string[]
  /** Let re-enabling detective services (and setting the security contact) apply without --apply. */
  readonly applySafe?: boolean
  readonly blastRadius?: BlastRadius
  readonly onAccount?: (report: AccountReport) => void
}

/** What a run did to one account. */
export interface AccountReport {
  readonly accountId: string
  readonly regions: readonly string[]
  readonly unobserved: ReadonlyArray<{ ruleId: string; region: string; error: string }>
  readonly open: readonly StoredViolation[]
  readonly opened: number
  readonly resolved: number
  readonly muted: number
  readonly notices: ReadonlyArray<{ violationId: string; step: string; recipients: number }>
  readonly planned: ReadonlyArray<{
    violationId: string
    remediation: Remediation
    destructive: boolean
    lines: string[]
  }>
  readonly applied: ReadonlyArray<{
    actionId: string
    remediation: Remediation
    status: string
    requestIds: readonly string[]
  }>
  readonly skipped: ReadonlyArray<{ violationId: string; remediation: Remediation; reason: string }>
  readonly failed?: string
}

/** The run as a whole. */
export interface RunReport {
  readonly scanId: string
  readonly mode: RunOptions['mode']
  readonly accounts: AccountReport[]
  readonly stopped: string | null
}

const audit = (
  trx: Parameters<typeof recordAuditEvent>[0],
  now: Date,
  action: string,
  target: { type: string; id: string },
  details: Record<string, unknown>,
  outcome: 'success' | 'failure' = 'success',
) => recordAuditEvent(trx, { actor: BASELINE_ACTOR, action, outcome, target, details }, now)

/** Sends a message; a mail server that is down is a reason, not an exception that would end the run. */
async function sendOrReason(
  mailer: Mailer,
  recipients: readonly string[],
  message: { subject: string; text: string },
): Promise<string | null> {
  try {
    await mailer.send({ to: recipients.join(', '), ...message })
    return null
  } catch (error) {
    return error instanceof Error ? error.message.slice(0, 200) : 'sending failed'
  }
}

/** Records one account's scan: its violations' clocks and its latest results, each detection a ledger entry. */
async function recordAccount(
  deps: EnforceDeps,
  scanId: string,
  result: AccountResult,
): Promise<{ open: StoredViolation[]; confirmed: Set<string>; opened: number; resolved: number }> {
  const now = result.scannedAt
  return deps.db.transaction().execute(async trx => {
    const before = await openViolations(trx, result.accountId)
    const transition = applyScan(before, result.evaluations, now)
    const byKey = new Map(before.map(violation => [violation.key, violation]))
    const open: StoredViolation[] = []
    for (const violation of transition.open) {
      const stored = byKey.get(violation.key)
      if (stored === undefined) {
        const inserted = await insertViolation(trx, violation)
        await audit(
          trx,
          now,
          'baseline.violation.opened',
          { type: 'baseline_violation', id: inserted.id },
          {
            scanId,
            accountId: violation.accountId,
            region: violation.region,
            ruleId: violation.ruleId,
            resourceArn: violation.resourceArn,
            summary: violation.summary,
          },
        )
        open.push(inserted)
      } else {
        const seen = { ...stored, ...violation, id: stored.id }
        await markSeen(trx, seen)
        open.push(seen)
      }
    }
    for (const violation of transition.resolved) {
      const stored = byKey.get(violation.key)
      if (stored === undefined) continue
      await markResolved(trx, stored.id, now)
      await audit(
        trx,
        now,
        'baseline.violation.resolved',
        { type: 'baseline_violation', id: stored.id },
        {
          scanId,
          accountId: stored.accountId,
          region: stored.region,
          ruleId: stored.ruleId,
          resourceArn: stored.resourceArn,
          openFor: `${Math.round((now.getTime() - stored.clockStartedAt.getTime()) / 3_600_000)}h`,
        },
      )
    }
    await saveResults(trx, { scanId, evaluations: result.evaluations, at: now })
    const unconfirmed = new Set(transition.unobserved.map(violation => violation.key))
    return {
      open,
      confirmed: new Set(open.filter(violation => !unconfirmed.has(violation.key)).map(violation => violation.key)),
      opened: transition.opened.length,
      resolved: transition.resolved.length,
    }
  })
}

function noticeText(violation: Violation, step: Extract<Step, { kind: 'notify' }>): { subject: string; text: string } {
  const urgency = { notice: 'AWS baseline', reminder: 'Reminder', urgent: 'Urgent', escalation: 'Escalation' }[
    step.urgency
  ]
  return {
    subject: `${urgency}: ${violation.summary} (${violation.accountId}, ${violation.region})`,
    text: [
      `Assure found that ${violation.summary}.`,
      '',
      `Account: ${violation.accountId}`,
      `Region: ${violation.region}`,
      `Resource: ${violation.resourceArn}`,
      `Requirement: ${violation.ruleId} (MoJ Cyber Security Guidance: Supplier Edition, AWS baseline)`,
      `Found since: ${violation.clockStartedAt.toISOString()}`,
    ].join('\n'),
  }
}

/**
 * Runs the baseline over accounts: scans each (streaming), records detections and clocks, then, unless only
 * scanning, sends each confirmed, unmuted violation's due notices and plans its due remediation; with `apply` (or
 * `applySafe` for detective services) it acts, within the blast radius. Exceeding the blast radius stops every
 * further action in the run, is recorded, and alerts Cyber Security.
 */
export async function runBaseline(deps: EnforceDeps, options: RunOptions): Promise<RunReport> {
  const scanId = randomUUID()
  const started = deps.now()
  const ladderOf = ladders(deps.catalogue)
  const limits = options.blastRadius ?? DEFAULT_BLAST_RADIUS
  await insertScan(deps.db, { id: scanId, mode: options.mode, accounts: options.accounts.length, at: started })
  const reports: AccountReport[] = []
  let stopped: string | null = null

  const handle = async (result: AccountResult) => {
    const recorded = await recordAccount(deps, scanId, result)
    const now = result.scannedAt
    const report = {
      accountId: result.accountId,
      regions: result.regions,
      unobserved: result.evaluations
        .filter((evaluation): evaluation is Evaluation & { error: string } => !evaluation.observed)
        .map(evaluation => ({ ruleId: evaluation.ruleId, region: evaluation.region, error: evaluation.error ?? '' })),
      open: recorded.open,
      opened: recorded.opened,
      resolved: recorded.resolved,
      muted: 0,
      notices: [] as Array<AccountReport['notices'][number]>,
      planned: [] as Array<AccountReport['planned'][number]>,
      applied: [] as Array<AccountReport['applied'][number]>,
      skipped: [] as Array<AccountReport['skipped'][number]>,
    }
    if (options.mode !== 'scan') {
      const mutes = await activeMutes(deps.db, result.accountId, now)
      const toApply: Array<{ violationId: string; step: Step; planned: PlannedRemediation }> = []
      // The violations as their steps are taken, so each write keeps the steps taken before it in this run.
      const current = new Map(recorded.open.map(violation => [violation.id, violation]))
      const takeStep = async (trx: Parameters<typeof markStepsTaken>[0], id: string, key: string) => {
        const violation = current.get(id)
        if (violation === undefined) return
        await markStepsTaken(trx, violation, [key])
        current.set(id, { ...withStepsTaken(violation, [key]), id })
      }
      for (const violation of recorded.open) {
        if (!recorded.confirmed.has(violation.key)) continue
        if (mutedBy(violation, mutes, now)) {
          report.muted += 1
          continue
        }
        const ladder = ladderOf[violation.ruleId as RuleId] ?? []
        for (const step of dueSteps(violation, ladder, now)) {
          if (step.kind === 'notify') {
            const recipients = await deps.recipients(step.notify, violation)
            const message = noticeText(violation, step)
            const failure = recipients.length === 0 ? null : await sendOrReason(deps.mailer, recipients, message)
            if (failure !== null) {
              // Not taken: the next run sends it again. The rest of the run goes on.
              await audit(
                deps.db,
                now,
                'baseline.notice.failed',
                { type: 'baseline_violation', id: violation.id },
                { step: step.key, audiences: step.notify, reason: failure },
                'failure',
              )
              continue
            }
            await deps.db.transaction().execute(async trx => {
              await takeStep(trx, violation.id, step.key)
              await audit(
                trx,
                now,
                'baseline.notice.sent',
                { type: 'baseline_violation', id: violation.id },
                {
                  step: step.key,
                  urgency: step.urgency,
                  audiences: step.notify,
                  recipients: recipients.length,
                },
              )
            })
            report.notices.push({ violationId: violation.id, step: step.key, recipients: recipients.length })
            continue
          }
          const planned = deps.remediator.plan(violation, step.action)
          if ('skipped' in planned) {
            await deps.db.transaction().execute(async trx => {
              await takeStep(trx, violation.id, step.key)
              await audit(
                trx,
                now,
                'baseline.remediation.skipped',
                { type: 'baseline_violation', id: violation.id },
                {
                  remediation: step.action,
                  reason: planned.skipped,
                },
              )
            })
            report.skipped.push({ violationId: violation.id, remediation: step.action, reason: planned.skipped })
            continue
          }
          const acts = options.mode === 'apply' || (options.applySafe === true && SAFE_REMEDIATIONS.has(step.action))
          report.planned.push({
            violationId: violation.id,
            remediation: step.action,
            destructive: planned.destructive,
            lines: deps.remediator.describe(planned),
          })
          if (acts) toApply.push({ violationId: violation.id, step, planned })
        }
      }
      // Only actions that change workloads count: re-enabling GuardDuty in 17 regions is not a blast. A single action
      // is always allowed (an account of one resource must be fixable); beyond that, both limits hold.
      const changing = toApply.filter(({ planned }) => planned.destructive).length
      const share = result.resources === 0 ? 1 : changing / result.resources
      const exceeds = changing > limits.maxActionsPerAccount || (changing > 1 && share > limits.maxShareOfResources)
      if (stopped === null && exceeds) {
        stopped = `Account ${result.accountId} would change ${changing} resources, over the blast radius (at most ${limits.maxActionsPerAccount} actions and ${Math.round(limits.maxShareOfResources * 100)}% of its resources per run)`
        await audit(
          deps.db,
          now,
          'baseline.blast_radius.exceeded',
          { type: 'baseline_scan', id: scanId },
          {
            accountId: result.accountId,
            actions: changing,
            resources: result.resources,
            limits: { ...limits },
          },
          'failure',
        )
        const recipients = await deps.recipients(['cyber-security'], recorded.open[0] ?? placeholder(result.accountId))
        if (recipients.length > 0)
          await sendOrReason(deps.mailer, recipients, {
            subject: `Assure stopped an AWS baseline run: blast radius exceeded in ${result.accountId}`,
            text: `${stopped}. Nothing further was changed in this run. Review the plan with \`assure baseline enforce\`.`,
          })
      }
      if (stopped === null)
        for (const { violationId, step, planned } of toApply) {
          const actionId = randomUUID()
          await insertAction(deps.db, {
            id: actionId,
            violation_id: violationId,
            scan_id: scanId,
            account_id: planned.accountId,
            region: planned.region,
            remediation: planned.remediation,
            status: 'planned',
            planned: JSON.stringify(planned),
            created_at: now.toISOString(),
          })
          const applied = await deps.remediator.apply(planned)
          await deps.db.transaction().execute(async trx => {
            await updateAction(trx, actionId, {
              status: applied.status,
              applied: JSON.stringify(applied),
              applied_at: deps.now().toISOString(),
            })
            if (applied.status === 'applied') await takeStep(trx, violationId, step.key)
            await audit(
              trx,
              now,
              applied.status === 'applied' ? 'baseline.remediation.applied' : 'baseline.remediation.failed',
              { type: 'baseline_action', id: actionId },
              {
                violationId,
                accountId: planned.accountId,
                region: planned.region,
                remediation: planned.remediation,
                resourceArn: planned.resourceArn,
                requestIds: applied.requestIds,
                ...(applied.error === undefined ? {} : { error: applied.error }),
              },
              applied.status === 'applied' ? 'success' : 'failure',
            )
          })
          report.applied.push({
            actionId,
            remediation: planned.remediation,
            status: applied.status,
            requestIds: applied.requestIds,
          })
        }
    }
    reports.push(report)
    options.onAccount?.(report)
  }

  const summary = await deps.scan(options.accounts, {
    onResult: handle,
    onFailure: async (accountId, error) => {
      const message = error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 300) : String(error)
      await audit(
        deps.db,
        deps.now(),
        'baseline.scan.failed',
        { type: 'aws_account', id: accountId },
        { scanId, error: message },
        'failure',
      )
      const failed = { ...emptyReport(accountId), failed: message }
      reports.push(failed)
      options.onAccount?.(failed)
    },
  })
  await finishScan(deps.db, {
    id: scanId,
    at: deps.now(),
    summary: { ...summary, stopped, open: reports.reduce((n, r) => n + r.open.length, 0) },
  })
  reports.sort((a, b) => a.accountId.localeCompare(b.accountId))
  return { scanId, mode: options.mode, accounts: reports, stopped }
}

const placeholder = (accountId: string): Violation => ({
  key: `${accountId}|global|run|run`,
  ruleId: 'run',
  accountId,
  region: 'global',
  resourceArn: `arn:aws:account::${accountId}:account`,
  summary: 'blast radius exceeded',
  evidence: {},
  firstSeenAt: new Date(0),
  lastSeenAt: new Date(0),
  clockStartedAt: new Date(0),
  stepsTaken: [],
  resolvedAt: null,
})

const emptyReport = (accountId: string): AccountReport => ({
  accountId,
  regions: [],
  unobserved: [],
  open: [],
  opened: 0,
  resolved: 0,
  muted: 0,
  notices: [],
  planned: [],
  applied: [],
  skipped: [],
})

/** How a rollback went, as the remediation module reports it. */
export interface RollbackOutcome {
  readonly status: 'rolled-back' | 'failed'
  readonly calls: ReadonlyArray<{ readonly requestId: string | null }>
  readonly error?: { readonly name: string; readonly message: string }
}

/**
 * Rolls back an applied action (`assure baseline rollback ACTION_ID`) from the record of what it changed, and
 * records the outcome, with AWS request IDs, in the ledger. Only an applied action can be rolled back, once.
 */
export async function rollbackBaselineAction(
  deps: { db: Kysely<Database>; now: () => Date; rollback: (applied: unknown) => Promise<RollbackOutcome> },
  props: { actionId: string; by: Actor },
): Promise<{ actionId: string; status: RollbackOutcome['status']; requestIds: string[]; error?: string }> {
  const action = await findAction(deps.db, props.actionId)
  if (action === undefined) throw notFound('That baseline action')
  if (action.status !== 'applied' || action.applied === null)
    throw new AssureError('CONFLICT', `That action is ${action.status}; only an applied action can be rolled back`)
  const { record } = JSON.parse(action.applied) as { record: unknown }
  const outcome = await deps.rollback(record)
  const now = deps.now()
  const requestIds = outcome.calls.flatMap(call => (call.requestId === null ? [] : [call.requestId]))
  const error = outcome.error === undefined ? undefined : `${outcome.error.name}: ${outcome.error.message}`
  await deps.db.transaction().execute(async trx => {
    await updateAction(trx, action.id, {
      status: outcome.status === 'rolled-back' ? 'rolled-back' : 'rollback-failed',
      rolled_back_at: now.toISOString(),
    })
    await recordAuditEvent(
      trx,
      {
        actor: props.by,
        action:
          outcome.status === 'rolled-back'
            ? 'baseline.remediation.rolled_back'
            : 'baseline.remediation.rollback_failed',
        outcome: outcome.status === 'rolled-back' ? 'success' : 'failure',
        target: { type: 'baseline_action', id: action.id },
        details: {
          accountId: action.account_id,
          region: action.region,
          remediation: action.remediation,
          requestIds,
          ...(error === undefined ? {} : { error }),
        },
      },
      now,
    )
  })
  return { actionId: action.id, status: outcome.status, requestIds, ...(error === undefined ? {} : { error }) }
}
