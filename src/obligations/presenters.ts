import { z } from 'zod'
import type { Catalogue } from '../catalogue/catalogue.ts'
import type {
  DeadlineStagesTable,
  ObligationInstancesTable,
  ObligationSchedulesTable,
  PrivacyChecklistItemsTable,
  SupplierServicesTable,
} from '../platform/db/schema.ts'
import { describeDuration } from '../platform/duration.ts'
import { NOTIFY_KEYS, stageState } from '../deadlines/stages.ts'
import { intervalOf, obligationKind } from './kinds.ts'
import { CHECKLISTS, PHASE_NAMES, PHASES, type Phase } from './lifecycle.ts'

/** Where an instance stands: its clock's state while open, then awaiting review, then accepted. */
export type InstanceState = 'pending' | 'due-soon' | 'overdue' | 'breached' | 'awaiting-review' | 'accepted'

const STATE_TAGS: Record<InstanceState, { text: string; classes: string }> = {
  pending: { text: 'Pending', classes: 'govuk-tag--grey' },
  'due-soon': { text: 'Due soon', classes: 'govuk-tag--yellow' },
  overdue: { text: 'Overdue', classes: 'govuk-tag--orange' },
  breached: { text: 'Breached', classes: 'govuk-tag--red' },
  'awaiting-review': { text: 'Awaiting review', classes: 'govuk-tag--blue' },
  accepted: { text: 'Accepted', classes: 'govuk-tag--green' },
}

/** A date in words, as the day it falls on in UTC (the zone due dates are set in): "4 December 2026". */
export function dayInWords(iso: string): string {
  return new Date(iso).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' })
}

const Offsets = z.array(z.string())

/** An instance's state at `now`, from its status and (while open) its deadline stage. */
export function instanceState(
  instance: Pick<ObligationInstancesTable, 'status'>,
  stage: DeadlineStagesTable | undefined,
  now: Date,
): InstanceState {
  if (instance.status === 'accepted') return 'accepted'
  if (instance.status === 'awaiting-review') return 'awaiting-review'
  if (stage === undefined) return 'pending'
  const state = stageState(
    {
      stageKey: stage.stage_key,
      title: stage.title,
      startsAt: new Date(stage.starts_at),
      dueAt: new Date(stage.due_at),
      responsible: z.enum(NOTIFY_KEYS).parse(stage.responsible),
      reminderOffsets: Offsets.parse(JSON.parse(stage.reminder_offsets)),
      escalation: [],
      breachAfter: stage.breach_after,
    },
    now,
    null,
  )
  return state === 'done' ? 'awaiting-review' : state
}

/** Evidence as a link when it is an https address, or as text (a document reference). */
export const evidenceOf = (value: string | null) =>
  value === null ? null : { text: value, href: /^https:\/\//i.test(value) ? value : null }

/** An instance for the obligations page and its forms. */
export function presentInstance(
  instance: ObligationInstancesTable,
  props: { stage: DeadlineStagesTable | undefined; now: Date; serviceName?: string | undefined },
) {
  const kind = obligationKind(instance.kind)
  const state = instanceState(instance, props.stage, props.now)
  return {
    id: instance.id,
    kind: instance.kind,
    title: props.stage?.title ?? kind?.title ?? instance.kind,
    requirement: kind?.requirement ?? null,
    evidenceHint: kind?.evidenceHint ?? '',
    serviceId: instance.service_id,
    serviceName: props.serviceName ?? null,
    due: dayInWords(instance.due_at),
    dueAt: instance.due_at,
    state,
    tag: STATE_TAGS[state],
    open: instance.status === 'open',
    awaitingReview: instance.status === 'awaiting-review',
    description: instance.evidence_description,
    evidence: evidenceOf(instance.evidence_link),
    completedAt: instance.completed_at === null ? null : dayInWords(instance.completed_at),
    completedBy: instance.completed_by,
    reviewedAt: instance.reviewed_at === null ? null : dayInWords(instance.reviewed_at),
    reviewComment: instance.review_comment,
  }
}
export type PresentedInstance = ReturnType<typeof presentInstance>

/** A schedule: what it is, how often (from the catalogue, or Assure's default) and when the next one is due. */
export function presentSchedule(
  schedule: ObligationSchedulesTable,
  instances: readonly ObligationInstancesTable[],
  catalogue: Catalogue,
) {
  const kind = obligationKind(schedule.kind)
  const interval = kind === undefined ? null : intervalOf(kind, catalogue)
  const next = instances
    .filter(instance => instance.schedule_id === schedule.id && instance.status !== 'accepted')
    .sort((a, b) => a.due_at.localeCompare(b.due_at))[0]
  return {
    id: schedule.id,
    kind: schedule.kind,
    title: kind?.title ?? schedule.kind,
    requirement: kind?.requirement ?? null,
    every: interval === null ? 'Once per event' : describeDuration(interval),
    assureDefault: kind !== undefined && kind.interval !== 'per-event' && 'assureDefault' in kind.interval,
    nextDue: next === undefined ? null : dayInWords(next.due_at),
  }
}

/** A service with its phase, the current phase's checklist as ticked, and its DPIA instances. */
export function presentService(
  service: SupplierServicesTable,
  rows: readonly PrivacyChecklistItemsTable[],
  dpias: readonly PresentedInstance[],
) {
  const phase = service.phase as Phase
  const items = CHECKLISTS[phase] ?? []
  const met = (id: string) => rows.some(row => row.service_id === service.id && row.item_id === id && row.checked === 1)
  const index = PHASES.indexOf(phase)
  return {
    id: service.id,
    name: service.name,
    phase,
    phaseName: PHASE_NAMES[phase] ?? service.phase,
    phaseChanged: dayInWords(service.phase_changed_at),
    items: items.map(item => ({ ...item, checked: met(item.id) })),
    checkboxItems: items.map(item => ({
      value: item.id,
      text: item.text,
      ...(item.requirement === null ? {} : { hint: { text: item.requirement } }),
      checked: met(item.id),
    })),
    metCount: items.filter(item => met(item.id)).length,
    laterPhases: PHASES.slice(index + 1).map(value => ({ value, text: PHASE_NAMES[value] })),
    dpias,
  }
}

/** A supplier's obligations for the JSON API: schedules with their intervals, and every instance with its state. */
export function presentObligationsApi(
  supplierId: string,
  schedules: ReadonlyArray<ReturnType<typeof presentSchedule>>,
  instances: readonly PresentedInstance[],
) {
  return {
    supplierId,
    schedules: schedules.map(schedule => ({
      id: schedule.id,
      kind: schedule.kind,
      requirement: schedule.requirement,
      every: schedule.every,
      assureDefault: schedule.assureDefault,
    })),
    instances: instances.map(instance => ({
      id: instance.id,
      kind: instance.kind,
      requirement: instance.requirement,
      serviceId: instance.serviceId,
      dueAt: instance.dueAt,
      state: instance.state,
      evidence: instance.evidence?.text ?? null,
      reviewComment: instance.reviewComment,
    })),
  }
}
