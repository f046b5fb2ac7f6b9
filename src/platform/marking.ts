import { invalidField } from './errors.ts'

/**
 * Classification markings for documents and evidence. Guidance, Security Aspects Letter, Markings: "all information
 * assets will be classified OFFICIAL under the [GSCP] and ... some may carry additional descriptors ... through the
 * use of the SENSITIVE handling caveat." Assure holds OFFICIAL information only.
 */
export const MARKINGS = ['OFFICIAL', 'OFFICIAL-SENSITIVE'] as const
export type MarkingLabel = (typeof MARKINGS)[number]

/**
 * Markings of the previous scheme, accepted on import. Guidance, Legacy Material: "Information marked under the
 * previous classification scheme(s) (such as UNCLASSIFIED, PROTECT, RESTRICTED or CONFIDENTIAL) should be effectively
 * considered OFFICIAL unless otherwise stated."
 */
export const LEGACY_MARKINGS = ['UNCLASSIFIED', 'PROTECT', 'RESTRICTED', 'CONFIDENTIAL'] as const
export type LegacyMarking = (typeof LEGACY_MARKINGS)[number]

/** Classifications above OFFICIAL: real markings, but never for Assure to hold. */
const ABOVE_OFFICIAL = ['SECRET', 'TOP SECRET'] as const

/** A marking: OFFICIAL, with or without the SENSITIVE handling caveat, and the legacy marking it came from, if any. */
export interface Marking {
  readonly marking: MarkingLabel
  /**
   * Guidance, Handling Instructions: information with the SENSITIVE caveat "may state, or otherwise be accompanied
   * by, additional handling requirements (for example to limit distribution ...)". Only with OFFICIAL-SENSITIVE.
   */
  readonly handlingInstructions: string | null
  /** The original marking of legacy material, kept beside the OFFICIAL it is now considered. */
  readonly legacy: LegacyMarking | null
}

const HANDLING_MAX = 500

/** Upper case with single spaces, and the hyphen of OFFICIAL-SENSITIVE written any common way. */
const normalise = (text: string) =>
  text
    .trim()
    .toUpperCase()
    .replace(/\s+/g, ' ')
    .replace(/^OFFICIAL(?: ?[-–—:] ?| )SENSITIVE$/, 'OFFICIAL-SENSITIVE')

/**
 * Reads a marking as written on a document or in an import (`OFFICIAL`, `official sensitive`, `RESTRICTED`): legacy
 * markings become OFFICIAL with the original kept; markings above OFFICIAL and unknown words are refused, naming why.
 * `path` is the field the problem is reported against.
 */
export function parseMarking(
  text: string,
  options: { handlingInstructions?: string | null; path?: string; instructionsPath?: string } = {},
): Marking {
  const path = options.path ?? 'marking'
  const instructionsPath = options.instructionsPath ?? 'handlingInstructions'
  const written = normalise(text)
  const instructions = options.handlingInstructions?.trim() ?? ''
  if (written === '') throw invalidField(path, 'Select the marking, OFFICIAL or OFFICIAL-SENSITIVE')
  if ((ABOVE_OFFICIAL as readonly string[]).includes(written) || /^(TOP )?SECRET\b/.test(written))
    throw invalidField(
      path,
      `${written.startsWith('TOP') ? 'TOP SECRET' : 'SECRET'} material must not be put in Assure: it holds OFFICIAL information only`,
    )
  const legacy = (LEGACY_MARKINGS as readonly string[]).includes(written) ? (written as LegacyMarking) : null
  const marking = legacy === null ? (MARKINGS as readonly string[]).find(m => m === written) : 'OFFICIAL'
  if (marking === undefined)
    throw invalidField(
      path,
      `“${text.trim().slice(0, 40)}” is not a marking Assure accepts: use OFFICIAL or OFFICIAL-SENSITIVE (or, for legacy material, ${LEGACY_MARKINGS.join(', ')})`,
    )
  if (instructions.length > HANDLING_MAX)
    throw invalidField(instructionsPath, `Handling instructions must be ${HANDLING_MAX} characters or fewer`)
  if (instructions !== '' && marking !== 'OFFICIAL-SENSITIVE')
    throw invalidField(
      instructionsPath,
      'Handling instructions go with the SENSITIVE handling caveat: select OFFICIAL-SENSITIVE, or remove them',
    )
  return { marking: marking as MarkingLabel, handlingInstructions: instructions === '' ? null : instructions, legacy }
}

/** A marking as shown on a page: `OFFICIAL`, `OFFICIAL-SENSITIVE`, or `OFFICIAL (originally marked RESTRICTED)`. */
export function displayMarking(marking: { readonly marking: string; readonly legacy: string | null }): string {
  return marking.legacy === null ? marking.marking : `${marking.marking} (originally marked ${marking.legacy})`
}
