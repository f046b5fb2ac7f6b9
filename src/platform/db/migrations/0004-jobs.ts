import type { Kysely } from 'kysely'

/** Job runs (one per job and period, so work runs once across instances) and privileged account reviews. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('job_runs')
    .addColumn('job', 'text', col => col.notNull())
    .addColumn('period', 'text', col => col.notNull())
    .addColumn('status', 'text', col => col.notNull())
    .addColumn('attempts', 'integer', col => col.notNull())
    .addColumn('started_at', 'text', col => col.notNull())
    .addColumn('finished_at', 'text')
    .addColumn('error', 'text')
    .addPrimaryKeyConstraint('job_runs_pk', ['job', 'period'])
    .execute()

  await db.schema
    .createTable('privileged_reviews')
    .addColumn('id', 'text', col => col.primaryKey())
    .addColumn('period', 'text', col => col.notNull().unique())
    .addColumn('created_at', 'text', col => col.notNull())
    .addColumn('accounts', 'text', col => col.notNull())
    .addColumn('signed_off_by', 'text', col => col.references('users.id'))
    .addColumn('signed_off_at', 'text')
    .execute()

  await db.schema.alterTable('users').addColumn('inactivity_warned_at', 'text').execute()
}

/** Removes them. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('users').dropColumn('inactivity_warned_at').execute()
  await db.schema.dropTable('privileged_reviews').execute()
  await db.schema.dropTable('job_runs').execute()
}
