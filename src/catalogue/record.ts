import { createHash, randomUUID } from 'node:crypto'
import type { Catalogue } from './catalogue.ts'

/** A group of items in a stored catalogue: a section of the guidance, or an OSCAL group. */
export interface GroupRecord {
  readonly id: string
  readonly parentId: string | null
  readonly title: string
  readonly level: number
  readonly summary: string | null
}

/** One item in a stored catalogue: a requirement, an informational entry, or an imported OSCAL control. */
export interface ItemRecord {
  readonly id: string
  readonly groupId: string
  readonly kind: 'requirement' | 'informational' | 'control'
  readonly title: string
  readonly statement: string
  readonly obligation: string | null
  readonly mcss: readonly string[]
  readonly audience: string | null
  readonly tags: readonly string[]
  /** Words that search should also find the item by (parameter labels, mappings). */
  readonly keywords: readonly string[]
  /** The item as its source gave it, for pages and exports. */
  readonly document: unknown
}

/** A catalogue ready to store, whatever its source. */
export interface CatalogueRecord {
  readonly id: string
  readonly ref: string
  readonly framework: string
  readonly title: string
  readonly version: string
  readonly published: string
  readonly kind: 'builtin' | 'oscal'
  readonly groups: readonly GroupRecord[]
  readonly items: readonly ItemRecord[]
}

/** SHA-256 over a record's content, so a changed catalogue that kept its version number is noticed. */
export function contentHash(record: Pick<CatalogueRecord, 'groups' | 'items' | 'title'>): string {
  return createHash('sha256')
    .update(JSON.stringify({ title: record.title, groups: record.groups, items: record.items }))
    .digest('hex')
}

/** The built-in catalogue as a record: sections become groups, requirements and informational entries become items. */
export function builtInRecord(catalogue: Catalogue): CatalogueRecord {
  const groups = catalogue.sections.map(section => ({
    id: section.slug,
    parentId: section.parentSlug,
    title: section.heading,
    level: section.level,
    summary: section.informational,
  }))
  const items: ItemRecord[] = []
  for (const section of catalogue.sections) {
    for (const requirement of catalogue.requirements.filter(r => r.section === section.slug)) {
      items.push({
        id: requirement.id,
        groupId: section.slug,
        kind: 'requirement',
        title: requirement.title,
        statement: requirement.statement,
        obligation: requirement.obligation,
        mcss: requirement.mcss,
        audience: requirement.audience,
        tags: requirement.tags,
        keywords: [
          ...requirement.parameters.map(p => p.label),
          ...requirement.nist,
          ...requirement.caf,
          requirement.subsection ?? '',
        ],
        document: requirement,
      })
    }
    for (const entry of catalogue.informational.filter(i => i.section === section.slug)) {
      items.push({
        id: entry.id,
        groupId: section.slug,
        kind: 'informational',
        title: entry.title,
        statement: entry.summary,
        obligation: null,
        mcss: [],
        audience: null,
        tags: [],
        keywords: [entry.subsection ?? ''],
        document: entry,
      })
    }
  }
  return {
    id: randomUUID(),
    ref: catalogue.version,
    framework: catalogue.id,
    title: catalogue.title,
    version: catalogue.version,
    published: catalogue.date,
    kind: 'builtin',
    groups,
    items,
  }
}
