import { randomUUID } from 'node:crypto'
import type { Kysely, Selectable, Transaction } from 'kysely'
import { z } from 'zod'
import type { Database, DeadlineStagesTable } from '../platform/db/schema.ts'
import type { Mailer } from '../platform/mail/mailer.ts'
import { parseInput } from '../platform/validation.ts'
import { notFound } from '../platform/errors.ts'
import { describeDuration } from '../platform/duration.ts'
import { recordAuditEvent, type Actor } from '../audit/record.ts'
import { subjectPath } from './links.ts'
import { notifyPeople } from '../notifications/notifications.ts'
import { recipientsByRole, type RecipientsFor } from './recipients.ts'
import {
  NOTIFY_KEYS,
  RungSchema,
  StagePlanSchema,
  SubjectSchema,
  noticesDue,
  stageState,
  type DueNotice,
  type Stage,
  type StagePlan,
  type StageState,
  type Subject,
} from './stages.ts'

/** What the deadline operations need. */
export interface DeadlineDeps {
  readonly db: Kysely<Database>
  readonly now: () => Date
  readonly mailer: Mailer
  /** Who a notice goes to; defaults to people holding the matching role (recipients.ts). */
  readonly recipientsFor?: RecipientsFor
}

/** The system actor the sweep records its notices as: the job's name. */
export const SWEEP_ACTOR: Actor = { type: 'system', id: 'sweep-deadlines' }

/** A stage with where it stands now and the notices already claimed for it. */
export interface StageView extends Stage {
  readonly state: StageState
  readonly completedAt: Date | null
  readonly completedBy: string | null
  readonly notices: ReadonlyArray<{ readonly key: string; readonly status: string; readonly sentAt: string | null }>
}

const OpenStagesSchema = z.strictObject({ subject: SubjectSchema, stages: z.array(StagePlanSchema).min(1).max(20) })
const JsonOffsets = z.array(z.string())
const JsonLadder = z.array(RungSchema)

function toStage(row: Selectable<DeadlineStagesTable>): Stage {
  return {
    id: row.id,
    subject: {
      type: row.subject_type,
      id: row.subject_id,
      ...(row.organisation_id === null ? {} : { organisationId: row.organisation_id }),
    },
    stageKey: row.stage_key,
    title: row.title,
    startsAt: new Date(row.starts_at),
    dueAt: new Date(row.due_at),
    responsible: z.enum(NOTIFY_KEYS).parse(row.responsible),
    reminderOffsets: JsonOffsets.parse(JSON.parse(row.reminder_offsets)),
    escalation: JsonLadder.parse(JSON.parse(row.escalation)),
    breachAfter: row.breach_after,
  }
}

/**
 * A stage as its row is stored, open. Workflows that open stages inside their own transaction (a letter and its
 * clocks commit together) insert this row themselves; `openStages` does the same with a ledger entry per stage.
 */
export function openStageRow(subject: Subject, plan: StagePlan, now: Date, id: string = randomUUID()) {
  return {
    id,
    subject_type: subject.type,
    subject_id: subject.id,
    organisation_id: subject.organisationId ?? null,
    stage_key: plan.stageKey,
    title: plan.title,
    starts_at: plan.startsAt.toISOString(),
    due_at: plan.dueAt.toISOString(),
    responsible: plan.responsible,
    reminder_offsets: JSON.stringify(plan.reminderOffsets),
    escalation: JSON.stringify(plan.escalation),
    breach_after: plan.breachAfter,
    status: 'open' as const,
    opened_at: now.toISOString(),
    completed_at: null,
    completed_by: null,
  }
}

/**
 * Opens a subject's stages (a SAL's three, say) and records each in the ledger. Opening a stage the subject already
 * has changes nothing, so a workflow can retry. Returns the subject's stages as stored.
 */
export async function openStages(
  deps: DeadlineDeps,
  props: { subject: Subject; stages: readonly StagePlan[]; by?: Actor },
): Promise<Stage[]> {
  const input = parseInput(OpenStagesSchema, { subject: props.subject, stages: props.stages }, 'deadline stages')
  const by = props.by ?? { type: 'system', id: 'deadlines' }
  const now = deps.now()
  for (const plan of input.stages) {
    await deps.db.transaction().execute(async trx => {
      const id = randomUUID()
      const inserted = await trx
        .insertInto('deadline_stages')
        .values(openStageRow(input.subject, plan, now, id))
        .onConflict(oc => oc.columns(['subject_type', 'subject_id', 'stage_key']).doNothing())
        .executeTakeFirst()
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) !== 1) return
      await recordAuditEvent(
        trx,
        {
          actor: by,
          action: 'deadlines.stage.opened',
          outcome: 'success',
          target: { type: 'deadline_stage', id },
          details: {
            subject: `${input.subject.type}:${input.subject.id}`,
            stage: plan.stageKey,
            dueAt: plan.dueAt.toISOString(),
          },
        },
        now,
      )
    })
  }
  const rows = await deps.db
    .selectFrom('deadline_stages')
    .selectAll()
    .where('subject_type', '=', input.subject.type)
    .where('subject_id', '=', input.subject.id)
    .orderBy('due_at')
    .orderBy('stage_key')
    .execute()
  return rows.map(toStage)
}

/**
 * Marks a stage done, which stops its reminders and escalations; completing it again changes nothing. Given `trx`,
 * it runs inside the caller's transaction, so a workflow's step and the stage it completes commit (or fail) together.
 */
export async function completeStage(
  deps: Pick<DeadlineDeps, 'db' | 'now'>,
  props: { stageId: string; by: Actor; trx?: Transaction<Database>; requestId?: string },
): Promise<{ completedAt: Date }> {
  const now = deps.now()
  const byId = props.by.type === 'anonymous' ? 'anonymous' : props.by.id
  const complete = async (trx: Transaction<Database>) => {
    const updated = await trx
      .updateTable('deadline_stages')
      .set({ status: 'done', completed_at: now.toISOString(), completed_by: byId })
      .where('id', '=', props.stageId)
      .where('status', '=', 'open')
      .executeTakeFirst()
    if (Number(updated.numUpdatedRows) === 0) {
      const row = await trx
        .selectFrom('deadline_stages')
        .select('completed_at')
        .where('id', '=', props.stageId)
        .executeTakeFirst()
      if (row === undefined) throw notFound('The deadline stage')
      return { completedAt: new Date(row.completed_at ?? now) }
    }
    await recordAuditEvent(
      trx,
      {
        actor: props.by,
        action: 'deadlines.stage.completed',
        outcome: 'success',
        target: { type: 'deadline_stage', id: props.stageId },
        requestId: props.requestId,
      },
      now,
    )
    return { completedAt: now }
  }
  return props.trx === undefined ? deps.db.transaction().execute(complete) : complete(props.trx)
}

/** A subject's stages, soonest due first, with their state now. */
export async function stagesFor(deps: DeadlineDeps, subject: Subject): Promise<StageView[]> {
  const now = deps.now()
  const rows = await deps.db
    .selectFrom('deadline_stages')
    .selectAll()
    .where('subject_type', '=', subject.type)
    .where('subject_id', '=', subject.id)
    .orderBy('due_at')
    .orderBy('stage_key')
    .execute()
  const notices =
    rows.length === 0
      ? []
      : await deps.db
          .selectFrom('deadline_notices')
          .select(['stage_id', 'notice_key', 'status', 'sent_at'])
          .where(
            'stage_id',
            'in',
            rows.map(row => row.id),
          )
          .orderBy('claimed_at')
          .orderBy('notice_key')
          .execute()
  return rows.map(row => {
    const completedAt = row.completed_at === null ? null : new Date(row.completed_at)
    const stage = toStage(row)
    return {
      ...stage,
      state: stageState(stage, now, completedAt),
      completedAt,
      completedBy: row.completed_by,
      notices: notices
        .filter(notice => notice.stage_id === row.id)
        .map(notice => ({ key: notice.notice_key, status: notice.status, sentAt: notice.sent_at })),
    }
  })
}

/** How a sweep went, for the job's summary. */
export interface SweepResult {
  readonly sent: number
  readonly noRecipient: number
  readonly breached: number
  readonly failed: number
}

/**
 * Sends every notice that is due on every open stage, each at most once across all workers.
 *
 * Each notice is claimed before it is sent, by inserting its (stage_id, notice_key) row: the unique constraint lets
 * exactly one worker win, on either engine, with no locks held while mail goes out. The winner sends and marks the
 * row sent with its ledger entry and each recipient's in-service notification in one transaction, so the list too
 * gets each notice once (and its (person, source) key would refuse a second copy). If sending fails the claim is
 * deleted, so a later sweep tries again; if the worker dies between sending and marking, the row stays claimed and
 * the notice is not repeated: a reminder missed is better than one sent twice to a director, and the 'sending' row
 * shows what happened. With Notify, a notice to several people is one request each: if a later one is refused, the
 * retry repeats the earlier ones' mail (never their in-service copy).
 */
export async function sweepDeadlines(deps: DeadlineDeps): Promise<SweepResult> {
  const now = deps.now()
  const recipientsFor = deps.recipientsFor ?? recipientsByRole(deps.db)
  const rows = await deps.db
    .selectFrom('deadline_stages')
    .selectAll()
    .where('status', '=', 'open')
    .orderBy('due_at')
    .execute()
  const result = { sent: 0, noRecipient: 0, breached: 0, failed: 0 }
  for (const row of rows) {
    const stage = toStage(row)
    const claimed = await deps.db
      .selectFrom('deadline_notices')
      .select('notice_key')
      .where('stage_id', '=', stage.id)
      .execute()
    const due = noticesDue(stage, now, new Set(claimed.map(notice => notice.notice_key)))
    for (const notice of due) {
      const outcome = await deliver(deps, recipientsFor, stage, notice, now)
      if (outcome !== 'lost') result[outcome] += 1
    }
  }
  return result
}

async function claim(deps: DeadlineDeps, stage: Stage, notice: DueNotice, now: Date): Promise<boolean> {
  const inserted = await deps.db
    .insertInto('deadline_notices')
    .values({
      stage_id: stage.id,
      notice_key: notice.key,
      status: 'sending',
      claimed_at: now.toISOString(),
      sent_at: null,
      recipient: null,
      channel: notice.notify === null ? 'ledger' : 'email',
    })
    .onConflict(oc => oc.columns(['stage_id', 'notice_key']).doNothing())
    .executeTakeFirst()
  return Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1
}

async function deliver(
  deps: DeadlineDeps,
  recipientsFor: RecipientsFor,
  stage: Stage,
  notice: DueNotice,
  now: Date,
): Promise<keyof SweepResult | 'lost'> {
  if (!(await claim(deps, stage, notice, now))) return 'lost'
  const target = { type: 'deadline_stage', id: stage.id }
  const details = {
    subject: `${stage.subject.type}:${stage.subject.id}`,
    stage: stage.stageKey,
    notice: notice.key,
    dueAt: stage.dueAt.toISOString(),
  }
  const finish = (
    status: 'sent' | 'no-recipient' | 'recorded',
    recipient: string | null,
    action: string,
    extra: Record<string, unknown> = {},
    inService?: (trx: Transaction<Database>) => Promise<unknown>,
  ) =>
    deps.db.transaction().execute(async trx => {
      await trx
        .updateTable('deadline_notices')
        .set({ status, sent_at: now.toISOString(), recipient })
        .where('stage_id', '=', stage.id)
        .where('notice_key', '=', notice.key)
        .execute()
      await inService?.(trx)
      await recordAuditEvent(
        trx,
        { actor: SWEEP_ACTOR, action, outcome: 'success', target, details: { ...details, ...extra } },
        now,
      )
    })

  if (notice.notify === null) {
    await finish('recorded', null, 'deadlines.stage.breached')
    return 'breached'
  }
  const recipients = await recipientsFor(stage.subject, notice.notify)
  if (recipients.length === 0) {
    await finish('no-recipient', null, 'deadlines.notice.skipped', { notify: notice.notify, reason: 'no-recipient' })
    return 'noRecipient'
  }
  const mail = message(stage, notice)
  const to = recipients.map(recipient => recipient.email).join(', ')
  try {
    await deps.mailer.send({ to, ...mail })
  } catch (error) {
    await deps.db
      .deleteFrom('deadline_notices')
      .where('stage_id', '=', stage.id)
      .where('notice_key', '=', notice.key)
      .execute()
    await recordAuditEvent(
      deps.db,
      {
        actor: SWEEP_ACTOR,
        action: 'deadlines.notice.failed',
        outcome: 'failure',
        target,
        reason: error instanceof Error ? error.message.slice(0, 200) : 'sending failed',
        details: { ...details, notify: notice.notify },
      },
      now,
    )
    return 'failed'
  }
  // The same notice in each recipient's in-service list, committed with the row that marks it sent: only the worker
  // that won the claim gets here, and the (person, source) key would refuse a second copy anyway.
  const people = recipients.flatMap(recipient => (recipient.id === null ? [] : [recipient.id]))
  await finish('sent', to, 'deadlines.notice.sent', { notify: notice.notify, recipients: recipients.length }, trx =>
    notifyPeople(
      trx,
      {
        userIds: people,
        title: mail.subject,
        body: mail.text,
        link: subjectPath(stage.subject),
        source: `deadline:${stage.id}:${notice.key}`,
      },
      now,
    ),
  )
  return 'sent'
}

function message(stage: Stage, notice: DueNotice): { subject: string; text: string } {
  const due = `${stage.dueAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`
  if (notice.kind === 'reminder') {
    const lead = describeDuration(notice.key.slice('reminder:'.length))
    return {
      subject: `Due in ${lead}: ${stage.title}`,
      text: `${stage.title} is due by ${due} (${stage.subject.type} ${stage.subject.id}). Please complete it in Assure before then.`,
    }
  }
  return {
    subject: `Overdue: ${stage.title}`,
    text: `${stage.title} was due by ${due} (${stage.subject.type} ${stage.subject.id}) and has not been completed. You are told because it is overdue; please make sure it is done.`,
  }
}
