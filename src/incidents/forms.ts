import { z } from 'zod'
import type { Problem } from '../platform/errors.ts'
import { problemsFrom } from '../platform/validation.ts'
import { dateFrom } from '../suppliers/forms.ts'

export const PERSONAL_DATA = ['yes', 'no', 'not-known'] as const
export type PersonalData = (typeof PERSONAL_DATA)[number]

const text = (max: number, empty: string, tooLong: string) =>
  z.string({ error: empty }).trim().min(1, empty).max(max, tooLong)

const ReportFieldsSchema = z.strictObject({
  _csrf: z.string().optional(),
  summary: text(2000, 'Enter what happened', 'What happened must be 2000 characters or fewer'),
  'identified-day': z.string().optional(),
  'identified-month': z.string().optional(),
  'identified-year': z.string().optional(),
  identifiedTime: z.string().optional(),
  systemsAffected: text(
    2000,
    'Enter the systems affected, or “None known”',
    'Systems affected must be 2000 characters or fewer',
  ),
  dataAffected: text(
    2000,
    'Enter the data affected, or “None known”',
    'Data affected must be 2000 characters or fewer',
  ),
  personalData: z.enum(PERSONAL_DATA, { error: 'Select whether personal data is involved' }),
  actionsTaken: text(2000, 'Enter the actions taken so far', 'Actions taken must be 2000 characters or fewer'),
})

const FIELD_ORDER = [
  'summary',
  'identified',
  'identifiedTime',
  'systemsAffected',
  'dataAffected',
  'personalData',
  'actionsTaken',
]

/** An incident as reported, validated. */
export interface IncidentReport {
  readonly summary: string
  readonly identifiedAt: string
  readonly systemsAffected: string
  readonly dataAffected: string
  readonly personalData: PersonalData
  readonly actionsTaken: string
}

/**
 * Validates the report form. The time it was identified is a UK date and a 24-hour time, taken as UTC
 * (the form says so), and cannot be in the future: the report is what the supplier knows now.
 */
export function parseIncidentReport(body: unknown, now: Date): { data: IncidentReport } | { problems: Problem[] } {
  const raw = (typeof body === 'object' && body !== null ? body : {}) as Record<string, string | undefined>
  const result = ReportFieldsSchema.safeParse(body)
  const problems: Problem[] = result.success ? [] : problemsFrom(result.error).filter(p => p.path !== '_csrf')
  const date = dateFrom(
    { day: raw['identified-day'], month: raw['identified-month'], year: raw['identified-year'] },
    'date it was identified',
  )
  const time = (raw.identifiedTime ?? '').trim()
  const timeValid = /^([01]?\d|2[0-3]):[0-5]\d$/.test(time)
  let identifiedAt: string | undefined
  if ('message' in date) problems.push({ path: 'identified', message: date.message })
  if (!timeValid) {
    problems.push({
      path: 'identifiedTime',
      message: 'Enter the time it was identified as hours and minutes, like 14:30',
    })
  }
  if ('date' in date && timeValid) {
    const [hours = '0', minutes = '0'] = time.split(':')
    identifiedAt = `${date.date}T${hours.padStart(2, '0')}:${minutes}:00.000Z`
    if (new Date(identifiedAt).getTime() > now.getTime())
      problems.push({ path: 'identified', message: 'The time it was identified must be in the past' })
  }
  // The error summary lists problems in the order the fields appear on the form.
  problems.sort((a, b) => FIELD_ORDER.indexOf(a.path) - FIELD_ORDER.indexOf(b.path))
  if (!result.success || problems.length > 0 || identifiedAt === undefined) return { problems }
  const { summary, systemsAffected, dataAffected, personalData, actionsTaken } = result.data
  return { data: { summary, identifiedAt, systemsAffected, dataAffected, personalData, actionsTaken } }
}

export const IncidentUpdateFormSchema = z.strictObject({
  _csrf: z.string().optional(),
  text: text(2000, 'Enter the update', 'The update must be 2000 characters or fewer'),
})

export const IncidentCloseFormSchema = z.strictObject({
  _csrf: z.string().optional(),
  review: text(
    5000,
    'Enter the post-incident review: what happened, why, and what will stop it happening again',
    'The post-incident review must be 5000 characters or fewer',
  ),
})

export const IncidentIdSchema = z.uuid()
