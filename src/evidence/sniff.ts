/**
 * What kind of file an upload is, judged by its bytes (magic numbers), never by the name or the content type the
 * browser sent: an allow-list of document and image types, each tied to the extensions it may carry. Guidance,
 * Preparing for tests: "Code performs input validation." ASVS v5.0.0-5.2.2: the extension must be one expected and
 * the contents must be of the type the extension represents.
 */

/** The evidence file types Assure accepts. */
export const EVIDENCE_TYPES = {
  pdf: { mediaType: 'application/pdf', extensions: ['pdf'] },
  png: { mediaType: 'image/png', extensions: ['png'] },
  jpeg: { mediaType: 'image/jpeg', extensions: ['jpg', 'jpeg'] },
  text: { mediaType: 'text/plain; charset=utf-8', extensions: ['txt'] },
  csv: { mediaType: 'text/csv; charset=utf-8', extensions: ['csv'] },
  docx: {
    mediaType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    extensions: ['docx'],
  },
  xlsx: { mediaType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', extensions: ['xlsx'] },
  pptx: {
    mediaType: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
    extensions: ['pptx'],
  },
} as const
export type EvidenceType = keyof typeof EVIDENCE_TYPES

/** The accepted extensions as a person reads them: "PDF, PNG, JPG, ...". */
export const ACCEPTED_EXTENSIONS = Object.values(EVIDENCE_TYPES).flatMap(t => t.extensions)

const startsWith = (bytes: Uint8Array, signature: readonly number[]) =>
  bytes.length >= signature.length && signature.every((byte, i) => bytes[i] === byte)

const PDF = [0x25, 0x50, 0x44, 0x46, 0x2d] // %PDF-
const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]
const JPEG = [0xff, 0xd8, 0xff]
const ZIP = [0x50, 0x4b, 0x03, 0x04] // PK\x03\x04, a local file header

/** The folder each Office Open XML package keeps its main part in (ECMA-376 Part 2, Open Packaging Conventions). */
const OOXML_PARTS: Record<'docx' | 'xlsx' | 'pptx', string> = { docx: 'word/', xlsx: 'xl/', pptx: 'ppt/' }

/** Whether a zip archive is an Office Open XML package of this kind: it names `[Content_Types].xml` and the main folder. */
function isOfficePackage(bytes: Buffer, kind: 'docx' | 'xlsx' | 'pptx'): boolean {
  if (!startsWith(bytes, ZIP)) return false
  // Entry names are stored in clear in the local headers and the central directory, whatever the compression.
  return bytes.includes('[Content_Types].xml', 0, 'latin1') && bytes.includes(OOXML_PARTS[kind], 0, 'latin1')
}

/** Whether bytes are UTF-8 text with no control characters but tab, line feed, carriage return and form feed. */
function isPlainText(bytes: Buffer): boolean {
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    return false
  }
  // eslint-disable-next-line no-control-regex
  return !/[\u0000-\u0008\u000b\u000e-\u001f\u007f]/.test(text)
}

/** Whether the bytes really are a file of this type. */
function matches(type: EvidenceType, bytes: Buffer): boolean {
  if (type === 'pdf') return startsWith(bytes, PDF)
  if (type === 'png') return startsWith(bytes, PNG)
  if (type === 'jpeg') return startsWith(bytes, JPEG)
  if (type === 'text' || type === 'csv') return isPlainText(bytes)
  return isOfficePackage(bytes, type)
}

/** A file name's extension, lower case, without the dot ('' when it has none). */
export const extensionOf = (fileName: string): string => /\.([A-Za-z0-9]+)$/.exec(fileName)?.[1]?.toLowerCase() ?? ''

/**
 * The type of an upload: its extension must be on the allow-list and its bytes must be a file of that type.
 * Returns the problem to show otherwise.
 */
export function sniffEvidence(
  fileName: string,
  bytes: Buffer,
): { type: EvidenceType; mediaType: string } | { problem: string } {
  const extension = extensionOf(fileName)
  const entry = (Object.entries(EVIDENCE_TYPES) as Array<[EvidenceType, (typeof EVIDENCE_TYPES)[EvidenceType]]>).find(
    ([, t]) => (t.extensions as readonly string[]).includes(extension),
  )
  if (entry === undefined)
    return {
      problem: `The selected file must be a ${ACCEPTED_EXTENSIONS.slice(0, -1)
        .map(e => e.toUpperCase())
        .join(', ')} or ${ACCEPTED_EXTENSIONS.at(-1)?.toUpperCase() ?? ''}`,
    }
  const [type, { mediaType }] = entry
  if (!matches(type, bytes))
    return {
      problem: `The selected file is not a real ${extension.toUpperCase()} file: its contents do not match its name`,
    }
  return { type, mediaType }
}

/**
 * A file name safe to store and to offer back in `Content-Disposition`: the last path segment only, letters,
 * digits, spaces, dots, hyphens, underscores and brackets, at most 120 characters with its extension kept.
 */
export function sanitiseFileName(fileName: string): string {
  const base = fileName.split(/[/\\]/).at(-1) ?? ''
  const cleaned = base
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[^A-Za-z0-9 ._()-]/g, '_')
    .replace(/_+/g, '_')
    .trim()
  const extension = extensionOf(cleaned)
  const stem = extension === '' ? cleaned : cleaned.slice(0, -(extension.length + 1))
  // No leading dots (hidden files, or "..") and no trailing spaces or dots (Windows drops them).
  const kept = stem
    .replace(/^[\s.]+/, '')
    .slice(0, 120 - extension.length - 1)
    .replace(/[\s.]+$/, '')
  if (kept === '' || kept === '_') return extension === '' ? 'evidence' : `evidence.${extension}`
  return extension === '' ? kept : `${kept}.${extension}`
}
