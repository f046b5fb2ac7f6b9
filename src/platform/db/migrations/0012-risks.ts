import type { Kysely } from 'kysely'

/**
 * The risk register: an accepted "not met" or "partially met" answer becomes a risk the Authority carries until
 * its expiry date, proposed by the accepting assessor and accepted by a second person, an Authority administrator.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('risks')
    .addColumn('id', 'text', col => col.primaryKey())
    .addColumn('organisation_id', 'text', col => col.notNull().references('organisations.id'))
    .addColumn('assessment_id', 'text', col => col.notNull().references('assessments.id'))
    .addColumn('requirement_id', 'text', col => col.notNull())
    .addColumn('owner', 'text', col => col.notNull())
    .addColumn('description', 'text', col => col.notNull())
    .addColumn('mitigation', 'text', col => col.notNull())
    .addColumn('expires_on', 'text', col => col.notNull())
    .addColumn('status', 'text', col => col.notNull())
    .addColumn('proposed_by', 'text', col => col.notNull())
    .addColumn('proposed_at', 'text', col => col.notNull())
    .addColumn('accepted_by', 'text')
    .addColumn('accepted_at', 'text')
    .addUniqueConstraint('risks_assessment_requirement', ['assessment_id', 'requirement_id'])
    .execute()
  await db.schema.createIndex('risks_organisation').on('risks').column('organisation_id').execute()
}

/** Removes it. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('risks').execute()
}
