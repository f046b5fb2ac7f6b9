import { createHash } from 'node:crypto'
import { durationParameter, integerParameter, type Catalogue } from '../catalogue/catalogue.ts'
import { describeDuration, parseDuration } from '../platform/duration.ts'
import {
  DECLARATION_CLAUSES,
  DESTRUCTION_LETTER_TEMPLATE,
  LETTER_PLACEHOLDERS,
  type ClauseId,
  type NUMBER_PLACEHOLDERS,
} from './templates/destruction-letter.ts'
import { LONG_FORMAT_APPENDIX, LONG_FORMAT_CLAUSE, SHORT_FORMAT_CLAUSE } from './templates/clauses.ts'

/** The values a destruction letter is filled in with; null where the register does not have one. */
export interface DestructionLetterVariables {
  readonly longLegalName: string | null
  readonly shortName: string | null
  readonly securityDirector: string | null
  readonly contractReference: string
  /** Dates YYYY-MM-DD: of issue, the contract's end, and when the data must be back. */
  readonly date: string
  readonly contractEndDate: string
  readonly dataReturnDueDate: string
}

/** How each variable is named to people when it is missing. */
export const VARIABLE_LABELS: Record<keyof DestructionLetterVariables, string> = {
  longLegalName: 'Organisation long legal name',
  shortName: 'Organisation short name',
  securityDirector: 'Name or role of security director',
  contractReference: 'Contract reference',
  date: 'Date',
  contractEndDate: 'Contract end date',
  dataReturnDueDate: 'Data return due date',
}

const ONES = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
  'eleven',
  'twelve',
  'thirteen',
  'fourteen',
  'fifteen',
  'sixteen',
  'seventeen',
  'eighteen',
  'nineteen',
]
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety']

/** A whole number below 1000 in words, as the guidance writes them: "twenty-four", "one hundred and sixty". */
export function numberInWords(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > 999) return String(n)
  if (n < 20) return ONES[n] ?? String(n)
  if (n < 100) {
    const unit = n % 10
    return `${TENS[Math.floor(n / 10)]}${unit === 0 ? '' : `-${ONES[unit]}`}`
  }
  const rest = n % 100
  return `${ONES[Math.floor(n / 100)]} hundred${rest === 0 ? '' : ` and ${numberInWords(rest)}`}`
}

/** A number the guidance's way: "3 (three)". */
export const guidanceNumber = (n: number): string => `${n} (${numberInWords(n)})`

/**
 * A period the guidance's way: P30D is "30 (thirty) calendar days", PT24H "24 (twenty-four) hours". Periods of more
 * than one unit are written as the catalogue describes them.
 */
export function guidancePeriod(text: string): string {
  const duration = parseDuration(text)
  const units = Object.entries(duration).filter(([, value]) => value !== 0)
  const [only] = units
  if (units.length !== 1 || only === undefined) return describeDuration(text)
  const [unit, value] = only
  const singular = unit === 'days' ? 'calendar day' : unit.slice(0, -1)
  return `${guidanceNumber(value)} ${value === 1 ? singular : `${singular}s`}`
}

/** Every number the destruction texts quote, from the catalogue. */
export function destructionNumbers(catalogue: Catalogue): Record<keyof typeof NUMBER_PLACEHOLDERS, string> {
  return {
    '<OVERWRITE PASSES>': guidanceNumber(integerParameter(catalogue, 'destruction-overwrite-passes')),
    '<DIN 66399 LEVEL>': String(integerParameter(catalogue, 'paper-shredding-din-66399-level')),
    '<MAX PARTICLE AREA>': guidanceNumber(integerParameter(catalogue, 'paper-shredding-max-particle-area')),
    '<MAX STRIP WIDTH>': guidanceNumber(integerParameter(catalogue, 'paper-shredding-max-strip-width')),
    '<DATA RETURN PERIOD>': guidancePeriod(durationParameter(catalogue, 'data-return-period')),
    '<FAILED DESTRUCTION NOTIFICATION>': guidancePeriod(
      durationParameter(catalogue, 'failed-destruction-notification'),
    ),
  }
}

const fillNumbers = (text: string, catalogue: Catalogue): string =>
  Object.entries(destructionNumbers(catalogue)).reduce((body, [key, value]) => body.replaceAll(key, value), text)

/** A date YYYY-MM-DD in words: "31 March 2028". */
export const longDate = (iso: string): string =>
  new Date(`${iso}T00:00:00Z`).toLocaleDateString('en-GB', {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  })

/** The instant a day ends: a contract's last day, or a date "on or before" which something is promised (UTC). */
export const endOfDay = (iso: string): Date => new Date(`${iso}T23:59:59.000Z`)

/** The letter's text with every placeholder filled; a missing value reads "[Missing: …]", never a blank. */
export function renderDestructionLetter(variables: DestructionLetterVariables, catalogue: Catalogue): string {
  let body = fillNumbers(DESTRUCTION_LETTER_TEMPLATE, catalogue)
  for (const [placeholder, key] of Object.entries(LETTER_PLACEHOLDERS) as Array<
    [string, keyof DestructionLetterVariables]
  >) {
    const value = variables[key]
    const isDate = ['date', 'contractEndDate', 'dataReturnDueDate'].includes(key)
    let filled = value ?? ''
    if (filled.trim() === '') filled = `[Missing: ${VARIABLE_LABELS[key]}]`
    else if (isDate) filled = longDate(filled)
    body = body.replaceAll(placeholder, filled)
  }
  return body
}

/** The short and long format contract clauses and the appendix, with the catalogue's numbers. */
export function renderDestructionClauses(catalogue: Catalogue) {
  return {
    shortFormat: fillNumbers(SHORT_FORMAT_CLAUSE, catalogue),
    longFormat: fillNumbers(LONG_FORMAT_CLAUSE, catalogue),
    longFormatAppendix: fillNumbers(LONG_FORMAT_APPENDIX, catalogue),
  }
}

/** One clause as the signatory decided it: applies (with its date, when it asks for one) or struck out. */
export interface ClauseDecision {
  readonly id: ClauseId
  readonly decision: 'applies' | 'struck'
  /** YYYY-MM-DD, for a clause that asks for a date and applies. */
  readonly date: string | null
}

/** A clause's text as signed: its blank filled with the promised date, or marked struck out. */
export function clauseAsSigned(decision: ClauseDecision): string {
  const clause = DECLARATION_CLAUSES.find(candidate => candidate.id === decision.id)
  if (clause === undefined) throw new Error(`Unknown declaration clause ${decision.id}`)
  const text = clause.text.replace('<PROMISED DATE>', decision.date === null ? '_____' : `${longDate(decision.date)}.`)
  return decision.decision === 'struck' ? `[Struck out as not applicable] ${text}` : text
}

/** What the signed declaration says, as the certificate's paragraphs and fields. */
export function declarationText(props: {
  readonly variables: DestructionLetterVariables
  readonly clauses: readonly ClauseDecision[]
  readonly signerName: string
  readonly position: string
  readonly signedAt: Date
}): { paragraphs: string[]; fields: Array<{ label: string; value: string }> } {
  const signedOn = longDate(props.signedAt.toISOString().slice(0, 10))
  return {
    paragraphs: [
      `In response to the Ministry of Justice data destruction instruction and confirmation letter of ${longDate(props.variables.date)} for contract ${props.variables.contractReference}.`,
      ...props.clauses.map(clauseAsSigned),
    ],
    fields: [
      { label: 'Date', value: signedOn },
      { label: 'Contract/project reference', value: props.variables.contractReference },
      {
        label: 'For and on behalf of organisation',
        value: props.variables.longLegalName ?? props.variables.shortName ?? '',
      },
      { label: 'Name', value: props.signerName },
      { label: 'Position', value: props.position },
      { label: 'Signed electronically', value: props.signedAt.toISOString() },
    ],
  }
}

/** The SHA-256 of a text, hex. */
export const textHash = (body: string): string => createHash('sha256').update(body, 'utf8').digest('hex')
