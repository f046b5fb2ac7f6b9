import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../platform/db/schema.ts'
import type { Role } from './roles.ts'

type Db = Kysely<Database> | Transaction<Database>

/** A person as the identity code reads them, with their organisation and roles. */
export interface UserRecord {
  readonly id: string
  readonly organisationId: string
  readonly organisationKind: 'authority' | 'supplier'
  readonly organisationName: string
  readonly email: string
  readonly displayName: string
  readonly status: 'invited' | 'active' | 'suspended' | 'locked'
  readonly clearance: string | null
  readonly clearanceCheckedOn: string | null
  readonly failedAttempts: number
  readonly lastSignInAt: string | null
  readonly roles: readonly Role[]
}

const userColumns = (db: Db) =>
  db
    .selectFrom('users as u')
    .innerJoin('organisations as o', 'o.id', 'u.organisation_id')
    .select([
      'u.id',
      'u.organisation_id',
      'o.kind as organisation_kind',
      'o.name as organisation_name',
      'u.email',
      'u.display_name',
      'u.status',
      'u.clearance',
      'u.clearance_checked_on',
      'u.failed_attempts',
      'u.last_sign_in_at',
    ])

async function withRoles(
  db: Db,
  rows: Awaited<ReturnType<ReturnType<typeof userColumns>['execute']>>,
): Promise<UserRecord[]> {
  if (rows.length === 0) return []
  const roles = await db
    .selectFrom('user_roles')
    .select(['user_id', 'role'])
    .where(
      'user_id',
      'in',
      rows.map(row => row.id),
    )
    .orderBy('role')
    .execute()
  return rows.map(row => ({
    id: row.id,
    organisationId: row.organisation_id,
    organisationKind: row.organisation_kind,
    organisationName: row.organisation_name,
    email: row.email,
    displayName: row.display_name,
    status: row.status,
    clearance: row.clearance,
    clearanceCheckedOn: row.clearance_checked_on,
    failedAttempts: row.failed_attempts,
    lastSignInAt: row.last_sign_in_at,
    roles: roles.filter(r => r.user_id === row.id).map(r => r.role as Role),
  }))
}

/** A person by ID. */
export async function findUserById(db: Db, id: string): Promise<UserRecord | undefined> {
  return (await withRoles(db, await userColumns(db).where('u.id', '=', id).execute()))[0]
}

/** A person by email, compared case-insensitively (emails are stored lower-case). */
export async function findUserByEmail(db: Db, email: string): Promise<UserRecord | undefined> {
  return (await withRoles(db, await userColumns(db).where('u.email', '=', email.trim().toLowerCase()).execute()))[0]
}

/** Everyone in an organisation, or everyone when no organisation is given. */
export async function listUsers(db: Db, organisationId?: string): Promise<UserRecord[]> {
  let query = userColumns(db)
  if (organisationId !== undefined) query = query.where('u.organisation_id', '=', organisationId)
  return withRoles(db, await query.orderBy('u.display_name').execute())
}

/** How many people hold a role and can sign in. */
export async function countActiveWithRole(db: Db, role: Role): Promise<number> {
  const row = await db
    .selectFrom('user_roles as r')
    .innerJoin('users as u', 'u.id', 'r.user_id')
    .where('r.role', '=', role)
    .where('u.status', '=', 'active')
    .select(eb => eb.fn.countAll<number>().as('n'))
    .executeTakeFirst()
  return Number(row?.n ?? 0)
}

/** The person's second factors, best first (security keys, then authenticator apps). */
export async function listFactors(db: Db, userId: string) {
  const rows = await db
    .selectFrom('mfa_factors')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('created_at')
    .execute()
  const rank = (kind: string) => (kind === 'webauthn' ? 0 : 1)
  return rows.sort((a, b) => rank(a.kind) - rank(b.kind))
}
