import { randomUUID } from 'node:crypto'
import { AssureError } from '../platform/errors.ts'
import { addDuration } from '../platform/duration.ts'
import { recordAuditEvent } from '../audit/record.ts'
import type { IdentityDeps, RequestContext } from './deps.ts'
import { hashPassword, passwordProblem } from './passwords.ts'
import { CLEARANCE_LEVELS, type Clearance } from './roles.ts'
import { createSession, hashToken, newToken, sessionPolicy } from './sessions.ts'
import { countActiveWithRole } from './store.ts'

const SETUP_LINK_LIFETIME = 'PT1H'
export const AUTHORITY_NAME = 'Ministry of Justice'

/** True once any administrator exists: the setup link is then never offered again. */
export async function administratorExists(deps: IdentityDeps): Promise<boolean> {
  const row = await deps.db
    .selectFrom('user_roles')
    .where('role', '=', 'authority-admin')
    .select(eb => eb.fn.countAll<number>().as('n'))
    .executeTakeFirst()
  return Number(row?.n ?? 0) > 0
}

/**
 * A one-time link (single use, 1 hour) that creates the first authority administrator. There is no default
 * password: this link is the only way in on a new store, and it is refused once an administrator exists.
 */
export async function createSetupLink(deps: IdentityDeps): Promise<{ url: string; expiresAt: string }> {
  if (await administratorExists(deps)) {
    throw new AssureError(
      'CONFLICT',
      'An administrator already exists; ask them to invite you instead of using a setup link',
    )
  }
  const token = newToken()
  const now = deps.now()
  const expiresAt = addDuration(now, SETUP_LINK_LIFETIME).toISOString()
  await deps.db
    .insertInto('one_time_links')
    .values({
      id_hash: hashToken(token),
      kind: 'setup',
      user_id: null,
      created_at: now.toISOString(),
      expires_at: expiresAt,
      used_at: null,
      created_by: null,
    })
    .execute()
  await recordAuditEvent(
    deps.db,
    {
      actor: { type: 'system', id: 'setup-link' },
      action: 'identity.setup_link.created',
      outcome: 'success',
      details: { expiresAt },
    },
    now,
  )
  return { url: `${deps.publicUrl}/setup/${token}`, expiresAt }
}

/** Whether a setup token can still be used. */
export async function setupLinkUsable(deps: IdentityDeps, token: string): Promise<boolean> {
  const link = await deps.db
    .selectFrom('one_time_links')
    .selectAll()
    .where('id_hash', '=', hashToken(token))
    .where('kind', '=', 'setup')
    .executeTakeFirst()
  return (
    link !== undefined &&
    link.used_at === null &&
    link.expires_at > deps.now().toISOString() &&
    !(await administratorExists(deps))
  )
}

/** What the setup form collects, already validated for shape by the route. */
export interface SetupDetails {
  readonly email: string
  readonly displayName: string
  readonly password: string
  readonly clearance: Clearance
  readonly clearanceCheckedOn: string
}

/**
 * Creates the first authority administrator from a setup link and starts a session that must enrol a security
 * key before anything else (privileged roles need one). The link is spent in the same transaction.
 */
export async function completeSetup(
  deps: IdentityDeps,
  token: string,
  details: SetupDetails,
  context: RequestContext,
): Promise<{ sessionToken: string; userId: string }> {
  const problem = passwordProblem(details.password, { email: details.email, name: details.displayName })
  if (problem !== undefined)
    throw new AssureError('VALIDATION_FAILED', 'The details are not valid', {
      problems: [{ path: 'password', message: problem }],
    })
  if (CLEARANCE_LEVELS.indexOf(details.clearance) <= 0) {
    // Guidance, Minimum User Clearance: privileged, unsupervised access to systems needs clearance higher than BPSS.
    throw new AssureError('VALIDATION_FAILED', 'The details are not valid', {
      problems: [{ path: 'clearance', message: 'An administrator needs security clearance higher than BPSS' }],
    })
  }
  const hash = await hashPassword(details.password)
  const now = deps.now()
  return deps.db.transaction().execute(async trx => {
    const spent = await trx
      .updateTable('one_time_links')
      .set({ used_at: now.toISOString() })
      .where('id_hash', '=', hashToken(token))
      .where('kind', '=', 'setup')
      .where('used_at', 'is', null)
      .where('expires_at', '>', now.toISOString())
      .executeTakeFirst()
    if (Number(spent.numUpdatedRows) !== 1 || (await countActiveWithRole(trx, 'authority-admin')) > 0) {
      throw new AssureError('NOT_FOUND', 'This setup link has expired or has been used')
    }
    let authority = await trx
      .selectFrom('organisations')
      .select('id')
      .where('kind', '=', 'authority')
      .executeTakeFirst()
    if (authority === undefined) {
      authority = { id: randomUUID() }
      await trx
        .insertInto('organisations')
        .values({ id: authority.id, kind: 'authority', name: AUTHORITY_NAME, created_at: now.toISOString() })
        .execute()
    }
    const userId = randomUUID()
    await trx
      .insertInto('users')
      .values({
        id: userId,
        organisation_id: authority.id,
        email: details.email.trim().toLowerCase(),
        display_name: details.displayName.trim(),
        status: 'active',
        clearance: details.clearance,
        clearance_checked_on: details.clearanceCheckedOn,
        locked_at: null,
        last_sign_in_at: null,
        created_at: now.toISOString(),
      })
      .execute()
    await trx
      .insertInto('user_roles')
      .values({ user_id: userId, role: 'authority-admin', granted_at: now.toISOString(), granted_by: null })
      .execute()
    await trx
      .insertInto('password_credentials')
      .values({ user_id: userId, hash, updated_at: now.toISOString() })
      .execute()
    const sessionToken = await createSession(trx, {
      userId,
      stage: 'enrol',
      now,
      ip: context.ip,
      userAgent: context.userAgent,
      lifetime: sessionPolicy(deps.catalogue, ['authority-admin']).absoluteLifetime,
    })
    await recordAuditEvent(
      trx,
      {
        actor: { type: 'user', id: userId, organisationId: authority.id },
        action: 'identity.setup.completed',
        outcome: 'success',
        target: { type: 'user', id: userId },
        ip: context.ip,
        requestId: context.requestId,
        details: { roles: ['authority-admin'], clearance: details.clearance },
      },
      now,
    )
    return { sessionToken, userId }
  })
}
