import type { Kysely, Selectable, Transaction } from 'kysely'
import type { Database, NotificationsTable } from '../platform/db/schema.ts'

type Db = Kysely<Database> | Transaction<Database>

/** A notification as stored. */
export type NotificationRow = Selectable<NotificationsTable>

/** How many notifications the list page shows; older ones stay stored and counted. */
export const NOTIFICATIONS_PAGE_SIZE = 50

/** Adds rows, skipping any whose (person, source) is already there; returns how many were added. */
export async function insertNotifications(
  trx: Transaction<Database>,
  rows: readonly NotificationRow[],
): Promise<number> {
  if (rows.length === 0) return 0
  const inserted = await trx
    .insertInto('notifications')
    .values([...rows])
    .onConflict(oc => oc.columns(['user_id', 'source']).doNothing())
    .executeTakeFirst()
  return Number(inserted.numInsertedOrUpdatedRows ?? 0)
}

/** A person's newest notifications first. */
export function listNotifications(db: Db, userId: string, limit = NOTIFICATIONS_PAGE_SIZE): Promise<NotificationRow[]> {
  return db
    .selectFrom('notifications')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(limit)
    .execute()
}

/** How many of a person's notifications are unread: one index range scan (notifications_unread). */
export async function unreadCount(db: Db, userId: string): Promise<number> {
  const row = await db
    .selectFrom('notifications')
    .select(eb => eb.fn.countAll<number | string | bigint>().as('count'))
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
    .executeTakeFirst()
  return Number(row?.count ?? 0)
}

/** One of a person's own notifications; another person's answers as missing. */
export function findOwnNotification(db: Db, userId: string, id: string): Promise<NotificationRow | undefined> {
  return db
    .selectFrom('notifications')
    .selectAll()
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .executeTakeFirst()
}

/** Marks unread notifications read: one, or (without an ID) all of a person's; returns how many changed. */
export async function markRead(trx: Transaction<Database>, userId: string, at: Date, id?: string): Promise<number> {
  let query = trx
    .updateTable('notifications')
    .set({ read_at: at.toISOString() })
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
  if (id !== undefined) query = query.where('id', '=', id)
  const updated = await query.executeTakeFirst()
  return Number(updated.numUpdatedRows)
}
