import type { OpenedClearanceCheck } from './checks.ts'
import type { AttestationRow } from './store.ts'

/** A calendar date in words: "3 December 2026". */
export function dayInWords(isoDate: string): string {
  return new Date(`${isoDate.slice(0, 10)}T12:00:00Z`).toLocaleDateString('en-GB', {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  })
}

/** An attestation for the supplier's personnel page. */
export function presentAttestation(row: AttestationRow) {
  return {
    id: row.id,
    fullName: row.full_name,
    role: row.role,
    contractReference: row.contract_reference,
    clearanceLevel: row.clearance_level,
    requiredLevel: row.required_level,
    achievedOn: dayInWords(row.achieved_on),
    startedOn: dayInWords(row.started_on),
    attested: `${dayInWords(row.attested_at)} by ${row.attested_by_name}`,
    current: row.status === 'current',
    withdrawn:
      row.withdrawn_at === null ? null : { on: dayInWords(row.withdrawn_at), reason: row.withdrawal_reason ?? '' },
  }
}

const OUTCOME_TAGS = {
  pending: { text: 'Awaiting answer', classes: 'govuk-tag--yellow' },
  cleared: { text: 'Cleared', classes: 'govuk-tag--green' },
  none: { text: 'No clearance held', classes: 'govuk-tag--red' },
  lapsed: { text: 'Lapsed', classes: 'govuk-tag--orange' },
} as const

/** The answer to a check in words, or null while it is awaited. */
function answerInWords(check: OpenedClearanceCheck): string | null {
  if (check.outcome === 'cleared')
    return `Cleared to ${check.cleared_level ?? ''} until ${dayInWords(check.valid_until ?? '')}`
  if (check.outcome === 'lapsed') return `Clearance lapsed on ${dayInWords(check.lapsed_on ?? '')}`
  if (check.outcome === 'none') return 'No clearance held'
  return null
}

/** A check request, with its opened details, for the people allowed to see them. */
export function presentClearanceCheck(check: OpenedClearanceCheck) {
  return {
    id: check.id,
    name: `${check.firstName} ${check.lastName}`,
    firstName: check.firstName,
    lastName: check.lastName,
    dateOfBirth: dayInWords(check.dateOfBirth),
    supplierName: check.supplier_name,
    requested: `${dayInWords(check.requested_at)} by ${check.requested_by_name}`,
    pending: check.status === 'pending',
    tag: OUTCOME_TAGS[check.outcome ?? 'pending'],
    answer: answerInWords(check),
    answered:
      check.answered_at === null ? null : `${dayInWords(check.answered_at)} by ${check.answered_by_name ?? 'unknown'}`,
  }
}
