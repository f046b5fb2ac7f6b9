import { z } from 'zod'
import type { Problem } from '../platform/errors.ts'
import { problemsFrom } from '../platform/validation.ts'

/** Security classifications a contract can carry. Guidance, Security Aspects Letters: the SAL states the classification. */
export const CLASSIFICATIONS = ['OFFICIAL', 'OFFICIAL-SENSITIVE'] as const
export type Classification = (typeof CLASSIFICATIONS)[number]

/** Categories of personal data a contract can involve; "none" must be chosen explicitly. */
export const DATA_CATEGORIES = ['personal', 'special-category', 'criminal-offence'] as const
export type DataCategory = (typeof DATA_CATEGORIES)[number]

const email = (what: string) =>
  z
    .string({ error: `Enter the ${what}’s email address` })
    .trim()
    .min(1, `Enter the ${what}’s email address`)
    .max(254, 'Email address must be 254 characters or fewer')
    .pipe(z.email({ error: 'Enter an email address in the correct format, like name@example.com' }))

const text = (missing: string, max: number, tooLong: string) =>
  z.string({ error: missing }).trim().min(1, missing).max(max, tooLong)

const optionalText = (max: number, tooLong: string) =>
  z
    .string()
    .trim()
    .max(max, tooLong)
    .optional()
    .transform(value => (value === undefined || value === '' ? null : value))

/** A list given one item a line, as a textarea sends it. */
const lines = (max: number, tooLong: string) =>
  z
    .string()
    .optional()
    .transform(value =>
      (value ?? '')
        .split(/\r?\n/)
        .map(line => line.trim())
        .filter(line => line !== ''),
    )
    .pipe(z.array(z.string().max(max, tooLong)).max(50, 'List 50 or fewer'))

const checkboxes = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform(value => ([] as string[]).concat(value ?? []))

/** The supplier profile form. */
export const SupplierProfileFormSchema = z.strictObject({
  _csrf: z.string(),
  legalName: text('Enter the supplier’s long legal name', 200, 'Legal name must be 200 characters or fewer'),
  shortName: text('Enter the supplier’s short name', 60, 'Short name must be 60 characters or fewer'),
  securityDirectorName: text(
    'Enter the name of the supplier’s security director',
    120,
    'Name must be 120 characters or fewer',
  ),
  securityDirectorEmail: email('security director'),
  contactName: optionalText(120, 'Name must be 120 characters or fewer'),
  contactEmail: z
    .string()
    .trim()
    .optional()
    .transform(value => (value === undefined || value === '' ? null : value))
    .pipe(
      z
        .email({ error: 'Enter the contact’s email address in the correct format, like name@example.com' })
        .max(254, 'Email address must be 254 characters or fewer')
        .nullable(),
    ),
})
export type SupplierProfileForm = z.infer<typeof SupplierProfileFormSchema>

/** A contract reference: letters, digits, hyphens and slashes. */
export const REFERENCE_PATTERN = /^[A-Za-z0-9/-]+$/

const ContractFieldsSchema = z.strictObject({
  _csrf: z.string(),
  reference: z
    .string({ error: 'Enter the contract reference' })
    .trim()
    .min(1, 'Enter the contract reference')
    .max(50, 'Contract reference must be 50 characters or fewer')
    .regex(REFERENCE_PATTERN, 'Contract reference must only include letters, numbers, hyphens and slashes'),
  title: text('Enter the contract title', 200, 'Contract title must be 200 characters or fewer'),
  'startDate-day': z.string().optional(),
  'startDate-month': z.string().optional(),
  'startDate-year': z.string().optional(),
  'endDate-day': z.string().optional(),
  'endDate-month': z.string().optional(),
  'endDate-year': z.string().optional(),
  classification: z.enum(CLASSIFICATIONS, { error: 'Select the contract’s classification' }),
  dataCategories: checkboxes,
  offshore: z.enum(['yes', 'no'], { error: 'Select yes if any work or data is offshore' }),
  offshoreLocations: optionalText(500, 'Offshore locations must be 500 characters or fewer'),
  keyServices: text(
    'Enter the key services the supplier provides',
    2000,
    'Key services must be 2000 characters or fewer',
  ),
  subcontractors: lines(200, 'Each subcontractor’s name must be 200 characters or fewer'),
})

/** A validated contract, ready for the register. */
export interface ContractInput {
  readonly reference: string
  readonly title: string
  readonly startDate: string
  readonly endDate: string
  readonly classification: Classification
  readonly dataCategories: readonly DataCategory[]
  readonly offshore: boolean
  readonly offshoreLocations: string | null
  readonly keyServices: string
  readonly subcontractors: readonly string[]
}

/** A GOV.UK date input's three fields as YYYY-MM-DD, or the problem with them. */
export function dateFrom(
  parts: { day?: string | undefined; month?: string | undefined; year?: string | undefined },
  what: string,
): { date: string } | { message: string } {
  const [day, month, year] = [parts.day, parts.month, parts.year].map(part => (part ?? '').trim())
  if (day === '' && month === '' && year === '') return { message: `Enter the ${what}` }
  if (day === '') return { message: `The ${what} must include a day` }
  if (month === '') return { message: `The ${what} must include a month` }
  if (year === '') return { message: `The ${what} must include a year` }
  if (!/^\d{1,2}$/.test(day ?? '') || !/^\d{1,2}$/.test(month ?? '') || !/^\d{4}$/.test(year ?? ''))
    return { message: `The ${what} must be a real date` }
  const iso = `${year}-${(month ?? '').padStart(2, '0')}-${(day ?? '').padStart(2, '0')}`
  const parsed = new Date(`${iso}T00:00:00Z`)
  return Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== iso
    ? { message: `The ${what} must be a real date` }
    : { date: iso }
}

/** Validates the contract form: every field's own problems, then the rules that tie fields together. */
export function parseContractForm(body: unknown): { data: ContractInput } | { problems: Problem[] } {
  const raw = (typeof body === 'object' && body !== null ? body : {}) as Record<string, string | undefined>
  const result = ContractFieldsSchema.safeParse(body)
  const problems: Problem[] = result.success ? [] : problemsFrom(result.error).filter(p => p.path !== '_csrf')
  const start = dateFrom(
    { day: raw['startDate-day'], month: raw['startDate-month'], year: raw['startDate-year'] },
    'start date',
  )
  const end = dateFrom({ day: raw['endDate-day'], month: raw['endDate-month'], year: raw['endDate-year'] }, 'end date')
  if ('message' in start) problems.push({ path: 'startDate', message: start.message })
  if ('message' in end) problems.push({ path: 'endDate', message: end.message })
  if ('date' in start && 'date' in end && end.date <= start.date)
    problems.push({ path: 'endDate', message: 'The end date must be after the start date' })
  if (!result.success || 'message' in start || 'message' in end) return { problems: ordered(problems) }

  const form = result.data
  const chosen = form.dataCategories
  if (chosen.length === 0)
    problems.push({ path: 'dataCategories', message: 'Select the categories of data, or select ‘None’' })
  else if (chosen.includes('none') && chosen.length > 1)
    problems.push({ path: 'dataCategories', message: 'Select the categories of data, or select ‘None’, not both' })
  else if (!chosen.every(c => c === 'none' || (DATA_CATEGORIES as readonly string[]).includes(c)))
    problems.push({ path: 'dataCategories', message: 'Select categories of data from the list' })
  // Guidance, Supplier corporate IT: offshoring must be declared, with where the work or data is.
  if (form.offshore === 'yes' && form.offshoreLocations === null)
    problems.push({ path: 'offshoreLocations', message: 'Enter the countries where work or data is offshore' })
  if (problems.length > 0) return { problems: ordered(problems) }
  return {
    data: {
      reference: form.reference,
      title: form.title,
      startDate: 'date' in start ? start.date : '',
      endDate: 'date' in end ? end.date : '',
      classification: form.classification,
      dataCategories: chosen.filter((c): c is DataCategory => c !== 'none'),
      offshore: form.offshore === 'yes',
      offshoreLocations: form.offshore === 'yes' ? form.offshoreLocations : null,
      keyServices: form.keyServices,
      subcontractors: form.subcontractors,
    },
  }
}

const FIELD_ORDER = [
  'reference',
  'title',
  'startDate',
  'endDate',
  'classification',
  'dataCategories',
  'offshore',
  'offshoreLocations',
  'keyServices',
  'subcontractors',
]
/** Problems in the order the fields appear, so the error summary reads down the page. */
const ordered = (problems: Problem[]) =>
  [...problems].sort(
    (a, b) => FIELD_ORDER.indexOf(a.path.split('.')[0] ?? '') - FIELD_ORDER.indexOf(b.path.split('.')[0] ?? ''),
  )

/** The cloud account form. Only AWS accounts in this slice. */
export const CloudAccountFormSchema = z.strictObject({
  _csrf: z.string(),
  accountId: z
    .string({ error: 'Enter the AWS account ID' })
    .trim()
    .min(1, 'Enter the AWS account ID')
    .regex(/^\d{12}$/, 'AWS account ID must be 12 digits, like 123456789012'),
  contractId: z
    .string()
    .optional()
    .transform(value => (value === undefined || value === '' ? null : value)),
  description: text('Enter what the account is used for', 200, 'Description must be 200 characters or fewer'),
})
export type CloudAccountForm = z.infer<typeof CloudAccountFormSchema>

/** A supplier ID in a URL: organisation IDs are UUIDs. */
export const SupplierIdSchema = z.uuid({ error: 'Supplier IDs are UUIDs' })
