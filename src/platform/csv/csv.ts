/** RFC 4180 CSV, with cells that a spreadsheet would run as a formula defused by a leading apostrophe (OWASP CSV injection). */
export function toCsv(rows: ReadonlyArray<ReadonlyArray<string | number>>): string {
  return `${rows.map(row => row.map(cell).join(',')).join('\r\n')}\r\n`
}

function cell(value: string | number): string {
  let text = String(value)
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}
