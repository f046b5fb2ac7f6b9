import { createHash } from 'node:crypto'
import PDFDocument from 'pdfkit'

/** A label and its value, printed as a two-line entry. */
export interface PdfField {
  readonly label: string
  readonly value: string
}

/** A headed part of a document, after the main fields. */
export interface PdfSection {
  readonly heading: string
  readonly paragraphs?: readonly string[]
  readonly fields?: readonly PdfField[]
}

/** What a rendered document says: every value a verifier needs to render it again. */
export interface PdfSpec {
  readonly title: string
  /** Government Security Classifications marking, printed at the top and bottom of every page. */
  readonly marking: string
  /** Paragraphs of text; a single newline inside one is a line break. */
  readonly paragraphs: readonly string[]
  readonly fields?: readonly PdfField[]
  /** Headed parts after the fields, in order. */
  readonly sections?: readonly PdfSection[]
  /** Becomes the PDF CreationDate and ModDate, so the same spec gives the same bytes. */
  readonly createdAt: Date
}

/** A rendered document and the SHA-256 it carries. */
export interface RenderedPdf {
  readonly pdf: Buffer
  /** Hex SHA-256 of the document rendered without its hash line. */
  readonly sha256: string
}

const HASH_PREFIX = 'SHA-256: '
const MARGIN = 72
const MARKING_INSET = 30

/**
 * Renders an A4 document deterministically: the same spec always gives the same bytes.
 * The hash of the document without its hash line is then printed as the last line and put
 * in the Keywords metadata, so anyone holding the stored values can re-render and compare.
 */
export async function renderPdf(spec: PdfSpec): Promise<RenderedPdf> {
  const plain = await render(spec, null)
  const sha256 = createHash('sha256').update(plain).digest('hex')
  const pdf = await render(spec, sha256)
  return { pdf, sha256 }
}

/** The document without its hash line or hash metadata: the bytes whose SHA-256 `renderPdf` carries. */
export const renderUnsealed = (spec: PdfSpec): Promise<Buffer> => render(spec, null)

/** The SHA-256 a document carries in its metadata, or null when it carries none. */
export function pdfSha256Of(pdf: Buffer): string | null {
  const text = pdf.toString('latin1')
  // The Info dictionary is named by the last trailer; page streams cannot forge it.
  const trailer = text.lastIndexOf('\ntrailer')
  if (trailer < 0) return null
  const infoRef = /\/Info (\d+) 0 R/.exec(text.slice(trailer))
  const info = infoRef?.[1] === undefined ? null : objectBody(text, infoRef[1], trailer)
  if (info === null) return null
  // pdfkit writes each Info value as its own object; accept a direct string too.
  const keywords = /\/Keywords (?:(\d+) 0 R|(\([^)]*\)))/.exec(info)
  if (keywords === null) return null
  const value = keywords[1] === undefined ? keywords[2] : objectBody(text, keywords[1], trailer)
  const hash = value == null ? null : /^\s*\(SHA-256:([0-9a-f]{64})\)\s*$/.exec(value)
  return hash?.[1] ?? null
}

/** The text between `N 0 obj` and `endobj` for the last definition before `limit`. */
function objectBody(text: string, objectNumber: string, limit: number): string | null {
  const header = `\n${objectNumber} 0 obj`
  const start = text.lastIndexOf(header, limit)
  if (start < 0) return null
  const end = text.indexOf('endobj', start)
  if (end < 0 || end > limit) return null
  return text.slice(start + header.length, end)
}

function render(spec: PdfSpec, sha256: string | null): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: MARGIN, bottom: MARGIN, left: MARGIN, right: MARGIN },
    bufferPages: true,
    // Fixed metadata: pdfkit derives the trailer /ID from the Info dictionary, so fixing
    // every entry (no default "now") makes the /ID, and so the whole file, reproducible.
    info: {
      Title: spec.title,
      Subject: spec.marking,
      Producer: 'Assure',
      Creator: 'Assure',
      CreationDate: spec.createdAt,
      ModDate: spec.createdAt,
      ...(sha256 === null ? {} : { Keywords: `SHA-256:${sha256}` }),
    },
    font: 'Helvetica',
    lang: 'en-GB',
    displayTitle: true,
  })
  const chunks: Buffer[] = []
  doc.on('data', (chunk: Buffer) => chunks.push(chunk))
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)))
    doc.on('error', reject)
  })

  const width = doc.page.width - MARGIN * 2
  const LINE = 16
  // Starts a new page unless `height` still fits, so a label never ends a page without its value.
  const keepTogether = (height: number) => {
    if (doc.y + height > doc.page.height - doc.page.margins.bottom && doc.y > doc.page.margins.top) doc.addPage()
  }
  const paragraphs = (list: readonly string[]) => {
    doc.font('Helvetica').fontSize(11)
    for (const paragraph of list) {
      doc.text(winAnsi(paragraph), { width, lineGap: 2 })
      doc.moveDown(0.6)
    }
  }
  const fields = (list: readonly PdfField[]) => {
    doc.fontSize(11)
    for (const field of list) {
      const value = field.value.trim() === '' ? '-' : winAnsi(field.value)
      keepTogether(LINE + Math.min(doc.font('Helvetica').heightOfString(value, { width, lineGap: 2 }), LINE * 3))
      doc.font('Helvetica-Bold').text(winAnsi(field.label), { width })
      doc.font('Helvetica').text(value, { width, lineGap: 2 })
      doc.moveDown(0.5)
    }
  }
  doc.font('Helvetica-Bold').fontSize(18).text(winAnsi(spec.title), { width })
  doc.moveDown(0.8)
  paragraphs(spec.paragraphs)
  if ((spec.fields ?? []).length > 0) {
    doc.moveDown(0.4)
    fields(spec.fields ?? [])
  }
  for (const section of spec.sections ?? []) {
    doc.moveDown(0.6)
    // A heading stays with at least the first lines of what it heads.
    keepTogether(LINE * 5)
    doc.font('Helvetica-Bold').fontSize(14).text(winAnsi(section.heading), { width })
    doc.moveDown(0.4)
    paragraphs(section.paragraphs ?? [])
    fields(section.fields ?? [])
  }
  if (sha256 !== null) {
    doc.moveDown(0.8)
    doc.font('Courier').fontSize(8).text(`${HASH_PREFIX}${sha256}`, { width })
  }

  // Marking and page numbers go on last, once the page count is known.
  const range = doc.bufferedPageRange()
  for (let index = range.start; index < range.start + range.count; index += 1) {
    doc.switchToPage(index)
    markPage(doc, spec.marking, `Page ${index + 1} of ${range.count}`)
  }
  doc.end()
  return done
}

// The characters the standard fonts' WinAnsi encoding has beyond Latin-1 (pdfkit's own map, by code point).
const WIN_ANSI_EXTRA = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ')

/**
 * Text the standard fonts can show: pdfkit writes any other character as a broken glyph code, so accents are
 * decomposed where that helps (ő → o) and anything else becomes "?". Tabs and other controls become spaces.
 */
export function winAnsi(text: string): string {
  let out = ''
  for (const char of text.normalize('NFC')) {
    const code = char.codePointAt(0) ?? 0
    if (char === '\n') out += char
    else if (code < 0x20 || (code >= 0x7f && code < 0xa0)) out += ' '
    else if (code <= 0xff || WIN_ANSI_EXTRA.has(char)) out += char
    else {
      const base = char.normalize('NFKD').replace(/\p{M}/gu, '')
      out +=
        [...base].every(c => (c.codePointAt(0) ?? 0x100) <= 0xff || WIN_ANSI_EXTRA.has(c)) && base !== '' ? base : '?'
    }
  }
  return out
}

function markPage(doc: PDFKit.PDFDocument, marking: string, pageLabel: string): void {
  const { width, height, margins } = doc.page
  // Writing inside the bottom margin would start a new page; lift the margin meanwhile.
  const { bottom } = margins
  margins.bottom = 0
  doc.font('Helvetica-Bold').fontSize(10)
  const label = winAnsi(marking)
  doc.text(label, 0, MARKING_INSET, { width, align: 'center', lineBreak: false })
  doc.text(label, 0, height - MARKING_INSET - 10, { width, align: 'center', lineBreak: false })
  doc.font('Helvetica').fontSize(8)
  doc.text(pageLabel, MARGIN, height - MARKING_INSET - 9, {
    width: width - MARGIN * 2,
    align: 'right',
    lineBreak: false,
  })
  margins.bottom = bottom
}
