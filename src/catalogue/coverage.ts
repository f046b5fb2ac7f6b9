import type { Problem } from '../platform/errors.ts'
import type { Catalogue } from './catalogue.ts'
import { contentsHeadings, locateExcerpt, splitSections } from './guidance.ts'

/**
 * Proves the catalogue covers the guidance: every Contents heading is a section in the same order, every
 * section has requirements or an informational entry, and every statement is quoted verbatim from its section.
 */
export function checkCoverage(catalogue: Catalogue): Problem[] {
  const problems: Problem[] = []
  const headings = contentsHeadings(catalogue.guidanceText)
  const manifestHeadings = catalogue.sections.map(section => section.heading)
  headings.forEach((heading, index) => {
    if (manifestHeadings[index] !== heading) {
      problems.push({
        path: heading,
        message: `is heading ${index + 1} of the guidance's Contents but the catalogue has ${manifestHeadings[index] ?? 'nothing'} there`,
      })
    }
  })
  if (manifestHeadings.length !== headings.length) {
    problems.push({
      path: 'sections',
      message: `the catalogue has ${manifestHeadings.length} sections; the guidance's Contents lists ${headings.length}`,
    })
  }
  const texts = new Map(
    splitSections(catalogue.guidanceText, headings).map(section => [section.heading, section.lines.join('\n')]),
  )
  for (const section of catalogue.sections) {
    const requirements = catalogue.requirements.filter(r => r.section === section.slug)
    const informational = catalogue.informational.filter(i => i.section === section.slug)
    if (requirements.length === 0 && informational.length === 0 && section.informational === null) {
      problems.push({ path: section.heading, message: 'has neither requirements nor an informational entry' })
    }
    const text = texts.get(section.heading)
    if (text === undefined) {
      problems.push({ path: section.heading, message: 'is not found in the guidance text' })
      continue
    }
    for (const requirement of requirements) {
      if (locateExcerpt(text, requirement.statement) === undefined) {
        problems.push({ path: requirement.id, message: `statement is not quoted verbatim from ${section.heading}` })
      }
    }
  }
  return problems
}
