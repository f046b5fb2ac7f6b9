import type { Kysely } from 'kysely'

/**
 * Recurring supplier obligations and the privacy lifecycle. A schedule says which duty a supplier owes on a cadence
 * (unique per supplier and kind); each instance is one occurrence with its evidence and review, and its clock lives
 * in the deadline engine's stages (subject type `obligation`). Supplier services carry their lifecycle phase, and
 * the checklist keeps one row per ticked-or-not expectation.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('obligation_schedules')
    .addColumn('id', 'text', col => col.primaryKey())
    .addColumn('organisation_id', 'text', col => col.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('kind', 'text', col => col.notNull())
    .addColumn('first_due_at', 'text', col => col.notNull())
    .addColumn('started_at', 'text', col => col.notNull())
    .addColumn('started_by', 'text', col => col.notNull().references('users.id'))
    .addUniqueConstraint('obligation_schedules_once', ['organisation_id', 'kind'])
    .execute()

  await db.schema
    .createTable('supplier_services')
    .addColumn('id', 'text', col => col.primaryKey())
    .addColumn('organisation_id', 'text', col => col.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('name', 'text', col => col.notNull())
    .addColumn('phase', 'text', col => col.notNull())
    .addColumn('phase_changed_at', 'text', col => col.notNull())
    .addColumn('created_at', 'text', col => col.notNull())
    .addColumn('created_by', 'text', col => col.notNull().references('users.id'))
    .addUniqueConstraint('supplier_services_name', ['organisation_id', 'name'])
    .execute()

  await db.schema
    .createTable('obligation_instances')
    .addColumn('id', 'text', col => col.primaryKey())
    .addColumn('organisation_id', 'text', col => col.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('schedule_id', 'text', col => col.references('obligation_schedules.id').onDelete('cascade'))
    .addColumn('service_id', 'text', col => col.references('supplier_services.id').onDelete('cascade'))
    .addColumn('kind', 'text', col => col.notNull())
    .addColumn('due_at', 'text', col => col.notNull())
    .addColumn('status', 'text', col => col.notNull())
    .addColumn('opened_at', 'text', col => col.notNull())
    .addColumn('evidence_description', 'text')
    .addColumn('evidence_link', 'text')
    .addColumn('completed_at', 'text')
    .addColumn('completed_by', 'text', col => col.references('users.id'))
    .addColumn('reviewed_at', 'text')
    .addColumn('reviewed_by', 'text', col => col.references('users.id'))
    .addColumn('review_comment', 'text')
    .execute()
  // A schedule has one instance per due date, so two people accepting at once cannot schedule the next one twice.
  await db.schema
    .createIndex('obligation_instances_schedule_due')
    .on('obligation_instances')
    .columns(['schedule_id', 'due_at'])
    .unique()
    .execute()
  await db.schema
    .createIndex('obligation_instances_by_supplier')
    .on('obligation_instances')
    .columns(['organisation_id', 'due_at'])
    .execute()

  await db.schema
    .createTable('privacy_checklist_items')
    .addColumn('service_id', 'text', col => col.notNull().references('supplier_services.id').onDelete('cascade'))
    .addColumn('item_id', 'text', col => col.notNull())
    .addColumn('checked', 'integer', col => col.notNull())
    .addColumn('updated_at', 'text', col => col.notNull())
    .addColumn('updated_by', 'text', col => col.notNull().references('users.id'))
    .addPrimaryKeyConstraint('privacy_checklist_items_pk', ['service_id', 'item_id'])
    .execute()
}

/** Removes them. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('privacy_checklist_items').execute()
  await db.schema.dropTable('obligation_instances').execute()
  await db.schema.dropTable('supplier_services').execute()
  await db.schema.dropTable('obligation_schedules').execute()
}
