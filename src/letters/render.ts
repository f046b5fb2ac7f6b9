import { createHash } from 'node:crypto'
import { durationParameter, type Catalogue } from '../catalogue/catalogue.ts'
import { describeDuration } from '../platform/duration.ts'
import { PLACEHOLDERS, SECURITY_ASPECTS_LETTER_TEMPLATE } from './templates/security-aspects-letter.ts'

/** The values a Security Aspects Letter is filled in with; null where the register does not have one yet. */
export interface LetterVariables {
  readonly longLegalName: string | null
  readonly shortName: string | null
  readonly securityDirector: string | null
  readonly contractReference: string | null
  /** The date of issue, YYYY-MM-DD. */
  readonly date: string | null
}

type Variable = (typeof PLACEHOLDERS)[keyof typeof PLACEHOLDERS]

/** How each variable is named to people when it is missing. */
export const VARIABLE_LABELS: Record<keyof LetterVariables, string> = {
  longLegalName: 'Organisation long legal name',
  shortName: 'Organisation short name',
  securityDirector: 'Name or role of security director',
  contractReference: 'Contract reference',
  date: 'Date',
}

/** Who the letter goes to: the guidance's distribution list, with the supplier's short name as the external action. */
export interface Distribution {
  readonly internalAction: readonly string[]
  readonly internalInformation: readonly string[]
  readonly externalAction: readonly string[]
}

/** Guidance, Security Aspects Letters, "Distribution". */
export function distributionFor(shortName: string): Distribution {
  return {
    internalAction: ['Authority Security & Privacy'],
    internalInformation: ['Director of Authority Service Delivery', 'Head of Service Delivery', 'Authority Commercial'],
    externalAction: [shortName],
  }
}

const longDate = (iso: string) =>
  new Date(`${iso}T00:00:00Z`).toLocaleDateString('en-GB', {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  })

/**
 * The letter's text with every placeholder filled, and the variables still missing (each left in the text as
 * "[Missing: …]" so nobody mistakes a gap for a name). The periods come from the catalogue.
 */
export function renderSecurityAspectsLetter(
  variables: LetterVariables,
  catalogue: Catalogue,
): { body: string; missing: Array<keyof LetterVariables> } {
  const periods = {
    acknowledgementPeriod: describeDuration(durationParameter(catalogue, 'sal-acknowledgement-period')),
    confirmationPeriod: describeDuration(durationParameter(catalogue, 'sal-confirmation-period')),
    subcontractorCopyPeriod: describeDuration(durationParameter(catalogue, 'sal-subcontractor-copy-period')),
  }
  const missing = (Object.keys(VARIABLE_LABELS) as Array<keyof LetterVariables>).filter(
    key => variables[key] === null || variables[key].trim() === '',
  )
  const valueOf = (variable: Variable): string => {
    if (variable in periods) return periods[variable as keyof typeof periods]
    const key = variable as keyof LetterVariables
    const value = variables[key]
    if (value === null || value.trim() === '') return `[Missing: ${VARIABLE_LABELS[key]}]`
    return key === 'date' ? longDate(value) : value
  }
  let body = SECURITY_ASPECTS_LETTER_TEMPLATE
  for (const [placeholder, variable] of Object.entries(PLACEHOLDERS) as Array<[string, Variable]>)
    body = body.replaceAll(placeholder, valueOf(variable))
  return { body, missing }
}

/** The SHA-256 of a letter's text, hex: what the supplier's copy can be checked against. */
export const letterHash = (body: string): string => createHash('sha256').update(body, 'utf8').digest('hex')

/** A date and time in words, UK time: "Friday 18 December 2026 at 10:00". */
export function inWords(date: Date): string {
  const day = date.toLocaleDateString('en-GB', {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'Europe/London',
  })
  const time = date.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/London' })
  return `${day.replace(',', '')} at ${time}`
}
