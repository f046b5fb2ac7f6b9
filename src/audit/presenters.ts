import { paths } from '../paths.ts'
import type { Problem } from '../platform/errors.ts'
import { formErrors } from '../platform/http/forms.ts'
import { hashEntryText } from './chain.ts'
import type { Outcome } from './entry.ts'
import type { Checkpoint } from './signing.ts'
import {
  FILTER_FIELDS,
  OUTCOMES,
  type FilterField,
  type LedgerFilter,
  type LedgerStatus,
  type ListedEntry,
  type StoredEntry,
} from './queries.ts'

/** Entries per page of the list. */
export const PAGE_SIZE = 50

const OUTCOME_TAGS: Record<Outcome, { text: string; classes: string }> = {
  success: { text: 'Success', classes: 'govuk-tag--green' },
  failure: { text: 'Failure', classes: 'govuk-tag--red' },
  denied: { text: 'Denied', classes: 'govuk-tag--orange' },
}

/** An instant in UK time to the second, with its zone: "3 Dec 2026, 09:00:12 GMT". */
export function formatInstant(iso: string): string {
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return iso
  return date.toLocaleString('en-GB', {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    timeZone: 'Europe/London',
    timeZoneName: 'short',
  })
}

/** Who an entry names, in words: the person's email when known, else the kind of actor and its ID. */
export function describeActor(entry: {
  readonly actorType: string
  readonly actorId: string | null
  readonly userEmail: string | null
}): string {
  switch (entry.actorType) {
    case 'user':
      return entry.userEmail ?? entry.actorId ?? 'Unknown person'
    case 'token':
      return `API token ${entry.actorId ?? ''}${entry.userEmail === null ? '' : ` (${entry.userEmail})`}`
    case 'system':
      return `System: ${entry.actorId ?? 'unknown job'}`
    default:
      return 'Not signed in'
  }
}

const describeTarget = (type: string | null, id: string | null) =>
  type === null && id === null ? '' : [type, id].filter(part => part !== null).join(' ')

/** A row of the ledger list. */
export function presentEntryRow(entry: ListedEntry) {
  return {
    sequence: entry.sequence,
    href: paths.audit.entry(entry.sequence),
    at: entry.at,
    when: formatInstant(entry.at),
    actor: describeActor(entry),
    action: entry.action,
    target: describeTarget(entry.targetType, entry.targetId),
    outcome: OUTCOME_TAGS[entry.outcome],
  }
}

/** The filters as query parameters, for links that keep them (pagination, the export). */
export function filterQuery(filter: LedgerFilter): Record<FilterField, string | undefined> {
  return {
    actor: filter.actor,
    action: filter.action,
    targetType: filter.targetType,
    targetId: filter.targetId,
    outcome: filter.outcome,
    from: filter.from?.text,
    to: filter.to?.text,
  }
}

/** The filters a read used, for the ledger entry recording it: only those given. */
export function describeFilters(filter: LedgerFilter): Record<string, string> {
  return Object.fromEntries(
    Object.entries(filterQuery(filter)).filter((entry): entry is [string, string] => entry[1] !== undefined),
  )
}

/**
 * What someone typed into the filters, kept to show back with an error: known fields only, the first of a repeated
 * one, and never more than 320 characters each.
 */
export function typedFilters(query: unknown): Record<FilterField, string> {
  const raw = (typeof query === 'object' && query !== null ? query : {}) as Record<string, unknown>
  const text = (value: unknown): string => {
    const first: unknown = Array.isArray(value) ? value[0] : value
    return typeof first === 'string' ? first.slice(0, 320) : ''
  }
  return Object.fromEntries(FILTER_FIELDS.map(field => [field, text(raw[field])])) as Record<FilterField, string>
}

/** The verification status panel: the last verification, the newest checkpoint and what it does not yet cover. */
export function presentLedgerStatus(status: LedgerStatus) {
  const { verification, checkpoint, head } = status
  return {
    entries: head.sequence,
    verification:
      verification === undefined
        ? null
        : {
            ok: Number(verification.ok) === 1,
            at: verification.at,
            when: formatInstant(verification.at),
            entries: Number(verification.entries),
            firstBadSequence: verification.first_bad_sequence === null ? null : Number(verification.first_bad_sequence),
            firstBadHref:
              verification.first_bad_sequence === null
                ? null
                : paths.audit.entry(Number(verification.first_bad_sequence)),
            message: verification.message,
          },
    checkpoint: checkpoint === undefined ? null : presentCheckpoint(checkpoint),
    uncovered: head.sequence - (checkpoint?.sequence ?? 0),
  }
}

/** A signed checkpoint for the pages. */
export function presentCheckpoint(checkpoint: Checkpoint) {
  return {
    sequence: checkpoint.sequence,
    href: paths.audit.entry(checkpoint.sequence),
    hash: checkpoint.hash,
    signedAt: checkpoint.signedAt,
    when: formatInstant(checkpoint.signedAt),
    keyId: checkpoint.keyId,
    signature: checkpoint.signature,
  }
}

/** The list page: filters (as typed, with any errors), the status panel, the rows and the pagination. */
export function presentLedgerPage(props: {
  readonly status: LedgerStatus
  readonly values: Record<FilterField, string>
  readonly problems: readonly Problem[]
  readonly result?: { readonly filter: LedgerFilter; readonly total: number; readonly entries: readonly ListedEntry[] }
  readonly page: number
  readonly notice?: 'verified' | undefined
}) {
  const { result, page } = props
  const fields = new Set<string>(FILTER_FIELDS)
  // Problems with no field of their own (an unknown parameter, the page) point at the form.
  const problems = props.problems.map(problem => (fields.has(problem.path) ? problem : { ...problem, path: 'filters' }))
  const total = result?.total ?? 0
  const lastPage = Math.max(1, Math.ceil(total / PAGE_SIZE))
  const query = result === undefined ? {} : filterQuery(result.filter)
  const pageLink = (target: number) => paths.audit.search({ ...query, page: target === 1 ? undefined : String(target) })
  const filtered = result !== undefined && Object.values(query).some(value => value !== undefined)
  return {
    ...formErrors(problems, { filters: 'actor' }),
    status: presentLedgerStatus(props.status),
    notice: props.notice ?? null,
    values: props.values,
    outcomeItems: [
      { value: '', text: 'Any' },
      ...OUTCOMES.map(outcome => ({
        value: outcome,
        text: OUTCOME_TAGS[outcome].text,
        selected: props.values.outcome === outcome,
      })),
    ],
    valid: result !== undefined,
    filtered,
    clearHref: paths.audit.ledger,
    total,
    rows: result?.entries.map(presentEntryRow) ?? [],
    exportHref: paths.audit.exportSearch(query),
    pagination: {
      page,
      lastPage,
      first: total === 0 ? 0 : (page - 1) * PAGE_SIZE + 1,
      last: Math.min(total, page * PAGE_SIZE),
      firstHref: pageLink(1),
      previous: page > 1 ? pageLink(Math.min(page - 1, lastPage)) : null,
      next: page < lastPage ? pageLink(page + 1) : null,
    },
  }
}

/** Whether an entry's stored hash matches its stored fields: a check of this entry alone, not of the chain. */
export function entryHashMatches(entry: StoredEntry): boolean {
  return (
    hashEntryText(
      {
        sequence: entry.sequence,
        at: entry.at,
        actorType: entry.actor_type,
        actorId: entry.actor_id,
        userId: entry.user_id,
        organisationId: entry.organisation_id,
        sessionRef: entry.session_ref,
        ip: entry.ip,
        action: entry.action,
        targetType: entry.target_type,
        targetId: entry.target_id,
        outcome: entry.outcome,
        reason: entry.reason,
        requestId: entry.request_id,
        prevHash: entry.prev_hash,
      },
      entry.details,
    ) === entry.hash
  )
}

/** The details as readable JSON, or the stored text as it is when it does not parse. */
export function prettyDetails(detailsJson: string): string {
  try {
    return JSON.stringify(JSON.parse(detailsJson), null, 2)
  } catch {
    return detailsJson
  }
}

const orNone = (value: string | null) => value ?? 'None'

/** The entry page: every field, the details, the hashes and the checkpoint that covers it. */
export function presentEntryPage(
  entry: StoredEntry,
  checkpoint: Checkpoint | undefined,
  around: { readonly previous: number | null; readonly next: number | null },
) {
  const actor = describeActor({ actorType: entry.actor_type, actorId: entry.actor_id, userEmail: entry.user_email })
  return {
    sequence: entry.sequence,
    action: entry.action,
    outcome: OUTCOME_TAGS[entry.outcome],
    fields: [
      { key: 'Sequence', value: String(entry.sequence) },
      { key: 'When (UK time)', value: formatInstant(entry.at) },
      { key: 'When (UTC, as recorded)', value: entry.at, code: true },
      { key: 'Actor', value: actor },
      { key: 'Actor type', value: entry.actor_type },
      { key: 'Actor ID', value: orNone(entry.actor_id), code: entry.actor_id !== null },
      { key: 'Person ID', value: orNone(entry.user_id), code: entry.user_id !== null },
      { key: 'Organisation ID', value: orNone(entry.organisation_id), code: entry.organisation_id !== null },
      { key: 'Session reference', value: orNone(entry.session_ref), code: entry.session_ref !== null },
      { key: 'IP address', value: orNone(entry.ip), code: entry.ip !== null },
      { key: 'Action', value: entry.action, code: true },
      { key: 'Target type', value: orNone(entry.target_type) },
      { key: 'Target ID', value: orNone(entry.target_id), code: entry.target_id !== null },
      { key: 'Outcome', value: OUTCOME_TAGS[entry.outcome].text },
      { key: 'Reason', value: orNone(entry.reason) },
      { key: 'Request ID', value: orNone(entry.request_id), code: entry.request_id !== null },
    ],
    details: prettyDetails(entry.details),
    hash: entry.hash,
    prevHash: entry.prev_hash,
    hashMatches: entryHashMatches(entry),
    checkpoint: checkpoint === undefined ? null : presentCheckpoint(checkpoint),
    previousHref: around.previous === null ? null : paths.audit.entry(around.previous),
    nextHref: around.next === null ? null : paths.audit.entry(around.next),
    previousSequence: around.previous,
    nextSequence: around.next,
  }
}

/** The CSV export's columns, in order: every field of an entry, and the email of the person behind it. */
export const CSV_HEADER = [
  'sequence',
  'at',
  'actor_type',
  'actor_id',
  'user_id',
  'user_email',
  'organisation_id',
  'session_ref',
  'ip',
  'action',
  'target_type',
  'target_id',
  'outcome',
  'reason',
  'request_id',
  'details',
  'prev_hash',
  'hash',
] as const

/** One entry as a CSV row, in `CSV_HEADER` order; details stay the exact JSON that was hashed. */
export function csvRow(entry: StoredEntry): string[] {
  return [
    String(entry.sequence),
    entry.at,
    entry.actor_type,
    entry.actor_id ?? '',
    entry.user_id ?? '',
    entry.user_email ?? '',
    entry.organisation_id ?? '',
    entry.session_ref ?? '',
    entry.ip ?? '',
    entry.action,
    entry.target_type ?? '',
    entry.target_id ?? '',
    entry.outcome,
    entry.reason ?? '',
    entry.request_id ?? '',
    entry.details,
    entry.prev_hash,
    entry.hash,
  ]
}

/** The export's file name, dated by the day it was made. */
export const exportFileName = (now: Date) => `assure-audit-ledger-${now.toISOString().slice(0, 10)}.csv`
