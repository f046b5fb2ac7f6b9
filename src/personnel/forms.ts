import { z } from 'zod'
import type { Problem } from '../platform/errors.ts'
import { problemsFrom } from '../platform/validation.ts'
import { dateFrom } from '../suppliers/forms.ts'

const text = (max: number, empty: string, tooLong: string) =>
  z.string({ error: empty }).trim().min(1, empty).max(max, tooLong)

const dateParts = (prefix: string) => ({
  [`${prefix}-day`]: z.string().optional(),
  [`${prefix}-month`]: z.string().optional(),
  [`${prefix}-year`]: z.string().optional(),
})

type Raw = Record<string, string | undefined>
const rawOf = (body: unknown) => (typeof body === 'object' && body !== null ? body : {}) as Raw
const dateField = (raw: Raw, prefix: string, what: string) =>
  dateFrom({ day: raw[`${prefix}-day`], month: raw[`${prefix}-month`], year: raw[`${prefix}-year`] }, what)

/** Problems in the order the fields appear on the form. */
const inOrder = (problems: Problem[], order: readonly string[]) =>
  problems.sort((a, b) => order.indexOf(a.path) - order.indexOf(b.path))

const AttestationFieldsSchema = z.strictObject({
  _csrf: z.string().optional(),
  contractId: z
    .string({ error: 'Select the contract the person works on' })
    .min(1, 'Select the contract the person works on'),
  fullName: text(200, 'Enter the person’s full name', 'Full name must be 200 characters or fewer'),
  role: text(200, 'Enter the person’s role on the contract', 'Role must be 200 characters or fewer'),
  clearanceLevel: z.string({ error: 'Select the clearance level the person has achieved' }),
  requiredLevel: z.string({ error: 'Select the clearance level the role requires' }),
  ...dateParts('achieved'),
  ...dateParts('started'),
})

/** One person's clearance as the supplier attests it; the rules that tie the fields together are the operation's. */
export interface AttestationInput {
  readonly contractId: string
  readonly fullName: string
  readonly role: string
  readonly clearanceLevel: string
  readonly requiredLevel: string
  readonly achievedOn: string
  readonly startedOn: string
}

const ATTESTATION_ORDER = ['contractId', 'fullName', 'role', 'clearanceLevel', 'requiredLevel', 'achieved', 'started']

/** Validates the attestation form's fields: text present, levels chosen, both dates real. */
export function parseAttestationForm(body: unknown): { data: AttestationInput } | { problems: Problem[] } {
  const raw = rawOf(body)
  const result = AttestationFieldsSchema.safeParse(body)
  const problems: Problem[] = result.success ? [] : problemsFrom(result.error).filter(p => p.path !== '_csrf')
  const achieved = dateField(raw, 'achieved', 'date the clearance was achieved')
  const started = dateField(raw, 'started', 'date they started work')
  if ('message' in achieved) problems.push({ path: 'achieved', message: achieved.message })
  if ('message' in started) problems.push({ path: 'started', message: started.message })
  if (!result.success || !('date' in achieved) || !('date' in started))
    return { problems: inOrder(problems, ATTESTATION_ORDER) }
  const { contractId, fullName, role, clearanceLevel, requiredLevel } = result.data
  return {
    data: {
      contractId,
      fullName,
      role,
      clearanceLevel,
      requiredLevel,
      achievedOn: achieved.date,
      startedOn: started.date,
    },
  }
}

/** Withdrawing an attestation: why (the person left, moved off the contract, lost their clearance). */
export const WithdrawAttestationFormSchema = z.strictObject({
  _csrf: z.string().optional(),
  reason: text(
    500,
    'Enter why you are withdrawing the attestation, for example the person left the contract',
    'The reason must be 500 characters or fewer',
  ),
})

/** The clearance level the Authority requires on one of a supplier's contracts. */
export const ContractRequirementFormSchema = z.strictObject({
  _csrf: z.string().optional(),
  contractId: z.string({ error: 'Select the contract' }).min(1, 'Select the contract'),
  requiredLevel: z.string({ error: 'Select the clearance level the contract requires' }),
})

const CheckFieldsSchema = z.strictObject({
  _csrf: z.string().optional(),
  firstName: text(100, 'Enter their first name', 'First name must be 100 characters or fewer'),
  lastName: text(100, 'Enter their last name', 'Last name must be 100 characters or fewer'),
  supplierId: z.string().optional(),
  ...dateParts('dateOfBirth'),
})

/** What a clearance-status check asks about. Guidance, Checking someone's clearance status: first name, last name, date of birth. */
export interface ClearanceCheckInput {
  readonly firstName: string
  readonly lastName: string
  readonly dateOfBirth: string
  readonly supplierId: string | null
}

/** Validates the check request form; the date of birth must be real and in the past. */
export function parseClearanceCheckForm(
  body: unknown,
  today: string,
): { data: ClearanceCheckInput } | { problems: Problem[] } {
  const raw = rawOf(body)
  const result = CheckFieldsSchema.safeParse(body)
  const problems: Problem[] = result.success ? [] : problemsFrom(result.error).filter(p => p.path !== '_csrf')
  const born = dateField(raw, 'dateOfBirth', 'date of birth')
  if ('message' in born) problems.push({ path: 'dateOfBirth', message: born.message })
  else if (born.date >= today) problems.push({ path: 'dateOfBirth', message: 'The date of birth must be in the past' })
  if (!result.success || !('date' in born) || problems.length > 0)
    return { problems: inOrder(problems, ['firstName', 'lastName', 'dateOfBirth', 'supplierId']) }
  const supplierId = (result.data.supplierId ?? '').trim()
  return {
    data: {
      firstName: result.data.firstName,
      lastName: result.data.lastName,
      dateOfBirth: born.date,
      supplierId: supplierId === '' ? null : supplierId,
    },
  }
}

export const CHECK_OUTCOMES = ['cleared', 'none', 'lapsed'] as const
export type CheckOutcome = (typeof CHECK_OUTCOMES)[number]

const AnswerFieldsSchema = z.strictObject({
  _csrf: z.string().optional(),
  outcome: z.enum(CHECK_OUTCOMES, { error: 'Select the answer the MoJ Group Security Team gave' }),
  clearedLevel: z.string().optional(),
  ...dateParts('validUntil'),
  ...dateParts('lapsedOn'),
})

/** The answer to a check, as recorded. */
export type ClearanceAnswer =
  | { readonly outcome: 'cleared'; readonly level: string; readonly validUntil: string }
  | { readonly outcome: 'none' }
  | { readonly outcome: 'lapsed'; readonly lapsedOn: string }

/** Validates the answer form: a level and an end date when cleared, the date it lapsed when lapsed. */
export function parseAnswerForm(body: unknown): { data: ClearanceAnswer } | { problems: Problem[] } {
  const raw = rawOf(body)
  const result = AnswerFieldsSchema.safeParse(body)
  if (!result.success) return { problems: problemsFrom(result.error).filter(p => p.path !== '_csrf') }
  const { outcome } = result.data
  if (outcome === 'none') return { data: { outcome } }
  if (outcome === 'lapsed') {
    const lapsed = dateField(raw, 'lapsedOn', 'date the clearance lapsed')
    return 'message' in lapsed
      ? { problems: [{ path: 'lapsedOn', message: lapsed.message }] }
      : { data: { outcome, lapsedOn: lapsed.date } }
  }
  const problems: Problem[] = []
  const level = (result.data.clearedLevel ?? '').trim()
  if (level === '') problems.push({ path: 'clearedLevel', message: 'Select the clearance level they hold' })
  const until = dateField(raw, 'validUntil', 'date the clearance is valid until')
  if ('message' in until) problems.push({ path: 'validUntil', message: until.message })
  if (problems.length > 0 || !('date' in until)) return { problems }
  return { data: { outcome, level, validUntil: until.date } }
}

export const IdSchema = z.uuid()
