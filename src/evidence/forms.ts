import { z } from 'zod'
import { isRealDay } from '../assessments/forms.ts'

/** What a supplier adds as evidence: an uploaded file, or a link to where the evidence is kept. */
export const EVIDENCE_KINDS = ['file', 'link'] as const
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number]

/** The form fields in page order, so the error summary lists problems as the page shows the fields. */
export const EVIDENCE_FIELDS = ['kind', 'file', 'url', 'effectiveOn', 'expiresOn', 'marking', 'handlingInstructions']

const day = (empty: string, unreal: string) =>
  z.string({ error: empty }).trim().min(1, empty).refine(isRealDay, { error: unreal })

/**
 * The add-evidence form (multipart; the file itself comes apart from these fields). The marking is free text here
 * and read by `parseMarking`, so legacy markings sent by a script or an older form are accepted and normalised;
 * the page itself offers only OFFICIAL and OFFICIAL-SENSITIVE.
 */
export const EvidenceFormSchema = z
  .strictObject({
    _csrf: z.string(),
    kind: z.enum(EVIDENCE_KINDS, { error: 'Select whether you are uploading a file or adding a link' }),
    url: z
      .string()
      .trim()
      .optional()
      .transform(value => value ?? ''),
    effectiveOn: day(
      'Enter the date the evidence is effective from',
      'The date the evidence is effective from must be a real date, for example 2026-04-01',
    ),
    expiresOn: day(
      'Enter the date the evidence expires',
      'The expiry date must be a real date, for example 2027-03-31',
    ),
    marking: z
      .string({ error: 'Select the marking, OFFICIAL or OFFICIAL-SENSITIVE' })
      .trim()
      .min(1, 'Select the marking, OFFICIAL or OFFICIAL-SENSITIVE')
      .max(40, 'Select the marking, OFFICIAL or OFFICIAL-SENSITIVE'),
    handlingInstructions: z
      .string()
      .trim()
      .optional()
      .transform(value => (value === undefined || value === '' ? null : value)),
  })
  .superRefine((form, context) => {
    if (form.kind === 'link' && form.url === '')
      context.addIssue({ code: 'custom', path: ['url'], message: 'Enter the link to the evidence' })
  })
export type EvidenceForm = z.infer<typeof EvidenceFormSchema>

/** The remove-evidence form: its CSRF token only. */
export const RemoveEvidenceFormSchema = z.strictObject({ _csrf: z.string() })
