import type { Kysely } from 'kysely'

/**
 * Personnel security (guidance, Minimum User Clearance Requirements and Personnel Security): the clearance level the
 * Authority requires on each contract, the supplier's attestations of each person's clearance, and the Authority's
 * clearance-status check requests. A check request's first name, last name and date of birth are sealed with the
 * master key (AES-256-GCM, bound to the request and the field), so the database never holds them in the clear.
 * Attestations are withdrawn, never deleted.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('contract_clearance_requirements')
    .addColumn('contract_id', 'text', col => col.primaryKey().references('contracts.id').onDelete('cascade'))
    .addColumn('required_level', 'text', col => col.notNull())
    .addColumn('set_at', 'text', col => col.notNull())
    .addColumn('set_by', 'text', col => col.notNull().references('users.id'))
    .execute()

  await db.schema
    .createTable('personnel_attestations')
    .addColumn('id', 'text', col => col.primaryKey())
    .addColumn('organisation_id', 'text', col => col.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('contract_id', 'text', col => col.notNull().references('contracts.id').onDelete('cascade'))
    .addColumn('full_name', 'text', col => col.notNull())
    .addColumn('role', 'text', col => col.notNull())
    .addColumn('clearance_level', 'text', col => col.notNull())
    .addColumn('required_level', 'text', col => col.notNull())
    .addColumn('achieved_on', 'text', col => col.notNull())
    .addColumn('started_on', 'text', col => col.notNull())
    .addColumn('attested_at', 'text', col => col.notNull())
    .addColumn('attested_by', 'text', col => col.notNull().references('users.id'))
    .addColumn('status', 'text', col => col.notNull())
    .addColumn('withdrawn_at', 'text')
    .addColumn('withdrawn_by', 'text', col => col.references('users.id'))
    .addColumn('withdrawal_reason', 'text')
    .execute()
  await db.schema
    .createIndex('personnel_attestations_by_supplier')
    .on('personnel_attestations')
    .columns(['organisation_id', 'attested_at'])
    .execute()

  await db.schema
    .createTable('clearance_checks')
    .addColumn('id', 'text', col => col.primaryKey())
    .addColumn('organisation_id', 'text', col => col.references('organisations.id').onDelete('set null'))
    .addColumn('first_name_sealed', 'text', col => col.notNull())
    .addColumn('last_name_sealed', 'text', col => col.notNull())
    .addColumn('date_of_birth_sealed', 'text', col => col.notNull())
    .addColumn('requested_at', 'text', col => col.notNull())
    .addColumn('requested_by', 'text', col => col.notNull().references('users.id'))
    .addColumn('status', 'text', col => col.notNull())
    .addColumn('outcome', 'text')
    .addColumn('cleared_level', 'text')
    .addColumn('valid_until', 'text')
    .addColumn('lapsed_on', 'text')
    .addColumn('answered_at', 'text')
    .addColumn('answered_by', 'text', col => col.references('users.id'))
    .execute()
  await db.schema.createIndex('clearance_checks_by_time').on('clearance_checks').columns(['requested_at']).execute()
}

/** Removes the personnel tables. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('clearance_checks').execute()
  await db.schema.dropTable('personnel_attestations').execute()
  await db.schema.dropTable('contract_clearance_requirements').execute()
}
