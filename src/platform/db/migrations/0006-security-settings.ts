import { PostgresAdapter, sql, type Kysely } from 'kysely'

const COLUMNS =
  'id, kind, target_user_id, payload, requested_by, requested_at, expires_at, status, decided_by, decided_at'

/** Rebuilds SQLite's pending_changes (SQLite cannot alter a column's nullability), keeping every row. */
async function rebuildPendingChanges(db: Kysely<unknown>, targetNullable: boolean): Promise<void> {
  await db.schema
    .createTable('pending_changes_rebuilt')
    .addColumn('id', 'text', col => col.primaryKey())
    .addColumn('kind', 'text', col => col.notNull())
    .addColumn('target_user_id', 'text', col => {
      const target = col.references('users.id').onDelete('cascade')
      return targetNullable ? target : target.notNull()
    })
    .addColumn('payload', 'text', col => col.notNull())
    .addColumn('requested_by', 'text', col => col.notNull().references('users.id'))
    .addColumn('requested_at', 'text', col => col.notNull())
    .addColumn('expires_at', 'text', col => col.notNull())
    .addColumn('status', 'text', col => col.notNull())
    .addColumn('decided_by', 'text', col => col.references('users.id'))
    .addColumn('decided_at', 'text')
    .execute()
  await sql`insert into pending_changes_rebuilt (${sql.raw(COLUMNS)}) select ${sql.raw(COLUMNS)} from pending_changes`.execute(
    db,
  )
  await db.schema.dropTable('pending_changes').execute()
  await sql`alter table pending_changes_rebuilt rename to pending_changes`.execute(db)
}

/**
 * Security settings (key/value, changed only through dual authorisation), and dual-authorisation requests that
 * concern no person: a security-setting change has no target account, so `pending_changes.target_user_id` may be null.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('security_settings')
    .addColumn('key', 'text', col => col.primaryKey())
    .addColumn('value', 'text', col => col.notNull())
    .addColumn('updated_by', 'text', col => col.references('users.id'))
    .addColumn('updated_at', 'text', col => col.notNull())
    .execute()
  if (db.getExecutor().adapter instanceof PostgresAdapter)
    await sql`alter table pending_changes alter column target_user_id drop not null`.execute(db)
  else await rebuildPendingChanges(db, true)
}

/** Removes the settings (back to the built-in defaults) and the requests without a target person. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`delete from pending_changes where target_user_id is null`.execute(db)
  if (db.getExecutor().adapter instanceof PostgresAdapter)
    await sql`alter table pending_changes alter column target_user_id set not null`.execute(db)
  else await rebuildPendingChanges(db, false)
  await db.schema.dropTable('security_settings').execute()
}
