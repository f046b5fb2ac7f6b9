import { randomUUID } from 'node:crypto'
import type { Kysely, Selectable, Transaction } from 'kysely'
import { durationParameter } from '../catalogue/catalogue.ts'
import { recordAuditEvent } from '../audit/record.ts'
import { assertNotSelfApproval } from '../identity/segregation.ts'
import { AssureError, notFound, invalidField } from '../platform/errors.ts'
import { addDuration, describeDuration } from '../platform/duration.ts'
import type { Database, RisksTable } from '../platform/db/schema.ts'
import { reachableSupplier, type SupplierCaller } from '../suppliers/register.ts'
import { reachableAssessment, type AssessmentDeps } from './assessments.ts'
import { findAnswer } from './store.ts'

type Db = Kysely<Database> | Transaction<Database>

export type RiskRow = Selectable<RisksTable>
/** A risk row with the name of the supplier it belongs to. */
export type RiskWithSupplier = RiskRow & { supplier_name: string }

/** What an assessor writes down when they propose carrying a shortfall as a risk. */
export interface RiskProposal {
  readonly owner: string
  readonly description: string
  readonly mitigation: string
  readonly expiresOn: string
}

/** The answers whose acceptance puts a risk on the register. */
export const RISK_STATUSES = ['not-met', 'partially-met'] as const

const conflict = (message: string) => new AssureError('CONFLICT', message)

/** Today's date in UTC as YYYY-MM-DD. */
export const isoDay = (instant: Date): string => instant.toISOString().slice(0, 10)

/**
 * The latest expiry a risk may have: the catalogue's control review interval from today.
 * Guidance, Security Aspects Letters: controls are reviewed at least every `control-review-interval`.
 */
export function latestExpiry(deps: AssessmentDeps): { day: string; interval: string } {
  const interval = durationParameter(deps.catalogue, 'control-review-interval')
  return { day: isoDay(addDuration(deps.now(), interval)), interval }
}

/** Checks an expiry date is after today and within the control review interval. */
function checkExpiry(deps: AssessmentDeps, expiresOn: string): void {
  const today = isoDay(deps.now())
  if (expiresOn <= today) throw invalidField('expiresOn', 'The expiry date must be in the future')
  const latest = latestExpiry(deps)
  if (expiresOn > latest.day)
    throw invalidField('expiresOn', `The expiry date must be within ${describeDuration(latest.interval)} of today`)
}

/** One risk by ID. */
export const findRisk = (db: Db, id: string): Promise<RiskRow | undefined> =>
  db.selectFrom('risks').selectAll().where('id', '=', id).executeTakeFirst()

/** The risk carried for one answer, if any. */
export const findRiskFor = (db: Db, assessmentId: string, requirementId: string): Promise<RiskRow | undefined> =>
  db
    .selectFrom('risks')
    .selectAll()
    .where('assessment_id', '=', assessmentId)
    .where('requirement_id', '=', requirementId)
    .executeTakeFirst()

/** Risks with their supplier's name, soonest expiry first: one supplier's, one assessment's, or all of them. */
export const listRisks = (
  db: Db,
  filter: { organisationId?: string; assessmentId?: string } = {},
): Promise<RiskWithSupplier[]> => {
  let query = db
    .selectFrom('risks')
    .innerJoin('organisations', 'organisations.id', 'risks.organisation_id')
    .selectAll('risks')
    .select('organisations.name as supplier_name')
  if (filter.organisationId !== undefined) query = query.where('risks.organisation_id', '=', filter.organisationId)
  if (filter.assessmentId !== undefined) query = query.where('risks.assessment_id', '=', filter.assessmentId)
  return query.orderBy('risks.expires_on').orderBy('risks.requirement_id').orderBy('risks.id').execute()
}

/** A risk's state as of a day: proposed or accepted risks are expired the day after their expiry date. */
export function effectiveStatus(risk: RiskRow, today: string): RiskRow['status'] {
  if ((risk.status === 'proposed' || risk.status === 'accepted') && risk.expires_on < today) return 'expired'
  return risk.status
}

/**
 * The accepting assessor proposes carrying an accepted "not met" or "partially met" answer as a risk: its owner at
 * the supplier, what the risk is, how it is mitigated, and when the acceptance expires.
 */
export async function proposeRisk(
  deps: AssessmentDeps,
  props: { caller: SupplierCaller; assessmentId: string; requirementId: string; risk: RiskProposal },
): Promise<string> {
  const { caller, assessmentId, requirementId, risk } = props
  const assessment = await reachableAssessment(deps, { caller, assessmentId, permission: 'review-assessments' })
  checkExpiry(deps, risk.expiresOn)
  const id = randomUUID()
  const now = deps.now()
  await deps.db.transaction().execute(async trx => {
    const answer = await findAnswer(trx, assessmentId, requirementId)
    if (answer === undefined) throw notFound('That answer')
    if (answer.review !== 'accepted' || !(RISK_STATUSES as readonly string[]).includes(answer.status))
      throw conflict('Only an accepted answer that is not met or partially met can be carried as a risk')
    if (answer.reviewed_by !== caller.user.id)
      throw new AssureError('FORBIDDEN', 'Only the assessor who accepted the answer can propose its risk')
    if ((await findRiskFor(trx, assessmentId, requirementId)) !== undefined)
      throw conflict('A risk has already been proposed for this answer')
    await trx
      .insertInto('risks')
      .values({
        id,
        organisation_id: assessment.organisation_id,
        assessment_id: assessmentId,
        requirement_id: requirementId,
        owner: risk.owner,
        description: risk.description,
        mitigation: risk.mitigation,
        expires_on: risk.expiresOn,
        status: 'proposed',
        proposed_by: caller.user.id,
        proposed_at: now.toISOString(),
        accepted_by: null,
        accepted_at: null,
      })
      .execute()
    await recordAuditEvent(
      trx,
      {
        actor: caller.actor,
        action: 'risk.proposed',
        outcome: 'success',
        target: { type: 'risk', id },
        ip: caller.ip,
        requestId: caller.requestId,
        details: { supplierId: assessment.organisation_id, assessmentId, requirementId, expiresOn: risk.expiresOn },
      },
      now,
    )
  })
  return id
}

/** An Authority administrator other than the proposer accepts a proposed risk (two-person acceptance). */
export async function acceptRisk(
  deps: AssessmentDeps,
  props: { caller: SupplierCaller; riskId: string },
): Promise<void> {
  const { caller, riskId } = props
  const found = await findRisk(deps.db, riskId)
  if (found === undefined) throw notFound('That risk')
  await reachableSupplier(deps, { caller, supplierId: found.organisation_id, permission: 'accept-risks' })
  const now = deps.now()
  await deps.db.transaction().execute(async trx => {
    const risk = await findRisk(trx, riskId)
    if (risk?.status !== 'proposed') throw conflict('Only a proposed risk can be accepted')
    if (effectiveStatus(risk, isoDay(now)) === 'expired')
      throw conflict('This risk’s expiry date has passed; the assessor must propose it again')
    assertNotSelfApproval({ submittedBy: risk.proposed_by, approverId: caller.user.id, what: 'a risk' })
    await trx
      .updateTable('risks')
      .set({ status: 'accepted', accepted_by: caller.user.id, accepted_at: now.toISOString() })
      .where('id', '=', riskId)
      .execute()
    await recordAuditEvent(
      trx,
      {
        actor: caller.actor,
        action: 'risk.accepted',
        outcome: 'success',
        target: { type: 'risk', id: riskId },
        ip: caller.ip,
        requestId: caller.requestId,
        details: {
          supplierId: risk.organisation_id,
          assessmentId: risk.assessment_id,
          requirementId: risk.requirement_id,
        },
      },
      now,
    )
  })
}
