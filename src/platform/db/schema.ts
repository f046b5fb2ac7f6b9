/** Table types shared by both engines. Times are ISO 8601 UTC text and JSON is text, so both engines read the same values. */

export interface CataloguesTable {
  id: string
  ref: string
  framework: string
  title: string
  version: string
  published: string
  kind: 'builtin' | 'oscal'
  content_hash: string
  /** Catalogues never change once stored, so their size is kept rather than counted on every read. */
  requirement_count: number
  stored_at: string
}

export interface CatalogueGroupsTable {
  catalogue_id: string
  group_id: string
  parent_group_id: string | null
  title: string
  level: number
  position: number
  summary: string | null
}

export interface CatalogueItemsTable {
  catalogue_id: string
  item_id: string
  group_id: string
  kind: 'requirement' | 'informational' | 'control'
  title: string
  statement: string
  obligation: string | null
  mcss: string
  audience: string | null
  tags: string
  search_text: string
  position: number
  document: string
}

/** The whole store, as Kysely sees it. */
export interface Database {
  catalogues: CataloguesTable
  catalogue_groups: CatalogueGroupsTable
  catalogue_items: CatalogueItemsTable
}
