import type { Kysely } from 'kysely'

/** Dual-authorisation requests and personal API tokens. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('pending_changes')
    .addColumn('id', 'text', col => col.primaryKey())
    .addColumn('kind', 'text', col => col.notNull())
    .addColumn('target_user_id', 'text', col => col.notNull().references('users.id').onDelete('cascade'))
    .addColumn('payload', 'text', col => col.notNull())
    .addColumn('requested_by', 'text', col => col.notNull().references('users.id'))
    .addColumn('requested_at', 'text', col => col.notNull())
    .addColumn('expires_at', 'text', col => col.notNull())
    .addColumn('status', 'text', col => col.notNull())
    .addColumn('decided_by', 'text', col => col.references('users.id'))
    .addColumn('decided_at', 'text')
    .execute()

  await db.schema
    .createTable('api_tokens')
    .addColumn('id', 'text', col => col.primaryKey())
    .addColumn('user_id', 'text', col => col.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', col => col.notNull())
    .addColumn('token_hash', 'text', col => col.notNull().unique())
    .addColumn('scopes', 'text', col => col.notNull())
    .addColumn('created_at', 'text', col => col.notNull())
    .addColumn('expires_at', 'text', col => col.notNull())
    .addColumn('last_used_at', 'text')
    .addColumn('revoked_at', 'text')
    .execute()
}

/** Removes the tables. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('api_tokens').execute()
  await db.schema.dropTable('pending_changes').execute()
}
