import type { Kysely, Transaction } from 'kysely'
import type { CloudAccountsTable, ContractsTable, Database, SupplierProfilesTable } from '../platform/db/schema.ts'

type Db = Kysely<Database> | Transaction<Database>

/** A supplier organisation with its register profile, if it has one. */
export interface SupplierRow {
  readonly id: string
  readonly name: string
  readonly profile: SupplierProfilesTable | null
}

/** Every supplier organisation with how many contracts and cloud accounts it has, by name. */
export async function listSuppliers(db: Db, onlyId?: string) {
  let query = db
    .selectFrom('organisations')
    .leftJoin('supplier_profiles', 'supplier_profiles.organisation_id', 'organisations.id')
    .select(eb => [
      'organisations.id',
      'organisations.name',
      'supplier_profiles.short_name',
      'supplier_profiles.security_director_name',
      eb
        .selectFrom('contracts')
        .select(e => e.fn.countAll<string | number>().as('n'))
        .whereRef('contracts.organisation_id', '=', 'organisations.id')
        .as('contract_count'),
      eb
        .selectFrom('cloud_accounts')
        .select(e => e.fn.countAll<string | number>().as('n'))
        .whereRef('cloud_accounts.organisation_id', '=', 'organisations.id')
        .as('cloud_account_count'),
    ])
    .where('organisations.kind', '=', 'supplier')
    .orderBy('organisations.name')
  if (onlyId !== undefined) query = query.where('organisations.id', '=', onlyId)
  const rows = await query.execute()
  return rows.map(row => ({
    id: row.id,
    name: row.name,
    shortName: row.short_name,
    securityDirectorName: row.security_director_name,
    contractCount: Number(row.contract_count ?? 0),
    cloudAccountCount: Number(row.cloud_account_count ?? 0),
  }))
}

/** One supplier organisation and its profile; undefined when there is no such supplier. */
export async function findSupplier(db: Db, id: string): Promise<SupplierRow | undefined> {
  const organisation = await db
    .selectFrom('organisations')
    .select(['id', 'name'])
    .where('id', '=', id)
    .where('kind', '=', 'supplier')
    .executeTakeFirst()
  if (organisation === undefined) return undefined
  const profile = await db
    .selectFrom('supplier_profiles')
    .selectAll()
    .where('organisation_id', '=', id)
    .executeTakeFirst()
  return { ...organisation, profile: profile ?? null }
}

/** Saves a supplier profile, creating it the first time. */
export async function upsertProfile(db: Db, row: SupplierProfilesTable): Promise<void> {
  const { organisation_id: _id, ...changes } = row
  await db
    .insertInto('supplier_profiles')
    .values(row)
    .onConflict(oc => oc.column('organisation_id').doUpdateSet(changes))
    .execute()
}

/** A supplier's contracts, by start date. */
export async function listContracts(db: Db, organisationId: string): Promise<ContractsTable[]> {
  return db
    .selectFrom('contracts')
    .selectAll()
    .where('organisation_id', '=', organisationId)
    .orderBy('start_date')
    .orderBy('reference')
    .execute()
}

/** One of a supplier's contracts. */
export async function findContract(
  db: Db,
  organisationId: string,
  contractId: string,
): Promise<ContractsTable | undefined> {
  return db
    .selectFrom('contracts')
    .selectAll()
    .where('organisation_id', '=', organisationId)
    .where('id', '=', contractId)
    .executeTakeFirst()
}

/** The contract with a reference, whichever supplier holds it. */
export async function findContractByReference(db: Db, reference: string): Promise<{ id: string } | undefined> {
  return db.selectFrom('contracts').select('id').where('reference', '=', reference).executeTakeFirst()
}

/** Adds a contract. */
export async function insertContract(db: Db, row: ContractsTable): Promise<void> {
  await db.insertInto('contracts').values(row).execute()
}

/** Changes a contract's terms (not who holds it, nor when and by whom it was created). */
export async function updateContract(
  db: Db,
  id: string,
  changes: Omit<ContractsTable, 'id' | 'organisation_id' | 'created_at' | 'created_by'>,
): Promise<void> {
  await db.updateTable('contracts').set(changes).where('id', '=', id).execute()
}

/** A supplier's cloud accounts, by account ID. */
export async function listCloudAccounts(db: Db, organisationId: string): Promise<CloudAccountsTable[]> {
  return db
    .selectFrom('cloud_accounts')
    .selectAll()
    .where('organisation_id', '=', organisationId)
    .orderBy('account_id')
    .execute()
}

/** The cloud account with an account ID, whichever supplier holds it. */
export async function findCloudAccountByAccountId(db: Db, accountId: string): Promise<{ id: string } | undefined> {
  return db.selectFrom('cloud_accounts').select('id').where('account_id', '=', accountId).executeTakeFirst()
}

/** Adds a cloud account. */
export async function insertCloudAccount(db: Db, row: CloudAccountsTable): Promise<void> {
  await db.insertInto('cloud_accounts').values(row).execute()
}
