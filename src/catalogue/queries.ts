import { z } from 'zod'
import { AUDIENCES, MCSS_FUNCTIONS, OBLIGATIONS } from './schema.ts'

// Empty form fields mean "any"; a repeated parameter is an error rather than a silent pick.
const optional = <S extends z.ZodType>(schema: S) =>
  z.preprocess(value => (value === '' ? undefined : value), schema.optional())
const single = (message: string) => z.string({ error: message })

/** The requirement search query, shared by the pages and the API. */
export const RequirementQuerySchema = z.strictObject({
  q: optional(
    single('Search text must be a single value').trim().max(200, 'Search text must be 200 characters or fewer'),
  ),
  obligation: optional(z.enum(OBLIGATIONS, { error: `Obligation must be one of ${OBLIGATIONS.join(', ')}` })),
  mcss: optional(z.enum(MCSS_FUNCTIONS, { error: `MCSS function must be one of ${MCSS_FUNCTIONS.join(', ')}` })),
  audience: optional(z.enum(AUDIENCES, { error: `Audience must be one of ${AUDIENCES.join(', ')}` })),
  tag: optional(
    single('Tag must be a single value').regex(
      /^[a-z0-9-]{1,40}$/,
      'Tag must be lower-case letters, digits and hyphens',
    ),
  ),
  section: optional(
    single('Section must be a single value').regex(
      /^[a-z0-9.-]{1,80}$/,
      'Section must be a section ID such as access-control-guide',
    ),
  ),
  page: optional(
    z.coerce
      .number({ error: 'Page must be a whole number' })
      .int('Page must be a whole number')
      .min(1, 'Page must be 1 or more')
      .max(10_000, 'Page must be 10000 or less'),
  ),
  pageSize: optional(
    z.coerce
      .number({ error: 'Page size must be a whole number' })
      .int('Page size must be a whole number')
      .min(1, 'Page size must be 1 or more')
      .max(200, 'Page size must be 200 or less'),
  ),
})
export type RequirementQuery = z.infer<typeof RequirementQuerySchema>

/** Requirement IDs in paths: letters, digits, dots, hyphens and underscores (OSCAL tokens), at most 100 characters. */
export const ItemIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,100}$/, 'Requirement IDs are letters, digits, dots, hyphens and underscores')
/** Catalogue references in paths. */
export const CatalogueRefSchema = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,100}$/, 'Catalogue references are letters, digits, dots, hyphens and underscores')
