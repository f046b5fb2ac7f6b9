import { z } from 'zod'
import type { Catalogue } from '../catalogue/catalogue.ts'
import { MCSS_FUNCTIONS } from '../catalogue/schema.ts'
import { NOTIFY_KEYS, RungSchema, stageState, type StageState } from '../deadlines/stages.ts'
import { scopedRequirements, scopeOf } from '../assessments/assessments.ts'
import type { SupplierDeps } from '../suppliers/register.ts'
import {
  openAssessmentsOf,
  openIncidentsOf,
  openStagesOf,
  supplierPostures,
  type FunctionIndex,
  type McssFunction,
  type PostureFilter,
} from './store.ts'

/** What the dashboard needs: the store, the clock and the catalogue (for each requirement's MCSS functions). */
export interface DashboardDeps extends SupplierDeps {
  readonly catalogue: Catalogue
}

/** Suppliers shown per dashboard page. */
export const PAGE_SIZE = 25

/** The dashboard's query string; anything unexpected falls back to no filter. */
export const DashboardQuerySchema = z.object({
  q: z.string().max(100).optional().default(''),
  overdue: z.enum(['yes']).optional(),
  risks: z.enum(['expired']).optional(),
  page: z.coerce.number().int().min(1).max(100_000).optional().default(1),
})
export type DashboardQuery = z.infer<typeof DashboardQuerySchema>

/** The requirement IDs of each MCSS function (a requirement may serve several). */
export function functionIndex(catalogue: Catalogue): FunctionIndex {
  return new Map<McssFunction, string[]>(
    MCSS_FUNCTIONS.map(fn => [fn, catalogue.requirements.filter(r => r.mcss.includes(fn)).map(r => r.id)]),
  )
}

/** The Authority's view of the supplier base: a page of postures, the totals by function and the risk register's. */
export async function authorityDashboard(deps: DashboardDeps, query: DashboardQuery) {
  const filter: PostureFilter = {
    q: query.q,
    overdueOnly: query.overdue === 'yes',
    expiredRisksOnly: query.risks === 'expired',
  }
  const result = await supplierPostures(deps.db, {
    now: deps.now(),
    index: functionIndex(deps.catalogue),
    filter,
    offset: (query.page - 1) * PAGE_SIZE,
    limit: PAGE_SIZE,
  })
  return { ...result, filter, page: query.page, pages: Math.max(1, Math.ceil(result.total / PAGE_SIZE)) }
}

/** One thing a supplier must do. */
export interface ToDoStage {
  readonly id: string
  readonly subjectType: string
  readonly subjectId: string
  readonly title: string
  readonly dueAt: Date
  readonly state: StageState
}

/** An answer the supplier still has to give. */
export interface NeededAnswer {
  readonly id: string
  readonly title: string
  readonly why: 'Not answered' | 'Queried'
}

/** A supplier's to-do list: open stages by due date, answers still needed, open incidents. Their own only. */
export async function supplierToDo(deps: DashboardDeps, organisationId: string) {
  const now = deps.now()
  const stages: ToDoStage[] = (await openStagesOf(deps.db, organisationId)).map(row => {
    const dueAt = new Date(row.due_at)
    const plan = {
      stageKey: row.stage_key,
      title: row.title,
      startsAt: new Date(row.starts_at),
      dueAt,
      responsible: z.enum(NOTIFY_KEYS).parse(row.responsible),
      reminderOffsets: z.array(z.string()).parse(JSON.parse(row.reminder_offsets)),
      escalation: z.array(RungSchema).parse(JSON.parse(row.escalation)),
      breachAfter: row.breach_after,
    }
    return {
      id: row.id,
      subjectType: row.subject_type,
      subjectId: row.subject_id,
      title: row.title,
      dueAt,
      state: stageState(plan, now, null),
    }
  })
  const { assessments, answers } = await openAssessmentsOf(deps.db, organisationId)
  const answersToGive = assessments.map(assessment => {
    const given = new Map(answers.filter(a => a.assessment_id === assessment.id).map(a => [a.requirement_id, a.review]))
    const needed = scopedRequirements(deps.catalogue, scopeOf(assessment)).flatMap((r): NeededAnswer[] => {
      if (!given.has(r.id)) return [{ id: r.id, title: r.title, why: 'Not answered' }]
      if (given.get(r.id) === 'queried') return [{ id: r.id, title: r.title, why: 'Queried' }]
      return []
    })
    return { id: assessment.id, title: assessment.title, needed }
  })
  const incidents = await openIncidentsOf(deps.db, organisationId)
  return { stages, assessments: answersToGive.filter(a => a.needed.length > 0), incidents }
}
