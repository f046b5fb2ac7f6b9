import { z } from 'zod'
import type { Problem } from '../platform/errors.ts'
import { problemsFrom } from '../platform/validation.ts'
import { dateFrom } from '../suppliers/forms.ts'
import { DECLARATION_CLAUSES } from './templates/destruction-letter.ts'

const text = (missing: string, max: number, tooLong: string) =>
  z.string({ error: missing }).trim().min(1, missing).max(max, tooLong)

type Raw = Record<string, string | string[] | undefined>
const rawOf = (body: unknown): Raw => (typeof body === 'object' && body !== null ? (body as Raw) : {})
const one = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value)

/** Issuing an instruction: which of the supplier's contracts it is for. */
export const IssueDestructionFormSchema = z.strictObject({
  _csrf: z.string(),
  contractId: text('Select the contract the instruction is for', 128, 'Select the contract the instruction is for'),
})

/**
 * Machine-readable non-proprietary formats the Authority accepts data back in (guidance, short format clause:
 * "return all Authority Data in a machine-readable non-proprietary format defined by the Authority").
 */
export const RETURN_FORMATS = [
  { value: 'csv', text: 'CSV (comma-separated values)' },
  { value: 'json', text: 'JSON' },
  { value: 'xml', text: 'XML' },
  { value: 'ods', text: 'ODS (OpenDocument Spreadsheet)' },
] as const
export type ReturnFormat = (typeof RETURN_FORMATS)[number]['value']

/** Formats people reach for that the clause rules out, named so the refusal can say why. */
export const PROPRIETARY_FORMATS: Readonly<Record<string, string>> = {
  xlsx: 'Microsoft Excel (XLSX)',
  xls: 'Microsoft Excel (XLS)',
  docx: 'Microsoft Word (DOCX)',
  accdb: 'Microsoft Access (ACCDB)',
  mdb: 'Microsoft Access (MDB)',
  sav: 'SPSS (SAV)',
  numbers: 'Apple Numbers',
}

const FORMAT_LIST = 'CSV, JSON, XML or ODS'

/** Why a format is refused, or null when it is one of RETURN_FORMATS. */
export function returnFormatProblem(format: string | undefined): Problem | null {
  const value = (format ?? '').trim().toLowerCase()
  if (RETURN_FORMATS.some(known => known.value === value)) return null
  const proprietary = PROPRIETARY_FORMATS[value]
  return {
    path: 'format',
    message:
      proprietary === undefined
        ? 'Select the format the data was returned in'
        : `${proprietary} is a proprietary format. Return the data in a machine-readable non-proprietary format: ${FORMAT_LIST}`,
  }
}

/** The data-return form: the format, checked against the list. */
export function parseDataReturnForm(body: unknown): { data: { format: ReturnFormat } } | { problems: Problem[] } {
  const format = one(rawOf(body).format)
  const problem = returnFormatProblem(format)
  if (problem !== null) return { problems: [problem] }
  return { data: { format: (format ?? '').trim().toLowerCase() as ReturnFormat } }
}

/** A clause decision as entered: decision and date may be missing, to be checked by the declaration's rules. */
export interface DecisionInput {
  readonly id: string
  readonly decision: string | null
  /** YYYY-MM-DD when entered and real. */
  readonly date: string | null
}

/** The field a clause's decision is entered in, and the one its date is. */
export const clauseField = (id: string) => `clause-${id}`
export const dateField = (id: string) => `${id}-date`

/**
 * The declaration form: position, the signing tick, and each clause's decision and date. Date parts that are
 * entered but wrong are reported here; everything else (every clause decided, dates present and not past) is the
 * declaration's own rule (`declarationProblems`), applied by the operation.
 */
export function parseDeclarationForm(body: unknown): {
  position: string | null
  signed: boolean
  decisions: DecisionInput[]
  problems: Problem[]
} {
  const raw = rawOf(body)
  const problems: Problem[] = []
  const position = (one(raw.position) ?? '').trim()
  const decisions = DECLARATION_CLAUSES.map(clause => {
    const decision = one(raw[clauseField(clause.id)])?.trim() ?? ''
    let date: string | null = null
    if (clause.date !== null && decision === 'applies') {
      const field = dateField(clause.id)
      const parts = {
        day: one(raw[`${field}-day`]),
        month: one(raw[`${field}-month`]),
        year: one(raw[`${field}-year`]),
      }
      const entered = [parts.day, parts.month, parts.year].some(part => (part ?? '').trim() !== '')
      const parsed = dateFrom(parts, clause.date.label)
      if ('date' in parsed) date = parsed.date
      else if (entered) problems.push({ path: field, message: parsed.message })
    }
    return { id: clause.id, decision: decision === '' ? null : decision, date }
  })
  if (position.length > 120) problems.push({ path: 'position', message: 'Position must be 120 characters or fewer' })
  return {
    position: position === '' ? null : position,
    signed: one(raw.declaration) === 'yes',
    decisions,
    problems,
  }
}

const FailureFieldsSchema = z.strictObject({
  _csrf: z.string().optional(),
  whatFailed: text(
    'Enter what failed or is incomplete',
    2000,
    'What failed or is incomplete must be 2000 characters or fewer',
  ),
  'identified-day': z.string().optional(),
  'identified-month': z.string().optional(),
  'identified-year': z.string().optional(),
  identifiedTime: z.string().optional(),
})

/** A failed-destruction report as entered, validated. */
export interface FailureReport {
  readonly whatFailed: string
  /** ISO 8601 UTC. */
  readonly identifiedAt: string
}

/**
 * The failed-destruction form: what failed, and when it was identified (a UK date and a 24-hour time, taken as UTC),
 * which cannot be in the future.
 */
export function parseFailureReport(body: unknown, now: Date): { data: FailureReport } | { problems: Problem[] } {
  const raw = rawOf(body)
  const result = FailureFieldsSchema.safeParse(body)
  const problems: Problem[] = result.success ? [] : problemsFrom(result.error).filter(p => p.path !== '_csrf')
  const date = dateFrom(
    { day: one(raw['identified-day']), month: one(raw['identified-month']), year: one(raw['identified-year']) },
    'date it was identified',
  )
  const time = (one(raw.identifiedTime) ?? '').trim()
  const timeValid = /^([01]?\d|2[0-3]):[0-5]\d$/.test(time)
  let identifiedAt: string | undefined
  if ('message' in date) problems.push({ path: 'identified', message: date.message })
  if (!timeValid)
    problems.push({
      path: 'identifiedTime',
      message: 'Enter the time it was identified as hours and minutes, like 14:30',
    })
  if ('date' in date && timeValid) {
    const [hours = '0', minutes = '0'] = time.split(':')
    identifiedAt = `${date.date}T${hours.padStart(2, '0')}:${minutes}:00.000Z`
    if (new Date(identifiedAt).getTime() > now.getTime())
      problems.push({ path: 'identified', message: 'The time it was identified must be in the past' })
  }
  const order = ['whatFailed', 'identified', 'identifiedTime']
  problems.sort((a, b) => order.indexOf(a.path) - order.indexOf(b.path))
  if (!result.success || problems.length > 0 || identifiedAt === undefined) return { problems }
  return { data: { whatFailed: result.data.whatFailed, identifiedAt } }
}
