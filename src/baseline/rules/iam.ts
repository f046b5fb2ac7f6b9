import { addDuration } from '../../platform/duration.ts'
import type { Evaluation } from '../findings.ts'
import { GLOBAL } from '../findings.ts'
import type { BaselineSettings } from '../settings.ts'
import { ROOT_USER, type AccountSnapshot, type CredentialReportRow } from '../snapshot.ts'
import { both, evaluate } from './evaluate.ts'

const latest = (dates: ReadonlyArray<Date | null>): Date | null =>
  dates.reduce<Date | null>((found, date) => (date !== null && (found === null || date > found) ? date : found), null)

/** When a user last signed in or used an access key; null if never. */
export const lastActivity = (row: CredentialReportRow): Date | null =>
  latest([row.passwordLastUsed, ...row.accessKeys.map(key => key.lastUsed)])

const users = (report: readonly CredentialReportRow[]) => report.filter(row => row.user !== ROOT_USER)
const iso = (date: Date | null) => date?.toISOString() ?? null

/**
 * Guidance, IAM: users idle for "30 or more consecutive days" (no password or access-key use; a user never used
 * counts from its creation) get suspension notices. The threshold is the catalogue's `aws-iam-idle-threshold`.
 */
export function idleUsers(snapshot: AccountSnapshot, settings: BaselineSettings): Evaluation {
  const now = snapshot.collectedAt
  return evaluate(
    { ruleId: 'AWS-IAM-10', accountId: snapshot.accountId, region: GLOBAL },
    snapshot.credentialReport,
    report =>
      users(report).flatMap(row => {
        const since = lastActivity(row) ?? row.userCreationTime
        if (addDuration(since, settings.iamIdleThreshold) > now) return []
        return [
          {
            resourceArn: row.arn,
            summary: `IAM user ${row.user} has been idle since ${since.toISOString().slice(0, 10)}`,
            evidence: { user: row.user, idleSince: since.toISOString(), lastActivity: iso(lastActivity(row)) },
          },
        ]
      }),
  )
}

/** Guidance, IAM: "MFA is required, always": a console user (one with a password) without an MFA device. */
export function usersWithoutMfa(snapshot: AccountSnapshot): Evaluation {
  return evaluate(
    { ruleId: 'AWS-IAM-11', accountId: snapshot.accountId, region: GLOBAL },
    snapshot.credentialReport,
    report =>
      users(report)
        .filter(row => row.passwordEnabled && !row.mfaActive)
        .map(row => ({
          resourceArn: row.arn,
          summary: `IAM user ${row.user} signs in to the console without MFA`,
          evidence: { user: row.user, passwordEnabled: true, mfaActive: false },
        })),
  )
}

const rootOf = (report: readonly CredentialReportRow[]) => report.find(row => row.user === ROOT_USER)

/** Guidance, IAM: root usage is abnormal, so root access keys should not exist at all. */
export function rootAccessKeys(snapshot: AccountSnapshot): Evaluation {
  return evaluate(
    { ruleId: 'AWS-IAM-07', accountId: snapshot.accountId, region: GLOBAL },
    snapshot.credentialReport,
    report => {
      const root = rootOf(report)
      const active = root?.accessKeys.filter(key => key.active) ?? []
      if (root === undefined || active.length === 0) return []
      return [
        {
          resourceArn: root.arn,
          summary: `The root user has ${active.length} active access key${active.length === 1 ? '' : 's'}`,
          evidence: { activeKeys: active.length, oldestRotated: iso(latest(active.map(key => key.lastRotated))) },
        },
      ]
    },
  )
}

/**
 * The root user's last use, and the first credential update after it: a password change (from CloudTrail, since the
 * report says `not_supported` for root's password_last_changed) or an access key rotated after the use.
 */
function rootUse(
  root: CredentialReportRow,
  passwordChanges: readonly Date[],
): { usedAt: Date; updatedAt: Date | null } | null {
  const usedAt = lastActivity(root)
  if (usedAt === null) return null
  const updates = [...passwordChanges, ...root.accessKeys.map(key => key.lastRotated)].filter(
    (date): date is Date => date !== null && date > usedAt,
  )
  return {
    usedAt,
    updatedAt: updates.reduce<Date | null>((first, date) => (first === null || date < first ? date : first), null),
  }
}

/**
 * Guidance, IAM: "Any login or use of an AWS root account issues login alerts" — a finding while the latest use has
 * not been followed by a credential update (the guidance: "Passphrase and/or MFA seed cycled on every AWS root
 * account use"), so the alert goes once per use and clears when the credentials are cycled.
 */
export function rootUsed(snapshot: AccountSnapshot): Evaluation {
  return evaluate(
    { ruleId: 'AWS-IAM-12', accountId: snapshot.accountId, region: GLOBAL },
    both(snapshot.credentialReport, snapshot.rootPasswordChanges),
    ([report, changes]) => {
      const root = rootOf(report)
      const use = root === undefined ? null : rootUse(root, changes)
      if (root === undefined || use === null || use.updatedAt !== null) return []
      return [
        {
          resourceArn: root.arn,
          summary: `The root user was used at ${use.usedAt.toISOString()}`,
          evidence: { usedAt: use.usedAt.toISOString() },
        },
      ]
    },
  )
}

/** Guidance, IAM: "Alerts fire when an AWS root user account is used but the credentials are not updated within 7 days." */
export function rootNotRotated(snapshot: AccountSnapshot, settings: BaselineSettings): Evaluation {
  return evaluate(
    { ruleId: 'AWS-IAM-15', accountId: snapshot.accountId, region: GLOBAL },
    both(snapshot.credentialReport, snapshot.rootPasswordChanges),
    ([report, changes]) => {
      const root = rootOf(report)
      const use = root === undefined ? null : rootUse(root, changes)
      if (root === undefined || use === null || use.updatedAt !== null) return []
      const deadline = addDuration(use.usedAt, settings.rootRotationPeriod)
      if (snapshot.collectedAt < deadline) return []
      return [
        {
          resourceArn: root.arn,
          summary: `Root credentials were not updated within ${settings.rootRotationPeriod} of use at ${use.usedAt.toISOString()}`,
          evidence: { usedAt: use.usedAt.toISOString(), deadline: deadline.toISOString() },
        },
      ]
    },
  )
}
