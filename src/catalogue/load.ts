import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { z } from 'zod'
import { AssureError, type Problem } from '../platform/errors.ts'
import { problemsFrom } from '../platform/validation.ts'
import { placeSections, type Catalogue, type PlacedInformational, type PlacedRequirement } from './catalogue.ts'
import { ManifestSchema, SectionFileSchema, type Parameter } from './schema.ts'

/** The folder holding the built-in catalogue's data files. */
export const BUILT_IN_DATA_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'data')

function readJson(file: string, problems: Problem[]): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'))
  } catch (error) {
    problems.push({ path: path.basename(file), message: `is not readable JSON: ${(error as Error).message}` })
    return undefined
  }
}

function parseWith<S extends z.ZodType>(
  schema: S,
  value: unknown,
  where: string,
  problems: Problem[],
): z.infer<S> | undefined {
  // An unreadable file has already been reported; its missing value would only add noise.
  if (value === undefined) return undefined
  const result = schema.safeParse(value)
  if (result.success) return result.data
  problems.push(
    ...problemsFrom(result.error).map(problem => ({ path: `${where}:${problem.path}`, message: problem.message })),
  )
  return undefined
}

/**
 * Loads and validates the catalogue data: schemas, unique IDs, prefixes, parameters defined once and
 * references that resolve. Every problem is collected before CATALOGUE_INVALID is thrown.
 */
export function loadCatalogue(dataDir: string = BUILT_IN_DATA_DIR): Catalogue {
  const problems: Problem[] = []
  const manifest = parseWith(
    ManifestSchema,
    readJson(path.join(dataDir, 'catalogue.json'), problems),
    'catalogue.json',
    problems,
  )
  if (manifest === undefined)
    throw new AssureError('CATALOGUE_INVALID', 'The catalogue data is not valid', { problems })
  const sections = placeSections(manifest)
  const bySlug = new Map(sections.map(section => [section.slug, section]))

  const requirements: PlacedRequirement[] = []
  const informational: PlacedInformational[] = []
  const ids = new Set<string>()
  const sectionsDir = path.join(dataDir, 'sections')
  const files = readdirSync(sectionsDir)
    .filter(name => name.endsWith('.json'))
    .sort()
  const filesBySection = new Map<string, string>()
  for (const name of files) {
    const file = parseWith(SectionFileSchema, readJson(path.join(sectionsDir, name), problems), name, problems)
    if (file === undefined) continue
    const section = bySlug.get(file.section)
    if (section === undefined) {
      problems.push({ path: name, message: `names section ${file.section}, which the manifest does not list` })
      continue
    }
    if (filesBySection.has(file.section)) {
      problems.push({
        path: name,
        message: `repeats section ${file.section}, already in ${filesBySection.get(file.section)}`,
      })
    }
    filesBySection.set(file.section, name)
    for (const entry of [...file.requirements, ...file.informational]) {
      if (ids.has(entry.id)) problems.push({ path: `${name}:${entry.id}`, message: 'is used more than once' })
      ids.add(entry.id)
    }
    for (const requirement of file.requirements) {
      if (section.prefix !== null && !requirement.id.startsWith(`${section.prefix}-`)) {
        problems.push({
          path: `${name}:${requirement.id}`,
          message: `does not start with the section prefix ${section.prefix}-`,
        })
      }
      if (requirement.check !== undefined && requirement.evidence !== 'automated') {
        problems.push({ path: `${name}:${requirement.id}`, message: 'names a check but its evidence is not automated' })
      }
      requirements.push({ ...requirement, section: section.slug })
    }
    informational.push(...file.informational.map(entry => ({ ...entry, section: section.slug })))
  }

  const parameters = new Map<string, Parameter & { requirement: string }>()
  for (const requirement of requirements) {
    for (const definition of requirement.parameters) {
      const earlier = parameters.get(definition.id)
      if (earlier !== undefined) {
        problems.push({
          path: `${requirement.id}:${definition.id}`,
          message: `is already defined on ${earlier.requirement}`,
        })
      }
      parameters.set(definition.id, { ...definition, requirement: requirement.id })
    }
  }
  for (const requirement of requirements) {
    for (const ref of requirement.parameterRefs) {
      if (!parameters.has(ref))
        problems.push({ path: `${requirement.id}:${ref}`, message: 'refers to a parameter no requirement defines' })
    }
  }
  if (problems.length > 0) throw new AssureError('CATALOGUE_INVALID', 'The catalogue data is not valid', { problems })

  // Order everything as the guidance reads: by section, then as written in the section file.
  const order = new Map(sections.map((section, index) => [section.slug, index]))
  const bySectionOrder = <T extends { section: string }>(a: T, b: T) =>
    (order.get(a.section) ?? 0) - (order.get(b.section) ?? 0)
  return {
    id: manifest.id,
    title: manifest.title,
    version: manifest.version,
    date: manifest.date,
    sections,
    requirements: requirements.sort(bySectionOrder),
    informational: informational.sort(bySectionOrder),
    parameters,
    guidanceText: readFileSync(path.join(dataDir, 'guidance.txt'), 'utf8'),
  }
}
