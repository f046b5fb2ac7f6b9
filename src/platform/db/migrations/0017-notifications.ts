import type { Kysely } from 'kysely'

/**
 * Each person's in-service notifications: what the deadline sweep (or any workflow) told them, newest first, until
 * they mark it read. `source` names what raised it (a deadline notice, say); unique per person, so a notice lands in
 * a person's list at most once whichever worker delivers it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('notifications')
    .addColumn('id', 'text', col => col.primaryKey())
    .addColumn('user_id', 'text', col => col.notNull().references('users.id').onDelete('cascade'))
    .addColumn('title', 'text', col => col.notNull())
    .addColumn('body', 'text', col => col.notNull())
    .addColumn('link', 'text')
    .addColumn('source', 'text')
    .addColumn('created_at', 'text', col => col.notNull())
    .addColumn('read_at', 'text')
    .addUniqueConstraint('notifications_once', ['user_id', 'source'])
    .execute()
  // The header's unread count on every page is one index range scan.
  await db.schema.createIndex('notifications_unread').on('notifications').columns(['user_id', 'read_at']).execute()
  await db.schema.createIndex('notifications_newest').on('notifications').columns(['user_id', 'created_at']).execute()
}

/** Removes it. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('notifications').execute()
}
