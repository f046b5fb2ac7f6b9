import type { FastifyInstance } from 'fastify'
import type { Kysely } from 'kysely'
import { z } from 'zod'
import type { Catalogue } from '../catalogue/catalogue.ts'
import { PERMISSIONS } from '../identity/policy.ts'
import { paths } from '../paths.ts'
import type { Database } from '../platform/db/schema.ts'
import { supplierCaller } from '../suppliers/caller.ts'
import { reachableSupplier, refuseAsNotFound } from '../suppliers/register.ts'
import { listSuppliers } from '../suppliers/store.ts'
import { ladders } from './ladders.ts'
import { accountOwner, accountRecords, accountSummaries, registeredAccounts, type RegisteredAccount } from './pages.ts'
import {
  presentAccountApi,
  presentAccountSummary,
  presentAction,
  presentMute,
  presentRuleStatus,
  presentViolation,
  RULE_FAMILIES,
} from './presenters.ts'

/** What the baseline pages need. */
export interface BaselineRouteDeps {
  readonly db: Kysely<Database>
  readonly now: () => Date
  readonly catalogue: Catalogue
}

type SupplierParams = { Params: { id: string } }
type AccountParams = { Params: { id: string; accountId: string } }

/** The list's filter: a supplier's ID from the select, or nothing. */
const ListQuerySchema = z.object({ supplier: z.string().max(100).optional().catch(undefined) })

/** AWS account IDs: twelve digits. */
const AccountIdSchema = z.string().regex(/^\d{12}$/)

/**
 * The AWS baseline pages, read-only: every registered account (the Authority), a supplier's accounts, and one
 * account's rule status by region, open violations, actions and mutes. Supplier people reach only their own
 * supplier's accounts; anything else answers as not found. Guidance, Baseline for Amazon Web Services accounts: "All
 * MoJ AWS accounts must utilise a series of agreed configurations"; these pages show how each account stands.
 */
export function registerBaselineRoutes(app: FastifyInstance, deps: BaselineRouteDeps): void {
  const read = { permission: PERMISSIONS.readBaseline }
  const ladderOf = ladders(deps.catalogue)

  const summaries = async (accounts: readonly RegisteredAccount[]) => {
    const { violationsOf, resultsOf } = await accountSummaries(
      deps.db,
      accounts.map(account => account.accountId),
    )
    return accounts.map(account =>
      presentAccountSummary({
        account,
        violations: violationsOf(account.accountId),
        results: resultsOf(account.accountId),
      }),
    )
  }

  app.get(paths.baseline.list, { config: read }, async (request, reply) => {
    const { user } = supplierCaller(request)
    // Supplier people see only their own supplier's accounts, so their list is their supplier's page.
    if (user.organisationKind === 'supplier') return reply.redirect(paths.baseline.supplier(user.organisationId))
    const { supplier } = ListQuerySchema.parse(request.query ?? {})
    const suppliers = await listSuppliers(deps.db)
    const chosen = suppliers.some(s => s.id === supplier) ? supplier : undefined
    return reply.page('baseline-accounts.njk', {
      accounts: await summaries(await registeredAccounts(deps.db, chosen)),
      families: RULE_FAMILIES,
      filter: {
        supplier: chosen ?? '',
        items: [
          { value: '', text: 'All suppliers', selected: chosen === undefined },
          ...suppliers.map(s => ({ value: s.id, text: s.name, selected: s.id === chosen })),
        ],
      },
      showSupplier: true,
    })
  })

  app.get<SupplierParams>('/suppliers/:id/baseline', { config: read }, async (request, reply) => {
    const supplier = await reachableSupplier(deps, {
      caller: supplierCaller(request),
      supplierId: request.params.id,
      permission: 'read-baseline',
    })
    return reply.page('baseline-supplier.njk', {
      supplier,
      accounts: await summaries(await registeredAccounts(deps.db, supplier.id)),
      families: RULE_FAMILIES,
      showSupplier: false,
    })
  })

  app.get<SupplierParams>(
    '/api/v1/suppliers/:id/baseline',
    { config: { permission: PERMISSIONS.apiBaselineRead } },
    async request => {
      const supplier = await reachableSupplier(deps, {
        caller: supplierCaller(request),
        supplierId: request.params.id,
        permission: 'read-baseline',
      })
      const now = deps.now()
      const accounts = await registeredAccounts(deps.db, supplier.id)
      const recordsOf = await accountRecords(
        deps.db,
        accounts.map(account => account.accountId),
      )
      return {
        supplierId: supplier.id,
        accounts: accounts.map(account =>
          presentAccountApi({ account, records: recordsOf(account.accountId), ladders: ladderOf, now }),
        ),
      }
    },
  )

  app.get<AccountParams>(
    '/suppliers/:id/baseline/:accountId',
    { config: { ...read, auditRead: 'baseline.account.viewed' } },
    async (request, reply) => {
      const caller = supplierCaller(request)
      const supplier = await reachableSupplier(deps, {
        caller,
        supplierId: request.params.id,
        permission: 'read-baseline',
      })
      const { accountId } = request.params
      const wellFormed = AccountIdSchema.safeParse(accountId).success
      const account = wellFormed
        ? (await registeredAccounts(deps.db, supplier.id)).find(a => a.accountId === accountId)
        : undefined
      // An account registered to another supplier (or to none) is not this supplier's: answered as not found and
      // recorded as a denied attempt (v5.0.0-8.2.2: access to records is checked per record, not per route).
      if (account === undefined) {
        const elsewhere = wellFormed && (await accountOwner(deps.db, accountId)) !== undefined
        return refuseAsNotFound(deps, caller, { type: 'cloud account', id: accountId }, elsewhere)
      }
      const records = (await accountRecords(deps.db, [accountId]))(accountId)
      const now = deps.now()
      return reply.page('baseline-account.njk', {
        supplier,
        account,
        status: presentRuleStatus(deps.catalogue, records.results, records.violations),
        violations: records.violations.map(violation =>
          presentViolation(violation, { catalogue: deps.catalogue, ladders: ladderOf, mutes: records.mutes, now }),
        ),
        actions: records.actions.map(presentAction),
        mutes: records.mutes.map(mute => presentMute(mute, deps.catalogue, now)),
      })
    },
  )
}
