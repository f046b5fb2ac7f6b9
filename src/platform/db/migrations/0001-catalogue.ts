import type { Kysely } from 'kysely'

/** Catalogues (the built-in guidance and imported OSCAL frameworks), their groups and their items. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('catalogues')
    .addColumn('id', 'text', col => col.primaryKey())
    .addColumn('ref', 'text', col => col.notNull().unique())
    .addColumn('framework', 'text', col => col.notNull())
    .addColumn('title', 'text', col => col.notNull())
    .addColumn('version', 'text', col => col.notNull())
    .addColumn('published', 'text', col => col.notNull())
    .addColumn('kind', 'text', col => col.notNull())
    .addColumn('content_hash', 'text', col => col.notNull())
    .addColumn('requirement_count', 'integer', col => col.notNull())
    .addColumn('stored_at', 'text', col => col.notNull())
    .addUniqueConstraint('catalogues_framework_version', ['framework', 'version'])
    .execute()

  await db.schema
    .createTable('catalogue_groups')
    .addColumn('catalogue_id', 'text', col => col.notNull().references('catalogues.id').onDelete('cascade'))
    .addColumn('group_id', 'text', col => col.notNull())
    .addColumn('parent_group_id', 'text')
    .addColumn('title', 'text', col => col.notNull())
    .addColumn('level', 'integer', col => col.notNull())
    .addColumn('position', 'integer', col => col.notNull())
    .addColumn('summary', 'text')
    .addPrimaryKeyConstraint('catalogue_groups_pk', ['catalogue_id', 'group_id'])
    .execute()

  await db.schema
    .createTable('catalogue_items')
    .addColumn('catalogue_id', 'text', col => col.notNull().references('catalogues.id').onDelete('cascade'))
    .addColumn('item_id', 'text', col => col.notNull())
    .addColumn('group_id', 'text', col => col.notNull())
    .addColumn('kind', 'text', col => col.notNull())
    .addColumn('title', 'text', col => col.notNull())
    .addColumn('statement', 'text', col => col.notNull())
    .addColumn('obligation', 'text')
    .addColumn('mcss', 'text', col => col.notNull())
    .addColumn('audience', 'text')
    .addColumn('tags', 'text', col => col.notNull())
    .addColumn('search_text', 'text', col => col.notNull())
    .addColumn('position', 'integer', col => col.notNull())
    .addColumn('document', 'text', col => col.notNull())
    .addPrimaryKeyConstraint('catalogue_items_pk', ['catalogue_id', 'item_id'])
    .execute()

  await db.schema
    .createIndex('catalogue_items_by_position')
    .on('catalogue_items')
    .columns(['catalogue_id', 'position'])
    .execute()
}

/** Removes the catalogue tables. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('catalogue_items').execute()
  await db.schema.dropTable('catalogue_groups').execute()
  await db.schema.dropTable('catalogues').execute()
}
