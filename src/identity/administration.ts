import { randomUUID } from 'node:crypto'
import type { Kysely, Transaction } from 'kysely'
import { z } from 'zod'
import type { Database, PendingChangesTable } from '../platform/db/schema.ts'
import { AssureError, notFound } from '../platform/errors.ts'
import { addDuration } from '../platform/duration.ts'
import { recordAuditEvent, type Actor } from '../audit/record.ts'
import type { IdentityDeps, RequestContext } from './deps.ts'
import { hashPassword, passwordProblem } from './passwords.ts'
import { rolesAllow, type RolePermission } from './policy.ts'
import {
  AUTHORITY_ROLES,
  CLEARANCE_LEVELS,
  CONFIGURABLE_CONFLICT,
  isPrivileged,
  roleConflicts,
  ROLE_LABELS,
  ROLES,
  SUPPLIER_ROLES,
  type Clearance,
  type Role,
} from './roles.ts'
import {
  readSecuritySettings,
  SECURITY_SETTING_DEFINITIONS,
  SecuritySettingChangeSchema,
  writeSecuritySetting,
  type SecuritySettingChange,
  type SecuritySettingKey,
  type SecuritySettings,
} from './security-settings.ts'
import { assertNotSelfApproval } from './segregation.ts'
import { createSession, endAllSessions, hashToken, newToken, sessionPolicy } from './sessions.ts'
import { countActiveWithRole, findUserByEmail, findUserById, type UserRecord } from './store.ts'

type Db = Kysely<Database> | Transaction<Database>

/** Runs work in the caller's transaction, or in a new one. */
const inTransaction = <T>(db: Db, work: (trx: Transaction<Database>) => Promise<T>): Promise<T> =>
  db.isTransaction ? work(db as Transaction<Database>) : db.transaction().execute(work)

const INVITATION_LIFETIME = 'PT72H'
/** Dual authorisation: a second administrator must decide within 24 hours or the request lapses. */
export const APPROVAL_WINDOW = 'PT24H'

const actorOf = (user: UserRecord, context?: RequestContext): Actor => ({
  type: 'user',
  id: user.id,
  organisationId: user.organisationId,
  sessionRef: context?.requestId,
})

/**
 * Whom an administrator may manage: Authority administrators anyone; supplier administrators only people of their
 * own supplier. Anyone else is answered as not found (and the attempt recorded), so records of other suppliers
 * are not even confirmed to exist.
 */
export async function managedPerson(
  deps: IdentityDeps,
  actor: UserRecord,
  targetId: string,
  context: RequestContext,
): Promise<UserRecord> {
  const target = await findUserById(deps.db, targetId)
  const allowed =
    target !== undefined &&
    (actor.roles.includes('authority-admin') ||
      (actor.roles.includes('supplier-admin') && target.organisationId === actor.organisationId))
  if (!allowed) {
    await recordAuditEvent(
      deps.db,
      {
        actor: actorOf(actor),
        action: 'access.denied',
        outcome: 'denied',
        target: { type: 'user', id: targetId },
        reason: 'outside the administrator’s organisation',
        ip: context.ip,
        requestId: context.requestId,
      },
      deps.now(),
    )
    throw notFound('That person')
  }
  return target
}

/** Organisations an administrator may invite into: all for the Authority, their own for a supplier administrator. */
export async function invitableOrganisations(deps: IdentityDeps, actor: UserRecord) {
  let query = deps.db.selectFrom('organisations').select(['id', 'kind', 'name']).orderBy('kind').orderBy('name')
  if (!actor.roles.includes('authority-admin')) query = query.where('id', '=', actor.organisationId)
  return query.execute()
}

/** Adds a supplier organisation (Authority administrators only; checked by the route's permission). */
export async function addSupplierOrganisation(
  deps: IdentityDeps,
  actor: UserRecord,
  name: string,
  context: RequestContext,
): Promise<string> {
  const existing = await deps.db.selectFrom('organisations').select('id').where('name', '=', name).executeTakeFirst()
  if (existing !== undefined)
    throw new AssureError('VALIDATION_FAILED', 'That organisation exists', {
      problems: [{ path: 'name', message: 'An organisation with that name already exists' }],
    })
  const id = randomUUID()
  const now = deps.now()
  await deps.db
    .insertInto('organisations')
    .values({ id, kind: 'supplier', name, created_at: now.toISOString() })
    .execute()
  await recordAuditEvent(
    deps.db,
    {
      actor: actorOf(actor),
      action: 'organisation.created',
      outcome: 'success',
      target: { type: 'organisation', id },
      ip: context.ip,
      requestId: context.requestId,
      details: { name },
    },
    now,
  )
  return id
}

function checkRoles(
  roles: readonly Role[],
  organisationKind: 'authority' | 'supplier',
  settings: SecuritySettings,
): void {
  const allowed: readonly Role[] = organisationKind === 'authority' ? AUTHORITY_ROLES : SUPPLIER_ROLES
  const wrong = roles.filter(role => !allowed.includes(role))
  if (wrong.length > 0) {
    throw new AssureError('VALIDATION_FAILED', 'Those roles do not fit the organisation', {
      problems: [
        {
          path: 'roles',
          message: `${wrong.map(role => ROLE_LABELS[role]).join(', ')} cannot be given to someone in ${organisationKind === 'authority' ? 'the Authority' : 'a supplier'}`,
        },
      ],
    })
  }
  const conflicts = roleConflicts(roles, { allowAdminAssessor: settings['allow-admin-assessor'] })
  if (conflicts.length > 0) {
    throw new AssureError('VALIDATION_FAILED', 'Those roles conflict', {
      problems: [
        {
          path: 'roles',
          message: `One person cannot be both ${conflicts.map(([a, b]) => `${ROLE_LABELS[a]} and ${ROLE_LABELS[b]}`).join(', nor ')} (segregation of duties)`,
        },
      ],
    })
  }
}

/** What an invitation carries. Privileged roles are granted afterwards, with dual authorisation. */
export interface Invitation {
  readonly email: string
  readonly displayName: string
  readonly organisationId: string
  readonly roles: readonly Role[]
}

/**
 * Invites a person by email: an account in the `invited` state and a single-use link valid for 72 hours.
 * One account per person: an email already in use is refused.
 */
export async function invitePerson(
  deps: IdentityDeps,
  actor: UserRecord,
  invitation: Invitation,
  context: RequestContext,
): Promise<{ userId: string }> {
  const organisation = (await invitableOrganisations(deps, actor)).find(org => org.id === invitation.organisationId)
  if (organisation === undefined)
    throw new AssureError('VALIDATION_FAILED', 'Choose an organisation', {
      problems: [{ path: 'organisationId', message: 'Select an organisation you manage' }],
    })
  if (invitation.roles.length === 0)
    throw new AssureError('VALIDATION_FAILED', 'Choose a role', {
      problems: [{ path: 'roles', message: 'Select at least one role' }],
    })
  checkRoles(invitation.roles, organisation.kind, await readSecuritySettings(deps.db))
  if (isPrivileged(invitation.roles)) {
    throw new AssureError('VALIDATION_FAILED', 'Privileged roles need a second administrator', {
      problems: [
        {
          path: 'roles',
          message:
            'Invite with a non-privileged role, then grant the privileged role: a second administrator must approve it',
        },
      ],
    })
  }
  if ((await findUserByEmail(deps.db, invitation.email)) !== undefined) {
    throw new AssureError('VALIDATION_FAILED', 'That person already has an account', {
      problems: [{ path: 'email', message: 'Someone with that email address already has an account' }],
    })
  }
  const now = deps.now()
  const userId = randomUUID()
  const token = newToken()
  await deps.db.transaction().execute(async trx => {
    await trx
      .insertInto('users')
      .values({
        id: userId,
        organisation_id: organisation.id,
        email: invitation.email.toLowerCase(),
        display_name: invitation.displayName,
        status: 'invited',
        clearance: null,
        clearance_checked_on: null,
        locked_at: null,
        last_sign_in_at: null,
        created_at: now.toISOString(),
      })
      .execute()
    await trx
      .insertInto('user_roles')
      .values(
        invitation.roles.map(role => ({ user_id: userId, role, granted_at: now.toISOString(), granted_by: actor.id })),
      )
      .execute()
    await trx
      .insertInto('one_time_links')
      .values({
        id_hash: hashToken(token),
        kind: 'invitation',
        user_id: userId,
        created_at: now.toISOString(),
        expires_at: addDuration(now, INVITATION_LIFETIME).toISOString(),
        used_at: null,
        created_by: actor.id,
      })
      .execute()
    await recordAuditEvent(
      trx,
      {
        actor: actorOf(actor),
        action: 'identity.invitation.sent',
        outcome: 'success',
        target: { type: 'user', id: userId },
        ip: context.ip,
        requestId: context.requestId,
        details: { roles: invitation.roles, organisation: organisation.name },
      },
      now,
    )
  })
  await deps.mailer.send({
    to: invitation.email,
    subject: 'You have been invited to Assure',
    text: `${actor.displayName} has invited you to Assure, the Ministry of Justice's supplier security assurance service, as ${invitation.roles.map(role => ROLE_LABELS[role]).join(', ')} for ${organisation.name}.\n\nSet your password and add a second factor here (the link works once, for 72 hours):\n\n${deps.publicUrl}/invitation/${token}\n\nIf you did not expect this, ignore this email.`,
  })
  return { userId }
}

/** The invited person behind a usable invitation link, or undefined. */
export async function invitationFor(deps: IdentityDeps, token: string): Promise<UserRecord | undefined> {
  const link = await deps.db
    .selectFrom('one_time_links')
    .selectAll()
    .where('id_hash', '=', hashToken(token))
    .where('kind', '=', 'invitation')
    .executeTakeFirst()
  if (
    link === undefined ||
    link.used_at !== null ||
    link.expires_at <= deps.now().toISOString() ||
    link.user_id === null
  )
    return undefined
  const user = await findUserById(deps.db, link.user_id)
  return user?.status === 'invited' ? user : undefined
}

/** Accepts an invitation: sets the password, spends the link, and starts a session that must enrol a factor. */
export async function acceptInvitation(
  deps: IdentityDeps,
  token: string,
  password: string,
  context: RequestContext,
): Promise<string> {
  const user = await invitationFor(deps, token)
  if (user === undefined) throw new AssureError('NOT_FOUND', 'This invitation has expired or has been used')
  const problem = passwordProblem(password, { email: user.email, name: user.displayName })
  if (problem !== undefined)
    throw new AssureError('VALIDATION_FAILED', 'The password is not valid', {
      problems: [{ path: 'password', message: problem }],
    })
  const hash = await hashPassword(password)
  const now = deps.now()
  return deps.db.transaction().execute(async trx => {
    const spent = await trx
      .updateTable('one_time_links')
      .set({ used_at: now.toISOString() })
      .where('id_hash', '=', hashToken(token))
      .where('used_at', 'is', null)
      .executeTakeFirst()
    if (Number(spent.numUpdatedRows) !== 1)
      throw new AssureError('NOT_FOUND', 'This invitation has expired or has been used')
    await trx.updateTable('users').set({ status: 'active' }).where('id', '=', user.id).execute()
    await trx
      .insertInto('password_credentials')
      .values({ user_id: user.id, hash, updated_at: now.toISOString() })
      .execute()
    await recordAuditEvent(
      trx,
      {
        actor: actorOf(user),
        action: 'identity.invitation.accepted',
        outcome: 'success',
        target: { type: 'user', id: user.id },
        ip: context.ip,
        requestId: context.requestId,
      },
      now,
    )
    return createSession(trx, {
      userId: user.id,
      stage: 'enrol',
      now,
      ip: context.ip,
      userAgent: context.userAgent,
      lifetime: sessionPolicy(deps.catalogue, user.roles).absoluteLifetime,
    })
  })
}

/**
 * Changes a person's roles. Removing roles, and adding ordinary ones, takes effect at once and ends the person's
 * sessions (their access is re-evaluated at next sign-in). Adding a privileged role needs clearance above BPSS and
 * creates a dual-authorisation request instead.
 */
export async function changeRoles(
  deps: IdentityDeps,
  actor: UserRecord,
  target: UserRecord,
  roles: readonly Role[],
  context: RequestContext,
): Promise<{ applied: boolean; pendingId?: string }> {
  const { organisationKind } = target
  checkRoles(roles, organisationKind, await readSecuritySettings(deps.db))
  if (roles.length === 0)
    throw new AssureError('VALIDATION_FAILED', 'Choose a role', {
      problems: [{ path: 'roles', message: 'Select at least one role, or suspend the person instead' }],
    })
  const added = roles.filter(role => !target.roles.includes(role))
  if (isPrivileged(added)) {
    assertClearedForPrivileged(target)
    const id = await requestChange(
      deps.db,
      deps,
      actor,
      { type: 'user', id: target.id },
      'grant-roles',
      { roles },
      context,
    )
    return { applied: false, pendingId: id }
  }
  await deps.db.transaction().execute(trx => applyRoles(trx, deps, actor, target, roles, context))
  return { applied: true }
}

/** Guidance, Minimum User Clearance: privileged access needs clearance higher than BPSS. */
function assertClearedForPrivileged(target: UserRecord): void {
  if (CLEARANCE_LEVELS.indexOf((target.clearance ?? 'BPSS') as Clearance) <= 0) {
    throw new AssureError('VALIDATION_FAILED', 'Clearance too low', {
      problems: [
        {
          path: 'roles',
          message: `${target.displayName} needs recorded security clearance higher than BPSS for a privileged role`,
        },
      ],
    })
  }
}

async function applyRoles(
  trx: Transaction<Database>,
  deps: IdentityDeps,
  actor: UserRecord,
  target: UserRecord,
  roles: readonly Role[],
  context: RequestContext,
): Promise<void> {
  const now = deps.now()
  await trx.deleteFrom('user_roles').where('user_id', '=', target.id).execute()
  await trx
    .insertInto('user_roles')
    .values(roles.map(role => ({ user_id: target.id, role, granted_at: now.toISOString(), granted_by: actor.id })))
    .execute()
  await endAllSessions(trx, target.id)
  await recordAuditEvent(
    trx,
    {
      actor: actorOf(actor),
      action: 'identity.roles.changed',
      outcome: 'success',
      target: { type: 'user', id: target.id },
      ip: context.ip,
      requestId: context.requestId,
      details: { from: target.roles, to: roles },
    },
    now,
  )
}

/** What a dual-authorisation request is about: a person's account, or a security setting (which concerns no one account). */
type ChangeSubject =
  | { readonly type: 'user'; readonly id: string }
  | { readonly type: 'security_setting'; readonly id: SecuritySettingKey }

async function requestChange(
  db: Db,
  deps: IdentityDeps,
  actor: UserRecord,
  subject: ChangeSubject,
  kind: PendingChangesTable['kind'],
  payload: Record<string, unknown>,
  context: RequestContext,
): Promise<string> {
  const id = randomUUID()
  const now = deps.now()
  await inTransaction(db, async trx => {
    await trx
      .insertInto('pending_changes')
      .values({
        id,
        kind,
        target_user_id: subject.type === 'user' ? subject.id : null,
        payload: JSON.stringify(payload),
        requested_by: actor.id,
        requested_at: now.toISOString(),
        expires_at: addDuration(now, APPROVAL_WINDOW).toISOString(),
        status: 'pending',
        decided_by: null,
        decided_at: null,
      })
      .execute()
    await recordAuditEvent(
      trx,
      {
        actor: actorOf(actor),
        action: 'identity.dual_authorisation.requested',
        outcome: 'success',
        target: subject,
        ip: context.ip,
        requestId: context.requestId,
        details: { kind, change: id, ...payload },
      },
      now,
    )
  })
  return id
}

/** Ends every session and API token of a person, in the caller's transaction. */
async function endAccess(trx: Transaction<Database>, userId: string, now: Date): Promise<number> {
  const ended = await endAllSessions(trx, userId)
  await trx
    .updateTable('api_tokens')
    .set({ revoked_at: now.toISOString() })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .execute()
  return ended
}

/** Refuses, and records, an administrator acting beyond a role-based permission checked inside a route. */
async function assertAllowed(
  deps: IdentityDeps,
  actor: UserRecord,
  permission: RolePermission,
  message: string,
  context: RequestContext,
): Promise<void> {
  if (rolesAllow(actor.roles, permission)) return
  await recordAuditEvent(
    deps.db,
    {
      actor: actorOf(actor),
      action: 'access.denied',
      outcome: 'denied',
      reason: `needs ${permission}`,
      ip: context.ip,
      requestId: context.requestId,
    },
    deps.now(),
  )
  throw new AssureError('FORBIDDEN', message)
}

/** Whether an administrator may move people between organisations (Authority administrators only). */
export const mayMovePeople = (actor: UserRecord) => rolesAllow(actor.roles, 'move-people')

/** Refuses, and records, anyone but an Authority administrator moving people (supplier administrators cannot). */
export const assertMayMovePeople = (deps: IdentityDeps, actor: UserRecord, context: RequestContext) =>
  assertAllowed(
    deps,
    actor,
    'move-people',
    'Only an Authority administrator can move a person to another organisation',
    context,
  )

/**
 * Changes a person's email address (the address they sign in with and are told things at). Every session and API
 * token of theirs ends, and both the old and the new address are told. The route asks for a fresh second factor.
 * Guidance, Privileged Account Management: MFA for "changing registered email addresses".
 */
export async function changeEmail(
  deps: IdentityDeps,
  actor: UserRecord,
  target: UserRecord,
  email: string,
  context: RequestContext,
): Promise<void> {
  if (target.id === actor.id)
    throw new AssureError('FORBIDDEN', 'You cannot change your own email address; another administrator must')
  if (target.status === 'invited')
    throw new AssureError(
      'CONFLICT',
      `${target.displayName} has not accepted their invitation yet. Invite them at the right email address instead`,
    )
  const next = email.trim().toLowerCase()
  if (next === target.email)
    throw new AssureError('VALIDATION_FAILED', 'That is their email address already', {
      problems: [
        { path: 'email', message: `Enter a different email address from ${target.displayName}’s current one` },
      ],
    })
  const taken = () =>
    new AssureError('VALIDATION_FAILED', 'That email address is in use', {
      problems: [{ path: 'email', message: 'Someone with that email address already has an account' }],
    })
  if ((await findUserByEmail(deps.db, next)) !== undefined) throw taken()
  const now = deps.now()
  try {
    await deps.db.transaction().execute(async trx => {
      await trx.updateTable('users').set({ email: next }).where('id', '=', target.id).execute()
      const sessions = await endAccess(trx, target.id, now)
      await recordAuditEvent(
        trx,
        {
          actor: actorOf(actor),
          action: 'identity.person.email_changed',
          outcome: 'success',
          target: { type: 'user', id: target.id },
          ip: context.ip,
          requestId: context.requestId,
          details: { from: target.email, to: next, sessions },
        },
        now,
      )
    })
  } catch (error) {
    // Two administrators giving the same address at once: the store's unique email decides, with the same answer.
    const holder = await findUserByEmail(deps.db, next)
    if (holder !== undefined && holder.id !== target.id) throw taken()
    throw error
  }
  await Promise.all([
    deps.mailer.send({
      to: target.email,
      subject: 'The email address for your Assure account has changed',
      text: `${actor.displayName}, an administrator, has changed the email address for your Assure account. Assure will no longer send mail to this address.\n\nYour sessions and API tokens have ended.\n\nIf you did not expect this, tell your security contact now.`,
    }),
    deps.mailer.send({
      to: next,
      subject: 'Your Assure account now uses this email address',
      text: `${actor.displayName}, an administrator, has changed the email address for your Assure account (${target.displayName}, ${target.organisationName}) to this one. Sign in with it from now on:\n\n${deps.publicUrl}/sign-in\n\nYour sessions and API tokens have ended, so sign in again and create new tokens if you need them.\n\nIf you did not expect this, tell your security contact now.`,
    }),
  ])
}

/** Where a mover goes, and the roles they should hold there (none chosen: keep the roles that fit). */
export interface Move {
  readonly organisationId: string
  readonly roles: readonly Role[]
}

/**
 * Moves a person to another organisation (a mover). Only Authority administrators move people. Their roles must fit
 * the new organisation: roles that do not are removed, every session and API token ends, and privileged roles they
 * did not hold wait for a second administrator (dual authorisation), as any grant of a privileged role does.
 */
export async function movePerson(
  deps: IdentityDeps,
  actor: UserRecord,
  target: UserRecord,
  move: Move,
  context: RequestContext,
): Promise<{ roles: readonly Role[]; removed: readonly Role[]; pendingId?: string }> {
  await assertMayMovePeople(deps, actor, context)
  if (target.id === actor.id) throw new AssureError('FORBIDDEN', 'You cannot move yourself; another administrator must')
  const organisation = await deps.db
    .selectFrom('organisations')
    .select(['id', 'kind', 'name'])
    .where('id', '=', move.organisationId)
    .executeTakeFirst()
  if (organisation === undefined)
    throw new AssureError('VALIDATION_FAILED', 'Choose an organisation', {
      problems: [{ path: 'organisationId', message: 'Select an organisation' }],
    })
  if (organisation.id === target.organisationId)
    throw new AssureError('VALIDATION_FAILED', 'Choose another organisation', {
      problems: [
        {
          path: 'organisationId',
          message: `${target.displayName} is already in ${organisation.name}. Select another organisation`,
        },
      ],
    })
  const fitting: readonly Role[] = organisation.kind === 'authority' ? AUTHORITY_ROLES : SUPPLIER_ROLES
  const wanted = move.roles.length > 0 ? move.roles : target.roles.filter(role => fitting.includes(role))
  if (wanted.length === 0)
    throw new AssureError('VALIDATION_FAILED', 'Choose a role', {
      problems: [
        { path: 'roles', message: `Select at least one role for ${target.displayName} in ${organisation.name}` },
      ],
    })
  checkRoles(wanted, organisation.kind, await readSecuritySettings(deps.db))
  const privilegedAdded = wanted.filter(role => isPrivileged([role]) && !target.roles.includes(role))
  if (privilegedAdded.length > 0) assertClearedForPrivileged(target)
  const roles = wanted.filter(role => !privilegedAdded.includes(role))
  const removed = target.roles.filter(role => !roles.includes(role))
  const now = deps.now()
  const pendingId = await deps.db.transaction().execute(async trx => {
    await trx.updateTable('users').set({ organisation_id: organisation.id }).where('id', '=', target.id).execute()
    await trx.deleteFrom('user_roles').where('user_id', '=', target.id).execute()
    if (roles.length > 0)
      await trx
        .insertInto('user_roles')
        .values(roles.map(role => ({ user_id: target.id, role, granted_at: now.toISOString(), granted_by: actor.id })))
        .execute()
    const sessions = await endAccess(trx, target.id, now)
    await recordAuditEvent(
      trx,
      {
        actor: actorOf(actor),
        action: 'identity.person.moved',
        outcome: 'success',
        target: { type: 'user', id: target.id },
        ip: context.ip,
        requestId: context.requestId,
        details: {
          from: target.organisationName,
          to: organisation.name,
          rolesFrom: target.roles,
          rolesTo: roles,
          removed,
          sessions,
        },
      },
      now,
    )
    return privilegedAdded.length > 0
      ? requestChange(trx, deps, actor, { type: 'user', id: target.id }, 'grant-roles', { roles: wanted }, context)
      : undefined
  })
  return pendingId === undefined ? { roles, removed } : { roles, removed, pendingId }
}

/** How many people hold both roles of the configurable conflict (Authority administrator and Security assessor). */
async function countHoldingAdminAndAssessor(db: Db): Promise<number> {
  const rows = await db
    .selectFrom('user_roles')
    .select('user_id')
    .where('role', 'in', [...CONFIGURABLE_CONFLICT])
    .groupBy('user_id')
    .having(eb => eb.fn.countAll(), '=', CONFIGURABLE_CONFLICT.length)
    .execute()
  return rows.length
}

/** Turning the admin/assessor conflict back on is refused while anyone holds both roles. */
async function assertConflictCanReturn(deps: IdentityDeps, change: SecuritySettingChange): Promise<string | undefined> {
  if (change.setting !== 'allow-admin-assessor' || change.value) return undefined
  const holders = await countHoldingAdminAndAssessor(deps.db)
  if (holders === 0) return undefined
  return `${holders} ${holders === 1 ? 'person holds' : 'people hold'} both the Authority administrator and Security assessor roles. Change their roles first`
}

/**
 * Proposes a change to a security setting. It takes effect only when a second Authority administrator approves it
 * within 24 hours (dual authorisation); the route asks for a fresh second factor first.
 * Guidance, Technical Security Controls: "Dual authorisation must also be used to conduct sensitive system changes."
 */
export async function proposeSecuritySetting(
  deps: IdentityDeps,
  actor: UserRecord,
  change: SecuritySettingChange,
  context: RequestContext,
): Promise<string> {
  await assertAllowed(
    deps,
    actor,
    'manage-security-settings',
    'Only an Authority administrator can change security settings',
    context,
  )
  const { title } = SECURITY_SETTING_DEFINITIONS[change.setting]
  const current = await readSecuritySettings(deps.db)
  if (current[change.setting] === change.value)
    throw new AssureError('VALIDATION_FAILED', 'The setting is like that already', {
      problems: [{ path: change.setting, message: `“${title}” is already ${change.value ? 'on' : 'off'}` }],
    })
  const waiting = (await pendingChanges(deps)).some(
    pending =>
      pending.kind === 'security-setting' &&
      SecuritySettingChangeSchema.safeParse(JSON.parse(pending.payload)).data?.setting === change.setting,
  )
  if (waiting)
    throw new AssureError('VALIDATION_FAILED', 'A change is waiting already', {
      problems: [
        {
          path: change.setting,
          message: `A change to “${title}” is already waiting for a second administrator. Approve or reject it first`,
        },
      ],
    })
  const refusal = await assertConflictCanReturn(deps, change)
  if (refusal !== undefined)
    throw new AssureError('VALIDATION_FAILED', 'People hold both roles', {
      problems: [{ path: change.setting, message: refusal }],
    })
  return requestChange(
    deps.db,
    deps,
    actor,
    { type: 'security_setting', id: change.setting },
    'security-setting',
    { ...change },
    context,
  )
}

async function applySecuritySetting(
  trx: Transaction<Database>,
  deps: IdentityDeps,
  actor: UserRecord,
  change: PendingChangesTable,
  proposal: SecuritySettingChange,
  context: RequestContext,
): Promise<void> {
  const now = deps.now()
  const before = await readSecuritySettings(trx)
  await writeSecuritySetting(trx, { setting: proposal.setting, value: proposal.value, updatedBy: actor.id, now })
  await recordAuditEvent(
    trx,
    {
      actor: actorOf(actor),
      action: 'identity.security_setting.changed',
      outcome: 'success',
      target: { type: 'security_setting', id: proposal.setting },
      ip: context.ip,
      requestId: context.requestId,
      details: {
        setting: proposal.setting,
        from: before[proposal.setting],
        to: proposal.value,
        change: change.id,
        requestedBy: change.requested_by,
      },
    },
    now,
  )
}

/** Suspends a person (a leaver, or a mover pending review): every session and API token ends at once. */
export async function suspendPerson(
  deps: IdentityDeps,
  actor: UserRecord,
  target: UserRecord,
  context: RequestContext,
): Promise<void> {
  if (target.id === actor.id) throw new AssureError('FORBIDDEN', 'You cannot suspend yourself')
  const now = deps.now()
  await deps.db.transaction().execute(async trx => {
    await trx.updateTable('users').set({ status: 'suspended' }).where('id', '=', target.id).execute()
    await endAllSessions(trx, target.id)
    await trx
      .updateTable('api_tokens')
      .set({ revoked_at: now.toISOString() })
      .where('user_id', '=', target.id)
      .where('revoked_at', 'is', null)
      .execute()
    await recordAuditEvent(
      trx,
      {
        actor: actorOf(actor),
        action: 'identity.person.suspended',
        outcome: 'success',
        target: { type: 'user', id: target.id },
        ip: context.ip,
        requestId: context.requestId,
      },
      now,
    )
  })
}

/** Reactivates a suspended person. */
export async function reactivatePerson(
  deps: IdentityDeps,
  actor: UserRecord,
  target: UserRecord,
  context: RequestContext,
): Promise<void> {
  if (target.status !== 'suspended') throw new AssureError('CONFLICT', `${target.displayName} is not suspended`)
  await deps.db.updateTable('users').set({ status: 'active', failed_attempts: 0 }).where('id', '=', target.id).execute()
  await recordAuditEvent(
    deps.db,
    {
      actor: actorOf(actor),
      action: 'identity.person.reactivated',
      outcome: 'success',
      target: { type: 'user', id: target.id },
      ip: context.ip,
      requestId: context.requestId,
    },
    deps.now(),
  )
}

/** Disconnects a person: every session and API token ends, so their very next request is refused. */
export async function disconnectPerson(
  deps: IdentityDeps,
  actor: UserRecord,
  target: UserRecord,
  context: RequestContext,
): Promise<number> {
  const now = deps.now()
  const ended = await endAllSessions(deps.db, target.id)
  await deps.db
    .updateTable('api_tokens')
    .set({ revoked_at: now.toISOString() })
    .where('user_id', '=', target.id)
    .where('revoked_at', 'is', null)
    .execute()
  await recordAuditEvent(
    deps.db,
    {
      actor: actorOf(actor),
      action: 'identity.person.disconnected',
      outcome: 'success',
      target: { type: 'user', id: target.id },
      ip: context.ip,
      requestId: context.requestId,
      details: { sessions: ended },
    },
    now,
  )
  return ended
}

/** Unlocks a locked account; for a privileged account this needs a second administrator (dual authorisation). */
export async function unlockPerson(
  deps: IdentityDeps,
  actor: UserRecord,
  target: UserRecord,
  context: RequestContext,
): Promise<{ applied: boolean; pendingId?: string }> {
  if (target.status !== 'locked') throw new AssureError('CONFLICT', `${target.displayName} is not locked`)
  if (isPrivileged(target.roles))
    return {
      applied: false,
      pendingId: await requestChange(deps.db, deps, actor, { type: 'user', id: target.id }, 'unlock', {}, context),
    }
  await deps.db.transaction().execute(trx => applyUnlock(trx, deps, actor, target, context))
  return { applied: true }
}

async function applyUnlock(
  trx: Transaction<Database>,
  deps: IdentityDeps,
  actor: UserRecord,
  target: UserRecord,
  context: RequestContext,
): Promise<void> {
  await trx
    .updateTable('users')
    .set({ status: 'active', failed_attempts: 0, locked_at: null })
    .where('id', '=', target.id)
    .where('status', '=', 'locked')
    .execute()
  await recordAuditEvent(
    trx,
    {
      actor: actorOf(actor),
      action: 'auth.account.unlocked',
      outcome: 'success',
      target: { type: 'user', id: target.id },
      ip: context.ip,
      requestId: context.requestId,
    },
    deps.now(),
  )
}

/** Dual-authorisation requests still waiting, with the people involved; lapsed ones are marked expired first. */
export async function pendingChanges(deps: IdentityDeps) {
  const nowIso = deps.now().toISOString()
  await deps.db
    .updateTable('pending_changes')
    .set({ status: 'expired' })
    .where('status', '=', 'pending')
    .where('expires_at', '<=', nowIso)
    .execute()
  return deps.db
    .selectFrom('pending_changes as c')
    .leftJoin('users as t', 't.id', 'c.target_user_id')
    .innerJoin('users as r', 'r.id', 'c.requested_by')
    .select([
      'c.id',
      'c.kind',
      'c.payload',
      'c.requested_at',
      'c.expires_at',
      'c.requested_by',
      't.id as target_id',
      't.display_name as target_name',
      'r.display_name as requester_name',
    ])
    .where('c.status', '=', 'pending')
    .orderBy('c.requested_at')
    .execute()
}

const GrantRolesPayloadSchema = z.object({ roles: z.array(z.enum(ROLES)) })

/**
 * Decides a dual-authorisation request. The decider must be another administrator than the requester and than
 * the person it concerns, and decide within 24 hours; approval applies the change in the same transaction. A
 * request that no longer fits (the person moved, or a setting changed since) lapses instead of being applied.
 */
export async function decideChange(
  deps: IdentityDeps,
  actor: UserRecord,
  changeId: string,
  approve: boolean,
  context: RequestContext,
): Promise<void> {
  const change = await deps.db.selectFrom('pending_changes').selectAll().where('id', '=', changeId).executeTakeFirst()
  if (change === undefined) throw notFound('That request')
  assertNotSelfApproval({ submittedBy: change.requested_by, approverId: actor.id, what: 'a change' })
  if (change.target_user_id === actor.id)
    throw new AssureError('FORBIDDEN', 'You cannot approve a change to your own account; another administrator must')
  const now = deps.now()
  const lapse = async (message: string) => {
    await deps.db
      .updateTable('pending_changes')
      .set({ status: 'expired' })
      .where('id', '=', change.id)
      .where('status', '=', 'pending')
      .execute()
    return new AssureError('CONFLICT', message)
  }
  if (change.status !== 'pending' || change.expires_at <= now.toISOString())
    throw await lapse('That request has expired or was already decided; ask for it again')
  const apply = approve ? await approval(deps, actor, change, context, lapse) : undefined
  const subject =
    change.target_user_id === null
      ? { type: 'security_setting', id: String((JSON.parse(change.payload) as { setting?: unknown }).setting) }
      : { type: 'user', id: change.target_user_id }
  await deps.db.transaction().execute(async trx => {
    const decided = await trx
      .updateTable('pending_changes')
      .set({ status: approve ? 'approved' : 'rejected', decided_by: actor.id, decided_at: now.toISOString() })
      .where('id', '=', change.id)
      .where('status', '=', 'pending')
      .executeTakeFirst()
    if (Number(decided.numUpdatedRows) !== 1)
      throw new AssureError('CONFLICT', 'That request was decided by someone else a moment ago')
    await recordAuditEvent(
      trx,
      {
        actor: actorOf(actor),
        action: 'identity.dual_authorisation.decided',
        outcome: 'success',
        target: subject,
        ip: context.ip,
        requestId: context.requestId,
        details: { change: change.id, kind: change.kind, approved: approve },
      },
      now,
    )
    await apply?.(trx)
  })
}

/** Checks an approved request against things as they are now, and gives the work that applies it. */
async function approval(
  deps: IdentityDeps,
  actor: UserRecord,
  change: PendingChangesTable,
  context: RequestContext,
  lapse: (message: string) => Promise<AssureError>,
): Promise<(trx: Transaction<Database>) => Promise<void>> {
  if (change.kind === 'security-setting') {
    const proposal = SecuritySettingChangeSchema.parse(JSON.parse(change.payload))
    const refusal = await assertConflictCanReturn(deps, proposal)
    if (refusal !== undefined)
      throw await lapse(`That change can no longer be applied: ${refusal}, then ask for it again`)
    return trx => applySecuritySetting(trx, deps, actor, change, proposal, context)
  }
  const target = change.target_user_id === null ? undefined : await findUserById(deps.db, change.target_user_id)
  if (target === undefined) throw notFound('That person')
  if (change.kind === 'unlock') return trx => applyUnlock(trx, deps, actor, target, context)
  const { roles } = GrantRolesPayloadSchema.parse(JSON.parse(change.payload))
  try {
    checkRoles(roles, target.organisationKind, await readSecuritySettings(deps.db))
  } catch (error) {
    if (error instanceof AssureError && error.code === 'VALIDATION_FAILED')
      throw await lapse(
        `That change no longer fits: ${error.problems.map(problem => problem.message).join('; ')}. Ask for it again`,
      )
    throw error
  }
  return trx => applyRoles(trx, deps, actor, target, roles, context)
}

/** True while the Authority has fewer than two active administrators (a single point of failure). */
export async function tooFewAdministrators(deps: IdentityDeps): Promise<boolean> {
  return (await countActiveWithRole(deps.db, 'authority-admin')) < 2
}
