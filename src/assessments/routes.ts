import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { paths } from '../paths.ts'
import { AssureError, type Problem } from '../platform/errors.ts'
import { bodyOf, checkedValues, formErrors, orProblems, parseBody } from '../platform/http/forms.ts'
import { PERMISSIONS, rolesAllow } from '../identity/policy.ts'
import { supplierCaller } from '../suppliers/caller.ts'
import { reachableSupplier, type SupplierCaller } from '../suppliers/register.ts'
import type { SupplierRow } from '../suppliers/store.ts'
import {
  ActionFormSchema,
  ANSWER_STATUSES,
  AnswerFormSchema,
  CloseFormSchema,
  OpenAssessmentFormSchema,
  OUTCOMES,
  REVIEWS,
  ReviewFormSchema,
} from './forms.ts'
import {
  answerRequirement,
  catalogueTags,
  closeAssessment,
  openAssessment,
  reachableAssessment,
  reviewAnswer,
  returnAssessment,
  scopedRequirements,
  scopeOf,
  submitAssessment,
  type AssessmentDeps,
} from './assessments.ts'
import {
  ANSWER_STATUS_LABELS,
  OUTCOME_LABELS,
  presentAssessment,
  presentAssessmentSummary,
  REVIEW_LABELS,
} from './presenters.ts'
import { findAnswer, listAnswers, listAssessments, type AssessmentRow } from './store.ts'
import { registerRiskRoutes } from './risk-routes.ts'
import { isoDay, RISK_STATUSES } from './risks.ts'
import { listEvidenceForAnswer } from '../evidence/store.ts'
import { presentEvidenceList } from '../evidence/presenters.ts'
import { automatedEvidence, presentAutomatedEvidence } from '../baseline/evidence.ts'

type SupplierParams = { Params: { id: string } }
type Params = { Params: { id: string } }
type RequirementParams = { Params: { id: string; requirementId: string } }

/** Supplier self-assessments: opening (the Authority), answering and submitting (the supplier), review (assessors). */
export function registerAssessmentRoutes(app: FastifyInstance, deps: AssessmentDeps): void {
  const read = { config: { permission: PERMISSIONS.readAssessments } }
  const openRoute = { config: { permission: PERMISSIONS.openAssessments } }
  const answerRoute = { config: { permission: PERMISSIONS.answerAssessments } }
  const reviewRoute = { config: { permission: PERMISSIONS.reviewAssessments } }

  app.get<SupplierParams>('/suppliers/:id/assessments', read, async (request, reply) => {
    const caller = supplierCaller(request)
    const supplier = await reachableSupplier(deps, {
      caller,
      supplierId: request.params.id,
      permission: 'read-assessments',
    })
    return reply.page('assessments.njk', {
      supplier,
      assessments: (await listAssessments(deps.db, supplier.id)).map(presentAssessmentSummary),
      canOpen: rolesAllow(caller.user.roles, 'open-assessments'),
    })
  })

  // Opening an assessment: a title and a scope of tags and sections, each showing how many requirements it adds.
  const tagItems = catalogueTags(deps.catalogue).map(tag => ({
    value: tag,
    count: deps.catalogue.requirements.filter(r => r.tags.includes(tag)).length,
  }))
  const sectionItems = deps.catalogue.sections
    .map(s => ({
      value: s.slug,
      text: s.heading,
      count: deps.catalogue.requirements.filter(r => r.section === s.slug).length,
    }))
    .filter(s => s.count > 0)
  const openPage = (
    reply: FastifyReply,
    supplier: SupplierRow,
    values: Record<string, unknown>,
    problems: Problem[],
  ) => {
    const tags = checkedValues(values.tags)
    const sections = checkedValues(values.sections)
    return reply.page('assessment-open.njk', {
      supplier,
      values,
      tagItems: tagItems.map(t => ({
        value: t.value,
        text: `${t.value} (${t.count})`,
        checked: tags.includes(t.value),
      })),
      sectionItems: sectionItems.map(s => ({
        value: s.value,
        text: `${s.text} (${s.count})`,
        checked: sections.includes(s.value),
      })),
      ...formErrors(problems, { tags: 'tags', sections: 'sections' }),
    })
  }
  app.get<SupplierParams>('/suppliers/:id/assessments/new', openRoute, async (request, reply) => {
    const supplier = await reachableSupplier(deps, {
      caller: supplierCaller(request),
      supplierId: request.params.id,
      permission: 'open-assessments',
    })
    return openPage(reply, supplier, {}, [])
  })
  app.post<SupplierParams>('/suppliers/:id/assessments/new', openRoute, async (request, reply) => {
    const caller = supplierCaller(request)
    const supplierId = request.params.id
    const supplier = await reachableSupplier(deps, { caller, supplierId, permission: 'open-assessments' })
    const body = bodyOf(request)
    const parsed = parseBody(OpenAssessmentFormSchema, body)
    let id = ''
    const problems =
      'problems' in parsed
        ? parsed.problems
        : await orProblems(async () => {
            const { title, tags, sections } = parsed.data
            id = await openAssessment(deps, { caller, supplierId, title, scope: { tags, sections } })
          })
    if (problems.length > 0) return openPage(reply.status(400), supplier, body, problems)
    return reply.redirect(`${paths.assessments.assessment(id)}?done=opened`, 303)
  })

  // The assessment itself: every requirement in scope with its answer and review.
  const assessmentPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    assessment: AssessmentRow,
    problems: Problem[] = [],
  ) => {
    const { roles } = supplierCaller(request).user
    const scope = scopeOf(assessment)
    const presented = presentAssessment(
      assessment,
      scope,
      scopedRequirements(deps.catalogue, scope),
      await listAnswers(deps.db, assessment.id),
    )
    const reviewing = assessment.status === 'submitted' || assessment.status === 'in-review'
    return reply.page('assessment.njk', {
      assessment: presented,
      canAnswer:
        assessment.status === 'open' && roles.some(r => r === 'supplier-admin' || r === 'supplier-contributor'),
      canReview: reviewing && rolesAllow(roles, 'review-assessments'),
      notice: (request.query as { done?: string }).done ?? null,
      ...formErrors(problems),
    })
  }
  app.get<Params>('/assessments/:id', read, async (request, reply) => {
    const assessment = await reachableAssessment(deps, {
      caller: supplierCaller(request),
      assessmentId: request.params.id,
      permission: 'read-assessments',
    })
    return assessmentPage(request, reply, assessment)
  })

  // Answering one requirement.
  const requirementOf = (assessment: AssessmentRow, requirementId: string) =>
    presentAssessment(
      assessment,
      scopeOf(assessment),
      scopedRequirements(deps.catalogue, scopeOf(assessment)).filter(r => r.id === requirementId),
      [],
    ).requirements[0]
  const evidenceOf = async (assessment: AssessmentRow, requirementId: string) =>
    presentEvidenceList(await listEvidenceForAnswer(deps.db, assessment.id, requirementId), isoDay(deps.now()))
  // Issue 6: the AWS baseline's latest results evidence the requirements its rules check, for the supplier to cite
  // and the assessor to see; null for a requirement no rule checks.
  const automatedOf = async (assessment: AssessmentRow, requirementId: string) => {
    const evidence = await automatedEvidence(deps.db, {
      supplierId: assessment.organisation_id,
      requirementId,
      now: deps.now(),
    })
    return evidence === null ? null : presentAutomatedEvidence(evidence)
  }
  const answerPage = async (
    reply: FastifyReply,
    assessment: AssessmentRow,
    requirementId: string,
    values: Record<string, unknown> | null,
    problems: Problem[],
    notice: string | null = null,
  ) => {
    const requirement = requirementOf(assessment, requirementId)
    if (requirement === undefined) throw new AssureError('NOT_FOUND', 'That requirement was not found')
    const answer = (await listAnswers(deps.db, assessment.id)).find(a => a.requirement_id === requirementId)
    const shown = values ?? {
      status: answer?.status,
      justification: answer?.justification ?? '',
      evidenceLink: answer?.evidence_link ?? '',
    }
    return reply.page('assessment-answer.njk', {
      assessment: presentAssessmentSummary(assessment),
      requirement,
      review:
        answer?.review === 'queried' ? { label: REVIEW_LABELS.queried, comment: answer.review_comment ?? '' } : null,
      values: shown,
      notice,
      evidence: await evidenceOf(assessment, requirementId),
      automated: await automatedOf(assessment, requirementId),
      canChangeEvidence: assessment.status === 'open' && answer?.review !== 'accepted' && answer?.review !== 'rejected',
      statusItems: ANSWER_STATUSES.map(value => ({
        value,
        text: ANSWER_STATUS_LABELS[value],
        checked: shown.status === value,
      })),
      ...formErrors(problems, { status: 'status' }),
    })
  }
  app.get<RequirementParams>('/assessments/:id/requirements/:requirementId', answerRoute, async (request, reply) => {
    const assessment = await reachableAssessment(deps, {
      caller: supplierCaller(request),
      assessmentId: request.params.id,
      permission: 'answer-assessments',
    })
    const { done } = request.query as { done?: string }
    return answerPage(reply, assessment, request.params.requirementId, null, [], done ?? null)
  })
  app.post<RequirementParams>('/assessments/:id/requirements/:requirementId', answerRoute, async (request, reply) => {
    const caller = supplierCaller(request)
    const { id: assessmentId, requirementId } = request.params
    const assessment = await reachableAssessment(deps, { caller, assessmentId, permission: 'answer-assessments' })
    const body = bodyOf(request)
    const parsed = parseBody(AnswerFormSchema, body)
    const problems =
      'problems' in parsed
        ? parsed.problems
        : await orProblems(() =>
            answerRequirement(deps, {
              caller,
              assessmentId,
              requirementId,
              answer: {
                status: parsed.data.status,
                justification: parsed.data.justification,
                evidenceLink: parsed.data.evidenceLink,
              },
            }),
          )
    if (problems.length > 0) return answerPage(reply.status(400), assessment, requirementId, body, problems)
    return reply.redirect(`${paths.assessments.assessment(assessmentId)}?done=answered`, 303)
  })

  // Submitting, returning and closing: whole-assessment actions whose refusals show on the assessment page.
  const action = (
    route: string,
    config: typeof answerRoute | typeof reviewRoute,
    permission: 'answer-assessments' | 'review-assessments',
    done: string,
    run: (caller: SupplierCaller, assessmentId: string) => Promise<void>,
  ) =>
    app.post<Params>(route, config, async (request, reply) => {
      const caller = supplierCaller(request)
      const assessmentId = request.params.id
      const assessment = await reachableAssessment(deps, { caller, assessmentId, permission })
      const parsed = parseBody(ActionFormSchema, bodyOf(request))
      const problems = 'problems' in parsed ? parsed.problems : await orProblems(() => run(caller, assessmentId))
      if (problems.length > 0) return assessmentPage(request, reply.status(400), assessment, problems)
      return reply.redirect(`${paths.assessments.assessment(assessmentId)}?done=${done}`, 303)
    })
  action('/assessments/:id/submit', answerRoute, 'answer-assessments', 'submitted', (caller, assessmentId) =>
    submitAssessment(deps, { caller, assessmentId }),
  )
  action('/assessments/:id/return', reviewRoute, 'review-assessments', 'returned', (caller, assessmentId) =>
    returnAssessment(deps, { caller, assessmentId }),
  )

  // Reviewing one answer.
  const reviewPage = async (
    reply: FastifyReply,
    assessment: AssessmentRow,
    requirementId: string,
    values: Record<string, unknown> | null,
    problems: Problem[],
  ) => {
    const scope = scopeOf(assessment)
    const [requirement] = presentAssessment(
      assessment,
      scope,
      scopedRequirements(deps.catalogue, scope).filter(r => r.id === requirementId),
      await listAnswers(deps.db, assessment.id),
    ).requirements
    if (requirement?.answer == null) throw new AssureError('NOT_FOUND', 'That answer was not found')
    const shown = values ?? { review: requirement.answer.review, comment: requirement.answer.reviewComment ?? '' }
    return reply.page('assessment-review.njk', {
      assessment: presentAssessmentSummary(assessment),
      requirement,
      evidence: await evidenceOf(assessment, requirementId),
      automated: await automatedOf(assessment, requirementId),
      values: shown,
      reviewItems: REVIEWS.map(value => ({ value, text: REVIEW_LABELS[value], checked: shown.review === value })),
      ...formErrors(problems, { review: 'review' }),
    })
  }
  app.get<RequirementParams>(
    '/assessments/:id/requirements/:requirementId/review',
    reviewRoute,
    async (request, reply) => {
      const assessment = await reachableAssessment(deps, {
        caller: supplierCaller(request),
        assessmentId: request.params.id,
        permission: 'review-assessments',
      })
      return reviewPage(reply, assessment, request.params.requirementId, null, [])
    },
  )
  app.post<RequirementParams>(
    '/assessments/:id/requirements/:requirementId/review',
    reviewRoute,
    async (request, reply) => {
      const caller = supplierCaller(request)
      const { id: assessmentId, requirementId } = request.params
      const assessment = await reachableAssessment(deps, { caller, assessmentId, permission: 'review-assessments' })
      const body = bodyOf(request)
      const parsed = parseBody(ReviewFormSchema, body)
      const problems =
        'problems' in parsed
          ? parsed.problems
          : await orProblems(() =>
              reviewAnswer(deps, {
                caller,
                assessmentId,
                requirementId,
                review: parsed.data.review,
                comment: parsed.data.comment,
              }),
            )
      if (problems.length > 0) return reviewPage(reply.status(400), assessment, requirementId, body, problems)
      // An accepted shortfall goes straight on to proposing its risk register entry.
      const answer =
        'data' in parsed && parsed.data.review === 'accepted'
          ? await findAnswer(deps.db, assessmentId, requirementId)
          : undefined
      if (answer !== undefined && (RISK_STATUSES as readonly string[]).includes(answer.status))
        return reply.redirect(paths.assessments.proposeRisk(assessmentId, requirementId), 303)
      return reply.redirect(`${paths.assessments.assessment(assessmentId)}?done=reviewed`, 303)
    },
  )

  // Closing with an outcome.
  const closePage = (
    reply: FastifyReply,
    assessment: AssessmentRow,
    values: Record<string, unknown>,
    problems: Problem[],
  ) =>
    reply.page('assessment-close.njk', {
      assessment: presentAssessmentSummary(assessment),
      outcomeItems: OUTCOMES.map(value => ({ value, text: OUTCOME_LABELS[value], checked: values.outcome === value })),
      ...formErrors(problems, { outcome: 'outcome' }),
    })
  app.get<Params>('/assessments/:id/close', reviewRoute, async (request, reply) => {
    const assessment = await reachableAssessment(deps, {
      caller: supplierCaller(request),
      assessmentId: request.params.id,
      permission: 'review-assessments',
    })
    return closePage(reply, assessment, {}, [])
  })
  app.post<Params>('/assessments/:id/close', reviewRoute, async (request, reply) => {
    const caller = supplierCaller(request)
    const assessmentId = request.params.id
    const assessment = await reachableAssessment(deps, { caller, assessmentId, permission: 'review-assessments' })
    const body = bodyOf(request)
    const parsed = parseBody(CloseFormSchema, body)
    const problems =
      'problems' in parsed
        ? parsed.problems
        : await orProblems(() => closeAssessment(deps, { caller, assessmentId, outcome: parsed.data.outcome }))
    if (problems.length > 0) return closePage(reply.status(400), assessment, body, problems)
    return reply.redirect(`${paths.assessments.assessment(assessmentId)}?done=closed`, 303)
  })

  registerRiskRoutes(app, deps)
}
