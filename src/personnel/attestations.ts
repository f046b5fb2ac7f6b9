import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Catalogue } from '../catalogue/catalogue.ts'
import type { ContractClearanceRequirementsTable, ContractsTable, Database } from '../platform/db/schema.ts'
import { AssureError, notFound, type Problem } from '../platform/errors.ts'
import { recordAuditEvent } from '../audit/record.ts'
import { reachableSupplier, type SupplierCaller } from '../suppliers/register.ts'
import { findContract, listContracts, type SupplierRow } from '../suppliers/store.ts'
import type { AttestationInput } from './forms.ts'
import { clearanceLevels, meetsLevel, MINIMUM_LEVEL } from './levels.ts'
import {
  contractRequirement,
  contractRequirements,
  findAttestation,
  insertAttestation,
  listAttestations,
  markWithdrawn,
  upsertContractRequirement,
  type AttestationRow,
} from './store.ts'

/** What the personnel operations need. */
export interface PersonnelDeps {
  readonly db: Kysely<Database>
  readonly now: () => Date
  readonly catalogue: Catalogue
}

const invalid = (problems: Problem[]) =>
  new AssureError('VALIDATION_FAILED', problems[0]?.message ?? 'The attestation is not valid', { problems })

/** The refusal for a contract that is not the supplier's. */
export const UNKNOWN_CONTRACT = 'Select one of this supplier’s contracts'

/** The level a contract requires: what the Authority recorded for it, or BPSS when it recorded none. */
export const requiredFor = (requirement: ContractClearanceRequirementsTable | undefined) =>
  requirement?.required_level ?? MINIMUM_LEVEL

/** Checks an attestation against the guidance's rules, listing every problem. */
function attestationProblems(props: {
  levels: readonly string[]
  attestation: AttestationInput
  contract: ContractsTable
  contractLevel: string
  today: string
}): Problem[] {
  const { levels, attestation, contract, contractLevel, today } = props
  const problems: Problem[] = []
  const knownHeld = levels.includes(attestation.clearanceLevel)
  const knownRequired = levels.includes(attestation.requiredLevel)
  if (!knownHeld)
    problems.push({ path: 'clearanceLevel', message: 'Select the clearance level the person has achieved' })
  if (!knownRequired) problems.push({ path: 'requiredLevel', message: 'Select the clearance level the role requires' })
  // Guidance, Personnel Security: "Some roles and sites may require additional levels of clearance. These will be
  // advised by the Authority" — a role can need more than the contract, never less.
  else if (!meetsLevel(levels, attestation.requiredLevel, contractLevel))
    problems.push({
      path: 'requiredLevel',
      message: `The Authority requires at least ${contractLevel} on contract ${contract.reference}: select ${contractLevel} or higher`,
    })
  const required =
    knownRequired && meetsLevel(levels, attestation.requiredLevel, contractLevel)
      ? attestation.requiredLevel
      : contractLevel
  // Guidance, Minimum user clearance requirements: BPSS as a minimum, higher where the role needs it.
  if (knownHeld && !meetsLevel(levels, attestation.clearanceLevel, required))
    problems.push({
      path: 'clearanceLevel',
      message: `${attestation.clearanceLevel} is below the ${required} this role requires: the person must not work on the contract until they hold ${required}`,
    })
  if (attestation.achievedOn > today)
    problems.push({ path: 'achieved', message: 'The date the clearance was achieved must be today or in the past' })
  if (attestation.startedOn > today)
    problems.push({ path: 'started', message: 'The date they started work must be today or in the past' })
  // Guidance, Personnel Security: "All required security clearances must be achieved, and warranted to the
  // Authority, prior to commencement of work by the individual".
  if (
    attestation.achievedOn <= today &&
    attestation.startedOn <= today &&
    attestation.achievedOn > attestation.startedOn
  )
    problems.push({
      path: 'achieved',
      message: 'The clearance must have been achieved before the person started work',
    })
  return problems
}

/**
 * The supplier attests one person's clearance on one of its contracts: who, their role, the level achieved and
 * required, when it was achieved and when they started work. Refused, with nothing stored, when the level is below
 * what the role or contract requires, when it was achieved after work started, or when either date is in the future:
 * an attestation warrants that the guidance's rule was met, so it cannot record a breach of it. The ledger entry
 * names the contract and the levels, not the person.
 */
export async function attestPersonnel(
  deps: PersonnelDeps,
  props: { caller: SupplierCaller; supplierId: string; attestation: AttestationInput },
): Promise<string> {
  const { caller, supplierId, attestation } = props
  await reachableSupplier(deps, { caller, supplierId, permission: 'attest-personnel' })
  const contract = await findContract(deps.db, supplierId, attestation.contractId)
  if (contract === undefined) throw invalid([{ path: 'contractId', message: UNKNOWN_CONTRACT }])
  const now = deps.now()
  const id = randomUUID()
  await deps.db.transaction().execute(async trx => {
    const contractLevel = requiredFor(await contractRequirement(trx, contract.id))
    const problems = attestationProblems({
      levels: clearanceLevels(deps.catalogue),
      attestation,
      contract,
      contractLevel,
      today: now.toISOString().slice(0, 10),
    })
    if (problems.length > 0) throw invalid(problems)
    await insertAttestation(trx, {
      id,
      organisation_id: supplierId,
      contract_id: contract.id,
      full_name: attestation.fullName,
      role: attestation.role,
      clearance_level: attestation.clearanceLevel,
      required_level: attestation.requiredLevel,
      achieved_on: attestation.achievedOn,
      started_on: attestation.startedOn,
      attested_at: now.toISOString(),
      attested_by: caller.user.id,
      status: 'current',
      withdrawn_at: null,
      withdrawn_by: null,
      withdrawal_reason: null,
    })
    await recordAuditEvent(
      trx,
      {
        actor: caller.actor,
        action: 'personnel.attestation.recorded',
        outcome: 'success',
        target: { type: 'personnel_attestation', id },
        ip: caller.ip,
        requestId: caller.requestId,
        details: {
          supplierId,
          contractReference: contract.reference,
          clearanceLevel: attestation.clearanceLevel,
          requiredLevel: attestation.requiredLevel,
          achievedOn: attestation.achievedOn,
          startedOn: attestation.startedOn,
        },
      },
      now,
    )
  })
  return id
}

/**
 * Withdraws an attestation (the person left, or moved off the contract): it stays on record, marked withdrawn with
 * who, when and why, and is never deleted.
 */
export async function withdrawAttestation(
  deps: PersonnelDeps,
  props: { caller: SupplierCaller; supplierId: string; attestationId: string; reason: string },
): Promise<void> {
  const { caller, supplierId, attestationId } = props
  await reachableSupplier(deps, { caller, supplierId, permission: 'attest-personnel' })
  const attestation = await findAttestation(deps.db, supplierId, attestationId)
  if (attestation === undefined) throw notFound('That attestation')
  const already = new AssureError('CONFLICT', 'This attestation has already been withdrawn')
  if (attestation.status === 'withdrawn') throw already
  const now = deps.now()
  await deps.db.transaction().execute(async trx => {
    const withdrawn = await markWithdrawn(trx, {
      id: attestationId,
      at: now.toISOString(),
      by: caller.user.id,
      reason: props.reason,
    })
    if (!withdrawn) throw already
    await recordAuditEvent(
      trx,
      {
        actor: caller.actor,
        action: 'personnel.attestation.withdrawn',
        outcome: 'success',
        target: { type: 'personnel_attestation', id: attestationId },
        ip: caller.ip,
        requestId: caller.requestId,
        details: { supplierId },
      },
      now,
    )
  })
}

/** The Authority records the clearance level everyone on a contract must hold (BPSS unless it records more). */
export async function setContractClearance(
  deps: PersonnelDeps,
  props: { caller: SupplierCaller; supplierId: string; contractId: string; requiredLevel: string },
): Promise<void> {
  const { caller, supplierId } = props
  await reachableSupplier(deps, { caller, supplierId, permission: 'require-clearances' })
  const contract = await findContract(deps.db, supplierId, props.contractId)
  if (contract === undefined) throw invalid([{ path: 'contractId', message: UNKNOWN_CONTRACT }])
  if (!clearanceLevels(deps.catalogue).includes(props.requiredLevel))
    throw invalid([{ path: 'requiredLevel', message: 'Select the clearance level the contract requires' }])
  const now = deps.now()
  await deps.db.transaction().execute(async trx => {
    const previous = requiredFor(await contractRequirement(trx, contract.id))
    await upsertContractRequirement(trx, {
      contract_id: contract.id,
      required_level: props.requiredLevel,
      set_at: now.toISOString(),
      set_by: caller.user.id,
    })
    await recordAuditEvent(
      trx,
      {
        actor: caller.actor,
        action: 'personnel.contract_clearance.set',
        outcome: 'success',
        target: { type: 'contract', id: contract.id },
        ip: caller.ip,
        requestId: caller.requestId,
        details: { supplierId, contractReference: contract.reference, requiredLevel: props.requiredLevel, previous },
      },
      now,
    )
  })
}

/** A supplier's personnel record: its contracts with the level each requires, and its attestations. */
export async function personnelFor(
  deps: PersonnelDeps,
  props: { caller: SupplierCaller; supplierId: string },
): Promise<{
  supplier: SupplierRow
  contracts: Array<ContractsTable & { requiredLevel: string }>
  attestations: AttestationRow[]
}> {
  const supplier = await reachableSupplier(deps, { ...props, permission: 'read-personnel' })
  const requirements = await contractRequirements(deps.db, supplier.id)
  const contracts = (await listContracts(deps.db, supplier.id)).map(contract => ({
    ...contract,
    requiredLevel: requiredFor(requirements.find(r => r.contract_id === contract.id)),
  }))
  return { supplier, contracts, attestations: await listAttestations(deps.db, supplier.id) }
}
