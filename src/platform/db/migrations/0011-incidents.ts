import type { Kysely } from 'kysely'

/** Security incidents reported by suppliers (MCSS RESPOND and RECOVER): the report, its updates and its closure. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('incidents')
    .addColumn('id', 'text', col => col.primaryKey())
    .addColumn('organisation_id', 'text', col => col.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('summary', 'text', col => col.notNull())
    .addColumn('identified_at', 'text', col => col.notNull())
    .addColumn('reported_at', 'text', col => col.notNull())
    .addColumn('reported_by', 'text', col => col.notNull().references('users.id'))
    .addColumn('systems_affected', 'text', col => col.notNull())
    .addColumn('data_affected', 'text', col => col.notNull())
    .addColumn('personal_data', 'text', col => col.notNull())
    .addColumn('actions_taken', 'text', col => col.notNull())
    .addColumn('status', 'text', col => col.notNull())
    .addColumn('closed_at', 'text')
    .addColumn('closed_by', 'text', col => col.references('users.id'))
    .addColumn('review', 'text')
    .execute()
  await db.schema
    .createIndex('incidents_by_supplier')
    .on('incidents')
    .columns(['organisation_id', 'reported_at'])
    .execute()
  await db.schema
    .createTable('incident_updates')
    .addColumn('id', 'text', col => col.primaryKey())
    .addColumn('incident_id', 'text', col => col.notNull().references('incidents.id').onDelete('cascade'))
    .addColumn('at', 'text', col => col.notNull())
    .addColumn('by', 'text', col => col.notNull().references('users.id'))
    .addColumn('text', 'text', col => col.notNull())
    .execute()
  await db.schema
    .createIndex('incident_updates_by_incident')
    .on('incident_updates')
    .columns(['incident_id', 'at'])
    .execute()
}

/** Removes the incident tables. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('incident_updates').execute()
  await db.schema.dropTable('incidents').execute()
}
