import type { StageView } from '../deadlines/deadlines.ts'
import type { LetterEventsTable } from '../platform/db/schema.ts'
import type { Distribution, LetterVariables } from './render.ts'
import { inWords, VARIABLE_LABELS } from './render.ts'
import { SUPERSEDED } from './letters.ts'
import type { LetterRow } from './store.ts'

export { inWords } from './render.ts'

const STATE_TAGS = {
  pending: { text: 'Pending', classes: 'govuk-tag--grey' },
  'due-soon': { text: 'Due soon', classes: 'govuk-tag--yellow' },
  overdue: { text: 'Overdue', classes: 'govuk-tag--orange' },
  breached: { text: 'Breached', classes: 'govuk-tag--red' },
  done: { text: 'Done', classes: 'govuk-tag--green' },
  superseded: { text: 'Superseded', classes: 'govuk-tag--grey' },
} as const

/** A stage for the letter's page: its title, state tag and due and completion dates in words. */
export function presentStage(stage: StageView) {
  const state = stage.completedBy === SUPERSEDED ? 'superseded' : stage.state
  return {
    key: stage.stageKey,
    title: stage.title,
    state,
    tag: STATE_TAGS[state],
    due: inWords(stage.dueAt),
    completed: stage.completedAt === null || state === 'superseded' ? null : inWords(stage.completedAt),
  }
}

/** A letter for its page: text as paragraphs, version, hash, distribution, stages and what the supplier recorded. */
export function presentLetter(letter: LetterRow, stages: readonly StageView[], events: readonly LetterEventsTable[]) {
  const variables = JSON.parse(letter.variables) as LetterVariables
  const eventFor = (key: string) => {
    const found = events.find(event => event.stage_key === key)
    return found === undefined ? null : { at: inWords(new Date(found.recorded_at)), ...JSON.parse(found.details) }
  }
  return {
    id: letter.id,
    version: letter.version,
    status: letter.status,
    contractReference: letter.contract_reference,
    issuedAt: inWords(new Date(letter.issued_at)),
    bodySha256: letter.body_sha256,
    paragraphs: letter.body
      .split(/\n{2,}/)
      .map(paragraph => paragraph.trim().split('\n'))
      .filter(lines => lines[0] !== ''),
    revisionNote: letter.revision_note,
    supersedesId: letter.supersedes_id,
    distribution: JSON.parse(letter.distribution) as Distribution,
    variables: (Object.keys(VARIABLE_LABELS) as Array<keyof LetterVariables>).map(key => ({
      label: VARIABLE_LABELS[key],
      value: variables[key],
    })),
    stages: stages.map(presentStage),
    acknowledged: eventFor('acknowledge-receipt') as { at: string } | null,
    confirmed: eventFor('confirm-personnel-briefed') as {
      at: string
      signerName: string
      position: string
      declarationSha256?: string
    } | null,
    subcontractorCopies: eventFor('copy-subcontractor-sals') as { at: string; subcontractors: string[] } | null,
  }
}

/** A letter in a supplier's list. */
export function presentLetterSummary(letter: LetterRow) {
  return {
    id: letter.id,
    version: letter.version,
    status: letter.status === 'issued' ? 'Current' : 'Superseded',
    contractReference: letter.contract_reference,
    issuedAt: inWords(new Date(letter.issued_at)),
  }
}
