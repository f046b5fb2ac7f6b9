import type { Catalogue, CatalogueSection, PlacedInformational, PlacedRequirement } from './catalogue.ts'
import type { Informational, Parameter, Requirement } from './schema.ts'
import type { StoredCatalogue, StoredGroup, StoredItem } from './store.ts'

/** Rebuilds a built-in catalogue version from the store, so any stored version can be exported, not only the running one. */
export function catalogueFromStore(
  stored: StoredCatalogue,
  groups: readonly StoredGroup[],
  items: readonly StoredItem[],
  guidanceText: string,
): Catalogue {
  const byId = new Map(groups.map(group => [group.id, group]))
  const pathOf = (group: StoredGroup): string[] => {
    const parent = group.parentId === null ? undefined : byId.get(group.parentId)
    return parent === undefined ? [group.title] : [...pathOf(parent), group.title]
  }
  const sections: CatalogueSection[] = groups.map(group => ({
    slug: group.id,
    heading: group.title,
    level: group.level,
    parentSlug: group.parentId,
    path: pathOf(group),
    prefix: null,
    informational: group.summary,
  }))
  const requirements: PlacedRequirement[] = items
    .filter(item => item.kind === 'requirement')
    .map(item => ({ ...(item.document as Requirement), section: item.groupId }))
  const informational: PlacedInformational[] = items
    .filter(item => item.kind === 'informational')
    .map(item => ({ ...(item.document as Informational), section: item.groupId }))
  const parameters = new Map<string, Parameter & { requirement: string }>()
  for (const requirement of requirements) {
    for (const parameter of requirement.parameters)
      parameters.set(parameter.id, { ...parameter, requirement: requirement.id })
  }
  return {
    id: stored.framework,
    title: stored.title,
    version: stored.version,
    date: stored.published,
    sections,
    requirements,
    informational,
    parameters,
    guidanceText,
  }
}
