import type { Kysely } from 'kysely'

/**
 * Supplier self-assessments: one row per assessment (a supplier, a catalogue version and a scope), and one per
 * answered requirement, with the Authority's review of that answer beside it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('assessments')
    .addColumn('id', 'text', col => col.primaryKey())
    .addColumn('organisation_id', 'text', col => col.notNull().references('organisations.id'))
    .addColumn('catalogue_version', 'text', col => col.notNull())
    .addColumn('scope', 'text', col => col.notNull())
    .addColumn('title', 'text', col => col.notNull())
    .addColumn('status', 'text', col => col.notNull())
    .addColumn('opened_by', 'text', col => col.notNull())
    .addColumn('opened_at', 'text', col => col.notNull())
    .addColumn('submitted_by', 'text')
    .addColumn('submitted_at', 'text')
    .addColumn('closed_by', 'text')
    .addColumn('closed_at', 'text')
    .addColumn('outcome', 'text')
    .execute()
  await db.schema.createIndex('assessments_organisation').on('assessments').column('organisation_id').execute()

  await db.schema
    .createTable('assessment_answers')
    .addColumn('assessment_id', 'text', col => col.notNull().references('assessments.id').onDelete('cascade'))
    .addColumn('requirement_id', 'text', col => col.notNull())
    .addColumn('status', 'text', col => col.notNull())
    .addColumn('justification', 'text', col => col.notNull())
    .addColumn('evidence_link', 'text')
    .addColumn('answered_by', 'text', col => col.notNull())
    .addColumn('answered_at', 'text', col => col.notNull())
    .addColumn('review', 'text')
    .addColumn('review_comment', 'text')
    .addColumn('reviewed_by', 'text')
    .addColumn('reviewed_at', 'text')
    .addPrimaryKeyConstraint('assessment_answers_pk', ['assessment_id', 'requirement_id'])
    .execute()
}

/** Removes them. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('assessment_answers').execute()
  await db.schema.dropTable('assessments').execute()
}
