import type { FastifyInstance, FastifyReply } from 'fastify'
import { paths } from '../paths.ts'
import { AssureError, notFound, type Problem } from '../platform/errors.ts'
import { bodyOf, checkedValues, formErrors, orProblems, parseBody } from '../platform/http/forms.ts'
import { supplierCaller } from './caller.ts'
import { PERMISSIONS, rolesAllow } from '../identity/policy.ts'
import {
  CLASSIFICATIONS,
  CloudAccountFormSchema,
  parseContractForm,
  SupplierIdSchema,
  SupplierProfileFormSchema,
} from './forms.ts'
import { contractFormValues, DATA_CATEGORY_LABELS, presentSupplier } from './presenters.ts'
import {
  addCloudAccount,
  addContract,
  editContract,
  reachableSupplier,
  registerSupplier,
  type SupplierDeps,
} from './register.ts'
import { findContract, listCloudAccounts, listContracts, listSuppliers, type SupplierRow } from './store.ts'

type Params = { Params: { id: string } }
type ContractParams = { Params: { id: string; contractId: string } }

const parse = parseBody

async function registerEntry(deps: SupplierDeps, supplier: SupplierRow) {
  const [contracts, accounts] = await Promise.all([
    listContracts(deps.db, supplier.id),
    listCloudAccounts(deps.db, supplier.id),
  ])
  return presentSupplier(supplier, contracts, accounts)
}

const checked = checkedValues

/** The supplier register's pages (the list, a supplier's entry, the forms that change it) and its JSON API. */
export function registerSupplierRoutes(app: FastifyInstance, deps: SupplierDeps): void {
  const read = { permission: PERMISSIONS.readSuppliers }

  app.get(paths.suppliers.list, { config: read }, async (request, reply) => {
    const { user } = supplierCaller(request)
    // Supplier people see only their own supplier, so their register is their own entry.
    if (user.organisationKind === 'supplier') return reply.redirect(paths.suppliers.supplier(user.organisationId))
    return reply.page('suppliers.njk', { suppliers: await listSuppliers(deps.db) })
  })

  app.get<Params>('/suppliers/:id', { config: { ...read, auditRead: 'supplier.viewed' } }, async (request, reply) => {
    const caller = supplierCaller(request)
    const supplier = await reachableSupplier(deps, {
      caller,
      supplierId: request.params.id,
      permission: 'read-suppliers',
    })
    const { roles } = caller.user
    return reply.page('supplier.njk', {
      supplier: await registerEntry(deps, supplier),
      canEditProfile: rolesAllow(roles, 'edit-supplier-profile'),
      canManageContracts: rolesAllow(roles, 'manage-contracts'),
      notice: (request.query as { done?: string }).done ?? null,
    })
  })

  // The profile form.
  const profilePage = (
    reply: FastifyReply,
    supplier: SupplierRow,
    values: Record<string, unknown>,
    problems: Problem[] = [],
  ) => reply.page('supplier-profile.njk', { supplier, values, ...formErrors(problems) })
  const profileRoute = { config: { permission: PERMISSIONS.editSupplierProfile } }
  app.get<Params>('/suppliers/:id/profile', profileRoute, async (request, reply) => {
    const caller = supplierCaller(request)
    const supplier = await reachableSupplier(deps, {
      caller,
      supplierId: request.params.id,
      permission: 'edit-supplier-profile',
    })
    const { profile } = supplier
    const [contact] = profile === null ? [] : (JSON.parse(profile.contacts) as Array<Record<string, string>>)
    return profilePage(
      reply,
      supplier,
      profile === null
        ? { legalName: supplier.name }
        : {
            legalName: profile.legal_name,
            shortName: profile.short_name,
            securityDirectorName: profile.security_director_name,
            securityDirectorEmail: profile.security_director_email,
            contactName: contact?.name ?? '',
            contactEmail: contact?.email ?? '',
          },
    )
  })
  app.post<Params>('/suppliers/:id/profile', profileRoute, async (request, reply) => {
    const caller = supplierCaller(request)
    const supplierId = request.params.id
    const supplier = await reachableSupplier(deps, { caller, supplierId, permission: 'edit-supplier-profile' })
    const body = bodyOf(request)
    const parsed = parse(SupplierProfileFormSchema, body)
    if ('problems' in parsed) return profilePage(reply.status(400), supplier, body, parsed.problems)
    const { _csrf: _token, ...profile } = parsed.data
    await registerSupplier(deps, { caller, supplierId, profile })
    return reply.redirect(`${paths.suppliers.supplier(supplierId)}?done=profile`, 303)
  })

  // Contracts: the Authority's, so only its administrators add or change them.
  const contractPage = (
    reply: FastifyReply,
    supplier: SupplierRow,
    values: Record<string, unknown>,
    problems: Problem[],
    contractId: string | null,
  ) => {
    const categories = checked(values.dataCategories)
    const dateParts = ['startDate', 'endDate'].flatMap(d => ['day', 'month', 'year'].map(p => [`${d}-${p}`, '']))
    return reply.page('supplier-contract.njk', {
      supplier,
      contractId,
      values: { ...Object.fromEntries(dateParts), ...values },
      classificationItems: CLASSIFICATIONS.map(c => ({ value: c, text: c, checked: values.classification === c })),
      categoryItems: [
        ...Object.entries(DATA_CATEGORY_LABELS).map(([value, text]) => ({
          value,
          text,
          checked: categories.includes(value),
        })),
        { divider: 'or' },
        { value: 'none', text: 'None', behaviour: 'exclusive', checked: categories.includes('none') },
      ],
      ...formErrors(problems, {
        startDate: 'startDate-day',
        endDate: 'endDate-day',
        classification: 'classification',
        dataCategories: 'dataCategories',
        offshore: 'offshore',
      }),
    })
  }
  const contractRoute = { config: { permission: PERMISSIONS.manageContracts } }
  app.get<Params>('/suppliers/:id/contracts/new', contractRoute, async (request, reply) => {
    const supplier = await reachableSupplier(deps, {
      caller: supplierCaller(request),
      supplierId: request.params.id,
      permission: 'manage-contracts',
    })
    return contractPage(reply, supplier, {}, [], null)
  })
  app.post<Params>('/suppliers/:id/contracts/new', contractRoute, async (request, reply) => {
    const caller = supplierCaller(request)
    const supplierId = request.params.id
    const supplier = await reachableSupplier(deps, { caller, supplierId, permission: 'manage-contracts' })
    const body = bodyOf(request)
    const parsed = parseContractForm(body)
    const problems =
      'problems' in parsed
        ? parsed.problems
        : await orProblems(() => addContract(deps, { caller, supplierId, contract: parsed.data }))
    if (problems.length > 0) return contractPage(reply.status(400), supplier, body, problems, null)
    return reply.redirect(`${paths.suppliers.supplier(supplierId)}?done=contract`, 303)
  })
  app.get<ContractParams>('/suppliers/:id/contracts/:contractId', contractRoute, async (request, reply) => {
    const supplier = await reachableSupplier(deps, {
      caller: supplierCaller(request),
      supplierId: request.params.id,
      permission: 'manage-contracts',
    })
    const contract = await findContract(deps.db, supplier.id, request.params.contractId)
    if (contract === undefined) throw notFound('That contract')
    return contractPage(reply, supplier, contractFormValues(contract), [], contract.id)
  })
  app.post<ContractParams>('/suppliers/:id/contracts/:contractId', contractRoute, async (request, reply) => {
    const caller = supplierCaller(request)
    const { id: supplierId, contractId } = request.params
    const supplier = await reachableSupplier(deps, { caller, supplierId, permission: 'manage-contracts' })
    if ((await findContract(deps.db, supplierId, contractId)) === undefined) throw notFound('That contract')
    const body = bodyOf(request)
    const parsed = parseContractForm(body)
    const problems =
      'problems' in parsed
        ? parsed.problems
        : await orProblems(() => editContract(deps, { caller, supplierId, contractId, contract: parsed.data }))
    if (problems.length > 0) return contractPage(reply.status(400), supplier, body, problems, contractId)
    return reply.redirect(`${paths.suppliers.supplier(supplierId)}?done=contract`, 303)
  })

  // Cloud accounts.
  const accountPage = async (
    reply: FastifyReply,
    supplier: SupplierRow,
    values: Record<string, unknown>,
    problems: Problem[] = [],
  ) =>
    reply.page('supplier-cloud-account.njk', {
      supplier,
      values,
      contractItems: [
        { value: '', text: 'Not linked to a contract' },
        ...(await listContracts(deps.db, supplier.id)).map(c => ({
          value: c.id,
          text: `${c.reference}: ${c.title}`,
          selected: c.id === values.contractId,
        })),
      ],
      ...formErrors(problems),
    })
  const accountRoute = { config: { permission: PERMISSIONS.manageCloudAccounts } }
  app.get<Params>('/suppliers/:id/cloud-accounts/new', accountRoute, async (request, reply) => {
    const supplier = await reachableSupplier(deps, {
      caller: supplierCaller(request),
      supplierId: request.params.id,
      permission: 'manage-cloud-accounts',
    })
    return accountPage(reply, supplier, {})
  })
  app.post<Params>('/suppliers/:id/cloud-accounts/new', accountRoute, async (request, reply) => {
    const caller = supplierCaller(request)
    const supplierId = request.params.id
    const supplier = await reachableSupplier(deps, { caller, supplierId, permission: 'manage-cloud-accounts' })
    const body = bodyOf(request)
    const parsed = parse(CloudAccountFormSchema, body)
    let problems: Problem[]
    if ('problems' in parsed) problems = parsed.problems
    else {
      const { _csrf: _token, ...account } = parsed.data
      problems = await orProblems(() => addCloudAccount(deps, { caller, supplierId, account }))
    }
    if (problems.length > 0) return accountPage(reply.status(400), supplier, body, problems)
    return reply.redirect(`${paths.suppliers.supplier(supplierId)}?done=cloud-account`, 303)
  })

  registerSupplierApi(app, deps)
}

/** The supplier register over the JSON API; supplier tokens see their own supplier only. */
function registerSupplierApi(app: FastifyInstance, deps: SupplierDeps): void {
  const config = { permission: PERMISSIONS.apiSuppliersRead }
  app.get(paths.api.suppliers, { config: { ...config, auditRead: 'supplier.listed' } }, async request => {
    const { user } = supplierCaller(request)
    const suppliers = await listSuppliers(
      deps.db,
      user.organisationKind === 'authority' ? undefined : user.organisationId,
    )
    return { suppliers }
  })
  app.get<Params>('/api/v1/suppliers/:id', { config: { ...config, auditRead: 'supplier.viewed' } }, async request => {
    const id = SupplierIdSchema.safeParse(request.params.id)
    if (!id.success)
      throw new AssureError('VALIDATION_FAILED', 'The supplier ID is not valid', {
        problems: [{ path: 'id', message: 'Supplier IDs are UUIDs' }],
      })
    const supplier = await reachableSupplier(deps, {
      caller: supplierCaller(request),
      supplierId: id.data,
      permission: 'read-suppliers',
    })
    return registerEntry(deps, supplier)
  })
}
