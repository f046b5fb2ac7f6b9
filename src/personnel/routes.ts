import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { paths } from '../paths.ts'
import { AssureError, notFound, type Problem } from '../platform/errors.ts'
import { bodyOf, formErrors, orProblems, parseBody } from '../platform/http/forms.ts'
import { PERMISSIONS, rolesAllow } from '../identity/policy.ts'
import { supplierCaller } from '../suppliers/caller.ts'
import { reachableSupplier } from '../suppliers/register.ts'
import { listSuppliers, type SupplierRow } from '../suppliers/store.ts'
import {
  attestPersonnel,
  personnelFor,
  setContractClearance,
  withdrawAttestation,
  type PersonnelDeps,
} from './attestations.ts'
import {
  answerClearanceCheck,
  openClearanceCheck,
  openClearanceChecks,
  requestClearanceCheck,
  type ClearanceCheckDeps,
} from './checks.ts'
import {
  ContractRequirementFormSchema,
  IdSchema,
  parseAnswerForm,
  parseAttestationForm,
  parseClearanceCheckForm,
  WithdrawAttestationFormSchema,
} from './forms.ts'
import { clearanceLevels } from './levels.ts'
import { presentAttestation, presentClearanceCheck } from './presenters.ts'
import { findAttestation } from './store.ts'

type Params = { Params: { id: string } }
type AttestationParams = { Params: { id: string; attestationId: string } }
type CheckParams = { Params: { checkId: string } }

/** What the personnel pages need: the master key opens the sealed check details. */
export interface PersonnelRouteDeps extends PersonnelDeps, ClearanceCheckDeps {}

const notice = (request: FastifyRequest) => (request.query as { done?: string }).done ?? null
const DATE_FIELDS = { achieved: 'achieved-day', started: 'started-day' }

/**
 * Personnel security: a supplier's clearance attestations (guidance, Personnel Security and Minimum User Clearance
 * Requirements) and the Authority's clearance-status check requests (guidance, Checking someone's clearance status).
 */
export function registerPersonnelRoutes(app: FastifyInstance, deps: PersonnelRouteDeps): void {
  const levelItems = (selected: unknown, prompt: string) => [
    { value: '', text: prompt, selected: selected === undefined || selected === '' },
    ...clearanceLevels(deps.catalogue).map(level => ({ value: level, text: level, selected: selected === level })),
  ]

  // A supplier's personnel: the level each contract requires, its attestations, and (for the supplier) the form.
  const personnelPage = async (
    request: FastifyRequest<Params>,
    reply: FastifyReply,
    values: Record<string, unknown> = {},
    problems: Problem[] = [],
  ) => {
    const caller = supplierCaller(request)
    const { supplier, contracts, attestations } = await personnelFor(deps, { caller, supplierId: request.params.id })
    const canAttest = rolesAllow(caller.user.roles, 'attest-personnel')
    return reply.page('personnel.njk', {
      supplier,
      contracts: contracts.map(c => ({ reference: c.reference, title: c.title, requiredLevel: c.requiredLevel })),
      attestations: attestations.map(presentAttestation),
      canAttest,
      canRequire: rolesAllow(caller.user.roles, 'require-clearances'),
      contractItems: [
        { value: '', text: 'Select a contract', selected: values.contractId === undefined },
        ...contracts.map(c => ({
          value: c.id,
          text: `${c.reference}: ${c.title} (requires ${c.requiredLevel})`,
          selected: values.contractId === c.id,
        })),
      ],
      clearanceItems: levelItems(values.clearanceLevel, 'Select a level'),
      requiredItems: levelItems(values.requiredLevel ?? 'BPSS', 'Select a level'),
      values,
      notice: notice(request),
      ...formErrors(problems, DATE_FIELDS),
    })
  }
  app.get<Params>(
    '/suppliers/:id/personnel',
    { config: { permission: PERMISSIONS.readPersonnel, auditRead: 'personnel.attestations.viewed' } },
    async (request, reply) => personnelPage(request, reply),
  )
  app.post<Params>(
    '/suppliers/:id/personnel',
    { config: { permission: PERMISSIONS.attestPersonnel } },
    async (request, reply) => {
      const caller = supplierCaller(request)
      const supplierId = request.params.id
      await reachableSupplier(deps, { caller, supplierId, permission: 'attest-personnel' })
      const body = bodyOf(request)
      const parsed = parseAttestationForm(body)
      const problems =
        'problems' in parsed
          ? parsed.problems
          : await orProblems(() => attestPersonnel(deps, { caller, supplierId, attestation: parsed.data }))
      if (problems.length > 0) return personnelPage(request, reply.status(400), body, problems)
      return reply.redirect(`${paths.personnel.supplier(supplierId)}?done=attested`, 303)
    },
  )

  // The level the Authority requires on each contract.
  const requirementPage = async (
    reply: FastifyReply,
    request: FastifyRequest<Params>,
    values: Record<string, unknown> = {},
    problems: Problem[] = [],
  ) => {
    const { supplier, contracts } = await personnelFor(deps, {
      caller: supplierCaller(request),
      supplierId: request.params.id,
    })
    return reply.page('personnel-requirements.njk', {
      supplier,
      contracts: contracts.map(c => ({ reference: c.reference, title: c.title, requiredLevel: c.requiredLevel })),
      contractItems: [
        { value: '', text: 'Select a contract', selected: values.contractId === undefined },
        ...contracts.map(c => ({
          value: c.id,
          text: `${c.reference}: ${c.title}`,
          selected: values.contractId === c.id,
        })),
      ],
      levelItems: levelItems(values.requiredLevel, 'Select a level'),
      ...formErrors(problems),
    })
  }
  const requiring = { config: { permission: PERMISSIONS.requireClearances } }
  app.get<Params>('/suppliers/:id/personnel/requirements', requiring, async (request, reply) => {
    await reachableSupplier(deps, {
      caller: supplierCaller(request),
      supplierId: request.params.id,
      permission: 'require-clearances',
    })
    return requirementPage(reply, request)
  })
  app.post<Params>('/suppliers/:id/personnel/requirements', requiring, async (request, reply) => {
    const caller = supplierCaller(request)
    const supplierId = request.params.id
    await reachableSupplier(deps, { caller, supplierId, permission: 'require-clearances' })
    const body = bodyOf(request)
    const parsed = parseBody(ContractRequirementFormSchema, body)
    const problems =
      'problems' in parsed
        ? parsed.problems
        : await orProblems(() =>
            setContractClearance(deps, {
              caller,
              supplierId,
              contractId: parsed.data.contractId,
              requiredLevel: parsed.data.requiredLevel,
            }),
          )
    if (problems.length > 0) return requirementPage(reply.status(400), request, body, problems)
    return reply.redirect(`${paths.personnel.supplier(supplierId)}?done=required`, 303)
  })

  // Withdrawing an attestation: kept on record with why.
  const withdrawPage = async (
    request: FastifyRequest<AttestationParams>,
    reply: FastifyReply,
    values: Record<string, unknown> = {},
    problems: Problem[] = [],
  ): Promise<FastifyReply> => {
    const caller = supplierCaller(request)
    const supplier: SupplierRow = await reachableSupplier(deps, {
      caller,
      supplierId: request.params.id,
      permission: 'attest-personnel',
    })
    const { attestationId } = request.params
    const attestation = IdSchema.safeParse(attestationId).success
      ? await findAttestation(deps.db, supplier.id, attestationId)
      : undefined
    if (attestation === undefined) throw notFound('That attestation')
    if (attestation.status === 'withdrawn')
      throw new AssureError('CONFLICT', 'This attestation has already been withdrawn')
    return reply.page('personnel-withdraw.njk', { supplier, attestation, values, ...formErrors(problems) })
  }
  const attest = { config: { permission: PERMISSIONS.attestPersonnel } }
  app.get<AttestationParams>('/suppliers/:id/personnel/:attestationId/withdraw', attest, async (request, reply) =>
    withdrawPage(request, reply),
  )
  app.post<AttestationParams>('/suppliers/:id/personnel/:attestationId/withdraw', attest, async (request, reply) => {
    const caller = supplierCaller(request)
    const { id: supplierId, attestationId } = request.params
    await reachableSupplier(deps, { caller, supplierId, permission: 'attest-personnel' })
    if (!IdSchema.safeParse(attestationId).success) throw notFound('That attestation')
    const body = bodyOf(request)
    const parsed = parseBody(WithdrawAttestationFormSchema, body)
    if ('problems' in parsed) return withdrawPage(request, reply.status(400), body, parsed.problems)
    await withdrawAttestation(deps, { caller, supplierId, attestationId, reason: parsed.data.reason })
    return reply.redirect(`${paths.personnel.supplier(supplierId)}?done=withdrawn`, 303)
  })

  // Clearance-status checks: the Authority's administrators and security assessors only. Every page that shows a
  // check's name and date of birth records the read (`auditRead` is the backstop; the operations record their own
  // entry, naming the requests and never the people).
  const check = { config: { permission: PERMISSIONS.checkClearances } }
  app.get(
    paths.personnel.checks,
    { config: { permission: PERMISSIONS.checkClearances, auditRead: 'personnel.clearance_check.listed' } },
    async (request, reply) =>
      reply.page('clearance-checks.njk', {
        checks: (await openClearanceChecks(deps, supplierCaller(request))).map(presentClearanceCheck),
        notice: notice(request),
      }),
  )

  const newCheckPage = async (reply: FastifyReply, values: Record<string, unknown> = {}, problems: Problem[] = []) => {
    const suppliers = await listSuppliers(deps.db)
    return reply.page('clearance-check-new.njk', {
      values,
      supplierItems: [
        { value: '', text: 'Not linked to a supplier', selected: (values.supplierId ?? '') === '' },
        ...suppliers.map(s => ({ value: s.id, text: s.name, selected: values.supplierId === s.id })),
      ],
      ...formErrors(problems, { dateOfBirth: 'dateOfBirth-day' }),
    })
  }
  app.get(paths.personnel.newCheck, check, async (_request, reply) => newCheckPage(reply))
  app.post(paths.personnel.newCheck, check, async (request, reply) => {
    const caller = supplierCaller(request)
    const body = bodyOf(request)
    const parsed = parseClearanceCheckForm(body, deps.now().toISOString().slice(0, 10))
    let id = ''
    const problems =
      'problems' in parsed
        ? parsed.problems
        : await orProblems(async () => {
            id = await requestClearanceCheck(deps, { caller, check: parsed.data })
          })
    if (problems.length > 0) return newCheckPage(reply.status(400), body, problems)
    return reply.redirect(`${paths.personnel.check(id)}?done=requested`, 303)
  })

  const checkPage = async (
    request: FastifyRequest<CheckParams>,
    reply: FastifyReply,
    values: Record<string, unknown> = {},
    problems: Problem[] = [],
  ) => {
    const { checkId } = request.params
    if (!IdSchema.safeParse(checkId).success) throw notFound('That clearance check')
    const opened = await openClearanceCheck(deps, { caller: supplierCaller(request), checkId })
    return reply.page('clearance-check.njk', {
      check: presentClearanceCheck(opened),
      outcomeItems: [
        { value: 'cleared', text: 'Cleared', checked: values.outcome === 'cleared' },
        { value: 'none', text: 'No clearance held', checked: values.outcome === 'none' },
        { value: 'lapsed', text: 'Clearance lapsed', checked: values.outcome === 'lapsed' },
      ],
      levelItems: levelItems(values.clearedLevel, 'Select a level'),
      values,
      notice: notice(request),
      ...formErrors(problems, { outcome: 'outcome', validUntil: 'validUntil-day', lapsedOn: 'lapsedOn-day' }),
    })
  }
  app.get<CheckParams>(
    '/personnel/clearance-checks/:checkId',
    { config: { permission: PERMISSIONS.checkClearances, auditRead: 'personnel.clearance_check.viewed' } },
    async (request, reply) => checkPage(request, reply),
  )
  app.post<CheckParams>('/personnel/clearance-checks/:checkId/answer', check, async (request, reply) => {
    const caller = supplierCaller(request)
    const { checkId } = request.params
    if (!IdSchema.safeParse(checkId).success) throw notFound('That clearance check')
    const body = bodyOf(request)
    const parsed = parseAnswerForm(body)
    const problems =
      'problems' in parsed
        ? parsed.problems
        : await orProblems(() => answerClearanceCheck(deps, { caller, checkId, answer: parsed.data }))
    if (problems.length > 0) return checkPage(request, reply.status(400), body, problems)
    return reply.redirect(`${paths.personnel.check(checkId)}?done=answered`, 303)
  })
}
