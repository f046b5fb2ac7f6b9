import { z } from 'zod'
import type { Problem } from '../platform/errors.ts'
import { problemsFrom } from '../platform/validation.ts'
import { dateFrom } from '../suppliers/forms.ts'
import { PHASES } from './lifecycle.ts'

const text = (missing: string, max: number, tooLong: string) =>
  z.string({ error: missing }).trim().min(1, missing).max(max, tooLong)

/** The refusal when the attestation box is not ticked. */
export const ATTESTATION_MISSING = 'Select to confirm this was carried out as described'
/** The refusal when the first due date is before today. */
export const DUE_IN_PAST = 'The first due date must be today or in the future'
/** The refusal when a kind is missing or not one Assure schedules. */
export const SELECT_KIND = 'Select the obligation to schedule'

const StartFieldsSchema = z.strictObject({
  _csrf: z.string().optional(),
  kind: z.string({ error: SELECT_KIND }).min(1, SELECT_KIND),
  'firstDue-day': z.string().optional(),
  'firstDue-month': z.string().optional(),
  'firstDue-year': z.string().optional(),
})

/** A schedule to start: which obligation, and the day its first instance is due (YYYY-MM-DD). */
export interface StartScheduleInput {
  readonly kind: string
  readonly firstDueOn: string
}

/** Validates the start-a-schedule form; whether the kind exists and the date is not past is the operation's to say. */
export function parseStartScheduleForm(body: unknown): { data: StartScheduleInput } | { problems: Problem[] } {
  const raw = (typeof body === 'object' && body !== null ? body : {}) as Record<string, string | undefined>
  const result = StartFieldsSchema.safeParse(body)
  const problems: Problem[] = result.success ? [] : problemsFrom(result.error).filter(p => p.path !== '_csrf')
  const date = dateFrom(
    { day: raw['firstDue-day'], month: raw['firstDue-month'], year: raw['firstDue-year'] },
    'first due date',
  )
  if ('message' in date) problems.push({ path: 'firstDue', message: date.message })
  if (!result.success || !('date' in date) || problems.length > 0) return { problems }
  return { data: { kind: result.data.kind, firstDueOn: date.date } }
}

/** The refusal when evidence is a link by another scheme than https. */
export const EVIDENCE_NOT_HTTPS = 'Enter a link that starts with https://, or a document reference'

/** Evidence is an https link or a document reference: anything that looks like another scheme's URL is refused. */
export const isEvidenceReference = (value: string): boolean =>
  !/^[a-z][a-z0-9+.-]*:\S/i.test(value) || /^https:\/\/[^\s/]+\S*$/i.test(value)

/** Completing an instance: what was done, the evidence, and the attestation. */
export const CompleteObligationFormSchema = z.strictObject({
  _csrf: z.string().optional(),
  description: text('Enter what was done', 4000, 'What was done must be 4000 characters or fewer'),
  evidence: text(
    'Enter a link to the evidence or its document reference',
    500,
    'The evidence link or reference must be 500 characters or fewer',
  ).refine(isEvidenceReference, { message: EVIDENCE_NOT_HTTPS }),
  attestation: z.literal('yes', { error: ATTESTATION_MISSING }),
})
export type CompleteObligationForm = z.infer<typeof CompleteObligationFormSchema>

/** The refusal when a return has no comment. */
export const RETURN_NEEDS_COMMENT = 'Enter what the supplier must do before it can be accepted'

/** Reviewing a completed instance: accept, or return with a comment. */
export const ReviewObligationFormSchema = z
  .strictObject({
    _csrf: z.string().optional(),
    decision: z.enum(['accept', 'return'], { error: 'Select whether to accept it or return it to the supplier' }),
    comment: z.string().trim().max(2000, 'The comment must be 2000 characters or fewer').optional(),
  })
  .refine(form => form.decision !== 'return' || (form.comment ?? '') !== '', {
    path: ['comment'],
    message: RETURN_NEEDS_COMMENT,
  })
export type ReviewObligationForm = z.infer<typeof ReviewObligationFormSchema>

const phase = z.enum(PHASES, { error: 'Select the phase the service is in' })

/** Adding a service to the privacy lifecycle. */
export const AddServiceFormSchema = z.strictObject({
  _csrf: z.string().optional(),
  name: text('Enter the name of the service', 120, 'The name must be 120 characters or fewer'),
  phase,
})

/** Moving a service to a new phase. */
export const ChangePhaseFormSchema = z.strictObject({
  _csrf: z.string().optional(),
  phase,
})

/** Ticking the current phase's checklist: the items that are met (none, one or several). */
export const ChecklistFormSchema = z.strictObject({
  _csrf: z.string().optional(),
  items: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform(value => ([] as string[]).concat(value ?? [])),
})
