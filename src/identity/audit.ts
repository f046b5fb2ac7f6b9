import { randomUUID } from 'node:crypto'
import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../platform/db/schema.ts'

/** Who did something: a signed-in person, a job, or someone not yet identified. */
export type Actor =
  | {
      readonly type: 'user'
      readonly id: string
      readonly organisationId: string
      readonly sessionRef?: string | undefined
    }
  | { readonly type: 'system'; readonly id: string }
  | { readonly type: 'anonymous' }

/** One audit event. Details must never hold a secret, password, code or token. */
export interface AuditEvent {
  readonly actor: Actor
  readonly action: string
  readonly outcome: 'success' | 'failure' | 'denied'
  readonly target?: { readonly type: string; readonly id: string } | undefined
  readonly reason?: string | undefined
  readonly ip?: string | undefined
  readonly requestId?: string | undefined
  readonly details?: Record<string, unknown> | undefined
}

const SECRET_KEYS = /pass(word)?|secret|token|code|otp|hash|challenge|key/i

/** Drops any detail whose name suggests a secret, so a careless caller cannot leak one into the log. */
function scrub(details: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(details).filter(([key]) => !SECRET_KEYS.test(key)))
}

/**
 * Records an event attributable to its actor, in the caller's transaction when given one so the record and the
 * change it describes commit together. The tamper-evident ledger replaces this table's writer, not its callers.
 */
export async function recordAuditEvent(
  db: Kysely<Database> | Transaction<Database>,
  event: AuditEvent,
  now: Date,
): Promise<void> {
  const { actor } = event
  await db
    .insertInto('audit_events')
    .values({
      id: randomUUID(),
      at: now.toISOString(),
      actor_type: actor.type,
      actor_id: actor.type === 'anonymous' ? null : actor.id,
      organisation_id: actor.type === 'user' ? actor.organisationId : null,
      session_ref: actor.type === 'user' ? (actor.sessionRef ?? null) : null,
      ip: event.ip ?? null,
      action: event.action,
      target_type: event.target?.type ?? null,
      target_id: event.target?.id ?? null,
      outcome: event.outcome,
      reason: event.reason ?? null,
      request_id: event.requestId ?? null,
      details: JSON.stringify(scrub(event.details ?? {})),
    })
    .execute()
}
