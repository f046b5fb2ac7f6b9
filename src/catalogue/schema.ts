import { z } from 'zod'

/** The MCSS functions, in the order the guidance gives them. */
export const MCSS_FUNCTIONS = ['IDENTIFY', 'PROTECT', 'DETECT', 'RESPOND', 'RECOVER'] as const
export const OBLIGATIONS = ['must', 'should', 'must-not', 'should-not', 'may'] as const
export const AUDIENCES = ['authority', 'supplier', 'both'] as const
export const EVIDENCE_KINDS = ['attestation', 'document', 'automated'] as const

const kebab = /^[a-z0-9]+(-[a-z0-9]+)*$/
const isoDuration = /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/

const ParameterBase = {
  id: z.string().regex(kebab, 'parameter IDs are kebab-case'),
  label: z.string().min(3),
}

export const ParameterSchema = z.discriminatedUnion('type', [
  z.strictObject({ ...ParameterBase, type: z.literal('integer'), value: z.number().int(), unit: z.string().min(1) }),
  z.strictObject({ ...ParameterBase, type: z.literal('decimal'), value: z.number(), unit: z.string().min(1) }),
  z.strictObject({
    ...ParameterBase,
    type: z.literal('duration'),
    value: z.string().regex(isoDuration, 'durations are ISO 8601, for example P14D or PT24H'),
  }),
  z.strictObject({
    ...ParameterBase,
    type: z.literal('list'),
    value: z.array(z.string().min(1)).min(1),
    ranked: z.boolean().optional(),
  }),
  z.strictObject({ ...ParameterBase, type: z.literal('text'), value: z.string().min(1) }),
  z.strictObject({
    ...ParameterBase,
    type: z.literal('contact'),
    value: z.strictObject({ name: z.string().min(1), title: z.string().min(1), email: z.email() }),
  }),
])
export type Parameter = z.infer<typeof ParameterSchema>

export const REQUIREMENT_ID = /^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*-\d{2,3}$/

export const RequirementSchema = z.strictObject({
  id: z.string().regex(REQUIREMENT_ID, 'requirement IDs look like AC-07 or AWS-TAG-01'),
  title: z.string().min(3).max(90),
  statement: z.string().min(3),
  subsection: z.string().min(1).optional(),
  obligation: z.enum(OBLIGATIONS),
  mcss: z.array(z.enum(MCSS_FUNCTIONS)).min(1),
  audience: z.enum(AUDIENCES),
  tags: z.array(z.string().regex(kebab)).default([]),
  parameters: z.array(ParameterSchema).default([]),
  parameterRefs: z.array(z.string().regex(kebab)).default([]),
  evidence: z.enum(EVIDENCE_KINDS),
  check: z
    .string()
    .regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/)
    .optional(),
  nist: z
    .array(z.string().regex(/^[A-Z]{2}-\d+(\(\d+\))?$/, 'NIST SP 800-53 IDs look like AC-7 or AU-9(2)'))
    .default([]),
  caf: z.array(z.string().regex(/^[A-D][1-6]$/, 'CAF principles are A1 to D2')).default([]),
})
export type Requirement = z.infer<typeof RequirementSchema>

export const InformationalSchema = z.strictObject({
  id: z.string().regex(/^INFO-[A-Z0-9]+(-[A-Z0-9]+)*-\d{2,3}$/, 'informational IDs look like INFO-AC-01'),
  title: z.string().min(3).max(120),
  summary: z.string().min(3),
  subsection: z.string().min(1).optional(),
})
export type Informational = z.infer<typeof InformationalSchema>

export const SectionFileSchema = z.strictObject({
  section: z.string().regex(kebab),
  requirements: z.array(RequirementSchema).default([]),
  informational: z.array(InformationalSchema).default([]),
})
export type SectionFile = z.infer<typeof SectionFileSchema>

export const ManifestSchema = z.strictObject({
  id: z.string().regex(kebab),
  title: z.string().min(3),
  version: z.string().regex(/^\d+\.\d+\.\d+$/, 'the catalogue version is semver'),
  date: z.iso.date(),
  source: z.string().min(1),
  sections: z
    .array(
      z.strictObject({
        slug: z.string().regex(kebab),
        heading: z.string().min(1),
        level: z.number().int().min(1).max(3),
        prefix: z
          .string()
          .regex(/^[A-Z][A-Z0-9]*$/)
          .optional(),
        informational: z.string().min(3).optional(),
      }),
    )
    .min(1),
})
export type Manifest = z.infer<typeof ManifestSchema>
