import { inflateSync } from 'node:zlib'

// WinAnsi's code points that are not Latin-1's (the ones Assure's text uses).
const WIN_ANSI: Record<number, string> = {
  0x80: '€',
  0x85: '…',
  0x91: '‘',
  0x92: '’',
  0x93: '“',
  0x94: '”',
  0x95: '•',
  0x96: '–',
  0x97: '—',
}
const decode = (hex: string) =>
  [...Buffer.from(hex, 'hex')].map(byte => WIN_ANSI[byte] ?? String.fromCharCode(byte)).join('')

/**
 * The text drawn on each page of a PDF that pdfkit wrote with the standard fonts: every content stream inflated,
 * each `[<hex> kern <hex>] TJ` decoded from WinAnsi and put on its own line.
 */
export function pdfPages(pdf: Buffer): string[] {
  const pages: string[] = []
  const text = pdf.toString('latin1')
  const streams = /<<([^]*?)>>\s*stream\r?\n/g
  for (let match = streams.exec(text); match !== null; match = streams.exec(text)) {
    const start = match.index + match[0].length
    const end = text.indexOf('endstream', start)
    const raw = pdf.subarray(start, end)
    const content = (/\/FlateDecode/.test(match[1] ?? '') ? inflateSync(raw) : raw).toString('latin1')
    const lines = [...content.matchAll(/\[([^\]]*)\] TJ/g)].map(op =>
      [...(op[1] ?? '').matchAll(/<([0-9a-f]*)>/g)].map(hex => decode(hex[1] ?? '')).join(''),
    )
    if (lines.length > 0) pages.push(lines.join('\n'))
  }
  return pages
}

/** All the text of a PDF, pages joined by a form feed. */
export const pdfText = (pdf: Buffer): string => pdfPages(pdf).join('\f')
