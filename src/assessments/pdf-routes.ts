import type { FastifyInstance } from 'fastify'
import type { PlacedRequirement } from '../catalogue/catalogue.ts'
import { MCSS_FUNCTIONS } from '../catalogue/schema.ts'
import { PERMISSIONS } from '../identity/policy.ts'
import { notFound } from '../platform/errors.ts'
import { renderPdf, type PdfField, type PdfSpec } from '../platform/pdf/pdf.ts'
import { supplierCaller } from '../suppliers/caller.ts'
import { reachableSupplier } from '../suppliers/register.ts'
import { scopedRequirements, scopeOf, type AssessmentDeps } from './assessments.ts'
import { ANSWER_STATUS_LABELS, presentAssessmentSummary, REVIEW_LABELS } from './presenters.ts'
import { findAssessment, listAnswers, type AnswerRow, type AssessmentRow } from './store.ts'

type Params = { Params: { id: string; assessmentId: string } }

/**
 * Assessment results say where a supplier's controls fall short, so the summary is marked OFFICIAL-SENSITIVE.
 * Guidance, Assessing suppliers: the Authority reviews the supplier's answers against the MCSS.
 */
export const SUMMARY_MARKING = 'OFFICIAL-SENSITIVE'

/** What an assessment's PDF summary is rendered from. */
export interface AssessmentSummary {
  readonly assessment: AssessmentRow
  readonly supplierName: string
  readonly requirements: readonly PlacedRequirement[]
  readonly answers: readonly AnswerRow[]
  readonly now: Date
}

const dateOf = (iso: string | null) => (iso === null ? 'Not yet' : iso.slice(0, 10))

/** Per MCSS function: how many of the requirements in scope were answered met, partially met, not met or N/A. */
export function countsByFunction(requirements: readonly PlacedRequirement[], answers: readonly AnswerRow[]) {
  const byRequirement = new Map(answers.map(a => [a.requirement_id, a.status]))
  return MCSS_FUNCTIONS.map(name => {
    const statuses = requirements.filter(r => r.mcss.includes(name)).map(r => byRequirement.get(r.id))
    const count = (status: AnswerRow['status'] | undefined) => statuses.filter(s => s === status).length
    return {
      name,
      met: count('met'),
      partiallyMet: count('partially-met'),
      notMet: count('not-met'),
      notApplicable: count('not-applicable'),
      notAnswered: count(undefined),
    }
  })
}

/** The summary as a document: the assessment's particulars, counts by MCSS function, then every answer. */
export function assessmentSummarySpec(props: AssessmentSummary): PdfSpec {
  const { assessment } = props
  const summary = presentAssessmentSummary(assessment)
  const byRequirement = new Map(props.answers.map(a => [a.requirement_id, a]))
  const answerField = (requirement: PlacedRequirement): PdfField => {
    const answer = byRequirement.get(requirement.id)
    const label = `${requirement.id}: ${requirement.title}`
    if (answer === undefined) return { label, value: 'Not answered' }
    const review = answer.review === null ? 'not reviewed' : REVIEW_LABELS[answer.review]
    const lines = [
      `${ANSWER_STATUS_LABELS[answer.status]} (review: ${review})`,
      `Justification: ${answer.justification}`,
      ...(answer.evidence_link === null ? [] : [`Evidence: ${answer.evidence_link}`]),
      ...(answer.review_comment === null ? [] : [`Review comment: ${answer.review_comment}`]),
    ]
    return { label, value: lines.join('\n') }
  }
  return {
    title: `Assessment summary: ${assessment.title}`,
    marking: SUMMARY_MARKING,
    paragraphs: [
      `Self-assessment of ${props.supplierName} against the MoJ Cyber Security Guidance: Supplier Edition, as it stood on ${props.now.toISOString().slice(0, 10)}.`,
    ],
    fields: [
      { label: 'Supplier', value: props.supplierName },
      { label: 'Catalogue version', value: assessment.catalogue_version },
      { label: 'Status', value: summary.statusLabel },
      { label: 'Outcome', value: summary.outcomeLabel ?? 'Not decided' },
      { label: 'Opened', value: dateOf(assessment.opened_at) },
      { label: 'Submitted', value: dateOf(assessment.submitted_at) },
      { label: 'Closed', value: dateOf(assessment.closed_at) },
      { label: 'Requirements in scope', value: String(props.requirements.length) },
    ],
    sections: [
      {
        heading: 'Answers by MCSS function',
        fields: countsByFunction(props.requirements, props.answers).map(c => ({
          label: `${c.name.charAt(0)}${c.name.slice(1).toLowerCase()}`,
          value: `Met ${c.met}, partially met ${c.partiallyMet}, not met ${c.notMet}, not applicable ${c.notApplicable}, not answered ${c.notAnswered}`,
        })),
      },
      { heading: 'Answers', fields: props.requirements.map(answerField) },
    ],
    createdAt: props.now,
  }
}

/** An assessment's PDF summary, next to its CSV and OSCAL exports. */
export function registerAssessmentPdfRoutes(app: FastifyInstance, deps: AssessmentDeps): void {
  // Each download is one ledger entry, through the attribution hook, like the other exports.
  const exported = { config: { permission: PERMISSIONS.readAssessments, auditRead: 'assessment.exported' } }
  app.get<Params>('/suppliers/:id/assessments/:assessmentId/summary.pdf', exported, async (request, reply) => {
    // Supplier people reach only their own supplier; another supplier's assessment is not found.
    const supplier = await reachableSupplier(deps, {
      caller: supplierCaller(request),
      supplierId: request.params.id,
      permission: 'read-assessments',
    })
    const assessment = await findAssessment(deps.db, request.params.assessmentId)
    if (assessment === undefined || assessment.organisation_id !== supplier.id) throw notFound('That assessment')
    const { pdf } = await renderPdf(
      assessmentSummarySpec({
        assessment,
        supplierName: supplier.name,
        requirements: scopedRequirements(deps.catalogue, scopeOf(assessment)),
        answers: await listAnswers(deps.db, assessment.id),
        now: deps.now(),
      }),
    )
    return reply
      .type('application/pdf')
      .header('content-disposition', `attachment; filename="assessment-summary.pdf"`)
      .header('cache-control', 'no-store')
      .send(pdf)
  })
}
