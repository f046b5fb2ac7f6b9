import type { Kysely } from 'kysely'

/**
 * Data destruction (guidance, Compliance, Data destruction): the instruction and confirmation letter the Authority
 * issues for a contract (one per contract, rendered with its SHA-256), the supplier's signed declaration (typed
 * clauses, the PDF certificate and its hash), the record of data returned, and reports of failed or incomplete
 * destruction. Clocks live in the deadline engine's stages (subject type `destruction`).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('destruction_instructions')
    .addColumn('id', 'text', col => col.primaryKey())
    .addColumn('organisation_id', 'text', col => col.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('contract_id', 'text', col => col.notNull().references('contracts.id').onDelete('cascade'))
    .addColumn('issued_at', 'text', col => col.notNull())
    .addColumn('issued_by', 'text', col => col.notNull())
    .addColumn('variables', 'text', col => col.notNull())
    .addColumn('body', 'text', col => col.notNull())
    .addColumn('body_sha256', 'text', col => col.notNull())
    .addUniqueConstraint('destruction_instructions_contract', ['contract_id'])
    .execute()
  await db.schema
    .createIndex('destruction_instructions_organisation')
    .on('destruction_instructions')
    .columns(['organisation_id', 'issued_at'])
    .execute()

  await db.schema
    .createTable('destruction_declarations')
    .addColumn('instruction_id', 'text', col =>
      col.primaryKey().references('destruction_instructions.id').onDelete('cascade'),
    )
    .addColumn('signed_at', 'text', col => col.notNull())
    .addColumn('signed_by', 'text', col => col.notNull())
    .addColumn('signer_name', 'text', col => col.notNull())
    .addColumn('position', 'text', col => col.notNull())
    .addColumn('clauses', 'text', col => col.notNull())
    .addColumn('pdf', 'text', col => col.notNull())
    .addColumn('pdf_sha256', 'text', col => col.notNull())
    .execute()

  await db.schema
    .createTable('destruction_data_returns')
    .addColumn('instruction_id', 'text', col =>
      col.primaryKey().references('destruction_instructions.id').onDelete('cascade'),
    )
    .addColumn('format', 'text', col => col.notNull())
    .addColumn('recorded_at', 'text', col => col.notNull())
    .addColumn('recorded_by', 'text', col => col.notNull())
    .execute()

  await db.schema
    .createTable('destruction_failures')
    .addColumn('id', 'text', col => col.primaryKey())
    .addColumn('instruction_id', 'text', col =>
      col.notNull().references('destruction_instructions.id').onDelete('cascade'),
    )
    .addColumn('organisation_id', 'text', col => col.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('what_failed', 'text', col => col.notNull())
    .addColumn('identified_at', 'text', col => col.notNull())
    .addColumn('reported_at', 'text', col => col.notNull())
    .addColumn('reported_by', 'text', col => col.notNull())
    .addColumn('due_at', 'text', col => col.notNull())
    .addColumn('late', 'integer', col => col.notNull())
    .execute()
  await db.schema
    .createIndex('destruction_failures_instruction')
    .on('destruction_failures')
    .columns(['instruction_id', 'reported_at'])
    .execute()
}

/** Removes them. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('destruction_failures').execute()
  await db.schema.dropTable('destruction_data_returns').execute()
  await db.schema.dropTable('destruction_declarations').execute()
  await db.schema.dropTable('destruction_instructions').execute()
}
