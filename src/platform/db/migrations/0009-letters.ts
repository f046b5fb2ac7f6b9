import type { Kysely } from 'kysely'

/**
 * Security Aspects Letters: each issued letter as rendered (with its SHA-256, so a copy can be checked against the
 * one issued), and what the supplier did about it, one row per stage. Deadlines live in the deadline engine's
 * stages (subject type `sal`). Unique (contract_id, version) makes two people issuing at once get one letter.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('letters')
    .addColumn('id', 'text', col => col.primaryKey())
    .addColumn('organisation_id', 'text', col => col.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('contract_id', 'text', col => col.notNull().references('contracts.id').onDelete('cascade'))
    .addColumn('kind', 'text', col => col.notNull())
    .addColumn('version', 'integer', col => col.notNull())
    .addColumn('supersedes_id', 'text', col => col.references('letters.id'))
    .addColumn('issued_at', 'text', col => col.notNull())
    .addColumn('issued_by', 'text', col => col.notNull())
    .addColumn('variables', 'text', col => col.notNull())
    .addColumn('body', 'text', col => col.notNull())
    .addColumn('body_sha256', 'text', col => col.notNull())
    .addColumn('revision_note', 'text')
    .addColumn('distribution', 'text', col => col.notNull())
    .addColumn('status', 'text', col => col.notNull())
    .addUniqueConstraint('letters_contract_version', ['contract_id', 'version'])
    .execute()
  await db.schema.createIndex('letters_organisation').on('letters').columns(['organisation_id', 'issued_at']).execute()

  await db.schema
    .createTable('letter_events')
    .addColumn('letter_id', 'text', col => col.notNull().references('letters.id').onDelete('cascade'))
    .addColumn('stage_key', 'text', col => col.notNull())
    .addColumn('recorded_at', 'text', col => col.notNull())
    .addColumn('recorded_by', 'text', col => col.notNull())
    .addColumn('details', 'text', col => col.notNull())
    .addUniqueConstraint('letter_events_once', ['letter_id', 'stage_key'])
    .execute()
}

/** Removes them. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('letter_events').execute()
  await db.schema.dropTable('letters').execute()
}
