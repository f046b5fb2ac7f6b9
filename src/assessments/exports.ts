import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Ajv, type ValidateFunction } from 'ajv'
import addFormatsModule from 'ajv-formats'
import type { PlacedRequirement } from '../catalogue/catalogue.ts'
import { ASSURE_NS, nameUuid, OSCAL_VERSION } from '../catalogue/oscal.ts'
import { toCsv } from '../platform/csv/csv.ts'
import { paths } from '../paths.ts'
import type { AnswerStatus } from './forms.ts'
import { ANSWER_STATUS_LABELS, REVIEW_LABELS } from './presenters.ts'
import { effectiveStatus, isoDay, type RiskRow } from './risks.ts'
import type { AnswerRow, AssessmentRow } from './store.ts'

const SCHEMA_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'oscal')
// ajv-formats is CommonJS with a default export; under Node's ESM loader that default arrives as the module itself.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv
const validators = new Map<string, ValidateFunction>()

/** NIST's OSCAL 1.1.2 JSON schema for assessment results or a POA&M, compiled once on first use. */
export function oscalValidator(model: 'assessment-results' | 'poam'): ValidateFunction {
  let validator = validators.get(model)
  if (validator === undefined) {
    const ajv = new Ajv({ allErrors: true, strict: false })
    addFormats(ajv)
    validator = ajv.compile(
      JSON.parse(readFileSync(path.join(SCHEMA_DIR, `oscal_${model}_schema.json`), 'utf8')) as object,
    )
    validators.set(model, validator)
  }
  return validator
}

/** What an assessment export is built from. */
export interface AssessmentExport {
  readonly assessment: AssessmentRow
  readonly supplierName: string
  readonly requirements: readonly PlacedRequirement[]
  readonly answers: readonly AnswerRow[]
  readonly risks: readonly RiskRow[]
  readonly now: Date
}

const prop = (name: string, value: string) => ({ name, ns: ASSURE_NS, value })
// OSCAL strings may not be empty or start or end with white space.
const text = (value: string | null | undefined, otherwise: string) => {
  const trimmed = (value ?? '').trim()
  return trimmed === '' ? otherwise : trimmed
}

/** Met (and not applicable) answers satisfy the requirement; partly met and not met ones do not. */
const objectiveState = (status: AnswerStatus) =>
  status === 'met' || status === 'not-applicable' ? 'satisfied' : 'not-satisfied'

/** The answered requirements in catalogue order, each with its answer. */
function answered(props: AssessmentExport): Array<{ requirement: PlacedRequirement; answer: AnswerRow }> {
  const byRequirement = new Map(props.answers.map(a => [a.requirement_id, a]))
  return props.requirements.flatMap(requirement => {
    const answer = byRequirement.get(requirement.id)
    return answer === undefined ? [] : [{ requirement, answer }]
  })
}

const metadata = (title: string, props: AssessmentExport) => ({
  title,
  'last-modified': props.now.toISOString(),
  version: props.assessment.catalogue_version,
  'oscal-version': OSCAL_VERSION,
  props: [
    prop('supplier', text(props.supplierName, 'Unnamed supplier')),
    prop('assessment-status', props.assessment.status),
  ],
})

/**
 * An OSCAL assessment-results document for an assessment: one result, with an observation (the supplier's
 * justification) and a finding (the requirement as its target, satisfied or not) per answered requirement.
 */
export function exportAssessmentResults(props: AssessmentExport): object {
  const { assessment } = props
  const rows = answered(props)
  const observationUuid = (id: string) => nameUuid(`assessment:${assessment.id}:observation:${id}`)
  return {
    'assessment-results': {
      uuid: nameUuid(`assessment:${assessment.id}:assessment-results`),
      metadata: metadata(`Assessment results: ${text(assessment.title, 'Self-assessment')}`, props),
      // Assure keeps no separate OSCAL assessment plan: the assessment itself (its scope) is the plan.
      'import-ap': {
        href: paths.assessments.assessment(assessment.id),
        remarks: 'The Assure self-assessment and its scope.',
      },
      results: [
        {
          uuid: nameUuid(`assessment:${assessment.id}:result`),
          title: text(assessment.title, 'Self-assessment'),
          description: `Supplier self-assessment against catalogue version ${assessment.catalogue_version}.`,
          start: assessment.opened_at,
          ...(assessment.closed_at === null ? {} : { end: assessment.closed_at }),
          'reviewed-controls': {
            'control-selections': [{ 'include-controls': props.requirements.map(r => ({ 'control-id': r.id })) }],
          },
          ...(rows.length === 0
            ? {}
            : {
                observations: rows.map(({ requirement, answer }) => ({
                  uuid: observationUuid(requirement.id),
                  title: `${requirement.id}: ${ANSWER_STATUS_LABELS[answer.status]}`,
                  description: text(
                    answer.justification,
                    `The supplier answered ${ANSWER_STATUS_LABELS[answer.status]}.`,
                  ),
                  methods: ['EXAMINE'],
                  ...(answer.evidence_link === null
                    ? {}
                    : {
                        'relevant-evidence': [
                          { href: answer.evidence_link, description: 'Evidence the supplier linked.' },
                        ],
                      }),
                  collected: answer.answered_at,
                })),
                findings: rows.map(({ requirement, answer }) => ({
                  uuid: nameUuid(`assessment:${assessment.id}:finding:${requirement.id}`),
                  title: text(`${requirement.id}: ${requirement.title}`, requirement.id),
                  description: text(requirement.statement, requirement.id),
                  props: [prop('answer-status', answer.status), prop('review', answer.review ?? 'not-reviewed')],
                  target: {
                    type: 'objective-id',
                    'target-id': requirement.id,
                    status: {
                      state: objectiveState(answer.status),
                      ...(answer.status === 'not-applicable' ? { reason: 'other', remarks: 'Not applicable.' } : {}),
                    },
                  },
                  'related-observations': [{ 'observation-uuid': observationUuid(requirement.id) }],
                })),
              }),
        },
      ],
    },
  }
}

/** The risks still open on a day: proposed or accepted, and not yet past their expiry date. */
export const openRisks = (risks: readonly RiskRow[], now: Date): RiskRow[] =>
  risks.filter(risk => {
    const status = effectiveStatus(risk, isoDay(now))
    return status === 'proposed' || status === 'accepted'
  })

/** An OSCAL plan of action and milestones for an assessment: one poam-item per open risk. */
export function exportPoam(props: AssessmentExport): object {
  const { assessment } = props
  const titles = new Map(props.requirements.map(r => [r.id, r.title]))
  const risks = openRisks(props.risks, props.now)
  const riskUuid = (risk: RiskRow) => nameUuid(`risk:${risk.id}`)
  return {
    'plan-of-action-and-milestones': {
      uuid: nameUuid(`assessment:${assessment.id}:poam`),
      metadata: metadata(`Plan of action and milestones: ${text(assessment.title, 'Self-assessment')}`, props),
      ...(risks.length === 0
        ? {}
        : {
            risks: risks.map(risk => ({
              uuid: riskUuid(risk),
              title: `${risk.requirement_id}: ${text(titles.get(risk.requirement_id), 'Requirement')}`,
              description: text(risk.description, 'No description given.'),
              statement: text(risk.description, 'No description given.'),
              props: [prop('owner', text(risk.owner, 'Unnamed'))],
              // Proposed by the assessor, awaiting the second person; accepted by both.
              status: risk.status === 'accepted' ? 'deviation-approved' : 'deviation-requested',
              'mitigating-factors': [
                { uuid: nameUuid(`risk:${risk.id}:mitigation`), description: text(risk.mitigation, 'None given.') },
              ],
              deadline: `${risk.expires_on}T23:59:59Z`,
            })),
          }),
      'poam-items': risks.map(risk => ({
        uuid: nameUuid(`risk:${risk.id}:poam-item`),
        title: `${risk.requirement_id}: ${text(titles.get(risk.requirement_id), 'Requirement')}`,
        description: text(risk.description, 'No description given.'),
        props: [
          prop('requirement', risk.requirement_id),
          prop('owner', text(risk.owner, 'Unnamed')),
          prop('expires-on', risk.expires_on),
          prop('risk-status', risk.status),
        ],
        'related-risks': [{ 'risk-uuid': riskUuid(risk) }],
      })),
    },
  }
}

/** The header row of an assessment's answers CSV. */
export const ANSWERS_CSV_HEADER = [
  'Requirement',
  'Title',
  'Answer',
  'Justification',
  'Evidence link',
  'Answered at',
  'Review',
  'Review comment',
] as const

/** An assessment's answers as CSV, one row per answered requirement in catalogue order. */
export function exportAnswersCsv(props: AssessmentExport): string {
  return toCsv([
    ANSWERS_CSV_HEADER,
    ...answered(props).map(({ requirement, answer }) => [
      requirement.id,
      requirement.title,
      ANSWER_STATUS_LABELS[answer.status],
      answer.justification,
      answer.evidence_link ?? '',
      answer.answered_at,
      answer.review === null ? '' : REVIEW_LABELS[answer.review],
      answer.review_comment ?? '',
    ]),
  ])
}
