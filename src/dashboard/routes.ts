import type { FastifyInstance, FastifyRequest } from 'fastify'
import { paths } from '../paths.ts'
import { AssureError } from '../platform/errors.ts'
import { PERMISSIONS } from '../identity/policy.ts'
import { subjectPath } from '../deadlines/links.ts'
import { authorityDashboard, DashboardQuerySchema, supplierToDo, type DashboardDeps } from './dashboard.ts'
import { functionSummary, stackedBars, stateTag, STATUS_LABELS } from './presenters.ts'
import { ANSWER_STATUSES } from './store.ts'

function userOf(request: FastifyRequest) {
  const user = request.identity?.user
  if (user === undefined) throw new AssureError('UNAUTHENTICATED', 'Sign in to continue')
  return user
}

/** The dashboards: the Authority's view of the supplier base, and each supplier's own to-do list. */
export function registerDashboardRoutes(app: FastifyInstance, deps: DashboardDeps): void {
  // Everyone who may read the register may open a dashboard; supplier people get their own supplier's to-do list.
  const gate = { config: { permission: PERMISSIONS.readSuppliers } }
  app.get(paths.dashboard.home, gate, async (request, reply) => {
    const user = userOf(request)
    if (user.organisationKind !== 'authority') return reply.redirect(paths.dashboard.toDo, 303)
    const parsed = DashboardQuerySchema.safeParse(request.query ?? {})
    const query = parsed.success ? parsed.data : DashboardQuerySchema.parse({})
    const result = await authorityDashboard(deps, query)
    const link = (page: number) =>
      paths.dashboard.search({
        q: query.q,
        overdue: query.overdue,
        risks: query.risks,
        page: page === 1 ? undefined : String(page),
      })
    return reply.page('dashboard.njk', {
      chart: stackedBars(result.totals),
      statuses: ANSWER_STATUSES.map(status => ({ status, ...STATUS_LABELS[status] })),
      totals: result.totals,
      risks: result.risks,
      rows: result.rows.map(row => ({ ...row, summary: functionSummary(row.counts) })),
      total: result.total,
      filter: result.filter,
      page: result.page,
      pages: result.pages,
      previous: result.page > 1 ? link(result.page - 1) : null,
      next: result.page < result.pages ? link(result.page + 1) : null,
    })
  })
  app.get(paths.dashboard.toDo, gate, async (request, reply) => {
    const user = userOf(request)
    if (user.organisationKind === 'authority') return reply.redirect(paths.dashboard.home, 303)
    const todo = await supplierToDo(deps, user.organisationId)
    return reply.page('dashboard-to-do.njk', {
      stages: todo.stages.map(stage => ({
        ...stage,
        dueAt: stage.dueAt.toISOString(),
        tag: stateTag(stage.state),
        href: subjectPath({ type: stage.subjectType, id: stage.subjectId, organisationId: user.organisationId }),
      })),
      assessments: todo.assessments,
      incidents: todo.incidents,
    })
  })
}
