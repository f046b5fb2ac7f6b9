/** The published guidance text, split into the sections its Contents list names, in published order. */

export interface GuidanceSection {
  readonly heading: string
  /** Lines of the section's body, heading excluded. */
  readonly lines: readonly string[]
}

/** Headings listed in the guidance's Contents block, in order ("Access control.....\t4" gives "Access control"). */
export function contentsHeadings(text: string): string[] {
  const lines = text.split(/\r?\n/)
  const start = lines.findIndex(line => line.trim() === 'Contents')
  const headings: string[] = []
  for (const line of lines.slice(start + 1)) {
    const match = /^(.+?)\.{3,}\s*\d+\s*$/.exec(line)
    if (match?.[1] !== undefined) headings.push(match[1].trim())
    else if (headings.length > 0 && line.trim() !== '') break
  }
  return headings
}

/**
 * Splits the body after the Contents block into sections: each runs from the first line equal to its heading
 * (after the previous section's heading) to the next section's heading. Headings not found are left out.
 */
export function splitSections(text: string, headings: readonly string[]): GuidanceSection[] {
  const lines = text.split(/\r?\n/)
  const contentsEnd = lines.findIndex(
    line => /\.{3,}\s*\d+\s*$/.test(line) && line.startsWith(headings.at(-1) ?? '\u0000'),
  )
  let cursor = contentsEnd + 1
  const starts: Array<{ heading: string; index: number }> = []
  for (const heading of headings) {
    let index = cursor
    while (index < lines.length && lines[index]?.trim() !== heading) index += 1
    if (index === lines.length) continue
    starts.push({ heading, index })
    cursor = index + 1
  }
  return starts.map((start, i) => ({
    heading: start.heading,
    lines: lines.slice(start.index + 1, starts[i + 1]?.index ?? lines.length),
  }))
}

/** Whitespace runs folded to one space, so an excerpt matches however the text was wrapped. */
export function foldWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim()
}

/** Where an excerpt stands in a text, ignoring differences in whitespace; offsets are in the original text. */
export function locateExcerpt(text: string, excerpt: string, from = 0): { start: number; end: number } | undefined {
  const folded: string[] = []
  const origin: number[] = []
  let previousSpace = false
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i] as string
    const space = /\s/.test(char)
    if (space && previousSpace) continue
    folded.push(space ? ' ' : char)
    origin.push(i)
    previousSpace = space
  }
  const haystack = folded.join('')
  const needle = foldWhitespace(excerpt)
  if (needle === '') return undefined
  const fromFolded = origin.findIndex(offset => offset >= from)
  const at = haystack.indexOf(needle, Math.max(fromFolded, 0))
  if (at === -1) return undefined
  const last = origin[at + needle.length - 1] as number
  return { start: origin[at] as number, end: last + 1 }
}
