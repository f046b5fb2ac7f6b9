import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Catalogue } from '../catalogue/catalogue.ts'
import type { Database } from '../platform/db/schema.ts'
import { AssureError, notFound, invalidField } from '../platform/errors.ts'
import { sealerFor } from '../platform/crypto/sealing.ts'
import { recordAuditEvent } from '../audit/record.ts'
import { rolesAllow } from '../identity/policy.ts'
import type { SupplierCaller } from '../suppliers/register.ts'
import { findSupplier } from '../suppliers/store.ts'
import type { ClearanceAnswer, ClearanceCheckInput } from './forms.ts'
import { clearanceLevels } from './levels.ts'
import {
  findClearanceCheck,
  insertClearanceCheck,
  listClearanceChecks,
  recordAnswer,
  type ClearanceCheckRow,
} from './store.ts'

/** What the clearance-check operations need: the master key seals and opens the personal details. */
export interface ClearanceCheckDeps {
  readonly db: Kysely<Database>
  readonly now: () => Date
  readonly catalogue: Catalogue
  readonly masterKey: Uint8Array
}

/** A check request with its personal details opened, for the people allowed to see them. */
export type OpenedClearanceCheck = ClearanceCheckRow & {
  readonly firstName: string
  readonly lastName: string
  readonly dateOfBirth: string
}

/** The sealing purpose for a check's personal details (the key is derived from the master key for it alone). */
export const CHECK_SEAL_PURPOSE = 'personnel-clearance-check'
const FIELDS = { firstName: 'first-name', lastName: 'last-name', dateOfBirth: 'date-of-birth' } as const
// Each value is bound to its request and its field, so a sealed value moved to another row or column will not open.
/** The associated data one sealed field is bound to. */
export const checkSealContext = (id: string, field: keyof typeof FIELDS) => `clearance-check/${id}/${FIELDS[field]}`

/**
 * Only Authority administrators and security assessors handle check requests and their answers. Guidance, Checking
 * someone's clearance status: "If you are authorised to receive the answer, the team will reply to you".
 */
function mayCheck(caller: SupplierCaller): void {
  if (caller.user.organisationKind !== 'authority' || !rolesAllow(caller.user.roles, 'check-clearances'))
    throw new AssureError('FORBIDDEN', 'You do not have permission to do that')
}

function opened(deps: ClearanceCheckDeps, row: ClearanceCheckRow): OpenedClearanceCheck {
  const sealer = sealerFor(deps.masterKey, CHECK_SEAL_PURPOSE)
  const open = (sealed: string, field: keyof typeof FIELDS) =>
    sealer.open(sealed, checkSealContext(row.id, field)).toString('utf8')
  return {
    ...row,
    firstName: open(row.first_name_sealed, 'firstName'),
    lastName: open(row.last_name_sealed, 'lastName'),
    dateOfBirth: open(row.date_of_birth_sealed, 'dateOfBirth'),
  }
}

/**
 * Records a request to check someone's clearance status with the MoJ Group Security Team: their first name, last
 * name and date of birth (guidance: "collect the following information"), sealed under the master key before they
 * reach the store. The ledger entry says a check was requested and for which supplier, never for whom.
 */
export async function requestClearanceCheck(
  deps: ClearanceCheckDeps,
  props: { caller: SupplierCaller; check: ClearanceCheckInput },
): Promise<string> {
  const { caller, check } = props
  mayCheck(caller)
  if (check.supplierId !== null && (await findSupplier(deps.db, check.supplierId)) === undefined)
    throw invalidField('supplierId', 'Select a supplier from the list, or ‘Not linked to a supplier’')
  const id = randomUUID()
  const now = deps.now()
  const sealer = sealerFor(deps.masterKey, CHECK_SEAL_PURPOSE)
  await deps.db.transaction().execute(async trx => {
    await insertClearanceCheck(trx, {
      id,
      organisation_id: check.supplierId,
      first_name_sealed: sealer.seal(check.firstName, checkSealContext(id, 'firstName')),
      last_name_sealed: sealer.seal(check.lastName, checkSealContext(id, 'lastName')),
      date_of_birth_sealed: sealer.seal(check.dateOfBirth, checkSealContext(id, 'dateOfBirth')),
      requested_at: now.toISOString(),
      requested_by: caller.user.id,
      status: 'pending',
      outcome: null,
      cleared_level: null,
      valid_until: null,
      lapsed_on: null,
      answered_at: null,
      answered_by: null,
    })
    await recordAuditEvent(
      trx,
      {
        actor: caller.actor,
        action: 'personnel.clearance_check.requested',
        outcome: 'success',
        target: { type: 'clearance_check', id },
        ip: caller.ip,
        requestId: caller.requestId,
        details: { supplierId: check.supplierId },
      },
      now,
    )
  })
  return id
}

/** Every check request with its details opened; the ledger records which requests were shown to whom. */
export async function openClearanceChecks(
  deps: ClearanceCheckDeps,
  caller: SupplierCaller,
): Promise<OpenedClearanceCheck[]> {
  mayCheck(caller)
  const rows = await listClearanceChecks(deps.db)
  // v5.0.0-16.2.1: reads of sensitive personal data are attributable. The entry lists request IDs, never names.
  await recordAuditEvent(
    deps.db,
    {
      actor: caller.actor,
      action: 'personnel.clearance_check.listed',
      outcome: 'success',
      ip: caller.ip,
      requestId: caller.requestId,
      details: { checkIds: rows.map(row => row.id) },
    },
    deps.now(),
  )
  return rows.map(row => opened(deps, row))
}

/** One check request with its details opened; each opening is one ledger entry naming the request, not the person. */
export async function openClearanceCheck(
  deps: ClearanceCheckDeps,
  props: { caller: SupplierCaller; checkId: string },
): Promise<OpenedClearanceCheck> {
  const { caller, checkId } = props
  mayCheck(caller)
  const row = await findClearanceCheck(deps.db, checkId)
  if (row === undefined) throw notFound('That clearance check')
  await recordAuditEvent(
    deps.db,
    {
      actor: caller.actor,
      action: 'personnel.clearance_check.viewed',
      outcome: 'success',
      target: { type: 'clearance_check', id: checkId },
      ip: caller.ip,
      requestId: caller.requestId,
      details: { supplierId: row.organisation_id },
    },
    deps.now(),
  )
  return opened(deps, row)
}

/**
 * Records the MoJ Group Security Team's answer to a check: cleared at a level until a date, no clearance held, or
 * lapsed on a date; with when it was recorded and by whom. A check is answered once.
 */
export async function answerClearanceCheck(
  deps: ClearanceCheckDeps,
  props: { caller: SupplierCaller; checkId: string; answer: ClearanceAnswer },
): Promise<void> {
  const { caller, checkId, answer } = props
  mayCheck(caller)
  const row = await findClearanceCheck(deps.db, checkId)
  if (row === undefined) throw notFound('That clearance check')
  const answered = new AssureError('CONFLICT', 'This clearance check has already been answered')
  if (row.status === 'answered') throw answered
  const now = deps.now()
  const today = now.toISOString().slice(0, 10)
  if (answer.outcome === 'cleared') {
    if (!clearanceLevels(deps.catalogue).includes(answer.level))
      throw invalidField('clearedLevel', 'Select the clearance level they hold')
    if (answer.validUntil < today)
      throw invalidField(
        'validUntil',
        'The date the clearance is valid until must be today or in the future. If it has passed, select ‘Lapsed’',
      )
  }
  if (answer.outcome === 'lapsed' && answer.lapsedOn > today)
    throw invalidField('lapsedOn', 'The date the clearance lapsed must be today or in the past')
  await deps.db.transaction().execute(async trx => {
    const recorded = await recordAnswer(trx, checkId, {
      outcome: answer.outcome,
      cleared_level: answer.outcome === 'cleared' ? answer.level : null,
      valid_until: answer.outcome === 'cleared' ? answer.validUntil : null,
      lapsed_on: answer.outcome === 'lapsed' ? answer.lapsedOn : null,
      answered_at: now.toISOString(),
      answered_by: caller.user.id,
    })
    if (!recorded) throw answered
    await recordAuditEvent(
      trx,
      {
        actor: caller.actor,
        action: 'personnel.clearance_check.answered',
        outcome: 'success',
        target: { type: 'clearance_check', id: checkId },
        ip: caller.ip,
        requestId: caller.requestId,
        details: { supplierId: row.organisation_id, ...answer },
      },
      now,
    )
  })
}
