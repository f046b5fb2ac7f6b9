import { z } from 'zod'

const text = (missing: string, max: number, tooLong: string) =>
  z.string({ error: missing }).trim().min(1, missing).max(max, tooLong)

const ticked = (missing: string) => z.literal('yes', { error: missing })

/** Issuing a letter: which of the supplier's contracts it is for. */
export const IssueLetterFormSchema = z.strictObject({
  _csrf: z.string(),
  contractId: text('Select the contract the letter is for', 128, 'Select the contract the letter is for'),
})

/** Revising a letter: what changed, which the ledger and the letter keep. */
export const ReviseLetterFormSchema = z.strictObject({
  _csrf: z.string(),
  note: text('Enter what changed in this revision', 2000, 'What changed must be 2000 characters or fewer'),
})

/** Acknowledging receipt and acceptance. */
export const AcknowledgeLetterFormSchema = z.strictObject({
  _csrf: z.string(),
  accept: ticked('Select that you have received the letter and accept its terms'),
})

/** The signatory's declaration. */
export const ConfirmLetterFormSchema = z.strictObject({
  _csrf: z.string(),
  position: text('Enter your position', 120, 'Position must be 120 characters or fewer'),
  declaration: ticked('Select to sign the declaration'),
})

/** Subcontractors' copies: every subcontractor on the contract, or none when it has none. */
export const SubcontractorCopiesFormSchema = z.strictObject({
  _csrf: z.string(),
  subcontractors: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform(value => ([] as string[]).concat(value ?? [])),
  none: z.literal('yes').optional(),
})
export type SubcontractorCopiesForm = z.infer<typeof SubcontractorCopiesFormSchema>
