import { z } from 'zod'

/** How a supplier says it meets a requirement. */
export const ANSWER_STATUSES = ['met', 'partially-met', 'not-met', 'not-applicable'] as const
export type AnswerStatus = (typeof ANSWER_STATUSES)[number]

/** What an assessor makes of an answer. Queried answers go back to the supplier; the others are final. */
export const REVIEWS = ['accepted', 'queried', 'rejected'] as const
export type Review = (typeof REVIEWS)[number]

/** The assessor's overall conclusion when closing an assessment. */
export const OUTCOMES = ['satisfactory', 'satisfactory-with-actions', 'unsatisfactory'] as const
export type Outcome = (typeof OUTCOMES)[number]

const checkboxes = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform(value => ([] as string[]).concat(value ?? []))

const optionalText = (max: number, tooLong: string) =>
  z
    .string()
    .trim()
    .max(max, tooLong)
    .optional()
    .transform(value => (value === undefined || value === '' ? null : value))

/** The form that opens an assessment: a title and a scope of catalogue tags and sections. */
export const OpenAssessmentFormSchema = z.strictObject({
  _csrf: z.string(),
  title: z
    .string({ error: 'Enter a title for the assessment' })
    .trim()
    .min(1, 'Enter a title for the assessment')
    .max(200, 'Title must be 200 characters or fewer'),
  tags: checkboxes,
  sections: checkboxes,
})
export type OpenAssessmentForm = z.infer<typeof OpenAssessmentFormSchema>

/** The form that answers one requirement. A justification is needed for anything but "met". */
export const AnswerFormSchema = z
  .strictObject({
    _csrf: z.string(),
    status: z.enum(ANSWER_STATUSES, { error: 'Select how far the requirement is met' }),
    justification: optionalText(5000, 'Justification must be 5000 characters or fewer'),
    evidenceLink: z
      .string()
      .trim()
      .max(2000, 'Evidence link must be 2000 characters or fewer')
      .optional()
      .transform(value => (value === undefined || value === '' ? null : value))
      .refine(value => value === null || /^https:\/\/[^\s/]+\S*$/.test(value), {
        error: 'Enter the evidence link as a web address starting https://',
      }),
  })
  .superRefine((form, context) => {
    if (form.status !== 'met' && form.justification === null)
      context.addIssue({
        code: 'custom',
        path: ['justification'],
        message:
          form.status === 'not-applicable'
            ? 'Explain why the requirement does not apply'
            : 'Explain how far the requirement is met and what is missing',
      })
  })
export type AnswerForm = z.infer<typeof AnswerFormSchema>

/** The assessor's review of one answer: a comment is needed to query it. */
export const ReviewFormSchema = z
  .strictObject({
    _csrf: z.string(),
    review: z.enum(REVIEWS, { error: 'Select whether you accept, query or reject the answer' }),
    comment: optionalText(5000, 'Comment must be 5000 characters or fewer'),
  })
  .superRefine((form, context) => {
    if (form.review === 'queried' && form.comment === null)
      context.addIssue({ code: 'custom', path: ['comment'], message: 'Enter what the supplier needs to answer' })
  })
export type ReviewForm = z.infer<typeof ReviewFormSchema>

/** The form that closes an assessment with its outcome. */
export const CloseFormSchema = z.strictObject({
  _csrf: z.string(),
  outcome: z.enum(OUTCOMES, { error: 'Select the outcome of the assessment' }),
})
export type CloseForm = z.infer<typeof CloseFormSchema>

/** A form with only its CSRF token (submit, return to supplier). */
export const ActionFormSchema = z.strictObject({ _csrf: z.string() })

/** Whether text is a YYYY-MM-DD date that exists in the calendar (not 2027-02-30). */
export function isRealDay(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text)
  if (match === null) return false
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])]
  const date = new Date(Date.UTC(year, month - 1, day))
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
}

const requiredText = (empty: string, max: number, tooLong: string) =>
  z.string({ error: empty }).trim().min(1, empty).max(max, tooLong)

/** The form that proposes carrying an accepted shortfall as a risk; the expiry is checked against the clock later. */
export const RiskFormSchema = z.strictObject({
  _csrf: z.string(),
  owner: requiredText(
    'Enter the name of the person at the supplier who owns the risk',
    200,
    'Owner must be 200 characters or fewer',
  ),
  description: requiredText('Enter a description of the risk', 5000, 'Description must be 5000 characters or fewer'),
  mitigation: requiredText(
    'Enter how the risk is mitigated until it is resolved',
    5000,
    'Mitigation must be 5000 characters or fewer',
  ),
  expiresOn: z
    .string({ error: 'Enter the date the risk acceptance expires' })
    .trim()
    .min(1, 'Enter the date the risk acceptance expires')
    .refine(isRealDay, { error: 'The expiry date must be a real date, for example 2027-03-31' }),
})
export type RiskForm = z.infer<typeof RiskFormSchema>
