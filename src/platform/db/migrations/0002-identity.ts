import type { Kysely } from 'kysely'

/** Organisations, people, their roles and factors, sessions, one-time links, audit events and pending approvals. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('organisations')
    .addColumn('id', 'text', col => col.primaryKey())
    .addColumn('kind', 'text', col => col.notNull())
    .addColumn('name', 'text', col => col.notNull().unique())
    .addColumn('created_at', 'text', col => col.notNull())
    .execute()

  await db.schema
    .createTable('users')
    .addColumn('id', 'text', col => col.primaryKey())
    .addColumn('organisation_id', 'text', col => col.notNull().references('organisations.id'))
    .addColumn('email', 'text', col => col.notNull().unique())
    .addColumn('display_name', 'text', col => col.notNull())
    .addColumn('status', 'text', col => col.notNull())
    .addColumn('clearance', 'text')
    .addColumn('clearance_checked_on', 'text')
    .addColumn('failed_attempts', 'integer', col => col.notNull().defaultTo(0))
    .addColumn('locked_at', 'text')
    .addColumn('last_sign_in_at', 'text')
    .addColumn('created_at', 'text', col => col.notNull())
    .execute()

  await db.schema
    .createTable('user_roles')
    .addColumn('user_id', 'text', col => col.notNull().references('users.id').onDelete('cascade'))
    .addColumn('role', 'text', col => col.notNull())
    .addColumn('granted_at', 'text', col => col.notNull())
    .addColumn('granted_by', 'text')
    .addPrimaryKeyConstraint('user_roles_pk', ['user_id', 'role'])
    .execute()

  await db.schema
    .createTable('password_credentials')
    .addColumn('user_id', 'text', col => col.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('hash', 'text', col => col.notNull())
    .addColumn('updated_at', 'text', col => col.notNull())
    .execute()

  await db.schema
    .createTable('mfa_factors')
    .addColumn('id', 'text', col => col.primaryKey())
    .addColumn('user_id', 'text', col => col.notNull().references('users.id').onDelete('cascade'))
    .addColumn('kind', 'text', col => col.notNull())
    .addColumn('name', 'text', col => col.notNull())
    // WebAuthn: credential ID, public key, counter, transports. TOTP: the secret and the last accepted time step.
    .addColumn('credential_id', 'text', col => col.unique())
    .addColumn('public_key', 'text')
    .addColumn('counter', 'integer', col => col.notNull().defaultTo(0))
    .addColumn('transports', 'text')
    .addColumn('backed_up', 'integer', col => col.notNull().defaultTo(0))
    .addColumn('secret', 'text')
    .addColumn('last_step', 'integer', col => col.notNull().defaultTo(0))
    .addColumn('created_at', 'text', col => col.notNull())
    .addColumn('last_used_at', 'text')
    .execute()
  await db.schema.createIndex('mfa_factors_by_user').on('mfa_factors').column('user_id').execute()

  await db.schema
    .createTable('recovery_codes')
    .addColumn('id', 'text', col => col.primaryKey())
    .addColumn('user_id', 'text', col => col.notNull().references('users.id').onDelete('cascade'))
    .addColumn('code_hash', 'text', col => col.notNull())
    .addColumn('used_at', 'text')
    .execute()
  await db.schema.createIndex('recovery_codes_by_user').on('recovery_codes').column('user_id').execute()

  await db.schema
    .createTable('sessions')
    .addColumn('id_hash', 'text', col => col.primaryKey())
    .addColumn('user_id', 'text', col => col.notNull().references('users.id').onDelete('cascade'))
    // 'mfa': password accepted, second factor due; 'enrol': must add a factor first; 'active': signed in.
    .addColumn('stage', 'text', col => col.notNull())
    .addColumn('created_at', 'text', col => col.notNull())
    .addColumn('last_seen_at', 'text', col => col.notNull())
    .addColumn('expires_at', 'text', col => col.notNull())
    .addColumn('step_up_at', 'text')
    .addColumn('challenge', 'text')
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('ended_note', 'text')
    .execute()
  await db.schema.createIndex('sessions_by_user').on('sessions').column('user_id').execute()

  await db.schema
    .createTable('one_time_links')
    .addColumn('id_hash', 'text', col => col.primaryKey())
    .addColumn('kind', 'text', col => col.notNull())
    .addColumn('user_id', 'text', col => col.references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'text', col => col.notNull())
    .addColumn('expires_at', 'text', col => col.notNull())
    .addColumn('used_at', 'text')
    .addColumn('created_by', 'text')
    .execute()

  await db.schema
    .createTable('audit_events')
    .addColumn('id', 'text', col => col.primaryKey())
    .addColumn('at', 'text', col => col.notNull())
    .addColumn('actor_type', 'text', col => col.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('organisation_id', 'text')
    .addColumn('session_ref', 'text')
    .addColumn('ip', 'text')
    .addColumn('action', 'text', col => col.notNull())
    .addColumn('target_type', 'text')
    .addColumn('target_id', 'text')
    .addColumn('outcome', 'text', col => col.notNull())
    .addColumn('reason', 'text')
    .addColumn('request_id', 'text')
    .addColumn('details', 'text', col => col.notNull())
    .execute()
  await db.schema.createIndex('audit_events_by_time').on('audit_events').column('at').execute()

  await db.schema
    .createTable('rate_limits')
    .addColumn('bucket', 'text', col => col.primaryKey())
    .addColumn('window_start', 'text', col => col.notNull())
    .addColumn('hits', 'integer', col => col.notNull())
    .execute()
}

/** Removes the identity tables. */
export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'rate_limits',
    'audit_events',
    'one_time_links',
    'sessions',
    'recovery_codes',
    'mfa_factors',
    'password_credentials',
    'user_roles',
    'users',
    'organisations',
  ]) {
    await db.schema.dropTable(table).execute()
  }
}
