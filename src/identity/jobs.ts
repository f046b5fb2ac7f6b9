import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import { addDuration, durationSeconds } from '../platform/duration.ts'
import { durationParameter } from '../catalogue/catalogue.ts'
import type { Job } from '../platform/jobs/runner.ts'
import { recordAuditEvent } from '../audit/record.ts'
import type { IdentityDeps } from './deps.ts'
import { PRIVILEGED_ROLES, ROLE_LABELS, type Role } from './roles.ts'
import { endAllSessions } from './sessions.ts'
import { listFactors, listUsers } from './store.ts'

/** How long before suspension people are warned. Not a guidance number: a courtesy so nobody is surprised. */
export const INACTIVITY_WARNING_LEAD = 'P7D'

/**
 * Suspends accounts with no sign-in for the catalogue's idle threshold (30 days), warning by email 7 days before.
 * Guidance, AWS baseline (Identity and Access Management): idle accounts are suspended past the threshold.
 */
export function inactiveAccountsJob(deps: IdentityDeps): Job {
  return {
    name: 'suspend-inactive-accounts',
    every: 'daily',
    async run(now) {
      const threshold = durationParameter(deps.catalogue, 'aws-iam-idle-threshold')
      let suspended = 0
      let warned = 0
      for (const person of (await listUsers(deps.db)).filter(p => p.status === 'active')) {
        const row = await deps.db
          .selectFrom('users')
          .select(['created_at', 'last_sign_in_at', 'inactivity_warned_at'])
          .where('id', '=', person.id)
          .executeTakeFirstOrThrow()
        const lastActive = new Date(row.last_sign_in_at ?? row.created_at)
        const suspendAt = addDuration(lastActive, threshold)
        if (suspendAt <= now) {
          await deps.db
            .updateTable('users')
            .set({ status: 'suspended' })
            .where('id', '=', person.id)
            .where('status', '=', 'active')
            .execute()
          await endAllSessions(deps.db, person.id)
          await recordAuditEvent(
            deps.db,
            {
              actor: { type: 'system', id: 'suspend-inactive-accounts' },
              action: 'identity.person.suspended',
              outcome: 'success',
              target: { type: 'user', id: person.id },
              reason: `no sign-in since ${lastActive.toISOString()}`,
            },
            now,
          )
          await deps.mailer.send({
            to: person.email,
            subject: 'Your Assure account has been suspended',
            text: `Your Assure account was suspended because nobody has signed in to it for ${threshold.replace(/^P(\d+)D$/, '$1 days')}. Ask your administrator to reactivate it if you still need it.`,
          })
          suspended += 1
        } else if (
          suspendAt.getTime() - durationSeconds(INACTIVITY_WARNING_LEAD) * 1000 <= now.getTime() &&
          row.inactivity_warned_at === null
        ) {
          await deps.db
            .updateTable('users')
            .set({ inactivity_warned_at: now.toISOString() })
            .where('id', '=', person.id)
            .execute()
          await deps.mailer.send({
            to: person.email,
            subject: 'Sign in to keep your Assure account',
            text: `Nobody has signed in to your Assure account recently. It will be suspended on ${suspendAt.toISOString().slice(0, 10)} unless you sign in before then.`,
          })
          warned += 1
        }
      }
      return `${suspended} suspended, ${warned} warned`
    },
  }
}

/** One line of the privileged account review. */
export interface ReviewedAccount {
  readonly id: string
  readonly name: string
  readonly email: string
  readonly roles: string[]
  readonly clearance: string | null
  readonly clearanceCheckedOn: string | null
  readonly securityKeys: number
  readonly otherFactors: number
  readonly lastSignInAt: string | null
  readonly lastPrivilegedAction: string | null
  readonly status: string
}

/**
 * Produces the month's privileged account review for an auditor or administrator to sign off.
 * Guidance, Privileged Account Management: "ownership and use of privileged accounts must be monitored and audited
 * on a monthly basis" (the catalogue's privileged-account-audit-interval).
 */
export function privilegedReviewJob(deps: IdentityDeps): Job {
  return {
    name: 'privileged-account-review',
    every: 'monthly',
    async run(now) {
      const privileged = (await listUsers(deps.db)).filter(p =>
        p.roles.some(r => (PRIVILEGED_ROLES as readonly Role[]).includes(r)),
      )
      const accounts: ReviewedAccount[] = []
      for (const person of privileged) {
        const factors = await listFactors(deps.db, person.id)
        const lastAction = await deps.db
          .selectFrom('audit_entries')
          .select(sql<string>`max(at)`.as('at'))
          .where('user_id', '=', person.id)
          .where('action', 'like', 'identity.%')
          .executeTakeFirst()
        accounts.push({
          id: person.id,
          name: person.displayName,
          email: person.email,
          roles: person.roles.map(r => ROLE_LABELS[r]),
          clearance: person.clearance,
          clearanceCheckedOn: person.clearanceCheckedOn,
          securityKeys: factors.filter(f => f.kind === 'webauthn').length,
          otherFactors: factors.filter(f => f.kind !== 'webauthn').length,
          lastSignInAt: person.lastSignInAt,
          lastPrivilegedAction: lastAction?.at ?? null,
          status: person.status,
        })
      }
      const period = now.toISOString().slice(0, 7)
      await deps.db
        .insertInto('privileged_reviews')
        .values({
          id: randomUUID(),
          period,
          created_at: now.toISOString(),
          accounts: JSON.stringify(accounts),
          signed_off_by: null,
          signed_off_at: null,
        })
        .onConflict(oc => oc.column('period').doNothing())
        .execute()
      await recordAuditEvent(
        deps.db,
        {
          actor: { type: 'system', id: 'privileged-account-review' },
          action: 'identity.privileged_review.created',
          outcome: 'success',
          details: { period, accounts: accounts.length },
        },
        now,
      )
      return `${accounts.length} privileged accounts to review for ${period}`
    },
  }
}
