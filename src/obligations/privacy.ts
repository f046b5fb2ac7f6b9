import { randomUUID } from 'node:crypto'
import type { Transaction } from 'kysely'
import type { Database } from '../platform/db/schema.ts'
import { isUniqueViolation } from '../platform/db/unique.ts'
import { invalidField, notFound } from '../platform/errors.ts'
import { addDuration } from '../platform/duration.ts'
import { recordAuditEvent } from '../audit/record.ts'
import { reachableSupplier, type SupplierCaller } from '../suppliers/register.ts'
import { DPIA_PERIOD, obligationKind } from './kinds.ts'
import { CHECKLISTS, PHASE_NAMES, PHASES, type Phase } from './lifecycle.ts'
import { openInstance, type ObligationDeps } from './obligations.ts'
import { changePhase, findService, findServiceByName, insertService, saveChecklist } from './store.ts'

/** The refusal when a supplier already has a service by that name. */
export const SERVICE_NAME_TAKEN = 'This supplier already has a service with that name'
/** The refusal when a checklist names an item the current phase does not have. */
export const UNKNOWN_ITEM = 'Select only the expectations listed for this phase'

/**
 * Opens a DPIA instance for a service. Guidance, Data security and privacy: "A Data Protection Impact Assessment ...
 * is required for all projects"; and, for live data in testing, "you must revisit or update an existing Data
 * Protection Impact Assessment". Assure asks for one when a service is added and each time it changes phase.
 */
async function openDpia(
  trx: Transaction<Database>,
  props: { organisationId: string; serviceId: string; serviceName: string; phase: Phase; now: Date },
) {
  const kind = obligationKind('dpia')
  if (kind === undefined) throw new Error('The dpia obligation kind is missing')
  return openInstance(trx, {
    organisationId: props.organisationId,
    kind,
    dueAt: addDuration(props.now, DPIA_PERIOD),
    now: props.now,
    scheduleId: null,
    serviceId: props.serviceId,
    title: `${kind.title} for ${props.serviceName} (${PHASE_NAMES[props.phase]})`,
  })
}

/** The supplier adds one of its services to the privacy lifecycle, in its current phase; a DPIA is opened for it. */
export async function addSupplierService(
  deps: ObligationDeps,
  props: { caller: SupplierCaller; supplierId: string; name: string; phase: Phase },
): Promise<{ serviceId: string; dpiaInstanceId: string }> {
  const { caller } = props
  const supplier = await reachableSupplier(deps, {
    caller,
    supplierId: props.supplierId,
    permission: 'complete-obligations',
  })
  const now = deps.now()
  const serviceId = randomUUID()
  return deps.db
    .transaction()
    .execute(async trx => {
      if ((await findServiceByName(trx, supplier.id, props.name)) !== undefined)
        throw invalidField('name', SERVICE_NAME_TAKEN)
      await insertService(trx, {
        id: serviceId,
        organisation_id: supplier.id,
        name: props.name,
        phase: props.phase,
        phase_changed_at: now.toISOString(),
        created_at: now.toISOString(),
        created_by: caller.user.id,
      })
      const dpia = await openDpia(trx, {
        organisationId: supplier.id,
        serviceId,
        serviceName: props.name,
        phase: props.phase,
        now,
      })
      await recordAuditEvent(
        trx,
        {
          actor: caller.actor,
          action: 'privacy.service.added',
          outcome: 'success',
          target: { type: 'supplier_service', id: serviceId },
          ip: caller.ip,
          requestId: caller.requestId,
          details: { supplierId: supplier.id, name: props.name, phase: props.phase, dpiaInstanceId: dpia.id },
        },
        now,
      )
      return { serviceId, dpiaInstanceId: dpia.id }
    })
    .catch(error => {
      throw isUniqueViolation(error) ? invalidField('name', SERVICE_NAME_TAKEN) : error
    })
}

/** A supplier's service the caller may reach, or not found. */
async function reachableService(
  deps: ObligationDeps,
  props: { caller: SupplierCaller; supplierId: string; serviceId: string },
) {
  const supplier = await reachableSupplier(deps, { ...props, permission: 'complete-obligations' })
  const service = await findService(deps.db, supplier.id, props.serviceId)
  if (service === undefined) throw notFound('That service')
  return { supplier, service }
}

/**
 * Moves a service on to a later lifecycle phase and opens a DPIA instance for the new phase (guidance: a DPIA per
 * project, revisited as the project changes). A lifecycle runs forwards: a service does not go back a phase.
 */
export async function changeServicePhase(
  deps: ObligationDeps,
  props: { caller: SupplierCaller; supplierId: string; serviceId: string; phase: Phase },
): Promise<{ dpiaInstanceId: string }> {
  const { caller } = props
  const { service } = await reachableService(deps, props)
  const from = PHASES.indexOf(service.phase as Phase)
  if (PHASES.indexOf(props.phase) <= from)
    throw invalidField('phase', `Select a phase after ${PHASE_NAMES[service.phase as Phase] ?? service.phase}`)
  const now = deps.now()
  return deps.db.transaction().execute(async trx => {
    if (!(await changePhase(trx, { serviceId: service.id, from: service.phase, to: props.phase, now })))
      throw invalidField(
        'phase',
        'Someone changed this service’s phase at the same time. Check its phase and try again',
      )
    const dpia = await openDpia(trx, {
      organisationId: service.organisation_id,
      serviceId: service.id,
      serviceName: service.name,
      phase: props.phase,
      now,
    })
    await recordAuditEvent(
      trx,
      {
        actor: caller.actor,
        action: 'privacy.service.phase_changed',
        outcome: 'success',
        target: { type: 'supplier_service', id: service.id },
        ip: caller.ip,
        requestId: caller.requestId,
        details: { supplierId: service.organisation_id, from: service.phase, to: props.phase, dpiaInstanceId: dpia.id },
      },
      now,
    )
    return { dpiaInstanceId: dpia.id }
  })
}

/** Records which of the current phase's expectations are met: those ticked are, the others are not. */
export async function recordPrivacyChecklist(
  deps: ObligationDeps,
  props: { caller: SupplierCaller; supplierId: string; serviceId: string; checked: readonly string[] },
): Promise<void> {
  const { caller } = props
  const { service } = await reachableService(deps, props)
  const items = CHECKLISTS[service.phase as Phase] ?? []
  if (props.checked.some(id => !items.some(item => item.id === id))) throw invalidField('items', UNKNOWN_ITEM)
  const now = deps.now()
  await deps.db.transaction().execute(async trx => {
    await saveChecklist(
      trx,
      items.map(item => ({
        service_id: service.id,
        item_id: item.id,
        checked: props.checked.includes(item.id) ? 1 : 0,
        updated_at: now.toISOString(),
        updated_by: caller.user.id,
      })),
    )
    await recordAuditEvent(
      trx,
      {
        actor: caller.actor,
        action: 'privacy.checklist.updated',
        outcome: 'success',
        target: { type: 'supplier_service', id: service.id },
        ip: caller.ip,
        requestId: caller.requestId,
        details: {
          supplierId: service.organisation_id,
          phase: service.phase,
          met: items.filter(item => props.checked.includes(item.id)).map(item => item.id),
        },
      },
      now,
    )
  })
}
