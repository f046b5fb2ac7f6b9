import { z } from 'zod'
import { addDuration, parseDuration, subtractDuration } from '../platform/duration.ts'
import { durationParameter, type Catalogue } from '../catalogue/catalogue.ts'

/** Who a notice goes to: a role or contact the workflow resolves to people (see recipients.ts). */
export const NOTIFY_KEYS = [
  'supplier-contact',
  'supplier-signatory',
  'authority-contract-owner',
  'authority-admin',
] as const
export type NotifyKey = (typeof NOTIFY_KEYS)[number]

const IsoDuration = z.string().refine(
  text => {
    try {
      parseDuration(text)
      return true
    } catch {
      return false
    }
  },
  { message: 'Enter an ISO 8601 duration, like P7D or PT24H' },
)

/** What a clock runs against: a letter, a contract, a destruction certificate, with its supplier organisation. */
export const SubjectSchema = z.strictObject({
  type: z.string().min(1).max(64),
  id: z.string().min(1).max(128),
  organisationId: z.string().min(1).max(128).optional(),
})
export type Subject = z.infer<typeof SubjectSchema>

/** One rung of an escalation ladder: so long past due, tell these people. */
export const RungSchema = z.strictObject({ after: IsoDuration, notify: z.enum(NOTIFY_KEYS) })
export type Rung = z.infer<typeof RungSchema>

/** A stage before it is stored: one obligation with a clock. */
export const StagePlanSchema = z.strictObject({
  stageKey: z.string().regex(/^[a-z][a-z0-9-]{0,63}$/),
  title: z.string().min(1).max(200),
  startsAt: z.date(),
  dueAt: z.date(),
  /** Who the reminders go to: whoever has to act. */
  responsible: z.enum(NOTIFY_KEYS),
  /** Durations before the due time at which to remind, largest first. */
  reminderOffsets: z.array(IsoDuration).max(10),
  /** Ordered rungs, each further past due than the one before. */
  escalation: z.array(RungSchema).max(10),
  /** How long past due the stage counts as breached. */
  breachAfter: IsoDuration,
})
export type StagePlan = z.infer<typeof StagePlanSchema>

/** A stored stage. */
export interface Stage extends StagePlan {
  readonly id: string
  readonly subject: Subject
}

/** Where a stage stands at an instant. */
export type StageState = 'pending' | 'due-soon' | 'overdue' | 'breached' | 'done'

/** A notice a sweep should send: a reminder before due, an escalation rung after, or the breach record. */
export interface DueNotice {
  /** Stable, so the store can send each once: `reminder:P7D`, `escalation:1` (1-based), `breach`. */
  readonly key: string
  readonly kind: 'reminder' | 'escalation' | 'breach'
  /** Who to tell; the breach is recorded in the ledger and tells nobody further. */
  readonly notify: NotifyKey | null
}

/** Offsets from the largest (the first reminder) to the smallest, whatever order they were given in. */
function byLeadDescending(dueAt: Date, offsets: readonly string[]): string[] {
  return [...offsets].sort((a, b) => subtractDuration(dueAt, a).getTime() - subtractDuration(dueAt, b).getTime())
}

/** The state of a stage at `now`: due-soon within its first (largest) reminder offset, overdue once past due. */
export function stageState(stage: StagePlan, now: Date, completedAt: Date | null): StageState {
  if (completedAt !== null) return 'done'
  if (now >= addDuration(stage.dueAt, stage.breachAfter)) return 'breached'
  if (now > stage.dueAt) return 'overdue'
  const first = byLeadDescending(stage.dueAt, stage.reminderOffsets)[0]
  if (first !== undefined && now >= subtractDuration(stage.dueAt, first)) return 'due-soon'
  return 'pending'
}

/**
 * The notices that should have gone by `now` and have not (by key). Before due, only the latest reminder window
 * counts: a sweep that missed the 7-day reminder and finds the 1-day one due sends just the 1-day one. Past due,
 * every rung reached is sent, in ladder order, since each rung tells different people. Nothing once done.
 */
export function noticesDue(
  stage: StagePlan,
  now: Date,
  alreadySent: ReadonlySet<string>,
  completedAt: Date | null = null,
): DueNotice[] {
  if (completedAt !== null) return []
  const due: DueNotice[] = []
  if (now <= stage.dueAt) {
    const reached = byLeadDescending(stage.dueAt, stage.reminderOffsets).filter(
      offset => now >= subtractDuration(stage.dueAt, offset),
    )
    const latest = reached.at(-1)
    if (latest !== undefined) due.push({ key: `reminder:${latest}`, kind: 'reminder', notify: stage.responsible })
  } else {
    stage.escalation.forEach((rung, index) => {
      if (now >= addDuration(stage.dueAt, rung.after))
        due.push({ key: `escalation:${index + 1}`, kind: 'escalation', notify: rung.notify })
    })
    if (now >= addDuration(stage.dueAt, stage.breachAfter)) due.push({ key: 'breach', kind: 'breach', notify: null })
  }
  return due.filter(notice => !alreadySent.has(notice.key))
}

/*
 * Defaults that are not guidance numbers (the guidance sets the deadlines, not how to chase them):
 * - remind whoever must act a week and a day before a deadline counted in days, and 12 and 2 hours before one
 *   counted in hours, so there is time to act on the first and a last call on the second;
 * - past due, go up the ladder: the supplier's signatory (a director, who signs the SAL declaration) after a day,
 *   the Authority's contract owner after 3 days, the Authority's administrators after a week, when the stage
 *   also counts as breached. Hour-long clocks climb in hours: 1, 4 and 24.
 */
const DAY_REMINDERS = ['P7D', 'P1D']
const DAY_LADDER: Rung[] = [
  { after: 'P1D', notify: 'supplier-signatory' },
  { after: 'P3D', notify: 'authority-contract-owner' },
  { after: 'P7D', notify: 'authority-admin' },
]
const DAY_BREACH = 'P7D'
const HOUR_REMINDERS = ['PT12H', 'PT2H']
const HOUR_LADDER: Rung[] = [
  { after: 'PT1H', notify: 'supplier-signatory' },
  { after: 'PT4H', notify: 'authority-contract-owner' },
  { after: 'PT24H', notify: 'authority-admin' },
]
const HOUR_BREACH = 'PT24H'

/** The workflows whose clocks the engine knows how to plan. */
export const PLAN_KINDS = ['security-aspects-letter', 'data-return', 'failed-destruction-report'] as const
export type PlanKind = (typeof PLAN_KINDS)[number]

/**
 * A stage due at a given time, chased on the day ladder (`'days'`) or the hour ladder (`'hours'`). For clocks that
 * are not a catalogue period from a start: a date a signatory promised in a declaration, the next instance of a
 * recurring obligation.
 */
export function plannedStage(props: {
  stageKey: string
  title: string
  startsAt: Date
  dueAt: Date
  responsible: NotifyKey
  clock?: 'days' | 'hours'
}): StagePlan {
  const hours = props.clock === 'hours'
  return {
    stageKey: props.stageKey,
    title: props.title,
    startsAt: props.startsAt,
    dueAt: props.dueAt,
    responsible: props.responsible,
    reminderOffsets: hours ? HOUR_REMINDERS : DAY_REMINDERS,
    escalation: hours ? HOUR_LADDER : DAY_LADDER,
    breachAfter: hours ? HOUR_BREACH : DAY_BREACH,
  }
}

function dayStage(stageKey: string, title: string, startsAt: Date, period: string, responsible: NotifyKey): StagePlan {
  return plannedStage({ stageKey, title, startsAt, dueAt: addDuration(startsAt, period), responsible })
}

/**
 * The stages a workflow opens at `startsAt`, with periods from the catalogue: a Security Aspects Letter's three
 * (from issue), returning data (from contract end), reporting failed destruction (from identification).
 */
export function planStages(kind: PlanKind, startsAt: Date, catalogue: Catalogue): StagePlan[] {
  switch (kind) {
    case 'security-aspects-letter':
      return [
        // Guidance, Security Aspects Letters: acknowledge receipt and acceptance of the SAL.
        dayStage(
          'acknowledge-receipt',
          'Acknowledge receipt and acceptance of the Security Aspects Letter',
          startsAt,
          durationParameter(catalogue, 'sal-acknowledgement-period'),
          'supplier-contact',
        ),
        // Guidance: confirm the SAL has been brought to the attention of the personnel responsible.
        dayStage(
          'confirm-personnel-briefed',
          'Confirm the responsible personnel have been briefed on the Security Aspects Letter',
          startsAt,
          durationParameter(catalogue, 'sal-confirmation-period'),
          'supplier-signatory',
        ),
        // Guidance: provide a SAL to all subcontractors, obtain their acknowledgement and copy it to the Authority.
        dayStage(
          'copy-subcontractor-sals',
          'Send the Authority copies of the subcontractors’ acknowledged Security Aspects Letters',
          startsAt,
          durationParameter(catalogue, 'sal-subcontractor-copy-period'),
          'supplier-contact',
        ),
      ]
    case 'data-return':
      return [
        dayStage(
          'return-data',
          'Return the Authority’s data after the contract ends',
          startsAt,
          durationParameter(catalogue, 'data-return-period'),
          'supplier-contact',
        ),
      ]
    default:
      // 'failed-destruction-report'. Guidance, Data destruction: notify the Authority within 24 hours of identifying failed destruction.
      return [
        plannedStage({
          stageKey: 'report-failed-destruction',
          title: 'Report unsuccessful or incomplete data destruction to the Authority',
          startsAt,
          dueAt: addDuration(startsAt, durationParameter(catalogue, 'failed-destruction-notification')),
          responsible: 'supplier-contact',
          clock: 'hours',
        }),
      ]
  }
}
