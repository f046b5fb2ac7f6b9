import { randomUUID } from 'node:crypto'
import type { Catalogue, PlacedRequirement } from '../catalogue/catalogue.ts'
import { AssureError, notFound, invalidField } from '../platform/errors.ts'
import { recordAuditEvent } from '../audit/record.ts'
import type { RolePermission } from '../identity/policy.ts'
import { assertNotSelfApproval } from '../identity/segregation.ts'
import { reachableSupplier, type SupplierCaller, type SupplierDeps } from '../suppliers/register.ts'
import type { AnswerStatus, Outcome, Review } from './forms.ts'
import {
  findAnswer,
  findAssessment,
  insertAssessment,
  listAnswers,
  updateAssessment,
  updateReview,
  upsertAnswer,
  type AnswerRow,
  type AssessmentRow,
} from './store.ts'

/** What assessment operations need: the register's store and clock, and the catalogue assessed against. */
export interface AssessmentDeps extends SupplierDeps {
  readonly catalogue: Catalogue
}

/** What an assessment covers: every requirement with one of the tags, or in one of the sections. */
export interface AssessmentScope {
  readonly tags: readonly string[]
  readonly sections: readonly string[]
}

const conflict = (message: string) => new AssureError('CONFLICT', message)

/** Every tag the catalogue's requirements carry, sorted. */
export const catalogueTags = (catalogue: Catalogue): string[] =>
  [...new Set(catalogue.requirements.flatMap(r => r.tags))].sort()

/** The requirements a scope covers, in catalogue order. */
export function scopedRequirements(catalogue: Catalogue, scope: AssessmentScope): PlacedRequirement[] {
  return catalogue.requirements.filter(
    r => r.tags.some(tag => scope.tags.includes(tag)) || scope.sections.includes(r.section),
  )
}

/** An assessment's stored scope. */
export const scopeOf = (assessment: AssessmentRow): AssessmentScope => JSON.parse(assessment.scope) as AssessmentScope

/**
 * The assessment a caller asked for, if its supplier is within their reach and they hold `permission`; anything
 * else is not found (and the register records the attempt), so supplier people learn nothing of other suppliers.
 */
export async function reachableAssessment(
  deps: AssessmentDeps,
  props: { caller: SupplierCaller; assessmentId: string; permission: RolePermission },
): Promise<AssessmentRow> {
  const assessment = await findAssessment(deps.db, props.assessmentId)
  if (assessment === undefined) throw notFound('That assessment')
  await reachableSupplier(deps, {
    caller: props.caller,
    supplierId: assessment.organisation_id,
    permission: props.permission,
  })
  return assessment
}

/** A requirement of the assessment's scope, or not found. */
export function scopedRequirement(deps: AssessmentDeps, assessment: AssessmentRow, requirementId: string) {
  const requirement = scopedRequirements(deps.catalogue, scopeOf(assessment)).find(r => r.id === requirementId)
  if (requirement === undefined) throw notFound('That requirement')
  return requirement
}

/** Answers that still need the supplier: never answered, or queried by the assessor and not answered again. */
export function outstanding(requirements: readonly PlacedRequirement[], answers: readonly AnswerRow[]): number {
  const answered = new Map(answers.map(a => [a.requirement_id, a]))
  return requirements.filter(r => {
    const answer = answered.get(r.id)
    return answer === undefined || answer.review === 'queried'
  }).length
}

/** Opens a self-assessment for a supplier against the built-in catalogue, over a scope of tags and sections. */
export async function openAssessment(
  deps: AssessmentDeps,
  props: { caller: SupplierCaller; supplierId: string; title: string; scope: AssessmentScope },
): Promise<string> {
  const { caller, supplierId, title, scope } = props
  await reachableSupplier(deps, { caller, supplierId, permission: 'open-assessments' })
  if (scope.tags.length === 0 && scope.sections.length === 0)
    throw invalidField('tags', 'Select at least one tag or section for the scope of the assessment')
  const tags = catalogueTags(deps.catalogue)
  if (scope.tags.some(tag => !tags.includes(tag))) throw invalidField('tags', 'Select tags from the list')
  if (scope.sections.some(slug => !deps.catalogue.sections.some(s => s.slug === slug)))
    throw invalidField('sections', 'Select sections from the list')
  const covered = scopedRequirements(deps.catalogue, scope).length
  if (covered === 0)
    throw invalidField('tags', 'The scope you selected covers no requirements; select another tag or section')
  const id = randomUUID()
  const now = deps.now()
  await deps.db.transaction().execute(async trx => {
    await insertAssessment(trx, {
      id,
      organisation_id: supplierId,
      catalogue_version: deps.catalogue.version,
      scope: JSON.stringify({ tags: [...scope.tags], sections: [...scope.sections] }),
      title,
      status: 'open',
      opened_by: caller.user.id,
      opened_at: now.toISOString(),
      submitted_by: null,
      submitted_at: null,
      closed_by: null,
      closed_at: null,
      outcome: null,
    })
    await recordAuditEvent(
      trx,
      {
        actor: caller.actor,
        action: 'assessment.opened',
        outcome: 'success',
        target: { type: 'assessment', id },
        ip: caller.ip,
        requestId: caller.requestId,
        details: {
          supplierId,
          catalogueVersion: deps.catalogue.version,
          tags: scope.tags,
          sections: scope.sections,
          requirements: covered,
        },
      },
      now,
    )
  })
  return id
}

/** Records a supplier's answer to one requirement while the assessment is open; a new answer clears a query. */
export async function answerRequirement(
  deps: AssessmentDeps,
  props: {
    caller: SupplierCaller
    assessmentId: string
    requirementId: string
    answer: { status: AnswerStatus; justification: string | null; evidenceLink: string | null }
  },
): Promise<void> {
  const { caller, assessmentId, requirementId, answer } = props
  const assessment = await reachableAssessment(deps, { caller, assessmentId, permission: 'answer-assessments' })
  scopedRequirement(deps, assessment, requirementId)
  const now = deps.now()
  await deps.db.transaction().execute(async trx => {
    const current = await findAssessment(trx, assessmentId)
    if (current?.status !== 'open')
      throw conflict('This assessment has been submitted; it can be answered again only once the assessor returns it')
    const earlier = await findAnswer(trx, assessmentId, requirementId)
    if (earlier?.review === 'accepted' || earlier?.review === 'rejected')
      throw conflict('This answer has been reviewed and can no longer be changed')
    await upsertAnswer(trx, {
      assessment_id: assessmentId,
      requirement_id: requirementId,
      status: answer.status,
      justification: answer.justification ?? '',
      evidence_link: answer.evidenceLink,
      answered_by: caller.user.id,
      answered_at: now.toISOString(),
      review: null,
      review_comment: null,
      reviewed_by: null,
      reviewed_at: null,
    })
    await recordAuditEvent(
      trx,
      {
        actor: caller.actor,
        action: 'assessment.answer.recorded',
        outcome: 'success',
        target: { type: 'assessment', id: assessmentId },
        ip: caller.ip,
        requestId: caller.requestId,
        details: { supplierId: assessment.organisation_id, requirementId, status: answer.status },
      },
      now,
    )
  })
}

/** Submits an open assessment for review, once every requirement in scope has an answer. */
export async function submitAssessment(
  deps: AssessmentDeps,
  props: { caller: SupplierCaller; assessmentId: string },
): Promise<void> {
  const { caller, assessmentId } = props
  const assessment = await reachableAssessment(deps, { caller, assessmentId, permission: 'answer-assessments' })
  const requirements = scopedRequirements(deps.catalogue, scopeOf(assessment))
  const now = deps.now()
  await deps.db.transaction().execute(async trx => {
    const current = await findAssessment(trx, assessmentId)
    if (current?.status !== 'open') throw conflict('This assessment has already been submitted')
    const missing = outstanding(requirements, await listAnswers(trx, assessmentId))
    if (missing > 0)
      throw invalidField(
        'form',
        `Answer every requirement before you submit: ${missing} of ${requirements.length} ${missing === 1 ? 'still needs' : 'still need'} an answer`,
      )
    await updateAssessment(trx, assessmentId, {
      status: 'submitted',
      submitted_by: caller.user.id,
      submitted_at: now.toISOString(),
    })
    await recordAuditEvent(
      trx,
      {
        actor: caller.actor,
        action: 'assessment.submitted',
        outcome: 'success',
        target: { type: 'assessment', id: assessmentId },
        ip: caller.ip,
        requestId: caller.requestId,
        details: { supplierId: assessment.organisation_id, requirements: requirements.length },
      },
      now,
    )
  })
}

/** Checks that a reviewer neither gave the answer nor submitted the assessment (segregation of duties). */
function assertIndependent(reviewerId: string, assessment: AssessmentRow, answer?: AnswerRow): void {
  if (answer !== undefined)
    assertNotSelfApproval({ submittedBy: answer.answered_by, approverId: reviewerId, what: 'an answer' })
  if (assessment.submitted_by !== null)
    assertNotSelfApproval({ submittedBy: assessment.submitted_by, approverId: reviewerId, what: 'an assessment' })
}

/** An assessor accepts, queries (with a comment) or rejects one answer of a submitted assessment. */
export async function reviewAnswer(
  deps: AssessmentDeps,
  props: {
    caller: SupplierCaller
    assessmentId: string
    requirementId: string
    review: Review
    comment: string | null
  },
): Promise<void> {
  const { caller, assessmentId, requirementId, review, comment } = props
  const assessment = await reachableAssessment(deps, { caller, assessmentId, permission: 'review-assessments' })
  scopedRequirement(deps, assessment, requirementId)
  const now = deps.now()
  await deps.db.transaction().execute(async trx => {
    const current = await findAssessment(trx, assessmentId)
    if (current === undefined || (current.status !== 'submitted' && current.status !== 'in-review'))
      throw conflict('Only a submitted assessment can be reviewed')
    const answer = await findAnswer(trx, assessmentId, requirementId)
    if (answer === undefined) throw notFound('That answer')
    assertIndependent(caller.user.id, current, answer)
    await updateReview(trx, assessmentId, requirementId, {
      review,
      review_comment: comment,
      reviewed_by: caller.user.id,
      reviewed_at: now.toISOString(),
    })
    if (current.status === 'submitted') await updateAssessment(trx, assessmentId, { status: 'in-review' })
    await recordAuditEvent(
      trx,
      {
        actor: caller.actor,
        action: 'assessment.answer.reviewed',
        outcome: 'success',
        target: { type: 'assessment', id: assessmentId },
        ip: caller.ip,
        requestId: caller.requestId,
        details: { supplierId: assessment.organisation_id, requirementId, review },
      },
      now,
    )
  })
}

/** Sends an assessment with queried answers back to the supplier, open for them to answer again. */
export async function returnAssessment(
  deps: AssessmentDeps,
  props: { caller: SupplierCaller; assessmentId: string },
): Promise<void> {
  const { caller, assessmentId } = props
  const assessment = await reachableAssessment(deps, { caller, assessmentId, permission: 'review-assessments' })
  const now = deps.now()
  await deps.db.transaction().execute(async trx => {
    const current = await findAssessment(trx, assessmentId)
    if (current === undefined || (current.status !== 'submitted' && current.status !== 'in-review'))
      throw conflict('Only a submitted assessment can be returned to the supplier')
    assertIndependent(caller.user.id, current)
    const queried = (await listAnswers(trx, assessmentId)).filter(a => a.review === 'queried').length
    if (queried === 0) throw invalidField('form', 'Query at least one answer before you return the assessment')
    await updateAssessment(trx, assessmentId, { status: 'open', submitted_by: null, submitted_at: null })
    await recordAuditEvent(
      trx,
      {
        actor: caller.actor,
        action: 'assessment.returned',
        outcome: 'success',
        target: { type: 'assessment', id: assessmentId },
        ip: caller.ip,
        requestId: caller.requestId,
        details: { supplierId: assessment.organisation_id, queried },
      },
      now,
    )
  })
}

/** Closes an assessment with its outcome, once every answer has been accepted or rejected. */
export async function closeAssessment(
  deps: AssessmentDeps,
  props: { caller: SupplierCaller; assessmentId: string; outcome: Outcome },
): Promise<void> {
  const { caller, assessmentId, outcome } = props
  const assessment = await reachableAssessment(deps, { caller, assessmentId, permission: 'review-assessments' })
  const requirements = scopedRequirements(deps.catalogue, scopeOf(assessment))
  const now = deps.now()
  await deps.db.transaction().execute(async trx => {
    const current = await findAssessment(trx, assessmentId)
    if (current === undefined || (current.status !== 'submitted' && current.status !== 'in-review'))
      throw conflict('Only a submitted assessment can be closed')
    assertIndependent(caller.user.id, current)
    const decided = new Set(
      (await listAnswers(trx, assessmentId))
        .filter(a => a.review === 'accepted' || a.review === 'rejected')
        .map(a => a.requirement_id),
    )
    const undecided = requirements.filter(r => !decided.has(r.id)).length
    if (undecided > 0)
      throw invalidField(
        'form',
        `Accept or reject every answer before you close the assessment: ${undecided} ${undecided === 1 ? 'still needs' : 'still need'} a decision`,
      )
    await updateAssessment(trx, assessmentId, {
      status: 'closed',
      closed_by: caller.user.id,
      closed_at: now.toISOString(),
      outcome,
    })
    await recordAuditEvent(
      trx,
      {
        actor: caller.actor,
        action: 'assessment.closed',
        outcome: 'success',
        target: { type: 'assessment', id: assessmentId },
        ip: caller.ip,
        requestId: caller.requestId,
        details: { supplierId: assessment.organisation_id, outcome, requirements: requirements.length },
      },
      now,
    )
  })
}
