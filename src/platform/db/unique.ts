/**
 * Whether a store error is a unique-constraint violation, on either engine: PostgreSQL's SQLSTATE 23505, or
 * SQLite's "UNIQUE constraint failed". Operations check for a duplicate first and show a form error; this catches
 * the one that slips in between the check and the insert (two people saving the same reference at once).
 */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false
  const { code, message } = error as { code?: unknown; message?: unknown }
  if (code === '23505') return true
  return typeof message === 'string' && message.includes('UNIQUE constraint failed')
}
