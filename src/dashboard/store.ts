import { sql, type Expression, type ExpressionBuilder, type Kysely, type SqlBool } from 'kysely'
import type { Database } from '../platform/db/schema.ts'
import { subtractDuration } from '../platform/duration.ts'
import { MCSS_FUNCTIONS } from '../catalogue/schema.ts'
import { isoDay } from '../assessments/risks.ts'

/** The MCSS functions, in the guidance's order. */
export type McssFunction = (typeof MCSS_FUNCTIONS)[number]
/** An answer's status, in the order the dashboard shows them. */
export const ANSWER_STATUSES = ['met', 'partially-met', 'not-met', 'not-applicable'] as const
export type AnswerStatus = (typeof ANSWER_STATUSES)[number]

/** Counts of a latest assessment's answers by MCSS function and status. */
export type FunctionCounts = Record<McssFunction, Record<AnswerStatus, number>>

/** Which suppliers the dashboard shows. */
export interface PostureFilter {
  readonly q: string
  readonly overdueOnly: boolean
  /** Only suppliers with a risk past its expiry date, to review. */
  readonly expiredRisksOnly: boolean
}

/** One supplier's posture, as counted in the store. */
export interface PostureRow {
  readonly supplierId: string
  readonly name: string
  readonly assessment: { readonly id: string; readonly title: string; readonly status: string } | null
  readonly counts: FunctionCounts
  readonly risks: RiskCounts
  readonly overdueStages: number
  readonly breachedStages: number
  readonly openIncidents: number
}

/**
 * A supplier's risk register in three figures at `now`: open (accepted by the two people and not past its expiry
 * date), proposed (awaiting the second person's acceptance) and expired (past its expiry date, or marked expired,
 * so it needs review). Closed risks are not counted.
 */
export interface RiskCounts {
  readonly open: number
  readonly proposed: number
  readonly expired: number
}

/** The requirement IDs of each MCSS function, from the catalogue. */
export type FunctionIndex = ReadonlyMap<McssFunction, readonly string[]>

type Eb = ExpressionBuilder<Database, keyof Database>

/**
 * The three risk figures as sums over the `risks` table, matching `effectiveStatus` in the register: a proposed or
 * accepted risk is expired the day after its expiry date.
 * Guidance, Security Aspects Letters: controls, and so the shortfalls carried against them, are reviewed at least
 * every control review interval; an expired acceptance is a risk nobody has re-accepted.
 */
const riskSums = (eb: ExpressionBuilder<Database, 'risks'>, now: Date) => {
  const today = isoDay(now)
  const live = eb('risks.expires_on', '>=', today)
  const sum = (condition: Expression<SqlBool>) => eb.fn.sum<number>(eb.case().when(condition).then(1).else(0).end())
  return [
    sum(eb.and([eb('risks.status', '=', 'accepted'), live])).as('openRisks'),
    sum(eb.and([eb('risks.status', '=', 'proposed'), live])).as('proposedRisks'),
    sum(
      eb.or([
        eb('risks.status', '=', 'expired'),
        eb.and([eb('risks.status', 'in', ['accepted', 'proposed']), eb('risks.expires_on', '<', today)]),
      ]),
    ).as('expiredRisks'),
  ] as const
}

const riskCounts = (row: { openRisks?: unknown; proposedRisks?: unknown; expiredRisks?: unknown } | undefined) => ({
  open: n(row?.openRisks),
  proposed: n(row?.proposedRisks),
  expired: n(row?.expiredRisks),
})

const escapeLike = (text: string) => text.replace(/[\\%_]/g, ch => `\\${ch}`)
const n = (value: unknown) => Number(value ?? 0)

/** The latest assessment of each supplier, by when it was opened. */
const latestAssessmentIds = (db: Kysely<Database>) =>
  db
    .selectFrom('assessments as a')
    .select('a.id')
    .where(eb =>
      eb(
        'a.id',
        '=',
        eb
          .selectFrom('assessments as a2')
          .select('a2.id')
          .whereRef('a2.organisation_id', '=', 'a.organisation_id')
          .orderBy('a2.opened_at', 'desc')
          .orderBy('a2.id', 'desc')
          .limit(1),
      ),
    )

/** The breach test for open stages at `now`, one branch per breach period in use, so SQL does the counting. */
async function breachedCondition(db: Kysely<Database>, now: Date): Promise<(eb: Eb) => Expression<SqlBool>> {
  const periods = await db
    .selectFrom('deadline_stages')
    .select('breach_after')
    .distinct()
    .where('status', '=', 'open')
    .execute()
  const thresholds = periods.map(p => ({ period: p.breach_after, before: subtractDuration(now, p.breach_after) }))
  return (eb: Eb) =>
    thresholds.length === 0
      ? sql<SqlBool>`1 = 0`
      : eb.or(
          thresholds.map(t =>
            eb.and([
              eb('deadline_stages.breach_after', '=', t.period),
              eb('deadline_stages.due_at', '<=', t.before.toISOString()),
            ]),
          ),
        )
}

/** Supplier IDs matching the filter: name text (legal, short or organisation name) and "only with something overdue". */
function matchingSuppliers(db: Kysely<Database>, filter: PostureFilter, now: Date) {
  let query = db
    .selectFrom('organisations as o')
    .leftJoin('supplier_profiles as p', 'p.organisation_id', 'o.id')
    .where('o.kind', '=', 'supplier')
  const q = filter.q.trim().toLowerCase()
  if (q !== '') {
    const pattern = `%${escapeLike(q)}%`
    query = query.where(eb =>
      eb.or([
        sql<SqlBool>`lower(${eb.ref('o.name')}) like ${pattern} escape '\\'`,
        sql<SqlBool>`lower(${eb.ref('p.legal_name')}) like ${pattern} escape '\\'`,
        sql<SqlBool>`lower(${eb.ref('p.short_name')}) like ${pattern} escape '\\'`,
      ]),
    )
  }
  if (filter.overdueOnly)
    query = query.where(eb =>
      eb.exists(
        eb
          .selectFrom('deadline_stages as s')
          .select(sql`1`.as('one'))
          .whereRef('s.organisation_id', '=', 'o.id')
          .where('s.status', '=', 'open')
          .where('s.due_at', '<', now.toISOString()),
      ),
    )
  if (filter.expiredRisksOnly) {
    const today = isoDay(now)
    query = query.where(eb =>
      eb.exists(
        eb
          .selectFrom('risks as r')
          .select(sql`1`.as('one'))
          .whereRef('r.organisation_id', '=', 'o.id')
          .where(inner =>
            inner.or([
              inner('r.status', '=', 'expired'),
              inner.and([inner('r.status', 'in', ['accepted', 'proposed']), inner('r.expires_on', '<', today)]),
            ]),
          ),
      ),
    )
  }
  return query
}

const emptyCounts = (): FunctionCounts =>
  Object.fromEntries(
    MCSS_FUNCTIONS.map(fn => [fn, Object.fromEntries(ANSWER_STATUSES.map(status => [status, 0]))]),
  ) as FunctionCounts

/** One sum per (function, status), so each supplier's answers are counted in a single grouped row. */
function functionSums(eb: ExpressionBuilder<Database, 'assessment_answers'>, index: FunctionIndex) {
  return MCSS_FUNCTIONS.flatMap((fn, f) =>
    ANSWER_STATUSES.map((status, s) => {
      const ids = index.get(fn) ?? []
      const expression =
        ids.length === 0
          ? sql<number>`0`
          : eb.fn.sum<number>(
              eb
                .case()
                .when(
                  eb.and([
                    eb('assessment_answers.status', '=', status),
                    eb('assessment_answers.requirement_id', 'in', ids),
                  ]),
                )
                .then(1)
                .else(0)
                .end(),
            )
      return expression.as(`f${f}s${s}`)
    }),
  )
}

const countsFrom = (row: Record<string, unknown> | undefined): FunctionCounts => {
  const counts = emptyCounts()
  MCSS_FUNCTIONS.forEach((fn, f) =>
    ANSWER_STATUSES.forEach((status, s) => {
      counts[fn][status] = n(row?.[`f${f}s${s}`])
    }),
  )
  return counts
}

/**
 * The dashboard's figures: how many suppliers match, a page of their postures (latest assessment counts by
 * function, the risk register's open, proposed and expired risks, overdue and breached stages, open incidents), and
 * the totals by function and of risks across every matching supplier. Each figure is one grouped query, so the cost grows with the page, not the supplier base.
 */
export async function supplierPostures(
  db: Kysely<Database>,
  props: { now: Date; index: FunctionIndex; filter: PostureFilter; offset: number; limit: number },
): Promise<{ total: number; rows: PostureRow[]; totals: FunctionCounts; risks: RiskCounts }> {
  const { now, index, filter } = props
  const totalRow = await matchingSuppliers(db, filter, now)
    .select(eb => eb.fn.countAll().as('n'))
    .executeTakeFirst()
  const suppliers = await matchingSuppliers(db, filter, now)
    .select(['o.id as id', sql<string>`coalesce(${sql.ref('p.short_name')}, ${sql.ref('o.name')})`.as('name')])
    .orderBy(sql`lower(coalesce(${sql.ref('p.short_name')}, ${sql.ref('o.name')}))`)
    .orderBy('o.id')
    .offset(props.offset)
    .limit(props.limit)
    .execute()
  // Totals: one grouped row per (requirement, status) over every matching supplier's latest assessment, folded
  // into functions from the catalogue (a requirement may serve several), rather than a CASE per function per row.
  const totalRows = await db
    .selectFrom('assessment_answers')
    .innerJoin('assessments as t', 't.id', 'assessment_answers.assessment_id')
    .select(eb => ['assessment_answers.requirement_id', 'assessment_answers.status', eb.fn.countAll().as('n')])
    .where('t.id', 'in', latestAssessmentIds(db))
    .where('t.organisation_id', 'in', matchingSuppliers(db, filter, now).select('o.id'))
    .groupBy(['assessment_answers.requirement_id', 'assessment_answers.status'])
    .execute()
  const totals = emptyCounts()
  const functionsOf = new Map<string, McssFunction[]>()
  for (const [fn, requirementIds] of index)
    for (const id of requirementIds) functionsOf.set(id, [...(functionsOf.get(id) ?? []), fn])
  for (const row of totalRows)
    for (const fn of functionsOf.get(row.requirement_id) ?? []) totals[fn][row.status] += n(row.n)
  // The risk register across every matching supplier, in one row.
  const riskTotals = riskCounts(
    await db
      .selectFrom('risks')
      .select(eb => riskSums(eb, now))
      .where('risks.organisation_id', 'in', matchingSuppliers(db, filter, now).select('o.id'))
      .executeTakeFirst(),
  )
  if (suppliers.length === 0) return { total: n(totalRow?.n), rows: [], totals, risks: riskTotals }

  const ids = suppliers.map(s => s.id)
  const assessments = await db
    .selectFrom('assessments')
    .select(['id', 'organisation_id', 'title', 'status'])
    .where('id', 'in', latestAssessmentIds(db))
    .where('organisation_id', 'in', ids)
    .execute()
  const answerRows =
    assessments.length === 0
      ? []
      : await db
          .selectFrom('assessment_answers')
          .select(eb => ['assessment_id', ...functionSums(eb, index)])
          .where(
            'assessment_id',
            'in',
            assessments.map(a => a.id),
          )
          .groupBy('assessment_id')
          .execute()
  const riskRows = await db
    .selectFrom('risks')
    .select(eb => ['risks.organisation_id', ...riskSums(eb, now)])
    .where('risks.organisation_id', 'in', ids)
    .groupBy('risks.organisation_id')
    .execute()
  const breached = await breachedCondition(db, now)
  const stageRows = await db
    .selectFrom('deadline_stages')
    .select(eb => [
      'organisation_id',
      eb.fn.sum<number>(eb.case().when(breached(eb)).then(1).else(0).end()).as('breached'),
      eb.fn.countAll<number>().as('pastDue'),
    ])
    .where('status', '=', 'open')
    .where('due_at', '<', now.toISOString())
    .where('organisation_id', 'in', ids)
    .groupBy('organisation_id')
    .execute()
  const incidentRows = await db
    .selectFrom('incidents')
    .select(eb => ['organisation_id', eb.fn.countAll<number>().as('open')])
    .where('status', '=', 'open')
    .where('organisation_id', 'in', ids)
    .groupBy('organisation_id')
    .execute()

  const assessmentOf = new Map(assessments.map(a => [a.organisation_id, a]))
  const answersOf = new Map(answerRows.map(r => [r.assessment_id, r as unknown as Record<string, unknown>]))
  const stagesOf = new Map(stageRows.map(r => [r.organisation_id, r]))
  const risksOf = new Map(riskRows.map(r => [r.organisation_id, r]))
  const incidentsOf = new Map(incidentRows.map(r => [r.organisation_id, n(r.open)]))
  const rows = suppliers.map(supplier => {
    const assessment = assessmentOf.get(supplier.id)
    const answers = assessment === undefined ? undefined : answersOf.get(assessment.id)
    const stages = stagesOf.get(supplier.id)
    const pastDue = n(stages?.pastDue)
    const breachedCount = n(stages?.breached)
    return {
      supplierId: supplier.id,
      name: supplier.name,
      assessment:
        assessment === undefined ? null : { id: assessment.id, title: assessment.title, status: assessment.status },
      counts: countsFrom(answers),
      risks: riskCounts(risksOf.get(supplier.id)),
      overdueStages: pastDue - breachedCount,
      breachedStages: breachedCount,
      openIncidents: incidentsOf.get(supplier.id) ?? 0,
    }
  })
  return { total: n(totalRow?.n), rows, totals, risks: riskTotals }
}

/** A supplier's open deadline stages, soonest due first. */
export const openStagesOf = (db: Kysely<Database>, organisationId: string) =>
  db
    .selectFrom('deadline_stages')
    .selectAll()
    .where('organisation_id', '=', organisationId)
    .where('status', '=', 'open')
    .orderBy('due_at')
    .orderBy('stage_key')
    .execute()

/** A supplier's assessments still with it to answer (open), with their answers. */
export async function openAssessmentsOf(db: Kysely<Database>, organisationId: string) {
  const assessments = await db
    .selectFrom('assessments')
    .selectAll()
    .where('organisation_id', '=', organisationId)
    .where('status', '=', 'open')
    .orderBy('opened_at')
    .execute()
  const answers =
    assessments.length === 0
      ? []
      : await db
          .selectFrom('assessment_answers')
          .select(['assessment_id', 'requirement_id', 'review'])
          .where(
            'assessment_id',
            'in',
            assessments.map(a => a.id),
          )
          .execute()
  return { assessments, answers }
}

/** A supplier's open incidents, oldest first. */
export const openIncidentsOf = (db: Kysely<Database>, organisationId: string) =>
  db
    .selectFrom('incidents')
    .select(['id', 'summary', 'reported_at'])
    .where('organisation_id', '=', organisationId)
    .where('status', '=', 'open')
    .orderBy('reported_at')
    .execute()
