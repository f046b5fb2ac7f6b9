import type { Informational, Manifest, Parameter, Requirement } from './schema.ts'

/** A section of the guidance, with its place in the Contents hierarchy. */
export interface CatalogueSection {
  readonly slug: string
  readonly heading: string
  readonly level: number
  readonly parentSlug: string | null
  /** Headings from the chapter down to this section. */
  readonly path: readonly string[]
  readonly prefix: string | null
  readonly informational: string | null
}

/** A requirement placed in its section. */
export interface PlacedRequirement extends Requirement {
  readonly section: string
}

/** An informational entry placed in its section. */
export interface PlacedInformational extends Informational {
  readonly section: string
}

/** The built-in catalogue: the guidance as validated, versioned data. */
export interface Catalogue {
  readonly id: string
  readonly title: string
  readonly version: string
  readonly date: string
  readonly sections: readonly CatalogueSection[]
  readonly requirements: readonly PlacedRequirement[]
  readonly informational: readonly PlacedInformational[]
  readonly parameters: ReadonlyMap<string, Parameter & { readonly requirement: string }>
  /** The published guidance text the statements quote. */
  readonly guidanceText: string
}

/** Gives each manifest section its parent and heading path from the levels of the sections before it. */
export function placeSections(manifest: Manifest): CatalogueSection[] {
  const ancestors: CatalogueSection[] = []
  return manifest.sections.map(section => {
    while (ancestors.length > 0 && (ancestors.at(-1)?.level ?? 0) >= section.level) ancestors.pop()
    const parent = ancestors.at(-1) ?? null
    const placed: CatalogueSection = {
      slug: section.slug,
      heading: section.heading,
      level: section.level,
      parentSlug: parent?.slug ?? null,
      path: [...ancestors.map(ancestor => ancestor.heading), section.heading],
      prefix: section.prefix ?? null,
      informational: section.informational ?? null,
    }
    ancestors.push(placed)
    return placed
  })
}

/** A parameter by ID; throws when the catalogue lacks it, since code asks only for parameters that must exist. */
export function parameter(catalogue: Catalogue, id: string): Parameter {
  const found = catalogue.parameters.get(id)
  if (found === undefined) throw new Error(`The catalogue has no parameter ${id}`)
  return found
}

/** An integer parameter's value, such as the lockout threshold. */
export function integerParameter(catalogue: Catalogue, id: string): number {
  const found = parameter(catalogue, id)
  if (found.type !== 'integer') throw new Error(`Catalogue parameter ${id} is ${found.type}, not integer`)
  return found.value
}

/** A duration parameter, such as the SAL acknowledgement period. */
export function durationParameter(catalogue: Catalogue, id: string): string {
  const found = parameter(catalogue, id)
  if (found.type !== 'duration') throw new Error(`Catalogue parameter ${id} is ${found.type}, not duration`)
  return found.value
}

/** A list parameter, such as the MFA preference ranking. */
export function listParameter(catalogue: Catalogue, id: string): readonly string[] {
  const found = parameter(catalogue, id)
  if (found.type !== 'list') throw new Error(`Catalogue parameter ${id} is ${found.type}, not list`)
  return found.value
}
