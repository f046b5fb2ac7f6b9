import type { Kysely } from 'kysely'

/**
 * The deadline engine: one row per stage (an obligation with a clock) and one per notice sent about it. The
 * unique (stage_id, notice_key) is what lets any number of workers sweep at once and still send each notice once.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('deadline_stages')
    .addColumn('id', 'text', col => col.primaryKey())
    .addColumn('subject_type', 'text', col => col.notNull())
    .addColumn('subject_id', 'text', col => col.notNull())
    .addColumn('organisation_id', 'text', col => col.references('organisations.id'))
    .addColumn('stage_key', 'text', col => col.notNull())
    .addColumn('title', 'text', col => col.notNull())
    .addColumn('starts_at', 'text', col => col.notNull())
    .addColumn('due_at', 'text', col => col.notNull())
    .addColumn('responsible', 'text', col => col.notNull())
    .addColumn('reminder_offsets', 'text', col => col.notNull())
    .addColumn('escalation', 'text', col => col.notNull())
    .addColumn('breach_after', 'text', col => col.notNull())
    .addColumn('status', 'text', col => col.notNull())
    .addColumn('opened_at', 'text', col => col.notNull())
    .addColumn('completed_at', 'text')
    .addColumn('completed_by', 'text')
    .addUniqueConstraint('deadline_stages_subject_stage', ['subject_type', 'subject_id', 'stage_key'])
    .execute()
  await db.schema.createIndex('deadline_stages_open').on('deadline_stages').columns(['status', 'due_at']).execute()

  await db.schema
    .createTable('deadline_notices')
    .addColumn('stage_id', 'text', col => col.notNull().references('deadline_stages.id').onDelete('cascade'))
    .addColumn('notice_key', 'text', col => col.notNull())
    .addColumn('status', 'text', col => col.notNull())
    .addColumn('claimed_at', 'text', col => col.notNull())
    .addColumn('sent_at', 'text')
    .addColumn('recipient', 'text')
    .addColumn('channel', 'text', col => col.notNull())
    .addUniqueConstraint('deadline_notices_once', ['stage_id', 'notice_key'])
    .execute()
}

/** Removes them. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('deadline_notices').execute()
  await db.schema.dropTable('deadline_stages').execute()
}
