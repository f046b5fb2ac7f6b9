import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../platform/db/schema.ts'
import { actionsFor, allOpenViolations, latestResults, mutesOf } from './store.ts'

type Db = Kysely<Database> | Transaction<Database>

/** The reads behind the AWS baseline pages: registered accounts with their supplier, and one account's records. */

/** A registered AWS account with its supplier. */
export interface RegisteredAccount {
  readonly supplierId: string
  readonly supplierName: string
  readonly accountId: string
  readonly description: string
}

/** Registered AWS accounts (`cloud_accounts`) with their supplier's name, optionally one supplier's only. */
export async function registeredAccounts(db: Db, supplierId?: string): Promise<RegisteredAccount[]> {
  let query = db
    .selectFrom('cloud_accounts')
    .innerJoin('organisations', 'organisations.id', 'cloud_accounts.organisation_id')
    .select([
      'cloud_accounts.organisation_id as supplierId',
      'organisations.name as supplierName',
      'cloud_accounts.account_id as accountId',
      'cloud_accounts.description as description',
    ])
    .where('cloud_accounts.provider', '=', 'aws')
  if (supplierId !== undefined) query = query.where('cloud_accounts.organisation_id', '=', supplierId)
  return query.orderBy('organisations.name').orderBy('cloud_accounts.account_id').execute()
}

/** The supplier an AWS account is registered to, if any. */
export async function accountOwner(db: Kysely<Database>, accountId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('cloud_accounts')
    .select('organisation_id')
    .where('account_id', '=', accountId)
    .executeTakeFirst()
  return row?.organisation_id
}

/** Open violations and latest results of several accounts, grouped by account. */
export async function accountSummaries(db: Kysely<Database>, accountIds: readonly string[]) {
  const [violations, results] = await Promise.all([allOpenViolations(db, accountIds), latestResults(db, accountIds)])
  return {
    violationsOf: (accountId: string) => violations.filter(violation => violation.accountId === accountId),
    resultsOf: (accountId: string) => results.filter(result => result.account_id === accountId),
  }
}

/**
 * Everything an account's page (or the API) shows, for several accounts in four queries: open violations, latest
 * results, actions and every mute (expired too). Returns each account's records by its ID.
 */
export async function accountRecords(db: Kysely<Database>, accountIds: readonly string[]) {
  const [violations, results, actions, mutes] = await Promise.all([
    allOpenViolations(db, accountIds),
    latestResults(db, accountIds),
    actionsFor(db, accountIds),
    mutesOf(db, accountIds),
  ])
  return (accountId: string) => ({
    violations: violations.filter(violation => violation.accountId === accountId),
    results: results.filter(result => result.account_id === accountId),
    actions: actions.filter(action => action.account_id === accountId),
    mutes: mutes.filter(mute => mute.account_id === accountId),
  })
}
