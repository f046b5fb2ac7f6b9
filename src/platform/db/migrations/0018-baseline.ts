import type { Kysely } from 'kysely'

/**
 * AWS baseline enforcement: each scan, the latest result per (account, region, rule), each violation with its clock
 * (kept here, never on the resource), each remediation action with what it changed (so it can be rolled back), and
 * mutes with an owner, a justification and an expiry.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('baseline_scans')
    .addColumn('id', 'text', col => col.primaryKey())
    .addColumn('started_at', 'text', col => col.notNull())
    .addColumn('finished_at', 'text')
    .addColumn('mode', 'text', col => col.notNull())
    .addColumn('accounts', 'integer', col => col.notNull())
    .addColumn('summary', 'text', col => col.notNull())
    .execute()

  await db.schema
    .createTable('baseline_results')
    .addColumn('account_id', 'text', col => col.notNull())
    .addColumn('region', 'text', col => col.notNull())
    .addColumn('rule_id', 'text', col => col.notNull())
    .addColumn('scan_id', 'text', col => col.notNull())
    .addColumn('scanned_at', 'text', col => col.notNull())
    .addColumn('observed', 'integer', col => col.notNull())
    .addColumn('error', 'text')
    .addColumn('findings', 'integer', col => col.notNull())
    .addPrimaryKeyConstraint('baseline_results_scope', ['account_id', 'region', 'rule_id'])
    .execute()

  await db.schema
    .createTable('baseline_violations')
    .addColumn('id', 'text', col => col.primaryKey())
    .addColumn('violation_key', 'text', col => col.notNull())
    .addColumn('account_id', 'text', col => col.notNull())
    .addColumn('region', 'text', col => col.notNull())
    .addColumn('rule_id', 'text', col => col.notNull())
    .addColumn('resource_arn', 'text', col => col.notNull())
    .addColumn('summary', 'text', col => col.notNull())
    .addColumn('evidence', 'text', col => col.notNull())
    .addColumn('first_seen_at', 'text', col => col.notNull())
    .addColumn('last_seen_at', 'text', col => col.notNull())
    .addColumn('clock_started_at', 'text', col => col.notNull())
    .addColumn('steps_taken', 'text', col => col.notNull())
    .addColumn('resolved_at', 'text')
    .execute()
  // At most one open violation per key: a resolved one stays as history, and the next opens a new row and clock.
  await db.schema
    .createIndex('baseline_violations_open')
    .on('baseline_violations')
    .columns(['violation_key', 'resolved_at'])
    .execute()
  await db.schema
    .createIndex('baseline_violations_account')
    .on('baseline_violations')
    .columns(['account_id', 'resolved_at'])
    .execute()

  await db.schema
    .createTable('baseline_actions')
    .addColumn('id', 'text', col => col.primaryKey())
    .addColumn('violation_id', 'text', col => col.notNull().references('baseline_violations.id'))
    .addColumn('scan_id', 'text', col => col.notNull())
    .addColumn('account_id', 'text', col => col.notNull())
    .addColumn('region', 'text', col => col.notNull())
    .addColumn('remediation', 'text', col => col.notNull())
    .addColumn('status', 'text', col => col.notNull())
    .addColumn('planned', 'text', col => col.notNull())
    .addColumn('applied', 'text')
    .addColumn('created_at', 'text', col => col.notNull())
    .addColumn('applied_at', 'text')
    .addColumn('rolled_back_at', 'text')
    .execute()

  await db.schema
    .createTable('baseline_mutes')
    .addColumn('id', 'text', col => col.primaryKey())
    .addColumn('account_id', 'text', col => col.notNull())
    .addColumn('rule_id', 'text', col => col.notNull())
    .addColumn('resource_arn', 'text')
    .addColumn('owner', 'text', col => col.notNull())
    .addColumn('justification', 'text', col => col.notNull())
    .addColumn('expires_at', 'text', col => col.notNull())
    .addColumn('created_by', 'text', col => col.notNull())
    .addColumn('created_at', 'text', col => col.notNull())
    .execute()
}

/** Removes them. */
export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'baseline_mutes',
    'baseline_actions',
    'baseline_violations',
    'baseline_results',
    'baseline_scans',
  ])
    await db.schema.dropTable(table).execute()
}
