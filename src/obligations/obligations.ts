import { randomUUID } from 'node:crypto'
import type { Kysely, Transaction } from 'kysely'
import type { Catalogue } from '../catalogue/catalogue.ts'
import type { Database, ObligationInstancesTable } from '../platform/db/schema.ts'
import { isUniqueViolation } from '../platform/db/unique.ts'
import { invalidField, notFound } from '../platform/errors.ts'
import { addDuration } from '../platform/duration.ts'
import { recordAuditEvent } from '../audit/record.ts'
import { plannedStage } from '../deadlines/stages.ts'
import { assertNotSelfApproval } from '../identity/segregation.ts'
import type { RolePermission } from '../identity/policy.ts'
import { reachableSupplier, type SupplierCaller } from '../suppliers/register.ts'
import type { SupplierRow } from '../suppliers/store.ts'
import {
  ATTESTATION_MISSING,
  DUE_IN_PAST,
  EVIDENCE_NOT_HTTPS,
  isEvidenceReference,
  RETURN_NEEDS_COMMENT,
  SELECT_KIND,
} from './forms.ts'
import { intervalOf, obligationKind, type ObligationKind } from './kinds.ts'
import {
  findInstance,
  findSchedule,
  findScheduleByKind,
  insertInstance,
  insertSchedule,
  setInstanceStage,
  transitionInstance,
} from './store.ts'

/** What obligation operations need. */
export interface ObligationDeps {
  readonly db: Kysely<Database>
  readonly now: () => Date
  readonly catalogue: Catalogue
}

/** The refusal when a supplier already has a schedule for a kind. */
export const ALREADY_SCHEDULED = 'This supplier already has a schedule for that obligation'
/** The refusal when an instance is not waiting for the supplier. */
export const NOT_OPEN = 'This obligation is not waiting to be completed'
/** The refusal when an instance is not waiting for review. */
export const NOT_AWAITING_REVIEW = 'This obligation is not waiting for review'

/** A day (YYYY-MM-DD) as the instant an obligation due that day falls due: the end of the day, UTC. */
export const dueAtEndOf = (day: string): Date => new Date(`${day}T23:59:59.000Z`)

/** The stage an instance is chased with: due at its due time, the supplier's contact reminded, then up the ladder. */
function instanceStage(kind: ObligationKind, dueAt: Date, now: Date, title: string = kind.title) {
  return plannedStage({ stageKey: kind.id, title, startsAt: now, dueAt, responsible: 'supplier-contact' })
}

/** An instance row, open, before it is stored. */
export function openInstanceRow(props: {
  organisationId: string
  kind: ObligationKind
  dueAt: Date
  now: Date
  scheduleId: string | null
  serviceId: string | null
}): ObligationInstancesTable {
  return {
    id: randomUUID(),
    organisation_id: props.organisationId,
    schedule_id: props.scheduleId,
    service_id: props.serviceId,
    kind: props.kind.id,
    due_at: props.dueAt.toISOString(),
    status: 'open',
    opened_at: props.now.toISOString(),
    evidence_description: null,
    evidence_link: null,
    completed_at: null,
    completed_by: null,
    reviewed_at: null,
    reviewed_by: null,
    review_comment: null,
  }
}

/** Stores an open instance with its deadline stage, in the caller's transaction. */
export async function openInstance(
  trx: Transaction<Database>,
  props: {
    organisationId: string
    kind: ObligationKind
    dueAt: Date
    now: Date
    scheduleId: string | null
    serviceId: string | null
    title?: string
  },
): Promise<ObligationInstancesTable> {
  const row = openInstanceRow(props)
  await insertInstance(trx, {
    row,
    stage: instanceStage(props.kind, props.dueAt, props.now, props.title),
    now: props.now,
  })
  return row
}

/**
 * Starts a recurring obligation for a supplier: the schedule and its first instance, due at the end of the day
 * chosen (today or later), chased by the deadline engine. One schedule per supplier and kind.
 */
export async function startObligationSchedule(
  deps: ObligationDeps,
  props: { caller: SupplierCaller; supplierId: string; kind: string; firstDueOn: string },
): Promise<{ scheduleId: string; instanceId: string }> {
  const { caller } = props
  const supplier = await reachableSupplier(deps, {
    caller,
    supplierId: props.supplierId,
    permission: 'manage-obligations',
  })
  const kind = obligationKind(props.kind)
  if (kind === undefined || kind.interval === 'per-event') throw invalidField('kind', SELECT_KIND)
  const interval = intervalOf(kind, deps.catalogue)
  const now = deps.now()
  if (!/^\d{4}-\d{2}-\d{2}$/.test(props.firstDueOn) || Number.isNaN(dueAtEndOf(props.firstDueOn).getTime()))
    throw invalidField('firstDue', 'The first due date must be a real date')
  if (props.firstDueOn < now.toISOString().slice(0, 10)) throw invalidField('firstDue', DUE_IN_PAST)
  const dueAt = dueAtEndOf(props.firstDueOn)
  const scheduleId = randomUUID()
  return deps.db
    .transaction()
    .execute(async trx => {
      if ((await findScheduleByKind(trx, supplier.id, kind.id)) !== undefined)
        throw invalidField('kind', ALREADY_SCHEDULED)
      await insertSchedule(trx, {
        id: scheduleId,
        organisation_id: supplier.id,
        kind: kind.id,
        first_due_at: dueAt.toISOString(),
        started_at: now.toISOString(),
        started_by: caller.user.id,
      })
      const instance = await openInstance(trx, {
        organisationId: supplier.id,
        kind,
        dueAt,
        now,
        scheduleId,
        serviceId: null,
      })
      await recordAuditEvent(
        trx,
        {
          actor: caller.actor,
          action: 'obligation.schedule.started',
          outcome: 'success',
          target: { type: 'obligation_schedule', id: scheduleId },
          ip: caller.ip,
          requestId: caller.requestId,
          details: {
            supplierId: supplier.id,
            kind: kind.id,
            requirement: kind.requirement,
            interval,
            instanceId: instance.id,
            dueAt: instance.due_at,
          },
        },
        now,
      )
      return { scheduleId, instanceId: instance.id }
    })
    .catch(error => {
      throw isUniqueViolation(error) ? invalidField('kind', ALREADY_SCHEDULED) : error
    })
}

/** A supplier's instance the caller may reach with `permission`, or not found. */
export async function reachableInstance(
  deps: ObligationDeps,
  props: { caller: SupplierCaller; supplierId: string; instanceId: string; permission: RolePermission },
): Promise<{ supplier: SupplierRow; instance: ObligationInstancesTable; kind: ObligationKind }> {
  const supplier = await reachableSupplier(deps, props)
  const instance = await findInstance(deps.db, supplier.id, props.instanceId)
  const kind = instance === undefined ? undefined : obligationKind(instance.kind)
  if (instance === undefined || kind === undefined) throw notFound('That obligation')
  return { supplier, instance, kind }
}

/**
 * The supplier records that it carried out an instance: what was done, a link to (or reference for) the evidence,
 * and the attestation "I confirm this was carried out as described". The instance then awaits the Authority's
 * review and its clock stops: the supplier has done its part.
 */
export async function completeObligation(
  deps: ObligationDeps,
  props: {
    caller: SupplierCaller
    supplierId: string
    instanceId: string
    description: string
    evidence: string
    attested: boolean
  },
): Promise<void> {
  const { caller } = props
  const { instance, kind } = await reachableInstance(deps, { ...props, permission: 'complete-obligations' })
  // The same rules as the form, for callers that are not the form (the CLI, jobs).
  if (props.description.trim() === '') throw invalidField('description', 'Enter what was done')
  if (props.evidence.trim() === '' || !isEvidenceReference(props.evidence.trim()))
    throw invalidField('evidence', EVIDENCE_NOT_HTTPS)
  if (!props.attested) throw invalidField('attestation', ATTESTATION_MISSING)
  if (instance.status !== 'open') throw invalidField('', NOT_OPEN)
  const now = deps.now()
  await deps.db.transaction().execute(async trx => {
    const moved = await transitionInstance(trx, {
      instanceId: instance.id,
      from: 'open',
      set: {
        status: 'awaiting-review',
        evidence_description: props.description,
        evidence_link: props.evidence,
        completed_at: now.toISOString(),
        completed_by: caller.user.id,
      },
    })
    if (!moved) throw invalidField('', NOT_OPEN)
    await setInstanceStage(trx, { instanceId: instance.id, open: false, by: caller.user.id, now })
    await recordAuditEvent(
      trx,
      {
        actor: caller.actor,
        action: 'obligation.completed',
        outcome: 'success',
        target: { type: 'obligation', id: instance.id },
        ip: caller.ip,
        requestId: caller.requestId,
        details: {
          supplierId: instance.organisation_id,
          kind: kind.id,
          dueAt: instance.due_at,
          late: now.toISOString() > instance.due_at,
          evidence: props.evidence,
          attested: true,
        },
      },
      now,
    )
  })
}

/**
 * The Authority reviews a completed instance. Accepting it schedules the next instance of a recurring obligation at
 * the previous due date plus the interval (the cadence keeps to the calendar, however early or late this one was
 * done); returning it re-opens it for the supplier with the reviewer's comment, its clock running again to the same
 * due date. The reviewer can never be the person who completed it.
 */
export async function reviewObligation(
  deps: ObligationDeps,
  props: {
    caller: SupplierCaller
    supplierId: string
    instanceId: string
    decision: 'accept' | 'return'
    comment?: string | undefined
  },
): Promise<{ nextInstanceId: string | null }> {
  const { caller } = props
  const { instance, kind } = await reachableInstance(deps, { ...props, permission: 'review-obligations' })
  if (instance.status !== 'awaiting-review') throw invalidField('', NOT_AWAITING_REVIEW)
  // Guidance, Access control: segregation of duties; v5.0.0-2.3.5 (multi-user approval of high-value flows).
  assertNotSelfApproval({ submittedBy: instance.completed_by ?? '', approverId: caller.user.id, what: 'an obligation' })
  const comment = props.comment?.trim() ?? ''
  if (props.decision === 'return' && comment === '') throw invalidField('comment', RETURN_NEEDS_COMMENT)
  const now = deps.now()
  const reviewed = { reviewed_at: now.toISOString(), reviewed_by: caller.user.id, review_comment: comment || null }
  return deps.db
    .transaction()
    .execute(async trx => {
      const stale = invalidField('', NOT_AWAITING_REVIEW)
      let next: ObligationInstancesTable | null = null
      if (props.decision === 'return') {
        if (
          !(await transitionInstance(trx, {
            instanceId: instance.id,
            from: 'awaiting-review',
            set: { status: 'open', ...reviewed },
          }))
        )
          throw stale
        await setInstanceStage(trx, { instanceId: instance.id, open: true, by: caller.user.id, now })
      } else {
        if (
          !(await transitionInstance(trx, {
            instanceId: instance.id,
            from: 'awaiting-review',
            set: { status: 'accepted', ...reviewed },
          }))
        )
          throw stale
        const schedule = instance.schedule_id === null ? undefined : await findSchedule(trx, instance.schedule_id)
        const interval = intervalOf(kind, deps.catalogue)
        if (schedule !== undefined && interval !== null) {
          next = await openInstance(trx, {
            organisationId: instance.organisation_id,
            kind,
            dueAt: addDuration(new Date(instance.due_at), interval),
            now,
            scheduleId: schedule.id,
            serviceId: null,
          })
        }
      }
      await recordAuditEvent(
        trx,
        {
          actor: caller.actor,
          action: props.decision === 'accept' ? 'obligation.accepted' : 'obligation.returned',
          outcome: 'success',
          target: { type: 'obligation', id: instance.id },
          ip: caller.ip,
          requestId: caller.requestId,
          details: {
            supplierId: instance.organisation_id,
            kind: kind.id,
            completedBy: instance.completed_by,
            ...(comment === '' ? {} : { comment }),
            ...(next === null ? {} : { nextInstanceId: next.id, nextDueAt: next.due_at }),
          },
        },
        now,
      )
      return { nextInstanceId: next?.id ?? null }
    })
    .catch(error => {
      throw isUniqueViolation(error) ? invalidField('', NOT_AWAITING_REVIEW) : error
    })
}
