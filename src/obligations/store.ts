import type { Kysely, Transaction } from 'kysely'
import type {
  Database,
  ObligationInstancesTable,
  ObligationSchedulesTable,
  PrivacyChecklistItemsTable,
  SupplierServicesTable,
} from '../platform/db/schema.ts'
import type { StagePlan } from '../deadlines/stages.ts'
import { openStageRow } from '../deadlines/deadlines.ts'
import { OBLIGATION_KINDS } from './kinds.ts'

type Db = Kysely<Database> | Transaction<Database>

/** The deadline engine's subject type for an obligation instance. */
export const OBLIGATION_SUBJECT = 'obligation'

/** A supplier's schedules, in the order the kinds are listed (OBLIGATION_KINDS). */
export async function listSchedules(db: Db, organisationId: string): Promise<ObligationSchedulesTable[]> {
  const rows = await db
    .selectFrom('obligation_schedules')
    .selectAll()
    .where('organisation_id', '=', organisationId)
    .execute()
  const order = (kind: string) => OBLIGATION_KINDS.findIndex(each => each.id === kind)
  return rows.sort((a, b) => order(a.kind) - order(b.kind))
}

/** A supplier's schedule for a kind, if it has one. */
export async function findScheduleByKind(
  db: Db,
  organisationId: string,
  kind: string,
): Promise<ObligationSchedulesTable | undefined> {
  return db
    .selectFrom('obligation_schedules')
    .selectAll()
    .where('organisation_id', '=', organisationId)
    .where('kind', '=', kind)
    .executeTakeFirst()
}

/** One schedule by ID. */
export async function findSchedule(db: Db, scheduleId: string): Promise<ObligationSchedulesTable | undefined> {
  return db.selectFrom('obligation_schedules').selectAll().where('id', '=', scheduleId).executeTakeFirst()
}

/** Stores a schedule. */
export async function insertSchedule(db: Db, row: ObligationSchedulesTable): Promise<void> {
  await db.insertInto('obligation_schedules').values(row).execute()
}

/** A supplier's instances, soonest due first. */
export async function listInstances(db: Db, organisationId: string): Promise<ObligationInstancesTable[]> {
  return db
    .selectFrom('obligation_instances')
    .selectAll()
    .where('organisation_id', '=', organisationId)
    .orderBy('due_at')
    .orderBy('kind')
    .execute()
}

/** One of a supplier's instances; undefined when it has no such instance. */
export async function findInstance(
  db: Db,
  organisationId: string,
  instanceId: string,
): Promise<ObligationInstancesTable | undefined> {
  return db
    .selectFrom('obligation_instances')
    .selectAll()
    .where('organisation_id', '=', organisationId)
    .where('id', '=', instanceId)
    .executeTakeFirst()
}

/**
 * Stores an instance and opens its stage in the caller's transaction, so the instance, its clock and the ledger
 * entry commit together. The row is the engine's own (`deadline_stages`): the sweep reminds, escalates and records
 * the breach as for any other stage.
 */
export async function insertInstance(
  db: Db,
  props: { row: ObligationInstancesTable; stage: StagePlan; now: Date },
): Promise<void> {
  const { row } = props
  await db.insertInto('obligation_instances').values(row).execute()
  await db
    .insertInto('deadline_stages')
    .values(
      openStageRow(
        { type: OBLIGATION_SUBJECT, id: row.id, organisationId: row.organisation_id },
        props.stage,
        props.now,
      ),
    )
    .execute()
}

/**
 * Moves an instance from one status to another with the given changes; false when it was not in `from` any more
 * (someone else completed or reviewed it first), so the caller can refuse without changing anything.
 */
export async function transitionInstance(
  db: Db,
  props: {
    instanceId: string
    from: ObligationInstancesTable['status']
    set: Partial<ObligationInstancesTable>
  },
): Promise<boolean> {
  const result = await db
    .updateTable('obligation_instances')
    .set(props.set)
    .where('id', '=', props.instanceId)
    .where('status', '=', props.from)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/** Closes an instance's stage (the supplier has done its part) or opens it again (returned for more). */
export async function setInstanceStage(
  db: Db,
  props: { instanceId: string; open: boolean; by: string; now: Date },
): Promise<void> {
  await db
    .updateTable('deadline_stages')
    .set(
      props.open
        ? { status: 'open', completed_at: null, completed_by: null }
        : { status: 'done', completed_at: props.now.toISOString(), completed_by: props.by },
    )
    .where('subject_type', '=', OBLIGATION_SUBJECT)
    .where('subject_id', '=', props.instanceId)
    .execute()
}

/** A supplier's services, by name. */
export async function listServices(db: Db, organisationId: string): Promise<SupplierServicesTable[]> {
  return db
    .selectFrom('supplier_services')
    .selectAll()
    .where('organisation_id', '=', organisationId)
    .orderBy('name')
    .execute()
}

/** One of a supplier's services. */
export async function findService(
  db: Db,
  organisationId: string,
  serviceId: string,
): Promise<SupplierServicesTable | undefined> {
  return db
    .selectFrom('supplier_services')
    .selectAll()
    .where('organisation_id', '=', organisationId)
    .where('id', '=', serviceId)
    .executeTakeFirst()
}

/** A supplier's service by name. */
export async function findServiceByName(
  db: Db,
  organisationId: string,
  name: string,
): Promise<SupplierServicesTable | undefined> {
  return db
    .selectFrom('supplier_services')
    .selectAll()
    .where('organisation_id', '=', organisationId)
    .where('name', '=', name)
    .executeTakeFirst()
}

/** Stores a service. */
export async function insertService(db: Db, row: SupplierServicesTable): Promise<void> {
  await db.insertInto('supplier_services').values(row).execute()
}

/** Moves a service from one phase to another; false when it was not in `from` any more. */
export async function changePhase(
  db: Db,
  props: { serviceId: string; from: string; to: string; now: Date },
): Promise<boolean> {
  const result = await db
    .updateTable('supplier_services')
    .set({ phase: props.to, phase_changed_at: props.now.toISOString() })
    .where('id', '=', props.serviceId)
    .where('phase', '=', props.from)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/** Every checklist row of a supplier's services. */
export async function checklistRows(db: Db, serviceIds: readonly string[]): Promise<PrivacyChecklistItemsTable[]> {
  if (serviceIds.length === 0) return []
  return db.selectFrom('privacy_checklist_items').selectAll().where('service_id', 'in', serviceIds).execute()
}

/** Records whether each item is met, replacing what was recorded before. */
export async function saveChecklist(db: Db, rows: readonly PrivacyChecklistItemsTable[]): Promise<void> {
  for (const row of rows) {
    await db
      .insertInto('privacy_checklist_items')
      .values(row)
      .onConflict(oc =>
        oc
          .columns(['service_id', 'item_id'])
          .doUpdateSet({ checked: row.checked, updated_at: row.updated_at, updated_by: row.updated_by }),
      )
      .execute()
  }
}

/** The DPIA instances opened for a service, newest first. */
export async function dpiaInstances(db: Db, serviceId: string): Promise<ObligationInstancesTable[]> {
  return db
    .selectFrom('obligation_instances')
    .selectAll()
    .where('service_id', '=', serviceId)
    .orderBy('opened_at', 'desc')
    .execute()
}

/** The deadline stages of a supplier's obligation instances. */
export async function obligationStages(db: Db, organisationId: string) {
  return db
    .selectFrom('deadline_stages')
    .selectAll()
    .where('subject_type', '=', OBLIGATION_SUBJECT)
    .where('organisation_id', '=', organisationId)
    .execute()
}
