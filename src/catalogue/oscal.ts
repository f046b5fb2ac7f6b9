import { createHash, randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import addFormatsModule from 'ajv-formats'
import { AssureError } from '../platform/errors.ts'
import type { Catalogue, PlacedRequirement } from './catalogue.ts'
import type { CatalogueRecord, GroupRecord, ItemRecord } from './record.ts'
import type { Parameter } from './schema.ts'

/** The OSCAL version Assure writes. */
export const OSCAL_VERSION = '1.1.2'
/** Namespace for the properties OSCAL does not define (obligation, MCSS function, audience, tags...). */
export const ASSURE_NS = 'urn:assure:oscal:moj-supplier'

const SCHEMA_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'oscal', 'oscal_catalog_schema.json')
// ajv-formats is CommonJS with a default export; under Node's ESM loader that default arrives as the module itself.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv

let validator: ValidateFunction | undefined
/** NIST's OSCAL catalog JSON schema, compiled once on first use. */
export function oscalCatalogValidator(): ValidateFunction {
  if (validator === undefined) {
    const ajv = new Ajv({ allErrors: true, strict: false })
    addFormats(ajv)
    validator = ajv.compile(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as object)
  }
  return validator
}

/** Schema errors in words: the JSON pointer and what is wrong. */
export function describeSchemaErrors(
  errors: readonly ErrorObject[] | null | undefined,
): Array<{ path: string; message: string }> {
  return (errors ?? []).slice(0, 50).map(error => ({
    path: error.instancePath === '' ? '/' : error.instancePath,
    message: `${error.message ?? 'is not valid'}${error.params !== undefined && 'additionalProperty' in error.params ? `: ${String(error.params.additionalProperty)}` : ''}`,
  }))
}

/** A stable RFC 4122 version-5-style UUID derived from a name, so one catalogue version always exports the same UUIDs. */
export function nameUuid(name: string): string {
  const bytes = createHash('sha1').update(`assure:${name}`).digest().subarray(0, 16)
  // Version 5 in the high nibble of byte 6; the RFC 4122 variant (10xx) in the high bits of byte 8.
  bytes[6] = ((bytes[6] ?? 0) % 16) + 0x50
  bytes[8] = ((bytes[8] ?? 0) % 64) + 0x80
  const hex = bytes.toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

const prop = (name: string, value: string, ns: string | undefined = ASSURE_NS) =>
  ns === undefined ? { name, value } : { name, ns, value }

function parameterValues(parameter: Parameter): string[] {
  switch (parameter.type) {
    case 'integer':
    case 'decimal':
      return [String(parameter.value)]
    case 'list':
      return [...parameter.value]
    case 'contact':
      return [parameter.value.name, parameter.value.title, parameter.value.email]
    default:
      return [parameter.value]
  }
}

function oscalParameter(parameter: Parameter) {
  const props = [prop('value-type', parameter.type)]
  if ('unit' in parameter) props.push(prop('unit', parameter.unit))
  if (parameter.type === 'list' && parameter.ranked === true) props.push(prop('ranked', 'true'))
  if (parameter.type === 'contact') props.push(prop('value-order', 'name title email'))
  return { id: parameter.id, label: parameter.label, props, values: parameterValues(parameter) }
}

/** NIST's own control browser, which takes the control number as it is written. */
const nistHref = (control: string) =>
  `https://csrc.nist.gov/projects/cprt/catalog#/cprt/framework/version/SP_800_53_5_1_1/home?element=${encodeURIComponent(control)}`

function oscalControl(requirement: PlacedRequirement, sectionPath: readonly string[]) {
  const props = [
    prop('label', requirement.id, undefined),
    prop('obligation', requirement.obligation),
    ...requirement.mcss.map(fn => prop('mcss-function', fn)),
    prop('audience', requirement.audience),
    ...requirement.tags.map(tag => prop('applicability', tag)),
    prop('evidence-kind', requirement.evidence),
    ...(requirement.check === undefined ? [] : [prop('automated-check', requirement.check)]),
    ...requirement.caf.map(principle => prop('ncsc-caf-principle', principle)),
    ...requirement.parameterRefs.map(ref => prop('parameter-ref', ref)),
  ]
  const source = [...sectionPath, ...(requirement.subsection === undefined ? [] : [requirement.subsection])].join(' > ')
  return {
    id: requirement.id,
    class: 'requirement',
    title: requirement.title,
    ...(requirement.parameters.length > 0 ? { params: requirement.parameters.map(oscalParameter) } : {}),
    props,
    ...(requirement.nist.length > 0
      ? {
          links: requirement.nist.map(control => ({
            href: nistHref(control),
            rel: 'related',
            text: `NIST SP 800-53 rev 5 ${control}`,
          })),
        }
      : {}),
    parts: [
      { id: `${requirement.id}_smt`, name: 'statement', prose: requirement.statement },
      { id: `${requirement.id}_gdn`, name: 'guidance', prose: `Source: ${source}.` },
    ],
  }
}

/** The built-in catalogue as an OSCAL 1.1.2 catalog: a group per section, a control per requirement. */
export function exportOscalCatalog(catalogue: Catalogue, lastModified: Date): unknown {
  type OscalGroup = {
    id: string
    class: string
    title: string
    parts?: unknown[]
    groups?: OscalGroup[]
    controls?: unknown[]
  }
  const groups = new Map<string, OscalGroup>()
  const roots: OscalGroup[] = []
  for (const section of catalogue.sections) {
    const controls = catalogue.requirements
      .filter(r => r.section === section.slug)
      .map(r => oscalControl(r, section.path))
    const overview = [
      ...(section.informational === null
        ? []
        : [{ id: `${section.slug}_ovw`, name: 'overview', prose: section.informational }]),
      ...catalogue.informational
        .filter(entry => entry.section === section.slug)
        .map(entry => ({ id: entry.id, name: 'overview', title: entry.title, prose: entry.summary })),
    ]
    const group: OscalGroup = {
      id: section.slug,
      class: 'section',
      title: section.heading,
      ...(overview.length > 0 ? { parts: overview } : {}),
      ...(controls.length > 0 ? { controls } : {}),
    }
    groups.set(section.slug, group)
    const parent = section.parentSlug === null ? undefined : groups.get(section.parentSlug)
    if (parent === undefined) roots.push(group)
    else parent.groups = [...(parent.groups ?? []), group]
  }
  return {
    catalog: {
      uuid: nameUuid(`${catalogue.id}@${catalogue.version}`),
      metadata: {
        title: catalogue.title,
        published: `${catalogue.date}T00:00:00Z`,
        'last-modified': lastModified.toISOString(),
        version: catalogue.version,
        'oscal-version': OSCAL_VERSION,
        props: [prop('catalogue-id', catalogue.id)],
        remarks:
          'Encoded by Assure from the Ministry of Justice Cyber Security Guidance: Supplier Edition. Statements quote the guidance verbatim.',
      },
      groups: roots,
    },
  }
}

// --- import --------------------------------------------------------------------------------------------------

interface OscalPart {
  id?: string
  name: string
  title?: string
  prose?: string
  parts?: OscalPart[]
}
interface OscalParam {
  id: string
  label?: string
  values?: string[]
}
interface OscalProp {
  name: string
  value: string
}
interface OscalControl {
  id: string
  title: string
  class?: string
  params?: OscalParam[]
  props?: OscalProp[]
  parts?: OscalPart[]
  controls?: OscalControl[]
}
interface OscalGroupIn {
  id?: string
  title: string
  parts?: OscalPart[]
  groups?: OscalGroupIn[]
  controls?: OscalControl[]
}
interface OscalCatalogIn {
  uuid: string
  metadata: { title: string; version: string; published?: string; 'last-modified': string }
  groups?: OscalGroupIn[]
  controls?: OscalControl[]
}

/** Prose with OSCAL's `{{ insert: param, id }}` replaced by the parameter's values or label. */
function resolveInserts(prose: string, params: ReadonlyMap<string, OscalParam>): string {
  return prose.replace(/\{\{\s*insert:\s*param,\s*([^\s}]+)\s*\}\}/g, (_match, id: string) => {
    const param = params.get(id)
    if (param?.values !== undefined) return param.values.join(', ')
    return `[Assignment: ${param?.label ?? id}]`
  })
}

function flattenProse(parts: readonly OscalPart[] | undefined, params: ReadonlyMap<string, OscalParam>): string {
  return (parts ?? [])
    .map(part =>
      [part.prose === undefined ? '' : resolveInserts(part.prose, params), flattenProse(part.parts, params)]
        .filter(Boolean)
        .join('\n'),
    )
    .filter(Boolean)
    .join('\n')
}

const slugify = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60) || 'catalog'

/**
 * Validates a document against NIST's OSCAL catalog schema and turns it into a record to store.
 * An invalid document is refused with the schema errors listed; nothing is returned to store.
 */
export function importOscalCatalog(document: unknown): CatalogueRecord {
  const validate = oscalCatalogValidator()
  if (!validate(document)) {
    throw new AssureError('OSCAL_INVALID', 'The file is not a valid OSCAL catalog', {
      problems: describeSchemaErrors(validate.errors),
    })
  }
  const { catalog } = document as { catalog: OscalCatalogIn }
  const groups: GroupRecord[] = []
  const items: ItemRecord[] = []
  const seenGroupIds = new Set<string>()

  const addControls = (
    controls: readonly OscalControl[] | undefined,
    groupId: string,
    inherited: ReadonlyMap<string, OscalParam>,
  ) => {
    for (const control of controls ?? []) {
      const params = new Map(inherited)
      for (const param of control.params ?? []) params.set(param.id, param)
      const statementParts = (control.parts ?? []).filter(part => part.name === 'statement')
      const label = control.props?.find(p => p.name === 'label')?.value
      items.push({
        id: control.id,
        groupId,
        kind: 'control',
        title: label === undefined ? control.title : `${label} ${control.title}`,
        statement: flattenProse(statementParts.length > 0 ? statementParts : control.parts, params) || control.title,
        obligation: null,
        mcss: [],
        audience: null,
        tags: [],
        keywords: (control.parts ?? [])
          .filter(part => part.name !== 'statement')
          .map(part => flattenProse([part], params)),
        document: control,
      })
      addControls(control.controls, groupId, params)
    }
  }

  const addGroup = (group: OscalGroupIn, parentId: string | null, level: number, index: number) => {
    let id = group.id ?? `${parentId ?? 'group'}-${index + 1}`
    while (seenGroupIds.has(id)) id = `${id}-x`
    seenGroupIds.add(id)
    const summary = flattenProse(group.parts, new Map())
    groups.push({ id, parentId, title: group.title, level, summary: summary === '' ? null : summary })
    addControls(group.controls, id, new Map())
    ;(group.groups ?? []).forEach((child, i) => addGroup(child, id, level + 1, i))
  }

  if ((catalog.controls ?? []).length > 0) {
    groups.push({ id: 'ungrouped', parentId: null, title: 'Controls outside any group', level: 1, summary: null })
    seenGroupIds.add('ungrouped')
    addControls(catalog.controls, 'ungrouped', new Map())
  }
  ;(catalog.groups ?? []).forEach((group, i) => addGroup(group, null, 1, i))

  const ids = new Set<string>()
  for (const item of items) {
    if (ids.has(item.id)) {
      throw new AssureError('OSCAL_INVALID', 'The file is not a valid OSCAL catalog', {
        problems: [{ path: `control ${item.id}`, message: 'control IDs must be unique within the catalog' }],
      })
    }
    ids.add(item.id)
  }
  const framework = slugify(catalog.metadata.title)
  return {
    id: randomUUID(),
    ref: `${framework}-${slugify(catalog.metadata.version)}`,
    framework,
    title: catalog.metadata.title,
    version: catalog.metadata.version,
    published: (catalog.metadata.published ?? catalog.metadata['last-modified']).slice(0, 10),
    kind: 'oscal',
    groups,
    items,
  }
}
