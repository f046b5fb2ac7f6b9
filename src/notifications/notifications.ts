import { randomUUID } from 'node:crypto'
import type { Kysely, Transaction } from 'kysely'
import { z } from 'zod'
import type { Database } from '../platform/db/schema.ts'
import { notFound } from '../platform/errors.ts'
import { parseInput } from '../platform/validation.ts'
import { recordAuditEvent, type Actor } from '../audit/record.ts'
import { insertNotifications, markRead, findOwnNotification } from './store.ts'

/** What the read/unread operations need. */
export interface NotificationDeps {
  readonly db: Kysely<Database>
  readonly now: () => Date
}

/** A path inside Assure: a notification never sends a person off the service (no open redirect, no phishing link). */
const LocalPath = z
  .string()
  .max(500)
  .regex(/^\/(?![/\\])[^\s]*$/, 'must be a path inside Assure, starting with a single /')

const NotifyPeopleSchema = z.strictObject({
  userIds: z.array(z.uuid()).max(500),
  title: z.string().trim().min(1).max(200),
  body: z.string().trim().min(1).max(2000),
  link: LocalPath.nullable().optional(),
  /** What raised it (`deadline:<stage>:<notice>`): a person gets a given source once, however often it is sent. */
  source: z.string().min(1).max(300).optional(),
})

/** What `notifyPeople` puts in each person's list. */
export type NotifyPeopleProps = z.input<typeof NotifyPeopleSchema>

/**
 * Adds a notification to each named person's list, inside the caller's transaction, so it commits with the change
 * it tells them about. It records no ledger entry of its own: the caller's entry for that change covers it (one
 * entry per state change). Returns how many were added (a repeated `source` adds nothing).
 */
export async function notifyPeople(trx: Transaction<Database>, props: NotifyPeopleProps, now: Date): Promise<number> {
  const input = parseInput(NotifyPeopleSchema, props, 'notification')
  const people = [...new Set(input.userIds)]
  return insertNotifications(
    trx,
    people.map(userId => ({
      id: randomUUID(),
      user_id: userId,
      title: input.title,
      body: input.body,
      link: input.link ?? null,
      source: input.source ?? null,
      created_at: now.toISOString(),
      read_at: null,
    })),
  )
}

/** The person whose list it is, as the request's actor, with the request for the ledger. */
export interface ReaderProps {
  readonly userId: string
  readonly actor: Actor
  readonly requestId?: string
  readonly ip?: string
}

/**
 * Marks one of a person's own notifications read, with one ledger entry; another person's answers NOT_FOUND, as a
 * missing one does, so IDs reveal nothing. Marking it again changes nothing and records nothing here.
 */
export async function markNotificationRead(
  deps: NotificationDeps,
  props: ReaderProps & { readonly notificationId: string },
): Promise<{ changed: boolean }> {
  const now = deps.now()
  return deps.db.transaction().execute(async trx => {
    const own = z.uuid().safeParse(props.notificationId).success
      ? await findOwnNotification(trx, props.userId, props.notificationId)
      : undefined
    if (own === undefined) throw notFound('The notification')
    const changed = (await markRead(trx, props.userId, now, own.id)) === 1
    if (changed) {
      await recordAuditEvent(
        trx,
        {
          actor: props.actor,
          action: 'notifications.read',
          outcome: 'success',
          target: { type: 'notification', id: own.id },
          requestId: props.requestId,
          ip: props.ip,
        },
        now,
      )
    }
    return { changed }
  })
}

/** Marks all of a person's unread notifications read, with one ledger entry giving how many. */
export async function markAllNotificationsRead(deps: NotificationDeps, props: ReaderProps): Promise<{ count: number }> {
  const now = deps.now()
  return deps.db.transaction().execute(async trx => {
    const count = await markRead(trx, props.userId, now)
    if (count > 0) {
      await recordAuditEvent(
        trx,
        {
          actor: props.actor,
          action: 'notifications.read-all',
          outcome: 'success',
          target: { type: 'user', id: props.userId },
          requestId: props.requestId,
          ip: props.ip,
          details: { count },
        },
        now,
      )
    }
    return { count }
  })
}
