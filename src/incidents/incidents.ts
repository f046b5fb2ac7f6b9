import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Database, IncidentsTable, IncidentUpdatesTable } from '../platform/db/schema.ts'
import { AssureError } from '../platform/errors.ts'
import type { Mailer } from '../platform/mail/mailer.ts'
import { recordAuditEvent } from '../audit/record.ts'
import { reachableSupplier, reaches, refuseAsNotFound, type SupplierCaller } from '../suppliers/register.ts'
import { rolesAllow } from '../identity/policy.ts'
import { paths } from '../paths.ts'
import { alertPeople, authorityPeople } from '../notifications/alerts.ts'
import type { IncidentReport } from './forms.ts'

/** What the incident operations need. */
export interface IncidentDeps {
  readonly db: Kysely<Database>
  readonly now: () => Date
  readonly mailer: Mailer
  readonly publicUrl: string
}

/** The Authority roles told of every new incident at once: its administrators and security assessors. */
const TOLD_AT_ONCE = ['authority-admin', 'security-assessor'] as const

/**
 * A supplier reports an incident. The Authority's administrators and security assessors are told at once, in their
 * notification list (committed with the report) and by email after the commit, so a mail server that is down never
 * loses the report; the report and who was told are one ledger entry.
 */
export async function reportIncident(
  deps: IncidentDeps,
  props: { caller: SupplierCaller; supplierId: string; report: IncidentReport },
): Promise<string> {
  const { caller, supplierId, report } = props
  const supplier = await reachableSupplier(deps, { caller, supplierId, permission: 'report-incidents' })
  const id = randomUUID()
  const now = deps.now()
  const recipients = await authorityPeople(deps.db, TOLD_AT_ONCE)
  const alert = alertPeople(recipients, {
    title: `Security incident reported by ${supplier.name}`,
    lines: [
      `${supplier.name} reported a security incident: ${report.summary}`,
      '',
      `Identified: ${report.identifiedAt}`,
      `Personal data involved: ${report.personalData}`,
    ],
    path: paths.incidents.incident(id),
    source: `incident:${id}`,
  })
  await deps.db.transaction().execute(async trx => {
    await trx
      .insertInto('incidents')
      .values({
        id,
        organisation_id: supplierId,
        summary: report.summary,
        identified_at: report.identifiedAt,
        reported_at: now.toISOString(),
        reported_by: caller.user.id,
        systems_affected: report.systemsAffected,
        data_affected: report.dataAffected,
        personal_data: report.personalData,
        actions_taken: report.actionsTaken,
        status: 'open',
        closed_at: null,
        closed_by: null,
        review: null,
      })
      .execute()
    await alert.record(trx, now)
    await recordAuditEvent(
      trx,
      {
        actor: caller.actor,
        action: 'incident.reported',
        outcome: 'success',
        target: { type: 'incident', id },
        ip: caller.ip,
        requestId: caller.requestId,
        details: {
          supplierId,
          identifiedAt: report.identifiedAt,
          personalData: report.personalData,
          authorityNotified: recipients.length,
        },
      },
      now,
    )
  })
  await alert.send(deps.mailer, deps.publicUrl)
  return id
}

export type IncidentRow = IncidentsTable & { supplier_name: string; reporter_name: string }

/** Incidents a caller may see, newest first: the Authority sees every supplier's, supplier people their own. */
export async function listIncidents(deps: IncidentDeps, caller: SupplierCaller): Promise<IncidentRow[]> {
  let query = deps.db
    .selectFrom('incidents as i')
    .innerJoin('organisations as o', 'o.id', 'i.organisation_id')
    .innerJoin('users as u', 'u.id', 'i.reported_by')
    .selectAll('i')
    .select(['o.name as supplier_name', 'u.display_name as reporter_name'])
    .orderBy('i.reported_at', 'desc')
  if (caller.user.organisationKind !== 'authority')
    query = query.where('i.organisation_id', '=', caller.user.organisationId)
  return query.execute()
}

/** One incident with its updates, if the caller may see it; anything else is not found, and recorded as denied. */
export async function incidentFor(
  deps: IncidentDeps,
  caller: SupplierCaller,
  id: string,
): Promise<{ incident: IncidentRow; updates: Array<IncidentUpdatesTable & { by_name: string }> }> {
  const incident = await deps.db
    .selectFrom('incidents as i')
    .innerJoin('organisations as o', 'o.id', 'i.organisation_id')
    .innerJoin('users as u', 'u.id', 'i.reported_by')
    .selectAll('i')
    .select(['o.name as supplier_name', 'u.display_name as reporter_name'])
    .where('i.id', '=', id)
    .executeTakeFirst()
  if (incident === undefined || !reaches(caller.user, incident.organisation_id))
    return refuseAsNotFound(deps, caller, { type: 'incident', id }, incident !== undefined)
  const updates = await deps.db
    .selectFrom('incident_updates as x')
    .innerJoin('users as u', 'u.id', 'x.by')
    .selectAll('x')
    .select('u.display_name as by_name')
    .where('x.incident_id', '=', id)
    .orderBy('x.at')
    .execute()
  return { incident, updates }
}

/** Adds an update to an open incident: what is now known, what was done. Either side may add one. */
export async function updateIncident(
  deps: IncidentDeps,
  props: { caller: SupplierCaller; incidentId: string; text: string },
): Promise<void> {
  const { caller, incidentId, text } = props
  const { incident } = await incidentFor(deps, caller, incidentId)
  if (incident.status === 'closed')
    throw new AssureError('CONFLICT', 'This incident is closed; report a new incident if there is more to tell')
  const now = deps.now()
  await deps.db.transaction().execute(async trx => {
    await trx
      .insertInto('incident_updates')
      .values({ id: randomUUID(), incident_id: incidentId, at: now.toISOString(), by: caller.user.id, text })
      .execute()
    await recordAuditEvent(
      trx,
      {
        actor: caller.actor,
        action: 'incident.updated',
        outcome: 'success',
        target: { type: 'incident', id: incidentId },
        ip: caller.ip,
        requestId: caller.requestId,
        details: { supplierId: incident.organisation_id },
      },
      now,
    )
  })
}

/** The Authority closes an incident with its post-incident review (MCSS RECOVER: lessons learned). */
export async function closeIncident(
  deps: IncidentDeps,
  props: { caller: SupplierCaller; incidentId: string; review: string },
): Promise<void> {
  const { caller, incidentId, review } = props
  const { incident } = await incidentFor(deps, caller, incidentId)
  if (!rolesAllow(caller.user.roles, 'close-incidents'))
    throw new AssureError('FORBIDDEN', 'Only the Authority’s administrators and security assessors close incidents')
  const now = deps.now()
  await deps.db.transaction().execute(async trx => {
    const closed = await trx
      .updateTable('incidents')
      .set({ status: 'closed', closed_at: now.toISOString(), closed_by: caller.user.id, review })
      .where('id', '=', incidentId)
      .where('status', '=', 'open')
      .executeTakeFirst()
    if (Number(closed.numUpdatedRows) !== 1) throw new AssureError('CONFLICT', 'This incident is already closed')
    await recordAuditEvent(
      trx,
      {
        actor: caller.actor,
        action: 'incident.closed',
        outcome: 'success',
        target: { type: 'incident', id: incidentId },
        ip: caller.ip,
        requestId: caller.requestId,
        details: { supplierId: incident.organisation_id },
      },
      now,
    )
  })
}

/** Hours between an incident being identified and reported, for the page (rounded down). */
export function hoursToReport(incident: Pick<IncidentsTable, 'identified_at' | 'reported_at'>): number {
  return Math.floor((Date.parse(incident.reported_at) - Date.parse(incident.identified_at)) / 3_600_000)
}
