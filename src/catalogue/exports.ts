import { toCsv } from '../platform/csv/csv.ts'
import type { Catalogue } from './catalogue.ts'
import { exportOscalCatalog } from './oscal.ts'
import { describeParameter } from './presenters.ts'

/** The formats `catalogue export` writes. */
export const EXPORT_FORMATS = ['oscal', 'json', 'csv'] as const
export type ExportFormat = (typeof EXPORT_FORMATS)[number]

/** The catalogue as plain JSON: the manifest's header, sections, requirements and informational entries. */
export function exportJson(catalogue: Catalogue) {
  return {
    id: catalogue.id,
    title: catalogue.title,
    version: catalogue.version,
    date: catalogue.date,
    sections: catalogue.sections,
    requirements: catalogue.requirements,
    informational: catalogue.informational,
  }
}

/** One row per requirement, for spreadsheets. */
export function exportCsv(catalogue: Catalogue): string {
  const paths = new Map(catalogue.sections.map(section => [section.slug, section.path.join(' > ')]))
  const header = [
    'id',
    'section',
    'subsection',
    'title',
    'statement',
    'obligation',
    'mcss',
    'audience',
    'tags',
    'parameters',
    'evidence',
    'check',
    'nist_800_53_r5',
    'ncsc_caf',
  ]
  const rows = catalogue.requirements.map(r => [
    r.id,
    paths.get(r.section) ?? r.section,
    r.subsection ?? '',
    r.title,
    r.statement,
    r.obligation,
    r.mcss.join(' '),
    r.audience,
    r.tags.join(' '),
    r.parameters.map(p => `${p.id}=${describeParameter(p)}`).join('; '),
    r.evidence,
    r.check ?? '',
    r.nist.join(' '),
    r.caf.join(' '),
  ])
  return toCsv([header, ...rows])
}

/** The catalogue in one of the export formats, as text. */
export function exportCatalogue(catalogue: Catalogue, format: ExportFormat, now: Date): string {
  switch (format) {
    case 'oscal':
      return `${JSON.stringify(exportOscalCatalog(catalogue, now), null, 2)}\n`
    case 'json':
      return `${JSON.stringify(exportJson(catalogue), null, 2)}\n`
    default:
      return exportCsv(catalogue)
  }
}
