import { z } from 'zod'
import type { Problem } from '../platform/errors.ts'
import type { ImportedLink } from './evidence.ts'

/** The columns of an evidence import, in order; `handling_instructions` may be left out. */
export const IMPORT_COLUMNS = [
  'requirement',
  'url',
  'effective_on',
  'expires_on',
  'marking',
  'handling_instructions',
] as const

/** The most rows one import may hold. */
export const MAX_IMPORT_ROWS = 500

/** Splits RFC 4180 CSV into rows of cells (quoted cells may hold commas, quotes as "" and line breaks). */
export function parseCsv(text: string): string[][] | { problem: string } {
  const rows: string[][] = []
  let row: string[] = []
  let cell = ''
  let quoted = false
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i]
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        cell += '"'
        i += 1
      } else if (char === '"') quoted = false
      else cell += char
    } else if (char === '"' && cell === '') quoted = true
    else if (char === ',') {
      row.push(cell)
      cell = ''
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i += 1
      row.push(cell)
      rows.push(row)
      row = []
      cell = ''
    } else cell += char
  }
  if (quoted) return { problem: 'The selected file has a quoted cell that is never closed' }
  if (cell !== '' || row.length > 0) rows.push([...row, cell])
  return rows.filter(r => r.some(c => c.trim() !== ''))
}

const ImportRowSchema = z.strictObject({
  requirement: z.string().trim(),
  url: z.string().trim(),
  effective_on: z.string().trim(),
  expires_on: z.string().trim(),
  marking: z.string().trim(),
  handling_instructions: z
    .string()
    .trim()
    .optional()
    .transform(value => (value === undefined || value === '' ? null : value)),
})

/** Reads an evidence import file: a header row naming the columns, then one link per row. */
export function readEvidenceImport(bytes: Buffer): { links: ImportedLink[] } | { problems: Problem[] } {
  const fail = (message: string) => ({ problems: [{ path: 'file', message }] })
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '')
  } catch {
    return fail('The selected file must be a CSV file saved as UTF-8')
  }
  const parsed = parseCsv(text)
  if ('problem' in parsed) return fail(parsed.problem)
  const [header, ...rows] = parsed
  const columns = (header ?? []).map(c => c.trim().toLowerCase())
  const required = IMPORT_COLUMNS.slice(0, 5)
  if (
    !required.every((c, i) => columns[i] === c) ||
    columns.some(c => !(IMPORT_COLUMNS as readonly string[]).includes(c))
  )
    return fail(`The first row of the file must name the columns ${IMPORT_COLUMNS.join(', ')}`)
  if (rows.length > MAX_IMPORT_ROWS) return fail(`The selected file must have ${MAX_IMPORT_ROWS} rows or fewer`)
  const links: ImportedLink[] = []
  const problems: Problem[] = []
  rows.forEach((cells, index) => {
    const line = index + 2
    if (cells.length > columns.length) {
      problems.push({ path: 'file', message: `Line ${line}: has more cells than the header has columns` })
      return
    }
    const row = ImportRowSchema.parse(Object.fromEntries(columns.map((column, i) => [column, cells[i] ?? ''])))
    links.push({
      line,
      requirementId: row.requirement,
      url: row.url,
      effectiveOn: row.effective_on,
      expiresOn: row.expires_on,
      marking: row.marking,
      handlingInstructions: row.handling_instructions,
    })
  })
  return problems.length > 0 ? { problems } : { links }
}
