import type { Kysely } from 'kysely'

/**
 * Evidence for a supplier's answer to one requirement of an assessment: an uploaded file or an https link, each with
 * the date it speaks from, the date it lapses and its classification marking. A file's bytes are kept apart from its
 * description, sealed with the master key (AES-256-GCM, bound to the evidence ID), so listing evidence never loads
 * them and the database never holds them in the clear.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('evidence_items')
    .addColumn('id', 'text', col => col.primaryKey())
    .addColumn('organisation_id', 'text', col => col.notNull().references('organisations.id'))
    .addColumn('assessment_id', 'text', col => col.notNull().references('assessments.id').onDelete('cascade'))
    .addColumn('requirement_id', 'text', col => col.notNull())
    .addColumn('kind', 'text', col => col.notNull())
    .addColumn('url', 'text')
    .addColumn('file_name', 'text')
    .addColumn('media_type', 'text')
    .addColumn('size_bytes', 'integer')
    .addColumn('sha256', 'text')
    .addColumn('effective_on', 'text', col => col.notNull())
    .addColumn('expires_on', 'text', col => col.notNull())
    .addColumn('marking', 'text', col => col.notNull())
    .addColumn('handling_instructions', 'text')
    .addColumn('legacy_marking', 'text')
    .addColumn('added_by', 'text', col => col.notNull().references('users.id'))
    .addColumn('added_at', 'text', col => col.notNull())
    .execute()
  await db.schema
    .createIndex('evidence_items_answer')
    .on('evidence_items')
    .columns(['assessment_id', 'requirement_id'])
    .execute()

  await db.schema
    .createTable('evidence_files')
    .addColumn('evidence_id', 'text', col => col.primaryKey().references('evidence_items.id').onDelete('cascade'))
    .addColumn('sealed', 'text', col => col.notNull())
    .execute()
}

/** Removes them. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('evidence_files').execute()
  await db.schema.dropTable('evidence_items').execute()
}
