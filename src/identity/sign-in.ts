import { sql } from 'kysely'
import { AssureError } from '../platform/errors.ts'
import { integerParameter } from '../catalogue/catalogue.ts'
import { recordAuditEvent, type Actor } from '../audit/record.ts'
import type { IdentityDeps, RequestContext } from './deps.ts'
import { hashPassword, verifyAgainstDummy, verifyPassword } from './passwords.ts'
import { readSecuritySettings, requiresSecurityKey } from './security-settings.ts'
import {
  createSession,
  endAllSessions,
  enforceConcurrentLimit,
  hashToken,
  rotateSession,
  sessionPolicy,
} from './sessions.ts'
import { findUserByEmail, findUserById, listFactors, type UserRecord } from './store.ts'

/** What a password sign-in leads to. Refusals say nothing about why (unknown, wrong and locked look the same). */
export type PasswordOutcome =
  | { readonly kind: 'refused' }
  | { readonly kind: 'continue'; readonly sessionToken: string; readonly stage: 'mfa' | 'enrol' }

const userActor = (user: UserRecord, sessionRef?: string): Actor => ({
  type: 'user',
  id: user.id,
  organisationId: user.organisationId,
  sessionRef,
})

/**
 * Whether a person must still enrol a factor: none at all, or a privileged role without a security key while the
 * `privileged-require-security-key` security setting is on (the default).
 */
export async function needsEnrolment(deps: IdentityDeps, user: UserRecord): Promise<boolean> {
  const factors = await listFactors(deps.db, user.id)
  if (factors.length === 0) return true
  return (
    requiresSecurityKey(await readSecuritySettings(deps.db), user.roles) &&
    !factors.some(factor => factor.kind === 'webauthn')
  )
}

/**
 * Counts a failed password or second factor against the person, atomically in the store so parallel attempts and
 * several instances cannot exceed the catalogue's threshold. At the threshold the account locks, every session
 * ends and the person is emailed.
 * Guidance, Technical Security Controls L2: "Monitor login attempts and block access after 10 unsuccessful attempts."
 */
export async function registerFailure(
  deps: IdentityDeps,
  user: UserRecord,
  what: 'password' | 'mfa',
  context: RequestContext,
): Promise<void> {
  const now = deps.now()
  const threshold = integerParameter(deps.catalogue, 'lockout-threshold')
  // One statement counts the failure and locks at the threshold, so concurrent attempts (on any instance) are
  // serialised by the row lock and the count can never pass the threshold.
  const counted = await deps.db
    .updateTable('users')
    .set(eb => ({
      failed_attempts: eb('failed_attempts', '+', 1),
      status: sql<'active' | 'locked'>`case when failed_attempts + 1 >= ${threshold} then 'locked' else status end`,
      locked_at: sql<
        string | null
      >`case when failed_attempts + 1 >= ${threshold} then ${now.toISOString()} else locked_at end`,
    }))
    .where('id', '=', user.id)
    .where('status', '=', 'active')
    .returning(['failed_attempts', 'status'])
    .executeTakeFirst()
  await recordAuditEvent(
    deps.db,
    {
      actor: { type: 'anonymous' },
      action: `auth.sign_in.failure`,
      outcome: 'failure',
      target: { type: 'user', id: user.id },
      reason: `wrong ${what}`,
      ip: context.ip,
      requestId: context.requestId,
      details: { attempts: counted?.failed_attempts ?? null },
    },
    now,
  )
  // Only the attempt that crossed the threshold reports the lock.
  if (counted?.status !== 'locked') return
  await endAllSessions(deps.db, user.id)
  await recordAuditEvent(
    deps.db,
    {
      actor: { type: 'system', id: 'lockout' },
      action: 'auth.account.locked',
      outcome: 'success',
      target: { type: 'user', id: user.id },
      reason: `${threshold} failed attempts`,
      ip: context.ip,
      requestId: context.requestId,
    },
    now,
  )
  await deps.mailer.send({
    to: user.email,
    subject: 'Your Assure account has been locked',
    text: `Your Assure account was locked after ${threshold} unsuccessful sign-in attempts.\n\nIf this was not you, tell your security contact now. An administrator must unlock the account before you can sign in again.`,
  })
}

/** Checks an email and password. On success a session starts at the second-factor (or enrolment) step. */
export async function signInWithPassword(
  deps: IdentityDeps,
  props: { email: string; password: string },
  context: RequestContext,
): Promise<PasswordOutcome> {
  const user = await findUserByEmail(deps.db, props.email)
  if (user === undefined || user.status !== 'active') {
    // Same work and the same answer whether the account is unknown, suspended or locked.
    await verifyAgainstDummy(props.password)
    await recordAuditEvent(
      deps.db,
      {
        actor: { type: 'anonymous' },
        action: 'auth.sign_in.failure',
        outcome: 'failure',
        ...(user === undefined ? {} : { target: { type: 'user', id: user.id } }),
        reason: user === undefined ? 'unknown email' : `account ${user.status}`,
        ip: context.ip,
        requestId: context.requestId,
      },
      deps.now(),
    )
    return { kind: 'refused' }
  }
  const credential = await deps.db
    .selectFrom('password_credentials')
    .select('hash')
    .where('user_id', '=', user.id)
    .executeTakeFirst()
  if (credential === undefined) {
    await verifyAgainstDummy(props.password)
    return { kind: 'refused' }
  }
  const { valid, needsRehash } = await verifyPassword(props.password, credential.hash)
  if (!valid) {
    await registerFailure(deps, user, 'password', context)
    return { kind: 'refused' }
  }
  const now = deps.now()
  if (needsRehash) {
    await deps.db
      .updateTable('password_credentials')
      .set({ hash: await hashPassword(props.password), updated_at: now.toISOString() })
      .where('user_id', '=', user.id)
      .execute()
  }
  const stage = (await needsEnrolment(deps, user)) ? 'enrol' : 'mfa'
  const sessionToken = await createSession(deps.db, {
    userId: user.id,
    stage,
    now,
    ip: context.ip,
    userAgent: context.userAgent,
    lifetime: sessionPolicy(deps.catalogue, user.roles).absoluteLifetime,
  })
  return { kind: 'continue', sessionToken, stage }
}

/**
 * Finishes a sign-in once the second factor is proved: the failure count resets, the session ID rotates, the
 * session becomes active and the oldest sessions beyond the concurrent limit end. Returns the new token and how
 * many other sessions ended, so the person can be told.
 */
export async function completeSignIn(
  deps: IdentityDeps,
  user: UserRecord,
  sessionHash: string,
  context: RequestContext,
  method: string,
): Promise<{ sessionToken: string; endedOthers: number }> {
  const now = deps.now()
  const reset = await deps.db
    .updateTable('users')
    .set({ failed_attempts: 0, last_sign_in_at: now.toISOString(), inactivity_warned_at: null })
    .where('id', '=', user.id)
    .where('status', '=', 'active')
    .executeTakeFirst()
  if (Number(reset.numUpdatedRows) !== 1) throw new AssureError('UNAUTHENTICATED', 'Your account cannot sign in')
  const sessionToken = await rotateSession(deps.db, sessionHash, {
    stage: 'active',
    step_up_at: now.toISOString(),
    challenge: null,
  })
  const endedOthers = await enforceConcurrentLimit(
    deps.db,
    user.id,
    hashToken(sessionToken),
    sessionPolicy(deps.catalogue, user.roles).concurrentLimit,
  )
  await recordAuditEvent(
    deps.db,
    {
      actor: userActor(user),
      action: 'auth.sign_in.success',
      outcome: 'success',
      ip: context.ip,
      requestId: context.requestId,
      details: { method, endedOthers },
    },
    now,
  )
  return { sessionToken, endedOthers }
}

/** Re-reads the person behind a session, for operations that must see current roles and status. */
export async function sessionUser(deps: IdentityDeps, userId: string): Promise<UserRecord> {
  const user = await findUserById(deps.db, userId)
  if (user === undefined || user.status !== 'active')
    throw new AssureError('UNAUTHENTICATED', 'Your account cannot sign in')
  return user
}
