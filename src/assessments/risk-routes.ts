import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { paths } from '../paths.ts'
import { AssureError, type Problem } from '../platform/errors.ts'
import { bodyOf, formErrors, orProblems, parseBody } from '../platform/http/forms.ts'
import { PERMISSIONS, rolesAllow } from '../identity/policy.ts'
import { supplierCaller } from '../suppliers/caller.ts'
import { reachableSupplier } from '../suppliers/register.ts'
import { findSupplier } from '../suppliers/store.ts'
import { reachableAssessment, scopedRequirements, scopeOf, type AssessmentDeps } from './assessments.ts'
import { ActionFormSchema, RiskFormSchema } from './forms.ts'
import { exportAnswersCsv, exportAssessmentResults, exportPoam, type AssessmentExport } from './exports.ts'
import { presentAssessmentSummary, presentRisk } from './presenters.ts'
import { acceptRisk, isoDay, latestExpiry, listRisks, proposeRisk } from './risks.ts'
import { findAnswer, listAnswers, type AssessmentRow } from './store.ts'

type Params = { Params: { id: string } }
type RequirementParams = { Params: { id: string; requirementId: string } }

/** The risk register (proposal by the assessor, acceptance by an administrator) and an assessment's exports. */
export function registerRiskRoutes(app: FastifyInstance, deps: AssessmentDeps): void {
  const read = { config: { permission: PERMISSIONS.readAssessments } }
  const reviewRoute = { config: { permission: PERMISSIONS.reviewAssessments } }
  const registerRoute = { config: { permission: PERMISSIONS.readRiskRegister } }
  const acceptRoute = { config: { permission: PERMISSIONS.acceptRisks } }

  // Proposing a risk: a separate step straight after accepting a shortfall, so the review stays one decision.
  const riskPage = async (
    reply: FastifyReply,
    assessment: AssessmentRow,
    requirementId: string,
    values: Record<string, unknown>,
    problems: Problem[],
  ) => {
    const requirement = scopedRequirements(deps.catalogue, scopeOf(assessment)).find(r => r.id === requirementId)
    const answer = await findAnswer(deps.db, assessment.id, requirementId)
    if (requirement === undefined || answer === undefined)
      throw new AssureError('NOT_FOUND', 'That answer was not found')
    return reply.page('assessment-risk.njk', {
      assessment: presentAssessmentSummary(assessment),
      requirement: { id: requirement.id, title: requirement.title },
      justification: answer.justification,
      latestExpiry: latestExpiry(deps).day,
      values,
      ...formErrors(problems),
    })
  }
  app.get<RequirementParams>(
    '/assessments/:id/requirements/:requirementId/risk',
    reviewRoute,
    async (request, reply) => {
      const assessment = await reachableAssessment(deps, {
        caller: supplierCaller(request),
        assessmentId: request.params.id,
        permission: 'review-assessments',
      })
      return riskPage(reply, assessment, request.params.requirementId, {}, [])
    },
  )
  app.post<RequirementParams>(
    '/assessments/:id/requirements/:requirementId/risk',
    reviewRoute,
    async (request, reply) => {
      const caller = supplierCaller(request)
      const { id: assessmentId, requirementId } = request.params
      const assessment = await reachableAssessment(deps, { caller, assessmentId, permission: 'review-assessments' })
      const body = bodyOf(request)
      const parsed = parseBody(RiskFormSchema, body)
      const problems =
        'problems' in parsed
          ? parsed.problems
          : await orProblems(() => {
              const { owner, description, mitigation, expiresOn } = parsed.data
              return proposeRisk(deps, {
                caller,
                assessmentId,
                requirementId,
                risk: { owner, description, mitigation, expiresOn },
              })
            })
      if (problems.length > 0) return riskPage(reply.status(400), assessment, requirementId, body, problems)
      return reply.redirect(`${paths.assessments.assessment(assessmentId)}?done=risk-proposed`, 303)
    },
  )

  // The register: one supplier's risks, or every supplier's for the Authority, each with its state today.
  const registerPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    supplier: { id: string; name: string } | null,
  ) => {
    const { roles } = supplierCaller(request).user
    const today = isoDay(deps.now())
    const risks = await listRisks(deps.db, supplier === null ? {} : { organisationId: supplier.id })
    return reply.page('risks.njk', {
      supplier,
      risks: risks.map(risk => presentRisk(risk, today)),
      canAccept: rolesAllow(roles, 'accept-risks'),
      notice: (request.query as { done?: string }).done ?? null,
    })
  }
  app.get('/risks', registerRoute, (request, reply) => registerPage(request, reply, null))
  app.get<Params>('/suppliers/:id/risks', read, async (request, reply) => {
    const supplier = await reachableSupplier(deps, {
      caller: supplierCaller(request),
      supplierId: request.params.id,
      permission: 'read-assessments',
    })
    return registerPage(request, reply, supplier)
  })
  app.post<Params>('/risks/:id/accept', acceptRoute, async (request, reply) => {
    const parsed = ActionFormSchema.safeParse(bodyOf(request))
    if (!parsed.success) throw new AssureError('VALIDATION_FAILED', 'The form could not be read')
    await acceptRisk(deps, { caller: supplierCaller(request), riskId: request.params.id })
    return reply.redirect(`${paths.risks.register}?done=accepted`, 303)
  })

  // Exports of one assessment: OSCAL assessment results, an OSCAL POA&M of its open risks, and its answers as CSV.
  const exportOf = async (request: FastifyRequest<Params>): Promise<AssessmentExport> => {
    const assessment = await reachableAssessment(deps, {
      caller: supplierCaller(request),
      assessmentId: request.params.id,
      permission: 'read-assessments',
    })
    return {
      assessment,
      supplierName: (await findSupplier(deps.db, assessment.organisation_id))?.name ?? '',
      requirements: scopedRequirements(deps.catalogue, scopeOf(assessment)),
      answers: await listAnswers(deps.db, assessment.id),
      risks: await listRisks(deps.db, { assessmentId: assessment.id }),
      now: deps.now(),
    }
  }
  // Each download of an assessment's answers or risks is one ledger entry, through the attribution hook.
  const exported = { config: { ...read.config, auditRead: 'assessment.exported' } }
  const attachment = (reply: FastifyReply, type: string, name: string) =>
    reply.type(type).header('content-disposition', `attachment; filename="${name}"`).header('cache-control', 'no-store')
  app.get<Params>('/assessments/:id/oscal/assessment-results.json', exported, async (request, reply) =>
    attachment(reply, 'application/json; charset=utf-8', 'assessment-results.json').send(
      exportAssessmentResults(await exportOf(request)),
    ),
  )
  app.get<Params>('/assessments/:id/oscal/poam.json', exported, async (request, reply) =>
    attachment(reply, 'application/json; charset=utf-8', 'poam.json').send(exportPoam(await exportOf(request))),
  )
  app.get<Params>('/assessments/:id/answers.csv', exported, async (request, reply) =>
    attachment(reply, 'text/csv; charset=utf-8', 'answers.csv').send(exportAnswersCsv(await exportOf(request))),
  )
}
