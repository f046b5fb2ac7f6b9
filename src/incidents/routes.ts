import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { paths } from '../paths.ts'
import { notFound, type Problem } from '../platform/errors.ts'
import { problemsFrom } from '../platform/validation.ts'
import { bodyOf, formErrors } from '../platform/http/forms.ts'
import { supplierCaller } from '../suppliers/caller.ts'
import { PERMISSIONS, rolesAllow } from '../identity/policy.ts'
import { IncidentCloseFormSchema, IncidentIdSchema, IncidentUpdateFormSchema, parseIncidentReport } from './forms.ts'
import {
  closeIncident,
  hoursToReport,
  incidentFor,
  listIncidents,
  reportIncident,
  updateIncident,
  type IncidentDeps,
} from './incidents.ts'

type Params = { Params: { id: string } }

const PERSONAL_DATA_LABELS = { yes: 'Yes', no: 'No', 'not-known': 'Not known yet' } as const

/** Incidents: suppliers report them, both sides add updates, the Authority closes them with a review. */
export function registerIncidentRoutes(app: FastifyInstance, deps: IncidentDeps): void {
  app.get(paths.incidents.list, { config: { permission: PERMISSIONS.readIncidents } }, async (request, reply) => {
    const caller = supplierCaller(request)
    const incidents = await listIncidents(deps, caller)
    return reply.page('incidents.njk', {
      incidents: incidents.map(incident => ({ ...incident, hoursToReport: hoursToReport(incident) })),
      canReport: rolesAllow(caller.user.roles, 'report-incidents'),
      notice: (request.query as { done?: string }).done ?? null,
    })
  })

  const reportPage = (reply: FastifyReply, values: Record<string, unknown>, problems: Problem[] = []) =>
    reply.page('incident-report.njk', {
      values,
      personalDataItems: Object.entries(PERSONAL_DATA_LABELS).map(([value, text]) => ({
        value,
        text,
        checked: values.personalData === value,
      })),
      ...formErrors(problems, { identified: 'identified-day', personalData: 'personalData' }),
    })
  const report = { config: { permission: PERMISSIONS.reportIncidents } }
  app.get(paths.incidents.report, report, async (_request, reply) => reportPage(reply, {}))
  app.post(paths.incidents.report, report, async (request, reply) => {
    const caller = supplierCaller(request)
    const body = bodyOf(request)
    const parsed = parseIncidentReport(body, deps.now())
    if ('problems' in parsed) return reportPage(reply.status(400), body, parsed.problems)
    const id = await reportIncident(deps, { caller, supplierId: caller.user.organisationId, report: parsed.data })
    return reply.redirect(`${paths.incidents.incident(id)}?done=reported`, 303)
  })

  const incidentPage = async (
    request: FastifyRequest<Params>,
    reply: FastifyReply,
    problems: Problem[] = [],
    values: Record<string, unknown> = {},
  ) => {
    const caller = supplierCaller(request)
    if (!IncidentIdSchema.safeParse(request.params.id).success) throw notFound('That incident')
    const { incident, updates } = await incidentFor(deps, caller, request.params.id)
    return reply.page('incident.njk', {
      incident: {
        ...incident,
        hoursToReport: hoursToReport(incident),
        personalDataLabel: PERSONAL_DATA_LABELS[incident.personal_data],
      },
      updates,
      canUpdate: incident.status === 'open' && rolesAllow(caller.user.roles, 'update-incidents'),
      canClose: incident.status === 'open' && rolesAllow(caller.user.roles, 'close-incidents'),
      values,
      notice: (request.query as { done?: string }).done ?? null,
      ...formErrors(problems),
    })
  }
  app.get<Params>(
    '/incidents/:id',
    { config: { permission: PERMISSIONS.readIncidents, auditRead: 'incident.viewed' } },
    async (request, reply) => incidentPage(request, reply),
  )
  app.post<Params>(
    '/incidents/:id/updates',
    { config: { permission: PERMISSIONS.updateIncidents } },
    async (request, reply) => {
      const parsed = IncidentUpdateFormSchema.safeParse(bodyOf(request))
      if (!parsed.success) {
        const problems = problemsFrom(parsed.error).filter(p => p.path !== '_csrf')
        return incidentPage(request, reply.status(400), problems, bodyOf(request))
      }
      if (!IncidentIdSchema.safeParse(request.params.id).success) throw notFound('That incident')
      await updateIncident(deps, {
        caller: supplierCaller(request),
        incidentId: request.params.id,
        text: parsed.data.text,
      })
      return reply.redirect(`${paths.incidents.incident(request.params.id)}?done=updated`, 303)
    },
  )
  app.post<Params>(
    '/incidents/:id/close',
    { config: { permission: PERMISSIONS.closeIncidents } },
    async (request, reply) => {
      const parsed = IncidentCloseFormSchema.safeParse(bodyOf(request))
      if (!parsed.success) {
        const problems = problemsFrom(parsed.error).filter(p => p.path !== '_csrf')
        return incidentPage(request, reply.status(400), problems, bodyOf(request))
      }
      if (!IncidentIdSchema.safeParse(request.params.id).success) throw notFound('That incident')
      await closeIncident(deps, {
        caller: supplierCaller(request),
        incidentId: request.params.id,
        review: parsed.data.review,
      })
      return reply.redirect(`${paths.incidents.incident(request.params.id)}?done=closed`, 303)
    },
  )
}
