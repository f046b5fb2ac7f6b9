import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../platform/db/schema.ts'
import type { Outcome } from './entry.ts'
import { appendEntry } from './store.ts'

/** Who did something: a signed-in person, a person's API token, a named job, or someone not yet identified. */
export type Actor =
  | {
      readonly type: 'user'
      readonly id: string
      readonly organisationId: string
      readonly sessionRef?: string | undefined
    }
  | { readonly type: 'token'; readonly id: string; readonly userId: string; readonly organisationId: string }
  | { readonly type: 'system'; readonly id: string }
  | { readonly type: 'anonymous' }

/** One audit event. Details must never hold a secret, password, code or token. */
export interface AuditEvent {
  readonly actor: Actor
  readonly action: string
  readonly outcome: Outcome
  readonly target?: { readonly type: string; readonly id: string } | undefined
  readonly reason?: string | undefined
  readonly ip?: string | undefined
  readonly requestId?: string | undefined
  readonly details?: Record<string, unknown> | undefined
}

const SECRET_KEYS = /pass(word)?|secret|token|code|otp|hash|challenge|key/i

/** Drops any detail whose name suggests a secret, so a careless caller cannot leak one into the ledger. */
function scrub(details: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(details).filter(([key]) => !SECRET_KEYS.test(key)))
}

/**
 * Appends an event to the tamper-evident ledger, attributed to its actor. Given a transaction, the entry commits
 * or rolls back with the change it records; given the database, it is written in a transaction of its own.
 */
export async function recordAuditEvent(
  db: Kysely<Database> | Transaction<Database>,
  event: AuditEvent,
  now: Date,
): Promise<void> {
  const { actor } = event
  let userId: string | null = null
  if (actor.type === 'user') userId = actor.id
  else if (actor.type === 'token') userId = actor.userId
  const entry = {
    at: now.toISOString(),
    actorType: actor.type,
    actorId: actor.type === 'anonymous' ? null : actor.id,
    userId,
    organisationId: actor.type === 'user' || actor.type === 'token' ? actor.organisationId : null,
    sessionRef: actor.type === 'user' ? (actor.sessionRef ?? null) : null,
    ip: event.ip ?? null,
    action: event.action,
    targetType: event.target?.type ?? null,
    targetId: event.target?.id ?? null,
    outcome: event.outcome,
    reason: event.reason ?? null,
    requestId: event.requestId ?? null,
    details: scrub(event.details ?? {}),
  }
  if (db.isTransaction) await appendEntry(db as Transaction<Database>, entry)
  else await db.transaction().execute(trx => appendEntry(trx, entry))
}
