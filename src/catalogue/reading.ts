import { locateExcerpt, splitSections } from './guidance.ts'

/** A run of the guidance's text, highlighted when requirements quote it. */
export interface Segment {
  readonly text: string
  /** IDs of the requirements quoting this run; empty when none does. */
  readonly ids: readonly string[]
}

/** A paragraph, list or heading of a section, as the reading view shows it. */
export interface Block {
  readonly kind: 'heading' | 'text'
  readonly segments: readonly Segment[]
}

/** What the reading view needs of a requirement. */
export interface Quotation {
  readonly id: string
  readonly statement: string
}

/** Strips the guidance's markdown residue (bold markers, link targets, escapes) for display. */
export function displayText(raw: string): string {
  return (
    raw
      .replace(/\*\*/g, '')
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/\\([()[\]])/g, '$1')
      .replace(/<ul[^>]*>/g, '')
      // The guidance's tables arrive as tab-separated rows: one cell a line reads better than a run-on row.
      .replace(/\t/g, '\n')
  )
}

const HEADING_MAX = 100
function isHeading(block: string): boolean {
  const text = block.trim()
  return (
    !text.includes('\n') &&
    !text.includes('\t') &&
    text.length <= HEADING_MAX &&
    !/[.:;,?!)]$/.test(text) &&
    !/^([-*✓✗✘]|\d+\.)/.test(text)
  )
}

/**
 * Places each requirement's statement in the section text, in reading order: each search starts where the
 * previous one was found, so a sentence the guidance repeats is matched at the place its requirement quotes.
 * Overlapping quotations are merged into one highlight carrying every ID.
 */
export function placeQuotations(
  text: string,
  quotations: readonly Quotation[],
): Array<{ start: number; end: number; ids: string[] }> {
  const ranges: Array<{ start: number; end: number; ids: string[] }> = []
  let cursor = 0
  for (const quotation of quotations) {
    const found = locateExcerpt(text, quotation.statement, cursor) ?? locateExcerpt(text, quotation.statement, 0)
    if (found === undefined) continue
    ranges.push({ ...found, ids: [quotation.id] })
    cursor = found.start
  }
  ranges.sort((a, b) => a.start - b.start)
  const merged: Array<{ start: number; end: number; ids: string[] }> = []
  for (const range of ranges) {
    const last = merged.at(-1)
    if (last !== undefined && range.start < last.end) {
      last.end = Math.max(last.end, range.end)
      last.ids.push(...range.ids)
    } else {
      merged.push({ ...range, ids: [...range.ids] })
    }
  }
  return merged
}

/** A section's text as blocks of segments, with every quoted statement highlighted. */
export function readingBlocks(text: string, quotations: readonly Quotation[]): Block[] {
  const highlights = placeQuotations(text, quotations)
  const blocks: Block[] = []
  const blockPattern = /\S[\s\S]*?(?=\n\s*\n|\s*$)/g
  for (let match = blockPattern.exec(text); match !== null; match = blockPattern.exec(text)) {
    const start = match.index
    const end = start + match[0].length
    // Cut the block where highlights begin or end; highlights may run across blocks.
    const cuts = new Set([start, end])
    for (const h of highlights) {
      if (h.start > start && h.start < end) cuts.add(h.start)
      if (h.end > start && h.end < end) cuts.add(h.end)
    }
    const points = [...cuts].sort((a, b) => a - b)
    const segments: Segment[] = []
    for (let i = 0; i < points.length - 1; i += 1) {
      const from = points[i] as number
      const to = points[i + 1] as number
      const covering = highlights.find(h => h.start <= from && h.end >= to)
      const textPart = displayText(text.slice(from, to))
      if (textPart !== '') segments.push({ text: textPart, ids: covering?.ids ?? [] })
    }
    blocks.push({ kind: isHeading(match[0]) && segments.every(s => s.ids.length === 0) ? 'heading' : 'text', segments })
  }
  return blocks
}

/** The text of one section of the guidance, by heading, or undefined when the text lacks it. */
export function sectionText(guidanceText: string, headings: readonly string[], heading: string): string | undefined {
  const section = splitSections(guidanceText, headings).find(s => s.heading === heading)
  return section?.lines.join('\n')
}
