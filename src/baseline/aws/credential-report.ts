import type { CredentialReportRow } from '../snapshot.ts'

/** Values the credential report uses for "no date". */
const NO_DATE = new Set(['N/A', 'no_information', 'not_supported', ''])

const dateOf = (value: string | undefined): Date | null => {
  if (value === undefined || NO_DATE.has(value)) return null
  const date = new Date(value)
  return Number.isNaN(date.getTime()) ? null : date
}

/**
 * Parses the IAM credential report (CSV with a header row; no field contains a comma or quote). Columns are read by
 * name, so AWS adding a column does not shift the others.
 */
export function parseCredentialReport(csv: string): CredentialReportRow[] {
  const [header, ...lines] = csv.trim().split(/\r?\n/)
  if (header === undefined) return []
  const columns = header.split(',')
  const index = new Map(columns.map((name, position) => [name, position]))
  for (const required of ['user', 'arn', 'user_creation_time', 'password_enabled', 'mfa_active'])
    if (!index.has(required)) throw new Error(`The credential report has no ${required} column`)
  return lines.map(line => {
    const cells = line.split(',')
    const cell = (name: string) => {
      const position = index.get(name)
      return position === undefined ? undefined : cells[position]
    }
    const key = (n: 1 | 2) => ({
      active: cell(`access_key_${n}_active`) === 'true',
      lastRotated: dateOf(cell(`access_key_${n}_last_rotated`)),
      lastUsed: dateOf(cell(`access_key_${n}_last_used_date`)),
    })
    return {
      user: cell('user') ?? '',
      arn: cell('arn') ?? '',
      userCreationTime: dateOf(cell('user_creation_time')) ?? new Date(0),
      // Root's password_enabled is `not_supported`; root always has a password.
      passwordEnabled: cell('password_enabled') === 'true' || cell('password_enabled') === 'not_supported',
      passwordLastUsed: dateOf(cell('password_last_used')),
      mfaActive: cell('mfa_active') === 'true',
      accessKeys: [key(1), key(2)].filter(k => k.active || k.lastRotated !== null),
    }
  })
}
