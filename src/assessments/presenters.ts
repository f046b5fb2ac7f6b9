import type { PlacedRequirement } from '../catalogue/catalogue.ts'
import type { AnswerStatus, Outcome, Review } from './forms.ts'
import type { AnswerRow, AssessmentRow } from './store.ts'
import type { AssessmentScope } from './assessments.ts'
import { effectiveStatus, type RiskRow, type RiskWithSupplier } from './risks.ts'

/** How each answer status reads on a page. */
export const ANSWER_STATUS_LABELS: Record<AnswerStatus, string> = {
  met: 'Met',
  'partially-met': 'Partially met',
  'not-met': 'Not met',
  'not-applicable': 'Not applicable',
}

/** How each review reads on a page. */
export const REVIEW_LABELS: Record<Review, string> = { accepted: 'Accepted', queried: 'Queried', rejected: 'Rejected' }

/** How each outcome reads on a page. */
export const OUTCOME_LABELS: Record<Outcome, string> = {
  satisfactory: 'Satisfactory',
  'satisfactory-with-actions': 'Satisfactory with actions',
  unsatisfactory: 'Unsatisfactory',
}

const STATUS_LABELS: Record<AssessmentRow['status'], string> = {
  open: 'Open for the supplier',
  submitted: 'Submitted',
  'in-review': 'In review',
  closed: 'Closed',
}

/** One row of a supplier's list of assessments. */
export function presentAssessmentSummary(assessment: AssessmentRow) {
  return {
    id: assessment.id,
    title: assessment.title,
    status: assessment.status,
    statusLabel: STATUS_LABELS[assessment.status],
    openedAt: assessment.opened_at,
    outcomeLabel: assessment.outcome === null ? null : OUTCOME_LABELS[assessment.outcome as Outcome],
  }
}

/** An assessment for its page: its scope, and each requirement with its answer and review. */
export function presentAssessment(
  assessment: AssessmentRow,
  scope: AssessmentScope,
  requirements: readonly PlacedRequirement[],
  answers: readonly AnswerRow[],
) {
  const byRequirement = new Map(answers.map(a => [a.requirement_id, a]))
  const rows = requirements.map(requirement => {
    const answer = byRequirement.get(requirement.id)
    return {
      id: requirement.id,
      title: requirement.title,
      statement: requirement.statement,
      answer:
        answer === undefined
          ? null
          : {
              status: answer.status,
              statusLabel: ANSWER_STATUS_LABELS[answer.status],
              justification: answer.justification,
              evidenceLink: answer.evidence_link,
              review: answer.review,
              reviewLabel: answer.review === null ? null : REVIEW_LABELS[answer.review],
              reviewComment: answer.review_comment,
            },
    }
  })
  return {
    ...presentAssessmentSummary(assessment),
    supplierId: assessment.organisation_id,
    catalogueVersion: assessment.catalogue_version,
    scope: { tags: [...scope.tags], sections: [...scope.sections] },
    requirements: rows,
    total: rows.length,
    answered: rows.filter(r => r.answer !== null).length,
    queried: rows.filter(r => r.answer?.review === 'queried').length,
    decided: rows.filter(r => r.answer?.review === 'accepted' || r.answer?.review === 'rejected').length,
  }
}

const RISK_STATUS_LABELS: Record<RiskRow['status'], string> = {
  proposed: 'Proposed, awaiting acceptance',
  accepted: 'Accepted',
  expired: 'Expired',
  closed: 'Closed',
}

/** One row of a risk register, with its state on `today` (YYYY-MM-DD): past its expiry date it is expired. */
export function presentRisk(risk: RiskWithSupplier, today: string) {
  const status = effectiveStatus(risk, today)
  return {
    id: risk.id,
    supplierId: risk.organisation_id,
    supplierName: risk.supplier_name,
    assessmentId: risk.assessment_id,
    requirementId: risk.requirement_id,
    owner: risk.owner,
    description: risk.description,
    mitigation: risk.mitigation,
    expiresOn: risk.expires_on,
    status,
    statusLabel: RISK_STATUS_LABELS[status],
    acceptable: status === 'proposed',
  }
}
