import { MCSS_FUNCTIONS } from '../catalogue/schema.ts'
import type { StageState } from '../deadlines/stages.ts'
import { ANSWER_STATUSES, type AnswerStatus, type FunctionCounts } from './store.ts'

/** How each answer status is named and coloured (GOV.UK colours; text alternatives carry the meaning). */
export const STATUS_LABELS: Record<AnswerStatus, { text: string; colour: string }> = {
  met: { text: 'Met', colour: '#00703c' },
  'partially-met': { text: 'Partially met', colour: '#ffdd00' },
  'not-met': { text: 'Not met', colour: '#d4351c' },
  'not-applicable': { text: 'Not applicable', colour: '#505a5f' },
}

/** One segment of a horizontal stacked bar, placed in chart units. */
export interface BarSegment {
  readonly status: AnswerStatus
  readonly label: string
  readonly colour: string
  readonly value: number
  readonly x: number
  readonly width: number
}

/** A chart of stacked bars, one per MCSS function, with its text alternative and table rows. */
export interface StackedBarChart {
  readonly width: number
  readonly barWidth: number
  readonly height: number
  readonly labelWidth: number
  readonly description: string
  readonly bars: ReadonlyArray<{
    readonly label: string
    readonly y: number
    readonly total: number
    readonly segments: readonly BarSegment[]
  }>
}

const BAR_HEIGHT = 24
const GAP = 12
const LABEL_WIDTH = 100
const BAR_AREA = 500

/**
 * Stacked bars per MCSS function, each segment's width proportional to its count against the largest total, so
 * bars compare across functions. An empty chart (no answers) has zero-width segments, never NaN.
 */
export function stackedBars(counts: FunctionCounts, barArea = BAR_AREA): StackedBarChart {
  const totals = MCSS_FUNCTIONS.map(fn => ANSWER_STATUSES.reduce((sum, status) => sum + counts[fn][status], 0))
  const largest = Math.max(0, ...totals)
  const bars = MCSS_FUNCTIONS.map((fn, i) => {
    let x = LABEL_WIDTH
    const segments = ANSWER_STATUSES.map(status => {
      const value = counts[fn][status]
      const width = largest === 0 ? 0 : (value / largest) * barArea
      const segment = {
        status,
        label: STATUS_LABELS[status].text,
        colour: STATUS_LABELS[status].colour,
        value,
        x,
        width,
      }
      x += width
      return segment
    })
    return { label: fn, y: i * (BAR_HEIGHT + GAP), total: totals[i] ?? 0, segments }
  })
  const description = bars
    .map(
      bar =>
        `${bar.label}: ${bar.total === 0 ? 'no answers' : bar.segments.map(s => `${s.value} ${s.label.toLowerCase()}`).join(', ')}`,
    )
    .join('; ')
  return {
    width: LABEL_WIDTH + barArea,
    barWidth: BAR_HEIGHT,
    height: MCSS_FUNCTIONS.length * (BAR_HEIGHT + GAP),
    labelWidth: LABEL_WIDTH,
    description: `Requirements by MCSS function and answer across the suppliers' latest assessments. ${description}.`,
    bars,
  }
}

/** A compact "met / partial / not met / n/a" figure per function for a supplier's row. */
export function functionSummary(counts: FunctionCounts): Array<{ fn: string; text: string }> {
  return MCSS_FUNCTIONS.map(fn => ({
    fn,
    text: ANSWER_STATUSES.map(status => counts[fn][status]).join(' / '),
  }))
}

const STATE_TAGS: Record<StageState, { text: string; classes: string }> = {
  pending: { text: 'Pending', classes: 'govuk-tag--grey' },
  'due-soon': { text: 'Due soon', classes: 'govuk-tag--yellow' },
  overdue: { text: 'Overdue', classes: 'govuk-tag--red' },
  breached: { text: 'Breached', classes: 'govuk-tag--red' },
  done: { text: 'Done', classes: 'govuk-tag--green' },
}

/** The GOV.UK tag for a stage's state. */
export const stateTag = (state: StageState) => STATE_TAGS[state]
