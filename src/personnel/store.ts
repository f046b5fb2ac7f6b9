import type { Kysely, Transaction } from 'kysely'
import type {
  ClearanceChecksTable,
  ContractClearanceRequirementsTable,
  Database,
  PersonnelAttestationsTable,
} from '../platform/db/schema.ts'

type Db = Kysely<Database> | Transaction<Database>

/** An attestation with its contract's reference and the name of whoever attested it. */
export type AttestationRow = PersonnelAttestationsTable & {
  readonly contract_reference: string
  readonly attested_by_name: string
}

/** A supplier's attestations: current first, then newest first. */
export async function listAttestations(db: Db, organisationId: string): Promise<AttestationRow[]> {
  return db
    .selectFrom('personnel_attestations as a')
    .innerJoin('contracts as c', 'c.id', 'a.contract_id')
    .innerJoin('users as u', 'u.id', 'a.attested_by')
    .selectAll('a')
    .select(['c.reference as contract_reference', 'u.display_name as attested_by_name'])
    .where('a.organisation_id', '=', organisationId)
    .orderBy('a.status')
    .orderBy('a.attested_at', 'desc')
    .orderBy('a.id')
    .execute()
}

/** One of a supplier's attestations. */
export async function findAttestation(
  db: Db,
  organisationId: string,
  id: string,
): Promise<PersonnelAttestationsTable | undefined> {
  return db
    .selectFrom('personnel_attestations')
    .selectAll()
    .where('organisation_id', '=', organisationId)
    .where('id', '=', id)
    .executeTakeFirst()
}

/** Stores an attestation. */
export async function insertAttestation(db: Db, row: PersonnelAttestationsTable): Promise<void> {
  await db.insertInto('personnel_attestations').values(row).execute()
}

/** Marks a current attestation withdrawn; false when it was withdrawn already. */
export async function markWithdrawn(
  db: Db,
  props: { id: string; at: string; by: string; reason: string },
): Promise<boolean> {
  const result = await db
    .updateTable('personnel_attestations')
    .set({ status: 'withdrawn', withdrawn_at: props.at, withdrawn_by: props.by, withdrawal_reason: props.reason })
    .where('id', '=', props.id)
    .where('status', '=', 'current')
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/** The clearance level recorded for each of a supplier's contracts that has one. */
export async function contractRequirements(
  db: Db,
  organisationId: string,
): Promise<ContractClearanceRequirementsTable[]> {
  return db
    .selectFrom('contract_clearance_requirements as r')
    .innerJoin('contracts as c', 'c.id', 'r.contract_id')
    .selectAll('r')
    .where('c.organisation_id', '=', organisationId)
    .execute()
}

/** The level recorded for one contract, if any. */
export async function contractRequirement(
  db: Db,
  contractId: string,
): Promise<ContractClearanceRequirementsTable | undefined> {
  return db
    .selectFrom('contract_clearance_requirements')
    .selectAll()
    .where('contract_id', '=', contractId)
    .executeTakeFirst()
}

/** Records (or replaces) the level a contract requires. */
export async function upsertContractRequirement(db: Db, row: ContractClearanceRequirementsTable): Promise<void> {
  await db
    .insertInto('contract_clearance_requirements')
    .values(row)
    .onConflict(oc =>
      oc.column('contract_id').doUpdateSet({
        required_level: row.required_level,
        set_at: row.set_at,
        set_by: row.set_by,
      }),
    )
    .execute()
}

/** A check request with the names of the supplier, the requester and whoever answered. */
export type ClearanceCheckRow = ClearanceChecksTable & {
  readonly supplier_name: string | null
  readonly requested_by_name: string
  readonly answered_by_name: string | null
}

const checks = (db: Db) =>
  db
    .selectFrom('clearance_checks as k')
    .leftJoin('organisations as o', 'o.id', 'k.organisation_id')
    .innerJoin('users as r', 'r.id', 'k.requested_by')
    .leftJoin('users as a', 'a.id', 'k.answered_by')
    .selectAll('k')
    .select(['o.name as supplier_name', 'r.display_name as requested_by_name', 'a.display_name as answered_by_name'])

/** Every check request, newest first. */
export async function listClearanceChecks(db: Db): Promise<ClearanceCheckRow[]> {
  return checks(db).orderBy('k.requested_at', 'desc').orderBy('k.id').execute()
}

/** One check request. */
export async function findClearanceCheck(db: Db, id: string): Promise<ClearanceCheckRow | undefined> {
  return checks(db).where('k.id', '=', id).executeTakeFirst()
}

/** Stores a check request (its personal details already sealed). */
export async function insertClearanceCheck(db: Db, row: ClearanceChecksTable): Promise<void> {
  await db.insertInto('clearance_checks').values(row).execute()
}

/** Records the answer to a pending check; false when it was answered already. */
export async function recordAnswer(
  db: Db,
  id: string,
  answer: Pick<
    ClearanceChecksTable,
    'outcome' | 'cleared_level' | 'valid_until' | 'lapsed_on' | 'answered_at' | 'answered_by'
  >,
): Promise<boolean> {
  const result = await db
    .updateTable('clearance_checks')
    .set({ ...answer, status: 'answered' })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}
