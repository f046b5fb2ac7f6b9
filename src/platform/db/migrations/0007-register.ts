import type { Kysely } from 'kysely'

/** The supplier register (MCSS IDENTIFY): supplier profiles, the Authority's contracts, and cloud accounts in scope. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('supplier_profiles')
    .addColumn('organisation_id', 'text', col => col.primaryKey().references('organisations.id').onDelete('cascade'))
    .addColumn('legal_name', 'text', col => col.notNull())
    .addColumn('short_name', 'text', col => col.notNull())
    .addColumn('security_director_name', 'text', col => col.notNull())
    .addColumn('security_director_email', 'text', col => col.notNull())
    .addColumn('contacts', 'text', col => col.notNull())
    .addColumn('updated_at', 'text', col => col.notNull())
    .addColumn('updated_by', 'text', col => col.references('users.id'))
    .execute()

  await db.schema
    .createTable('contracts')
    .addColumn('id', 'text', col => col.primaryKey())
    .addColumn('organisation_id', 'text', col => col.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('reference', 'text', col => col.notNull().unique())
    .addColumn('title', 'text', col => col.notNull())
    .addColumn('start_date', 'text', col => col.notNull())
    .addColumn('end_date', 'text', col => col.notNull())
    .addColumn('classification', 'text', col => col.notNull())
    .addColumn('data_categories', 'text', col => col.notNull())
    .addColumn('offshore', 'integer', col => col.notNull().defaultTo(0))
    .addColumn('offshore_locations', 'text')
    .addColumn('key_services', 'text', col => col.notNull())
    .addColumn('subcontractors', 'text', col => col.notNull())
    .addColumn('created_at', 'text', col => col.notNull())
    .addColumn('created_by', 'text', col => col.references('users.id'))
    .execute()
  await db.schema.createIndex('contracts_organisation').on('contracts').column('organisation_id').execute()

  await db.schema
    .createTable('cloud_accounts')
    .addColumn('id', 'text', col => col.primaryKey())
    .addColumn('organisation_id', 'text', col => col.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('contract_id', 'text', col => col.references('contracts.id').onDelete('set null'))
    .addColumn('provider', 'text', col => col.notNull())
    .addColumn('account_id', 'text', col => col.notNull().unique())
    .addColumn('description', 'text', col => col.notNull())
    .addColumn('created_at', 'text', col => col.notNull())
    .execute()
  await db.schema.createIndex('cloud_accounts_organisation').on('cloud_accounts').column('organisation_id').execute()
}

/** Removes the tables. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('cloud_accounts').execute()
  await db.schema.dropTable('contracts').execute()
  await db.schema.dropTable('supplier_profiles').execute()
}
