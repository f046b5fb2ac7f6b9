import { createHash, randomBytes } from 'node:crypto'
import type { Kysely, Transaction } from 'kysely'
import type { Database, SessionsTable } from '../platform/db/schema.ts'
import { addDuration } from '../platform/duration.ts'
import type { Catalogue } from '../catalogue/catalogue.ts'
import { durationParameter } from '../catalogue/catalogue.ts'
import { isPrivileged } from './roles.ts'

type Db = Kysely<Database> | Transaction<Database>

const TOUCH_EVERY_MS = 10_000

/** Session rules by kind of account; the privileged idle timeout is the guidance's example period. */
export interface SessionPolicy {
  readonly idleTimeout: string
  readonly absoluteLifetime: string
  readonly concurrentLimit: number
}

/** Guidance, Technical Security Controls L2: session timeouts after inactivity, "for example, 5 minutes"; concurrent session control by account type. */
export function sessionPolicy(catalogue: Catalogue, roles: readonly string[]): SessionPolicy {
  return isPrivileged(roles)
    ? {
        idleTimeout: durationParameter(catalogue, 'session-inactivity-timeout'),
        absoluteLifetime: 'PT12H',
        concurrentLimit: 1,
      }
    : { idleTimeout: 'PT15M', absoluteLifetime: 'PT12H', concurrentLimit: 3 }
}

/** The stored form of a session token: its SHA-256, so a copy of the store cannot be replayed as cookies. */
export const hashToken = (token: string) => createHash('sha256').update(token).digest('base64url')

/** A new random token for a cookie or a link: 256 bits, URL-safe. */
export const newToken = () => randomBytes(32).toString('base64url')

/** Starts a session at a stage and returns its token (shown to the browser once, as a cookie). */
export async function createSession(
  db: Db,
  props: {
    userId: string
    stage: SessionsTable['stage']
    now: Date
    ip?: string | undefined
    userAgent?: string | undefined
    lifetime: string
  },
): Promise<string> {
  const token = newToken()
  await db
    .insertInto('sessions')
    .values({
      id_hash: hashToken(token),
      user_id: props.userId,
      stage: props.stage,
      created_at: props.now.toISOString(),
      last_seen_at: props.now.toISOString(),
      expires_at: addDuration(props.now, props.lifetime).toISOString(),
      step_up_at: null,
      challenge: null,
      ip: props.ip ?? null,
      user_agent: props.userAgent?.slice(0, 300) ?? null,
      ended_note: null,
    })
    .execute()
  return token
}

/**
 * Replaces a session's ID (at sign-in, step-up and role changes) so a token seen before cannot be used after.
 * Returns the new token.
 */
export async function rotateSession(
  db: Db,
  oldHash: string,
  changes: Partial<Pick<SessionsTable, 'stage' | 'step_up_at' | 'challenge'>>,
): Promise<string> {
  const token = newToken()
  await db
    .updateTable('sessions')
    .set({ ...changes, id_hash: hashToken(token) })
    .where('id_hash', '=', oldHash)
    .execute()
  return token
}

/** Ends every session of a person (leavers, disconnect, lockout). */
export async function endAllSessions(db: Db, userId: string): Promise<number> {
  const result = await db.deleteFrom('sessions').where('user_id', '=', userId).executeTakeFirst()
  return Number(result.numDeletedRows)
}

/**
 * Keeps at most `limit` signed-in sessions for a person, ending the oldest; returns how many ended so the
 * person can be told.
 */
export async function enforceConcurrentLimit(db: Db, userId: string, keepHash: string, limit: number): Promise<number> {
  const active = await db
    .selectFrom('sessions')
    .select(['id_hash'])
    .where('user_id', '=', userId)
    .where('stage', '=', 'active')
    .where('id_hash', '!=', keepHash)
    .orderBy('created_at', 'desc')
    .execute()
  const surplus = active.slice(Math.max(limit - 1, 0))
  if (surplus.length === 0) return 0
  await db
    .deleteFrom('sessions')
    .where(
      'id_hash',
      'in',
      surplus.map(s => s.id_hash),
    )
    .execute()
  return surplus.length
}

/** Why a session no longer counts. */
export type SessionEnd = 'idle' | 'expired' | 'missing'

/** Checks a session against its policy at `now`; touches it when it is still good. */
export async function checkSession(
  db: Db,
  props: { hash: string; now: Date; policyFor: (userId: string) => Promise<SessionPolicy> },
): Promise<{ session: SessionsTable } | { ended: SessionEnd }> {
  const session = await db.selectFrom('sessions').selectAll().where('id_hash', '=', props.hash).executeTakeFirst()
  if (session === undefined) return { ended: 'missing' }
  const policy = await props.policyFor(session.user_id)
  const nowIso = props.now.toISOString()
  if (session.expires_at <= nowIso) {
    await db.deleteFrom('sessions').where('id_hash', '=', props.hash).execute()
    return { ended: 'expired' }
  }
  if (addDuration(new Date(session.last_seen_at), policy.idleTimeout) <= props.now) {
    await db.deleteFrom('sessions').where('id_hash', '=', props.hash).execute()
    return { ended: 'idle' }
  }
  // Activity is recorded at most every 10 seconds: enough precision for minute-scale timeouts, without a write
  // on every request.
  if (props.now.getTime() - new Date(session.last_seen_at).getTime() < TOUCH_EVERY_MS) return { session }
  await db.updateTable('sessions').set({ last_seen_at: nowIso }).where('id_hash', '=', props.hash).execute()
  return { session: { ...session, last_seen_at: nowIso } }
}
