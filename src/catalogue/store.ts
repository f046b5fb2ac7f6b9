import { sql, type Kysely, type Transaction } from 'kysely'
import type { Database } from '../platform/db/schema.ts'
import { AssureError } from '../platform/errors.ts'
import { contentHash, type CatalogueRecord } from './record.ts'

type Db = Kysely<Database> | Transaction<Database>

/** A stored catalogue's header, as listings show it. */
export interface StoredCatalogue {
  readonly id: string
  readonly ref: string
  readonly framework: string
  readonly title: string
  readonly version: string
  readonly published: string
  readonly kind: 'builtin' | 'oscal'
  readonly storedAt: string
  readonly itemCount: number
}

/** A stored item, as pages and the API read it. */
export interface StoredItem {
  readonly id: string
  readonly groupId: string
  readonly kind: 'requirement' | 'informational' | 'control'
  readonly title: string
  readonly statement: string
  readonly obligation: string | null
  readonly mcss: readonly string[]
  readonly audience: string | null
  readonly tags: readonly string[]
  readonly position: number
  readonly document: unknown
}

/** A stored group (section). */
export interface StoredGroup {
  readonly id: string
  readonly parentId: string | null
  readonly title: string
  readonly level: number
  readonly position: number
  readonly summary: string | null
}

/** What a requirement search may filter on; every field is optional. */
export interface ItemFilter {
  readonly text?: string | undefined
  readonly obligation?: string | undefined
  readonly mcss?: string | undefined
  readonly audience?: string | undefined
  readonly tag?: string | undefined
  readonly group?: string | undefined
  readonly includeInformational?: boolean | undefined
}

/** Words padded with spaces so `like '% word %'` finds whole words on both engines. */
const wordList = (words: readonly string[]) => ` ${words.join(' ')} `
const likeEscape = (text: string) => text.replace(/[\\%_]/g, match => `\\${match}`)

/**
 * Stores a catalogue unless the same framework and version is there already. A stored version whose content
 * differs is refused: a catalogue version, once published, never changes meaning.
 */
export async function storeCatalogue(
  db: Kysely<Database>,
  record: CatalogueRecord,
  now: Date,
): Promise<{ stored: boolean; ref: string }> {
  const hash = contentHash(record)
  return db.transaction().execute(async trx => {
    const existing = await trx
      .selectFrom('catalogues')
      .select(['ref', 'content_hash'])
      .where('framework', '=', record.framework)
      .where('version', '=', record.version)
      .executeTakeFirst()
    if (existing !== undefined) {
      if (existing.content_hash !== hash) {
        throw new AssureError(
          'CONFLICT',
          `${record.title} version ${record.version} is already stored with different content; give the changed catalogue a new version`,
        )
      }
      return { stored: false, ref: existing.ref }
    }
    const clash = await trx.selectFrom('catalogues').select('id').where('ref', '=', record.ref).executeTakeFirst()
    if (clash !== undefined)
      throw new AssureError('CONFLICT', `A catalogue with the reference ${record.ref} is already stored`)
    await trx
      .insertInto('catalogues')
      .values({
        id: record.id,
        ref: record.ref,
        framework: record.framework,
        title: record.title,
        version: record.version,
        published: record.published,
        kind: record.kind,
        content_hash: hash,
        requirement_count: record.items.filter(item => item.kind !== 'informational').length,
        stored_at: now.toISOString(),
      })
      .execute()
    const groups = record.groups.map((group, position) => ({
      catalogue_id: record.id,
      group_id: group.id,
      parent_group_id: group.parentId,
      title: group.title,
      level: group.level,
      position,
      summary: group.summary,
    }))
    const items = record.items.map((item, position) => ({
      catalogue_id: record.id,
      item_id: item.id,
      group_id: item.groupId,
      kind: item.kind,
      title: item.title,
      statement: item.statement,
      obligation: item.obligation,
      mcss: wordList(item.mcss),
      audience: item.audience,
      tags: wordList(item.tags),
      search_text: [item.id, item.title, item.statement, ...item.tags, ...item.keywords].join(' ').toLowerCase(),
      position,
      document: JSON.stringify(item.document),
    }))
    // Batches keep each statement under SQLite's and PostgreSQL's bound-parameter limits.
    for (let i = 0; i < groups.length; i += 100)
      await trx
        .insertInto('catalogue_groups')
        .values(groups.slice(i, i + 100))
        .execute()
    for (let i = 0; i < items.length; i += 50)
      await trx
        .insertInto('catalogue_items')
        .values(items.slice(i, i + 50))
        .execute()
    return { stored: true, ref: record.ref }
  })
}

function toStoredCatalogue(row: {
  id: string
  ref: string
  framework: string
  title: string
  version: string
  published: string
  kind: 'builtin' | 'oscal'
  stored_at: string
  item_count: number
}): StoredCatalogue {
  return {
    id: row.id,
    ref: row.ref,
    framework: row.framework,
    title: row.title,
    version: row.version,
    published: row.published,
    kind: row.kind,
    storedAt: row.stored_at,
    itemCount: row.item_count,
  }
}

const catalogueColumns = (db: Db) =>
  db
    .selectFrom('catalogues as c')
    .select(['c.id', 'c.ref', 'c.framework', 'c.title', 'c.version', 'c.published', 'c.kind', 'c.stored_at'])
    .select('c.requirement_count as item_count')

/** Every stored catalogue: the built-in versions first (newest first), then imported frameworks by title. */
export async function listCatalogues(db: Db): Promise<StoredCatalogue[]> {
  const rows = await catalogueColumns(db).orderBy('c.kind').orderBy('c.stored_at', 'desc').orderBy('c.title').execute()
  return rows.map(toStoredCatalogue)
}

/** A catalogue by reference: `latest` (newest built-in version), a built-in version, or an imported catalogue's ref. */
export async function findCatalogue(db: Db, ref: string): Promise<StoredCatalogue | undefined> {
  let query = catalogueColumns(db)
  query =
    ref === 'latest'
      ? query.where('c.kind', '=', 'builtin').orderBy('c.stored_at', 'desc')
      : query.where('c.ref', '=', ref)
  const row = await query.limit(1).executeTakeFirst()
  return row === undefined ? undefined : toStoredCatalogue(row)
}

/** The catalogue's groups, in order. */
export async function listGroups(db: Db, catalogueId: string): Promise<StoredGroup[]> {
  const rows = await db
    .selectFrom('catalogue_groups')
    .selectAll()
    .where('catalogue_id', '=', catalogueId)
    .orderBy('position')
    .execute()
  return rows.map(row => ({
    id: row.group_id,
    parentId: row.parent_group_id,
    title: row.title,
    level: row.level,
    position: row.position,
    summary: row.summary,
  }))
}

const splitWords = (text: string) =>
  text
    .trim()
    .split(/\s+/)
    .filter(word => word !== '')

function toStoredItem(row: Database['catalogue_items']): StoredItem {
  return {
    id: row.item_id,
    groupId: row.group_id,
    kind: row.kind,
    title: row.title,
    statement: row.statement,
    obligation: row.obligation,
    mcss: splitWords(row.mcss),
    audience: row.audience,
    tags: splitWords(row.tags),
    position: row.position,
    document: JSON.parse(row.document),
  }
}

/** Items matching a filter, a page at a time, with the total that matched. Every word of the text must appear. */
export async function searchItems(
  db: Db,
  catalogueId: string,
  filter: ItemFilter,
  page: { offset: number; limit: number },
): Promise<{ total: number; items: StoredItem[] }> {
  let query = db.selectFrom('catalogue_items').where('catalogue_id', '=', catalogueId)
  if (filter.includeInformational !== true) query = query.where('kind', '!=', 'informational')
  for (const word of splitWords(filter.text?.toLowerCase() ?? '')) {
    query = query.where(sql<boolean>`search_text like ${`%${likeEscape(word)}%`} escape '\\'`)
  }
  if (filter.obligation !== undefined) query = query.where('obligation', '=', filter.obligation)
  if (filter.mcss !== undefined) query = query.where('mcss', 'like', `% ${likeEscape(filter.mcss)} %`)
  if (filter.audience !== undefined) query = query.where('audience', 'in', [filter.audience, 'both'])
  if (filter.tag !== undefined)
    query = query.where(sql<boolean>`tags like ${`% ${likeEscape(filter.tag)} %`} escape '\\'`)
  if (filter.group !== undefined) query = query.where('group_id', '=', filter.group)
  const counted = await query.select(eb => eb.fn.countAll<number>().as('n')).executeTakeFirst()
  const rows = await query.selectAll().orderBy('position').offset(page.offset).limit(page.limit).execute()
  return { total: Number(counted?.n ?? 0), items: rows.map(toStoredItem) }
}

/** One item by ID, or undefined. */
export async function getItem(db: Db, catalogueId: string, itemId: string): Promise<StoredItem | undefined> {
  const row = await db
    .selectFrom('catalogue_items')
    .selectAll()
    .where('catalogue_id', '=', catalogueId)
    .where('item_id', '=', itemId)
    .executeTakeFirst()
  return row === undefined ? undefined : toStoredItem(row)
}

/** Every item of a catalogue in order (for exports and the reading view). */
export async function allItems(db: Db, catalogueId: string): Promise<StoredItem[]> {
  const rows = await db
    .selectFrom('catalogue_items')
    .selectAll()
    .where('catalogue_id', '=', catalogueId)
    .orderBy('position')
    .execute()
  return rows.map(toStoredItem)
}
