/**
 * RFC 8785 JSON Canonicalization Scheme. Strings and numbers serialise exactly as ECMAScript's JSON.stringify
 * does (which is what the RFC specifies); object members are sorted by their names' UTF-16 code units, which is
 * JavaScript's default string order.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('JSON has no representation for NaN or Infinity')
    return JSON.stringify(value)
  }
  if (Array.isArray(value)) return `[${value.map(item => canonicalJson(item ?? null)).join(',')}]`
  if (typeof value === 'object') {
    const members = Object.entries(value as Record<string, unknown>)
      .filter(([, member]) => member !== undefined)
      .sort(([a], [b]) => compareCodeUnits(a, b))
      .map(([name, member]) => `${JSON.stringify(name)}:${canonicalJson(member)}`)
    return `{${members.join(',')}}`
  }
  throw new TypeError(`JSON has no representation for a ${typeof value}`)
}

/** Orders strings by UTF-16 code units, as RFC 8785 §3.2.3 asks (JavaScript's own `<` on strings). */
function compareCodeUnits(a: string, b: string): number {
  if (a === b) return 0
  return a < b ? -1 : 1
}
