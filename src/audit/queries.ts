import { sql, type Expression, type ExpressionBuilder, type Kysely, type SqlBool } from 'kysely'
import { z } from 'zod'
import type { Database } from '../platform/db/schema.ts'
import type { Outcome } from './entry.ts'
import type { Checkpoint } from './signing.ts'
import { checkpointFromRow, latestCheckpoint, ledgerHead, type EntryRow } from './store.ts'
import { lastVerification } from './ledger.ts'

// --- the audit pages' query string ---------------------------------------------------------------------------------

export const OUTCOMES = ['success', 'failure', 'denied'] as const satisfies readonly Outcome[]

/** The filter fields, in the order the form shows them. */
export const FILTER_FIELDS = ['actor', 'action', 'targetType', 'targetId', 'outcome', 'from', 'to'] as const
export type FilterField = (typeof FILTER_FIELDS)[number]

// Empty (or blank) fields mean "any"; a repeated parameter is an error rather than a silent pick.
const optional = <S extends z.ZodType>(schema: S) =>
  z.preprocess(value => (typeof value === 'string' && value.trim() === '' ? undefined : value), schema.optional())
const single = (label: string) => z.string({ error: `${label} must be a single value` }).trim()

/** A calendar day as typed (`3/12/2026` or `2026-12-03`). */
export interface Day {
  readonly text: string
  readonly year: number
  readonly month: number
  readonly day: number
}

const DAY = /^(?:(\d{1,2})\/(\d{1,2})\/(\d{4})|(\d{4})-(\d{2})-(\d{2}))$/

/** Reads a typed day, or undefined when it is not a real date. */
export function parseDay(text: string): Day | undefined {
  const match = DAY.exec(text)
  if (match === null) return undefined
  const [year, month, day] =
    match[1] === undefined ? [match[4], match[5], match[6]].map(Number) : [match[3], match[2], match[1]].map(Number)
  if (year === undefined || month === undefined || day === undefined) return undefined
  const date = new Date(Date.UTC(year, month - 1, day))
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined
  if (year < 2000 || year > 9999) return undefined
  return { text, year, month, day }
}

const dayField = (label: string) =>
  single(label).transform((text, ctx) => {
    const day = parseDay(text)
    if (day === undefined) {
      ctx.addIssue({ code: 'custom', message: `${label} must be a real date, like 3/12/2026` })
      return z.NEVER
    }
    return day
  })

/** The ledger list's and export's query string: the filters and the page. */
export const LedgerQuerySchema = z
  .strictObject({
    actor: optional(
      single('Person')
        .max(320, 'Person must be 320 characters or fewer')
        .regex(
          /^(?:[^\s@]+@[^\s@]+|[A-Za-z0-9._:-]+)$/,
          'Person must be an email address or an ID, like ada@justice.example',
        ),
    ),
    action: optional(
      single('Action')
        .toLowerCase()
        .max(100, 'Action must be 100 characters or fewer')
        .regex(/^[a-z0-9_.-]+$/, 'Action must be letters, digits, dots, hyphens and underscores, like auth.'),
    ),
    targetType: optional(
      single('Target type')
        .toLowerCase()
        .max(64, 'Target type must be 64 characters or fewer')
        .regex(/^[a-z0-9_.-]+$/, 'Target type must be letters, digits, dots, hyphens and underscores, like user'),
    ),
    targetId: optional(single('Target ID').max(200, 'Target ID must be 200 characters or fewer')),
    outcome: optional(z.enum(OUTCOMES, { error: 'Outcome must be success, failure or denied' })),
    from: optional(dayField('Date from')),
    to: optional(dayField('Date to')),
    page: optional(
      z.coerce
        .number({ error: 'Page must be a whole number' })
        .int('Page must be a whole number')
        .min(1, 'Page must be 1 or more')
        .max(100_000, 'Page must be 100000 or less'),
    ),
    done: optional(z.enum(['verified'], { error: 'That notice is not recognised' })),
  })
  .superRefine((query, ctx) => {
    if (query.from !== undefined && query.to !== undefined && dayNumber(query.to) < dayNumber(query.from))
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'Date to must be the same as or after date from' })
  })
export type LedgerQuery = z.infer<typeof LedgerQuerySchema>

/** What the list and the export filter on. */
export type LedgerFilter = Pick<LedgerQuery, FilterField>

/** The filters of a parsed query, without the page and the notice. */
export function filterOf(query: LedgerQuery): LedgerFilter {
  const { actor, action, targetType, targetId, outcome, from, to } = query
  return { actor, action, targetType, targetId, outcome, from, to }
}

/** The sequence in an entry's address: a positive whole number, nothing else. */
export const SequenceSchema = z
  .string()
  .regex(/^[1-9][0-9]{0,14}$/)
  .transform(Number)

/** The "verify now" form: only its CSRF token. */
export const VerifyFormSchema = z.strictObject({ _csrf: z.string() })

const dayNumber = (day: Day) => Date.UTC(day.year, day.month - 1, day.day)

/** London's offset from UTC, in minutes, at an instant. */
function londonOffsetMinutes(at: Date): number {
  const zone =
    new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', timeZoneName: 'longOffset' })
      .formatToParts(at)
      .find(part => part.type === 'timeZoneName')?.value ?? 'GMT'
  const match = /GMT([+-])(\d{2}):(\d{2})/.exec(zone)
  if (match === null) return 0
  return (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3]))
}

/**
 * When a UK calendar day starts, as a UTC instant; `plusDays` moves along the calendar first. The ledger stores UTC
 * and people read UK time, so "from 3/12/2026" means from midnight in London. Midnight is never inside a UK clock
 * change (they happen at 01:00 UTC), so the offset at UTC midnight is the offset at London midnight.
 */
export function startOfUkDay(day: Day, plusDays = 0): Date {
  const utcMidnight = Date.UTC(day.year, day.month - 1, day.day + plusDays)
  return new Date(utcMidnight - londonOffsetMinutes(new Date(utcMidnight)) * 60_000)
}

// --- Kysely queries for the pages (both engines) ---------------------------------------------------------------------

type Db = Kysely<Database>
type EntryExpressions = ExpressionBuilder<Database, 'audit_entries'>

/** An entry in the list, with the email of the person behind it when there is one. */
export interface ListedEntry {
  readonly sequence: number
  readonly at: string
  readonly actorType: EntryRow['actor_type']
  readonly actorId: string | null
  readonly userId: string | null
  readonly userEmail: string | null
  readonly action: string
  readonly targetType: string | null
  readonly targetId: string | null
  readonly outcome: Outcome
}

/** A whole stored entry, with the email of the person behind it. */
export interface StoredEntry extends Omit<EntryRow, 'sequence'> {
  readonly sequence: number
  readonly user_email: string | null
}

/** The filter as one SQL condition. */
function matching(filter: LedgerFilter): (eb: EntryExpressions) => Expression<SqlBool> {
  return eb => {
    const conditions: Array<Expression<SqlBool>> = []
    const { actor } = filter
    if (actor !== undefined) {
      // A person is named by email (any entry of theirs, in person or by API token) or by any actor or person ID.
      conditions.push(
        actor.includes('@')
          ? eb(
              'audit_entries.user_id',
              'in',
              eb.selectFrom('users').select('users.id').where('users.email', '=', actor.toLowerCase()),
            )
          : eb.or([eb('audit_entries.user_id', '=', actor), eb('audit_entries.actor_id', '=', actor)]),
      )
    }
    if (filter.action !== undefined) {
      // A prefix compared exactly: LIKE would treat `_` as a wildcard and differs in case between the engines.
      conditions.push(
        sql<SqlBool>`substr(${eb.ref('audit_entries.action')}, 1, ${filter.action.length}) = ${filter.action}`,
      )
    }
    if (filter.targetType !== undefined) conditions.push(eb('audit_entries.target_type', '=', filter.targetType))
    if (filter.targetId !== undefined) conditions.push(eb('audit_entries.target_id', '=', filter.targetId))
    if (filter.outcome !== undefined) conditions.push(eb('audit_entries.outcome', '=', filter.outcome))
    if (filter.from !== undefined)
      conditions.push(eb('audit_entries.at', '>=', startOfUkDay(filter.from).toISOString()))
    if (filter.to !== undefined) conditions.push(eb('audit_entries.at', '<', startOfUkDay(filter.to, 1).toISOString()))
    return eb.and(conditions)
  }
}

/** One page of entries matching the filter, newest first, and how many match in all. */
export async function searchEntries(
  db: Db,
  filter: LedgerFilter,
  page: { readonly number: number; readonly size: number },
): Promise<{ total: number; entries: ListedEntry[] }> {
  const where = matching(filter)
  const counted = await db
    .selectFrom('audit_entries')
    .where(where)
    .select(eb => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow()
  const rows = await db
    .selectFrom('audit_entries')
    .where(where)
    .leftJoin('users', 'users.id', 'audit_entries.user_id')
    .select([
      'audit_entries.sequence',
      'audit_entries.at',
      'audit_entries.actor_type',
      'audit_entries.actor_id',
      'audit_entries.user_id',
      'users.email as user_email',
      'audit_entries.action',
      'audit_entries.target_type',
      'audit_entries.target_id',
      'audit_entries.outcome',
    ])
    .orderBy('audit_entries.sequence', 'desc')
    .limit(page.size)
    .offset((page.number - 1) * page.size)
    .execute()
  return {
    total: Number(counted.n),
    entries: rows.map(row => ({
      sequence: Number(row.sequence),
      at: row.at,
      actorType: row.actor_type,
      actorId: row.actor_id,
      userId: row.user_id,
      userEmail: row.user_email,
      action: row.action,
      targetType: row.target_type,
      targetId: row.target_id,
      outcome: row.outcome,
    })),
  }
}

/** How many entries up to `through` match the filter. */
export async function countMatching(db: Db, filter: LedgerFilter, through: number): Promise<number> {
  const counted = await db
    .selectFrom('audit_entries')
    .where(matching(filter))
    .where('audit_entries.sequence', '<=', through)
    .select(eb => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow()
  return Number(counted.n)
}

/** Every entry up to `through` matching the filter, in ledger order, a batch at a time (for the CSV export). */
export async function* matchingEntries(
  db: Db,
  filter: LedgerFilter,
  through: number,
  batchSize = 1000,
): AsyncGenerator<StoredEntry[]> {
  let after = 0
  for (;;) {
    const rows = await db
      .selectFrom('audit_entries')
      .where(matching(filter))
      .where('audit_entries.sequence', '>', after)
      .where('audit_entries.sequence', '<=', through)
      .leftJoin('users', 'users.id', 'audit_entries.user_id')
      .selectAll('audit_entries')
      .select('users.email as user_email')
      .orderBy('audit_entries.sequence')
      .limit(batchSize)
      .execute()
    const batch = rows.map(row => ({ ...row, sequence: Number(row.sequence) }))
    if (batch.length > 0) yield batch
    const last = batch.at(-1)
    if (last === undefined || batch.length < batchSize) return
    after = last.sequence
  }
}

/** One entry by its sequence. */
export async function findEntry(db: Db, sequence: number): Promise<StoredEntry | undefined> {
  const row = await db
    .selectFrom('audit_entries')
    .leftJoin('users', 'users.id', 'audit_entries.user_id')
    .selectAll('audit_entries')
    .select('users.email as user_email')
    .where('audit_entries.sequence', '=', sequence)
    .executeTakeFirst()
  return row === undefined ? undefined : { ...row, sequence: Number(row.sequence) }
}

/** The first signed checkpoint at or after an entry: the one whose signature covers it. */
export async function coveringCheckpoint(db: Db, sequence: number): Promise<Checkpoint | undefined> {
  const row = await db
    .selectFrom('audit_checkpoints')
    .selectAll()
    .where('kind', '=', 'checkpoint')
    .where('sequence', '>=', sequence)
    .orderBy('sequence')
    .orderBy('signed_at')
    .limit(1)
    .executeTakeFirst()
  return row === undefined ? undefined : checkpointFromRow(row)
}

/** The stored entries just before and after one (pruning can leave gaps at the start). */
export async function neighbours(db: Db, sequence: number): Promise<{ previous: number | null; next: number | null }> {
  const [previous, next] = await Promise.all([
    db
      .selectFrom('audit_entries')
      .select('sequence')
      .where('sequence', '<', sequence)
      .orderBy('sequence', 'desc')
      .limit(1)
      .executeTakeFirst(),
    db
      .selectFrom('audit_entries')
      .select('sequence')
      .where('sequence', '>', sequence)
      .orderBy('sequence')
      .limit(1)
      .executeTakeFirst(),
  ])
  return {
    previous: previous === undefined ? null : Number(previous.sequence),
    next: next === undefined ? null : Number(next.sequence),
  }
}

/** What the top of the audit pages shows: the last verification, the newest checkpoint and the head. */
export async function ledgerStatus(db: Db) {
  const [verification, checkpoint, head] = await Promise.all([
    lastVerification(db),
    latestCheckpoint(db),
    ledgerHead(db),
  ])
  return { verification, checkpoint, head }
}
export type LedgerStatus = Awaited<ReturnType<typeof ledgerStatus>>
