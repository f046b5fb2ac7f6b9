import type { StageView } from '../deadlines/deadlines.ts'
import type { DestructionDataReturnsTable, DestructionDeclarationsTable } from '../platform/db/schema.ts'
import { inWords, presentStage } from '../letters/presenters.ts'
import { RETURN_FORMATS } from './forms.ts'
import { clauseAsSigned, type ClauseDecision } from './render.ts'
import { PROMISED_STAGE_KEYS } from './destruction.ts'
import type { InstructionRow } from './store.ts'

/** A failed-destruction report as the store gives it. */
export interface FailureRow {
  readonly id: string
  readonly what_failed: string
  readonly identified_at: string
  readonly reported_at: string
  readonly due_at: string
  readonly late: number
  readonly reporter_name: string
}

const STATUS_TAGS = {
  'failure-reported': { text: 'Failed destruction reported', classes: 'govuk-tag--red' },
  complete: { text: 'Complete', classes: 'govuk-tag--green' },
  overdue: { text: 'Overdue', classes: 'govuk-tag--red' },
  open: { text: 'Open', classes: 'govuk-tag--blue' },
} as const

/**
 * Where an instruction stands: a reported failure outweighs everything (the Authority has to follow it up), then
 * complete once every stage is done, overdue when any is past due.
 */
export function instructionStatus(stages: readonly StageView[], failures = 0): keyof typeof STATUS_TAGS {
  if (failures > 0) return 'failure-reported'
  if (stages.length > 0 && stages.every(stage => stage.state === 'done')) return 'complete'
  if (stages.some(stage => stage.state === 'overdue' || stage.state === 'breached')) return 'overdue'
  return 'open'
}

/** A returned-data format's name for people. */
export const formatName = (value: string): string =>
  RETURN_FORMATS.find(format => format.value === value)?.text ?? value.toUpperCase()

/** A failed-destruction report for the instruction's page: times in words, and whether it was late. */
export function presentFailure(failure: FailureRow) {
  return {
    id: failure.id,
    whatFailed: failure.what_failed,
    identifiedAt: inWords(new Date(failure.identified_at)),
    reportedAt: inWords(new Date(failure.reported_at)),
    dueAt: inWords(new Date(failure.due_at)),
    late: failure.late === 1,
    reporter: failure.reporter_name,
  }
}

/** An instruction for its page: the letter as paragraphs, its stages, the declaration, data return and failures. */
export function presentInstruction(props: {
  instruction: InstructionRow
  stages: readonly StageView[]
  declaration: DestructionDeclarationsTable | undefined
  dataReturn: DestructionDataReturnsTable | undefined
  failures: readonly FailureRow[]
}) {
  const { instruction, declaration, dataReturn } = props
  const status = instructionStatus(props.stages, props.failures.length)
  return {
    id: instruction.id,
    contractReference: instruction.contract_reference,
    contractEndDate: instruction.contract_end_date,
    issuedAt: inWords(new Date(instruction.issued_at)),
    bodySha256: instruction.body_sha256,
    status,
    tag: STATUS_TAGS[status],
    paragraphs: instruction.body
      .split(/\n{2,}/)
      .map(paragraph => paragraph.trim().split('\n'))
      .filter(lines => lines[0] !== ''),
    stages: props.stages.map(stage => ({
      ...presentStage(stage),
      promised: PROMISED_STAGE_KEYS.includes(stage.stageKey),
    })),
    declaration:
      declaration === undefined
        ? null
        : {
            signerName: declaration.signer_name,
            position: declaration.position,
            at: inWords(new Date(declaration.signed_at)),
            clauses: (JSON.parse(declaration.clauses) as ClauseDecision[]).map(clause => ({
              text: clauseAsSigned(clause),
              struck: clause.decision === 'struck',
            })),
            pdfSha256: declaration.pdf_sha256,
          },
    dataReturn:
      dataReturn === undefined
        ? null
        : { format: formatName(dataReturn.format), at: inWords(new Date(dataReturn.recorded_at)) },
    failures: props.failures.map(presentFailure),
  }
}

/** An instruction in a supplier's list. */
export function presentInstructionSummary(instruction: InstructionRow) {
  return {
    id: instruction.id,
    contractReference: instruction.contract_reference,
    issuedAt: inWords(new Date(instruction.issued_at)),
  }
}
