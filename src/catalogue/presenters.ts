import { describeDuration } from '../platform/duration.ts'
import { paths } from '../paths.ts'
import type { Parameter, Requirement } from './schema.ts'
import type { StoredCatalogue, StoredGroup, StoredItem } from './store.ts'

const OBLIGATION_LABELS: Record<string, string> = {
  must: 'Must',
  should: 'Should',
  'must-not': 'Must not',
  'should-not': 'Should not',
  may: 'May',
}
const AUDIENCE_LABELS: Record<string, string> = {
  authority: 'The Authority',
  supplier: 'Suppliers',
  both: 'The Authority and suppliers',
}

/** A label for an obligation keyword. */
export const obligationLabel = (obligation: string | null) =>
  obligation === null ? '' : (OBLIGATION_LABELS[obligation] ?? obligation)
/** A label for an audience keyword. */
export const audienceLabel = (audience: string | null) =>
  audience === null ? '' : (AUDIENCE_LABELS[audience] ?? audience)

/** A parameter's value in words, with its unit: "14 days", "10 attempts", "160 mm²". */
export function describeParameter(parameter: Parameter): string {
  switch (parameter.type) {
    case 'duration':
      return describeDuration(parameter.value)
    case 'integer':
    case 'decimal':
      return `${parameter.value} ${parameter.unit.replace(/^mm2$/, 'mm²')}`
    case 'list':
      return parameter.value.join(parameter.ranked === true ? ' › ' : ', ')
    case 'contact':
      return `${parameter.value.name} (${parameter.value.title}), ${parameter.value.email}`
    default:
      return parameter.value
  }
}

const EVIDENCE_LABELS: Record<string, string> = {
  attestation: 'Attestation',
  document: 'Document',
  automated: 'Automated check',
}
/** How a requirement is evidenced, naming the automated check where there is one. */
export const evidenceLabel = (requirement: Requirement) =>
  `${EVIDENCE_LABELS[requirement.evidence] ?? requirement.evidence}${requirement.check === undefined ? '' : ` (${requirement.check})`}`

const AUDIENCE_FILTER_LABELS: Record<string, string> = {
  authority: 'The Authority',
  supplier: 'Suppliers',
  both: 'Both',
}
/** A label for an audience in the filter list. */
export const audienceFilterLabel = (audience: string) => AUDIENCE_FILTER_LABELS[audience] ?? audience

const isRequirementDocument = (item: StoredItem): boolean => item.kind === 'requirement'

/** A requirement (or imported control) for the JSON API. */
export function presentItemForApi(catalogue: StoredCatalogue, item: StoredItem, groupPath: readonly StoredGroup[]) {
  const base = {
    id: item.id,
    kind: item.kind,
    title: item.title,
    statement: item.statement,
    section: { id: item.groupId, path: groupPath.map(group => group.title) },
    links: { self: paths.api.requirement(catalogue.ref, item.id), html: paths.requirement(catalogue.ref, item.id) },
  }
  if (!isRequirementDocument(item)) return { ...base, oscal: item.document }
  const requirement = item.document as Requirement
  return {
    ...base,
    subsection: requirement.subsection ?? null,
    obligation: requirement.obligation,
    mcss: requirement.mcss,
    audience: requirement.audience,
    tags: requirement.tags,
    parameters: requirement.parameters.map(p => ({ ...p, description: describeParameter(p) })),
    parameterRefs: requirement.parameterRefs,
    evidence: requirement.evidence,
    check: requirement.check ?? null,
    mappings: { nist80053r5: requirement.nist, ncscCaf: requirement.caf },
  }
}

/** A row of a requirement list page. */
export function presentListItem(catalogue: StoredCatalogue, item: StoredItem, groupTitle: string) {
  return {
    id: item.id,
    href: paths.requirement(catalogue.ref, item.id),
    title: item.title,
    statement: item.statement,
    obligation: obligationLabel(item.obligation),
    mcss: item.mcss,
    section: groupTitle,
  }
}

/** The requirement page's view model. */
export function presentRequirementPage(
  catalogue: StoredCatalogue,
  item: StoredItem,
  groupPath: readonly StoredGroup[],
) {
  const section = groupPath.at(-1)
  const base = {
    catalogue,
    id: item.id,
    title: item.title,
    statement: item.statement,
    kind: item.kind,
    breadcrumbs: groupPath.map(group => group.title),
    sectionTitle: section?.title ?? '',
    sectionHref: paths.requirements(catalogue.ref, { section: item.groupId }),
    guidanceHref:
      catalogue.kind === 'builtin' ? `${paths.guidanceSection(catalogue.ref, item.groupId)}#${item.id}` : null,
  }
  if (!isRequirementDocument(item)) {
    return { ...base, rows: [], parameters: [], nist: [], caf: [], subsection: null }
  }
  const requirement = item.document as Requirement
  return {
    ...base,
    subsection: requirement.subsection ?? null,
    rows: [
      { key: 'Obligation', value: obligationLabel(requirement.obligation) },
      { key: 'MCSS function', value: requirement.mcss.join(', ') },
      { key: 'Applies to', value: audienceLabel(requirement.audience) },
      { key: 'Applicability tags', value: requirement.tags.join(', ') || 'None' },
      {
        key: 'Evidence',
        value: evidenceLabel(requirement),
      },
    ],
    parameters: [
      ...requirement.parameters.map(p => ({
        id: p.id,
        label: p.label,
        value: describeParameter(p),
        raw: p.type === 'duration' ? p.value : null,
        defined: true,
      })),
      ...requirement.parameterRefs.map(ref => ({
        id: ref,
        label: ref,
        value: 'Defined on another requirement',
        raw: null,
        defined: false,
      })),
    ],
    nist: requirement.nist,
    caf: requirement.caf,
  }
}
