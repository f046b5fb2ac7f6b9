import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Database } from '../../src/platform/db/schema.ts'
import { hashPassword } from '../../src/identity/passwords.ts'
import { newTotpSecret } from '../../src/identity/totp.ts'
import { sealTotpSecret } from '../../src/identity/factors.ts'
import { testMasterKey } from './keys.ts'
import type { Role } from '../../src/identity/roles.ts'

/** A person ready to sign in with a password and an authenticator app, built straight in the store. */
export async function buildPerson(
  db: Kysely<Database>,
  overrides: {
    email?: string
    roles?: Role[]
    password?: string
    organisation?: { kind: 'authority' | 'supplier'; name: string }
    clearance?: string
  } = {},
): Promise<{ id: string; email: string; password: string; totpSecret: string; organisationId: string }> {
  const organisation = overrides.organisation ?? { kind: 'supplier', name: 'Acme Secure Services Ltd' }
  let org = await db.selectFrom('organisations').select('id').where('name', '=', organisation.name).executeTakeFirst()
  if (org === undefined) {
    org = { id: randomUUID() }
    await db
      .insertInto('organisations')
      .values({ id: org.id, kind: organisation.kind, name: organisation.name, created_at: new Date().toISOString() })
      .execute()
  }
  const id = randomUUID()
  const email = overrides.email ?? `person-${id.slice(0, 8)}@example.com`
  const password = overrides.password ?? 'velvet lantern orbit canyon'
  const now = new Date().toISOString()
  await db
    .insertInto('users')
    .values({
      id,
      organisation_id: org.id,
      email,
      display_name: 'Test Person',
      status: 'active',
      clearance: overrides.clearance ?? 'SC',
      clearance_checked_on: '2026-01-01',
      locked_at: null,
      last_sign_in_at: null,
      created_at: now,
    })
    .execute()
  for (const role of overrides.roles ?? ['supplier-contributor']) {
    await db.insertInto('user_roles').values({ user_id: id, role, granted_at: now, granted_by: null }).execute()
  }
  await db
    .insertInto('password_credentials')
    .values({ user_id: id, hash: await hashPassword(password), updated_at: now })
    .execute()
  const totpSecret = newTotpSecret()
  const factorId = randomUUID()
  await db
    .insertInto('mfa_factors')
    .values({
      id: factorId,
      user_id: id,
      kind: 'totp',
      name: 'Phone',
      credential_id: null,
      public_key: null,
      transports: null,
      secret: sealTotpSecret(testMasterKey(), factorId, totpSecret),
      last_step: 0,
      created_at: now,
      last_used_at: null,
    })
    .execute()
  return { id, email, password, totpSecret, organisationId: org.id }
}

/** Signs a person in directly in the store (a fixture for tests of what comes after sign-in), returning the cookie. */
export async function sessionCookieFor(db: Kysely<Database>, userId: string, now: Date = new Date()): Promise<string> {
  const { createSession, rotateSession, hashToken } = await import('../../src/identity/sessions.ts')
  const token = await createSession(db, { userId, stage: 'active', now, lifetime: 'PT12H' })
  const rotated = await rotateSession(db, hashToken(token), { step_up_at: now.toISOString() })
  return `assure-session=${rotated}`
}
