import { renderPdf, type PdfField, type PdfSpec, type RenderedPdf } from '../platform/pdf/pdf.ts'
import type { ContractsTable } from '../platform/db/schema.ts'
import { inWords, VARIABLE_LABELS, type LetterVariables } from './render.ts'
import type { LetterRow } from './store.ts'

/** The parts of a stored letter its PDFs are rendered from: nothing that can change after issue. */
export type IssuedLetter = Pick<LetterRow, 'body' | 'body_sha256' | 'version' | 'issued_at' | 'variables'>

/**
 * What the signatory's declaration stores, and all its PDF is rendered from besides the letter: who signed, in what
 * position, when, under which marking, and the values the letter's clauses were filled with.
 */
export interface SignedDeclaration {
  readonly signerId: string
  readonly signerName: string
  readonly position: string
  /** ISO instant. */
  readonly signedAt: string
  readonly marking: ContractsTable['classification']
  readonly clauses: LetterVariables
}

/** The letter's text as paragraphs: blank lines separate them, single newlines are line breaks. */
const paragraphsOf = (body: string): string[] =>
  body
    .split(/\n{2,}/)
    .map(paragraph => paragraph.trim())
    .filter(paragraph => paragraph !== '')

const safe = (value: string) => value.replace(/[^A-Za-z0-9.-]+/g, '-').replace(/^-+|-+$/g, '')

const reference = (letter: IssuedLetter) => (JSON.parse(letter.variables) as LetterVariables).contractReference ?? ''

/** A file name for a letter's PDF: the contract reference and version, in characters safe in any header. */
export function letterPdfFilename(letter: IssuedLetter, kind: 'letter' | 'declaration'): string {
  const stem = `security-aspects-letter-${safe(reference(letter)) || 'contract'}-v${letter.version}`
  return `${stem}${kind === 'declaration' ? '-signed-declaration' : ''}.pdf`
}

const letterFields = (letter: IssuedLetter): PdfField[] => [
  { label: 'Contract', value: reference(letter) },
  { label: 'Version', value: String(letter.version) },
  { label: 'Issued', value: inWords(new Date(letter.issued_at)) },
  { label: 'SHA-256 of the letter text', value: letter.body_sha256 },
]

/** The letter as issued, marked with its contract's classification. */
export function letterPdfSpec(letter: IssuedLetter, marking: ContractsTable['classification']): PdfSpec {
  return {
    title: `Security Aspects Letter: ${reference(letter)}, version ${letter.version}`,
    marking,
    paragraphs: paragraphsOf(letter.body),
    fields: letterFields(letter),
    createdAt: new Date(letter.issued_at),
  }
}

/** The declaration's own words, as the issued letter has them (between its heading and "For and on behalf of"). */
function declarationText(body: string): string[] {
  const paragraphs = paragraphsOf(body)
  const start = paragraphs.indexOf('Supplier Declaration')
  if (start < 0) return []
  const rest = paragraphs.slice(start + 1)
  const end = rest.findIndex(p => p.startsWith('For and on behalf of'))
  return rest.slice(0, end < 0 ? rest.length : end + 1)
}

/**
 * The signed declaration: the letter as issued, then the declaration with who signed it, their position and when,
 * then the clause values. Guidance, Security Aspects Letters, "Supplier Declaration": "For and on behalf of
 * <ORGANISATION SHORTNAME> ..... (name) ..... (position) .....(date)".
 */
export function declarationPdfSpec(letter: IssuedLetter, declaration: SignedDeclaration): PdfSpec {
  const signedAt = new Date(declaration.signedAt)
  return {
    title: `Signed supplier declaration: Security Aspects Letter ${reference(letter)}, version ${letter.version}`,
    marking: declaration.marking,
    paragraphs: paragraphsOf(letter.body),
    fields: letterFields(letter),
    sections: [
      {
        heading: 'Signed supplier declaration',
        paragraphs: declarationText(letter.body),
        fields: [
          { label: 'Signed by', value: declaration.signerName },
          { label: 'Position', value: declaration.position },
          { label: 'Signed at', value: `${inWords(signedAt)} (${declaration.signedAt})` },
        ],
      },
      {
        heading: 'Clause values',
        fields: (Object.keys(VARIABLE_LABELS) as Array<keyof LetterVariables>).map(key => ({
          label: VARIABLE_LABELS[key],
          value: declaration.clauses[key] ?? '',
        })),
      },
    ],
    createdAt: signedAt,
  }
}

/** Renders the letter as issued. */
export const renderLetterPdf = (
  letter: IssuedLetter,
  marking: ContractsTable['classification'],
): Promise<RenderedPdf> => renderPdf(letterPdfSpec(letter, marking))

/** Renders the signed declaration from its stored values: the same values always give the same bytes and hash. */
export const renderDeclarationPdf = (letter: IssuedLetter, declaration: SignedDeclaration): Promise<RenderedPdf> =>
  renderPdf(declarationPdfSpec(letter, declaration))
