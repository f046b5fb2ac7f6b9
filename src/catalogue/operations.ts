import type { Kysely } from 'kysely'
import type { Database } from '../platform/db/schema.ts'
import { notFound } from '../platform/errors.ts'
import type { Catalogue } from './catalogue.ts'
import { builtInRecord, type CatalogueRecord } from './record.ts'
import {
  allItems,
  findCatalogue,
  getItem,
  listCatalogues,
  listGroups,
  searchItems,
  storeCatalogue,
  type ItemFilter,
  type StoredCatalogue,
  type StoredGroup,
  type StoredItem,
} from './store.ts'
import { MCSS_FUNCTIONS } from './schema.ts'

/** What catalogue operations need. */
export interface CatalogueDeps {
  readonly db: Kysely<Database>
  readonly catalogue: Catalogue
  readonly now: () => Date
}

/** Stores the built-in catalogue's version if the store lacks it (at start, and by `migrate`). */
export async function syncBuiltInCatalogue(deps: CatalogueDeps): Promise<{ stored: boolean; ref: string }> {
  return storeCatalogue(deps.db, builtInRecord(deps.catalogue), deps.now())
}

/** Stores an imported framework (already validated into a record). */
export async function importCatalogue(
  deps: CatalogueDeps,
  record: CatalogueRecord,
): Promise<{ stored: boolean; ref: string }> {
  return storeCatalogue(deps.db, record, deps.now())
}

/** Every stored catalogue. */
export async function listStoredCatalogues(deps: CatalogueDeps): Promise<StoredCatalogue[]> {
  return listCatalogues(deps.db)
}

/** A stored catalogue by reference, or NOT_FOUND. */
export async function requireCatalogue(deps: CatalogueDeps, ref: string): Promise<StoredCatalogue> {
  const found = await findCatalogue(deps.db, ref)
  if (found === undefined) throw notFound(`Catalogue ${ref}`)
  return found
}

/** A catalogue's sections with their item counts, and counts by MCSS function, for its home page. */
export async function summariseCatalogue(
  deps: CatalogueDeps,
  ref: string,
): Promise<{
  catalogue: StoredCatalogue
  groups: Array<StoredGroup & { count: number; total: number; informationalCount: number }>
  byFunction: Array<{ name: string; count: number }>
}> {
  const catalogue = await requireCatalogue(deps, ref)
  const [groups, items] = await Promise.all([listGroups(deps.db, catalogue.id), allItems(deps.db, catalogue.id)])
  const own = (groupId: string) =>
    items.filter(item => item.groupId === groupId && item.kind !== 'informational').length
  // A chapter's total includes the sections under it, so the table adds up.
  const total = (groupId: string): number =>
    own(groupId) + groups.filter(group => group.parentId === groupId).reduce((sum, child) => sum + total(child.id), 0)
  return {
    catalogue,
    groups: groups.map(group => ({
      ...group,
      count: own(group.id),
      total: total(group.id),
      informationalCount: items.filter(item => item.groupId === group.id && item.kind === 'informational').length,
    })),
    byFunction: MCSS_FUNCTIONS.map(name => ({ name, count: items.filter(item => item.mcss.includes(name)).length })),
  }
}

/** Requirements matching a filter, one page at a time. */
export async function searchRequirements(
  deps: CatalogueDeps,
  props: { ref: string; filter: ItemFilter; page: number; pageSize: number },
): Promise<{ catalogue: StoredCatalogue; total: number; items: StoredItem[]; groups: StoredGroup[] }> {
  const catalogue = await requireCatalogue(deps, props.ref)
  const [result, groups] = await Promise.all([
    searchItems(deps.db, catalogue.id, props.filter, {
      offset: (props.page - 1) * props.pageSize,
      limit: props.pageSize,
    }),
    listGroups(deps.db, catalogue.id),
  ])
  return { catalogue, ...result, groups }
}

/** One requirement with the groups it sits in, or NOT_FOUND. */
export async function findRequirement(
  deps: CatalogueDeps,
  props: { ref: string; id: string },
): Promise<{ catalogue: StoredCatalogue; item: StoredItem; groupPath: StoredGroup[] }> {
  const catalogue = await requireCatalogue(deps, props.ref)
  const item = await getItem(deps.db, catalogue.id, props.id)
  if (item === undefined) throw notFound(`Requirement ${props.id} in catalogue ${catalogue.ref}`)
  const groups = await listGroups(deps.db, catalogue.id)
  const byId = new Map(groups.map(group => [group.id, group]))
  const groupPath: StoredGroup[] = []
  for (
    let group = byId.get(item.groupId);
    group !== undefined;
    group = group.parentId === null ? undefined : byId.get(group.parentId)
  ) {
    groupPath.unshift(group)
  }
  return { catalogue, item, groupPath }
}

/** Every item and group of a catalogue, in order (the reading view and exports use this). */
export async function readCatalogue(
  deps: CatalogueDeps,
  ref: string,
): Promise<{ catalogue: StoredCatalogue; groups: StoredGroup[]; items: StoredItem[] }> {
  const catalogue = await requireCatalogue(deps, ref)
  const [groups, items] = await Promise.all([listGroups(deps.db, catalogue.id), allItems(deps.db, catalogue.id)])
  return { catalogue, groups, items }
}
