import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Database } from '../platform/db/schema.ts'
import { isUniqueViolation } from '../platform/db/unique.ts'
import { AssureError, invalidField, notFound } from '../platform/errors.ts'
import { recordAuditEvent, type Actor } from '../audit/record.ts'
import type { UserRecord } from '../identity/store.ts'
import { rolesAllow, type RolePermission } from '../identity/policy.ts'
import type { CloudAccountForm, ContractInput, SupplierProfileForm } from './forms.ts'
import {
  findContract,
  findContractByReference,
  findCloudAccountByAccountId,
  findSupplier,
  insertCloudAccount,
  insertContract,
  updateContract,
  upsertProfile,
  type SupplierRow,
} from './store.ts'

/** What supplier register operations need. */
export interface SupplierDeps {
  readonly db: Kysely<Database>
  readonly now: () => Date
}

/** Who is acting, for the permission checks (`user`) and the ledger (`actor`: their session or their token). */
export interface SupplierCaller {
  readonly user: UserRecord
  readonly actor: Actor
  readonly ip?: string | undefined
  readonly requestId?: string | undefined
}

/** Whether someone may see or change a supplier at all: the Authority sees every supplier, supplier people their own. */
export const reaches = (user: UserRecord, supplierId: string): boolean =>
  user.organisationKind === 'authority' || user.organisationId === supplierId

/**
 * The supplier a caller asked for, if they may reach it and hold `permission`. Anything else — no such supplier,
 * or another supplier's records — is answered as not found and recorded as a denied attempt, so supplier people
 * learn nothing about other suppliers.
 */
export async function reachableSupplier(
  deps: SupplierDeps,
  props: { caller: SupplierCaller; supplierId: string; permission: RolePermission },
): Promise<SupplierRow> {
  const { caller, supplierId, permission } = props
  const supplier = await findSupplier(deps.db, supplierId)
  if (supplier !== undefined && reaches(caller.user, supplierId) && rolesAllow(caller.user.roles, permission))
    return supplier
  return refuseAsNotFound(deps, caller, { type: 'supplier', id: supplierId }, supplier !== undefined)
}

/** Only the supplier's signatory signs for it; anyone else is refused with `refusal`. */
export function requireSignatory(user: UserRecord, refusal: string): void {
  if (!user.roles.includes('supplier-signatory')) throw new AssureError('FORBIDDEN', refusal)
}

/**
 * The supplier and one of its contracts, for a letter the Authority addresses to the supplier's legal entity: refused
 * when the contract is not the supplier's, or with `noLegalName` when its profile has no long legal name.
 */
export async function contractToAddress(
  deps: SupplierDeps,
  props: { caller: SupplierCaller; supplierId: string; contractId: string },
  noLegalName: string,
): Promise<{ supplier: SupplierRow; contract: NonNullable<Awaited<ReturnType<typeof findContract>>> }> {
  const supplier = await reachableSupplier(deps, { ...props, permission: 'issue-letters' })
  const contract = await findContract(deps.db, supplier.id, props.contractId)
  if (contract === undefined) throw invalidField('contractId', 'Select one of this supplier’s contracts')
  if (supplier.profile === null || supplier.profile.legal_name.trim() === '') throw invalidField('', noLegalName)
  return { supplier, contract }
}

/**
 * Records a refused attempt on a supplier's record (or on one that does not exist) and answers it as not found, so
 * the caller cannot tell "not yours" from "not there".
 */
export async function refuseAsNotFound(
  deps: SupplierDeps,
  caller: SupplierCaller,
  target: { readonly type: string; readonly id: string },
  exists: boolean,
): Promise<never> {
  await recordAuditEvent(
    deps.db,
    {
      actor: caller.actor,
      action: 'access.denied',
      outcome: 'denied',
      target,
      reason: exists ? 'outside the caller’s organisation' : `no such ${target.type}`,
      ip: caller.ip,
      requestId: caller.requestId,
    },
    deps.now(),
  )
  throw notFound(`That ${target.type}`)
}

/** Records or updates a supplier's register profile: its legal and short names, security director and contact. */
export async function registerSupplier(
  deps: SupplierDeps,
  props: { caller: SupplierCaller; supplierId: string; profile: Omit<SupplierProfileForm, '_csrf'> },
): Promise<void> {
  const { caller, supplierId, profile } = props
  await reachableSupplier(deps, { caller, supplierId, permission: 'edit-supplier-profile' })
  const now = deps.now()
  const contacts =
    profile.contactName === null && profile.contactEmail === null
      ? []
      : [{ role: 'main', name: profile.contactName ?? '', email: profile.contactEmail ?? '' }]
  await deps.db.transaction().execute(async trx => {
    await upsertProfile(trx, {
      organisation_id: supplierId,
      legal_name: profile.legalName,
      short_name: profile.shortName,
      security_director_name: profile.securityDirectorName,
      security_director_email: profile.securityDirectorEmail,
      contacts: JSON.stringify(contacts),
      updated_at: now.toISOString(),
      updated_by: caller.user.id,
    })
    await recordAuditEvent(
      trx,
      {
        actor: caller.actor,
        action: 'supplier.profile.updated',
        outcome: 'success',
        target: { type: 'supplier', id: supplierId },
        ip: caller.ip,
        requestId: caller.requestId,
        details: { legalName: profile.legalName, shortName: profile.shortName },
      },
      now,
    )
  })
}

const contractColumns = (contract: ContractInput) => ({
  reference: contract.reference,
  title: contract.title,
  start_date: contract.startDate,
  end_date: contract.endDate,
  classification: contract.classification,
  data_categories: JSON.stringify(contract.dataCategories),
  offshore: contract.offshore ? 1 : 0,
  offshore_locations: contract.offshoreLocations,
  key_services: contract.keyServices,
  subcontractors: JSON.stringify(contract.subcontractors),
})

/** Adds one of the Authority's contracts with a supplier; the reference must be unique across all suppliers. */
export async function addContract(
  deps: SupplierDeps,
  props: { caller: SupplierCaller; supplierId: string; contract: ContractInput },
): Promise<string> {
  const { caller, supplierId, contract } = props
  await reachableSupplier(deps, { caller, supplierId, permission: 'manage-contracts' })
  const id = randomUUID()
  const now = deps.now()
  await deps.db
    .transaction()
    .execute(async trx => {
      if ((await findContractByReference(trx, contract.reference)) !== undefined)
        throw invalidField('reference', 'A contract with that reference already exists')
      await insertContract(trx, {
        id,
        organisation_id: supplierId,
        ...contractColumns(contract),
        created_at: now.toISOString(),
        created_by: caller.user.id,
      })
      await recordAuditEvent(
        trx,
        {
          actor: caller.actor,
          action: 'supplier.contract.added',
          outcome: 'success',
          target: { type: 'contract', id },
          ip: caller.ip,
          requestId: caller.requestId,
          details: { supplierId, reference: contract.reference, classification: contract.classification },
        },
        now,
      )
    })
    .catch(error => {
      throw isUniqueViolation(error)
        ? invalidField('reference', 'A contract with that reference already exists')
        : error
    })
  return id
}

/** Changes a contract's terms; its reference stays unique. */
export async function editContract(
  deps: SupplierDeps,
  props: { caller: SupplierCaller; supplierId: string; contractId: string; contract: ContractInput },
): Promise<void> {
  const { caller, supplierId, contractId, contract } = props
  await reachableSupplier(deps, { caller, supplierId, permission: 'manage-contracts' })
  if ((await findContract(deps.db, supplierId, contractId)) === undefined) throw notFound('That contract')
  const now = deps.now()
  await deps.db
    .transaction()
    .execute(async trx => {
      const holder = await findContractByReference(trx, contract.reference)
      if (holder !== undefined && holder.id !== contractId)
        throw invalidField('reference', 'A contract with that reference already exists')
      await updateContract(trx, contractId, contractColumns(contract))
      await recordAuditEvent(
        trx,
        {
          actor: caller.actor,
          action: 'supplier.contract.changed',
          outcome: 'success',
          target: { type: 'contract', id: contractId },
          ip: caller.ip,
          requestId: caller.requestId,
          details: { supplierId, reference: contract.reference, classification: contract.classification },
        },
        now,
      )
    })
    .catch(error => {
      throw isUniqueViolation(error)
        ? invalidField('reference', 'A contract with that reference already exists')
        : error
    })
}

/** Registers a supplier's AWS account; the account ID must be unique, and any contract must be the supplier's. */
export async function addCloudAccount(
  deps: SupplierDeps,
  props: { caller: SupplierCaller; supplierId: string; account: Omit<CloudAccountForm, '_csrf'> },
): Promise<string> {
  const { caller, supplierId, account } = props
  await reachableSupplier(deps, { caller, supplierId, permission: 'manage-cloud-accounts' })
  const id = randomUUID()
  const now = deps.now()
  await deps.db
    .transaction()
    .execute(async trx => {
      if (account.contractId !== null && (await findContract(trx, supplierId, account.contractId)) === undefined)
        throw invalidField('contractId', 'Select one of this supplier’s contracts')
      if ((await findCloudAccountByAccountId(trx, account.accountId)) !== undefined)
        throw invalidField('accountId', 'That AWS account is already registered')
      await insertCloudAccount(trx, {
        id,
        organisation_id: supplierId,
        contract_id: account.contractId,
        provider: 'aws',
        account_id: account.accountId,
        description: account.description,
        created_at: now.toISOString(),
      })
      await recordAuditEvent(
        trx,
        {
          actor: caller.actor,
          action: 'supplier.cloud-account.added',
          outcome: 'success',
          target: { type: 'cloud_account', id },
          ip: caller.ip,
          requestId: caller.requestId,
          details: { supplierId, provider: 'aws', accountId: account.accountId },
        },
        now,
      )
    })
    .catch(error => {
      throw isUniqueViolation(error) ? invalidField('accountId', 'That AWS account is already registered') : error
    })
  return id
}
