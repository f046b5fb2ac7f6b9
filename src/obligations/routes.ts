import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { paths } from '../paths.ts'
import type { Problem } from '../platform/errors.ts'
import { bodyOf, checkedValues, formErrors, orProblems, parseBody, registerFormRoutes } from '../platform/http/forms.ts'
import { supplierCaller } from '../suppliers/caller.ts'
import { PERMISSIONS, rolesAllow } from '../identity/policy.ts'
import { reachableSupplier } from '../suppliers/register.ts'
import type { SupplierRow } from '../suppliers/store.ts'
import {
  AddServiceFormSchema,
  ChangePhaseFormSchema,
  ChecklistFormSchema,
  CompleteObligationFormSchema,
  parseStartScheduleForm,
  ReviewObligationFormSchema,
} from './forms.ts'
import { RECURRING_KINDS, intervalOf } from './kinds.ts'
import { PHASE_NAMES, PHASES } from './lifecycle.ts'
import {
  completeObligation,
  reachableInstance,
  reviewObligation,
  startObligationSchedule,
  type ObligationDeps,
} from './obligations.ts'
import {
  presentInstance,
  presentObligationsApi,
  presentSchedule,
  presentService,
  type PresentedInstance,
} from './presenters.ts'
import { addSupplierService, changeServicePhase, recordPrivacyChecklist } from './privacy.ts'
import { checklistRows, listInstances, listSchedules, listServices, obligationStages, findService } from './store.ts'
import { describeDuration } from '../platform/duration.ts'
import { notFound } from '../platform/errors.ts'

type Params = { Params: { id: string } }
type InstanceParams = { Params: { id: string; instanceId: string } }
type ServiceParams = { Params: { id: string; serviceId: string } }

const noticeOf = (request: FastifyRequest) => (request.query as { done?: string }).done ?? null

/**
 * Recurring supplier obligations (the Authority schedules, the supplier completes with evidence, an assessor
 * reviews) and the privacy lifecycle of the supplier's services. Supplier people reach their own supplier only.
 */
export function registerObligationRoutes(app: FastifyInstance, deps: ObligationDeps): void {
  const read = { config: { permission: PERMISSIONS.readSuppliers } }
  const manage = { config: { permission: PERMISSIONS.manageObligations } }
  const complete = { config: { permission: PERMISSIONS.completeObligations } }
  const review = { config: { permission: PERMISSIONS.reviewObligations } }

  /** Every instance of a supplier, presented, with the services' names for DPIAs. */
  const presentedInstances = async (supplierId: string): Promise<PresentedInstance[]> => {
    const [instances, stages, services] = await Promise.all([
      listInstances(deps.db, supplierId),
      obligationStages(deps.db, supplierId),
      listServices(deps.db, supplierId),
    ])
    const now = deps.now()
    return instances.map(instance =>
      presentInstance(instance, {
        stage: stages.find(stage => stage.subject_id === instance.id),
        now,
        serviceName: services.find(service => service.id === instance.service_id)?.name,
      }),
    )
  }

  app.get<Params>(
    '/api/v1/suppliers/:id/obligations',
    { config: { permission: PERMISSIONS.apiSuppliersRead } },
    async request => {
      const supplier = await reachableSupplier(deps, {
        caller: supplierCaller(request),
        supplierId: request.params.id,
        permission: 'read-suppliers',
      })
      const [schedules, instances] = await Promise.all([
        listSchedules(deps.db, supplier.id),
        listInstances(deps.db, supplier.id),
      ])
      return presentObligationsApi(
        supplier.id,
        schedules.map(schedule => presentSchedule(schedule, instances, deps.catalogue)),
        await presentedInstances(supplier.id),
      )
    },
  )

  app.get<Params>('/suppliers/:id/obligations', read, async (request, reply) => {
    const caller = supplierCaller(request)
    const supplier = await reachableSupplier(deps, {
      caller,
      supplierId: request.params.id,
      permission: 'read-suppliers',
    })
    const [schedules, instances] = await Promise.all([
      listSchedules(deps.db, supplier.id),
      listInstances(deps.db, supplier.id),
    ])
    const presented = await presentedInstances(supplier.id)
    const { roles } = caller.user
    return reply.page('obligations.njk', {
      supplier,
      schedules: schedules.map(schedule => presentSchedule(schedule, instances, deps.catalogue)),
      current: presented.filter(instance => instance.state !== 'accepted'),
      accepted: presented.filter(instance => instance.state === 'accepted').reverse(),
      canStart: rolesAllow(roles, 'manage-obligations'),
      canComplete: rolesAllow(roles, 'complete-obligations'),
      canReview: rolesAllow(roles, 'review-obligations'),
      notice: noticeOf(request),
    })
  })

  // Starting a schedule.
  const startPage = (
    reply: FastifyReply,
    supplier: SupplierRow,
    values: Record<string, unknown>,
    problems: Problem[],
  ) =>
    reply.page('obligation-start.njk', {
      supplier,
      values,
      kindItems: RECURRING_KINDS.map(kind => {
        const interval = intervalOf(kind, deps.catalogue) ?? ''
        const assure = kind.interval !== 'per-event' && 'assureDefault' in kind.interval
        return {
          value: kind.id,
          text: kind.title,
          hint: {
            text: `Every ${describeDuration(interval)} (${kind.requirement}${assure ? ', Assure’s default: the guidance says “regular”' : ''})`,
          },
          checked: values.kind === kind.id,
        }
      }),
      ...formErrors(problems, { kind: 'kind', firstDue: 'firstDue-day' }),
    })
  app.get<Params>('/suppliers/:id/obligations/new', manage, async (request, reply) => {
    const supplier = await reachableSupplier(deps, {
      caller: supplierCaller(request),
      supplierId: request.params.id,
      permission: 'manage-obligations',
    })
    return startPage(reply, supplier, {}, [])
  })
  app.post<Params>('/suppliers/:id/obligations/new', manage, async (request, reply) => {
    const caller = supplierCaller(request)
    const supplier = await reachableSupplier(deps, {
      caller,
      supplierId: request.params.id,
      permission: 'manage-obligations',
    })
    const body = bodyOf(request)
    const parsed = parseStartScheduleForm(body)
    const problems =
      'problems' in parsed
        ? parsed.problems
        : await orProblems(() => startObligationSchedule(deps, { caller, supplierId: supplier.id, ...parsed.data }))
    if (problems.length > 0) return startPage(reply.status(400), supplier, body, problems)
    return reply.redirect(`${paths.obligations.list(supplier.id)}?done=started`, 303)
  })

  // Completing and reviewing an instance: the instance is found once per request, with the caller's reach.
  const instanceFor =
    (permission: 'complete-obligations' | 'review-obligations') => (request: FastifyRequest<InstanceParams>) =>
      reachableInstance(deps, {
        caller: supplierCaller(request),
        supplierId: request.params.id,
        instanceId: request.params.instanceId,
        permission,
      })
  const presentedOf = async (supplierId: string, instanceId: string) =>
    (await presentedInstances(supplierId)).find(each => each.id === instanceId)

  registerFormRoutes(app, {
    path: '/suppliers/:id/obligations/:instanceId/complete',
    options: complete,
    load: instanceFor('complete-obligations'),
    page: async (reply, { supplier, instance }, values, problems) =>
      reply.page('obligation-complete.njk', {
        supplier,
        instance: await presentedOf(supplier.id, instance.id),
        values,
        ...formErrors(problems),
      }),
    parse: body => parseBody(CompleteObligationFormSchema, body),
    submit: async (request, { supplier, instance }, data) => {
      await completeObligation(deps, {
        caller: supplierCaller(request),
        supplierId: supplier.id,
        instanceId: instance.id,
        description: data.description,
        evidence: data.evidence,
        attested: data.attestation === 'yes',
      })
      return `${paths.obligations.list(supplier.id)}?done=completed`
    },
  })

  registerFormRoutes(app, {
    path: '/suppliers/:id/obligations/:instanceId/review',
    options: review,
    load: instanceFor('review-obligations'),
    page: async (reply, { supplier, instance }, values, problems) =>
      reply.page('obligation-review.njk', {
        supplier,
        instance: await presentedOf(supplier.id, instance.id),
        values,
        decisionItems: [
          { value: 'accept', text: 'Accept it', checked: values.decision === 'accept' },
          { value: 'return', text: 'Return it to the supplier', checked: values.decision === 'return' },
        ],
        ...formErrors(problems, { decision: 'decision' }),
      }),
    parse: body => parseBody(ReviewObligationFormSchema, body),
    submit: async (request, { supplier, instance }, data) => {
      await reviewObligation(deps, {
        caller: supplierCaller(request),
        supplierId: supplier.id,
        instanceId: instance.id,
        decision: data.decision,
        comment: data.comment,
      })
      return `${paths.obligations.list(supplier.id)}?done=${data.decision === 'accept' ? 'accepted' : 'returned'}`
    },
  })

  // The privacy lifecycle.
  const privacyPage = async (
    reply: FastifyReply,
    request: FastifyRequest<Params>,
    problems: Problem[],
    problemService: string | null = null,
  ) => {
    const caller = supplierCaller(request)
    const supplier = await reachableSupplier(deps, {
      caller,
      supplierId: request.params.id,
      permission: 'read-suppliers',
    })
    const services = await listServices(deps.db, supplier.id)
    const rows = await checklistRows(
      deps.db,
      services.map(service => service.id),
    )
    const instances = await presentedInstances(supplier.id)
    const errors = formErrors(problems, { items: 'items', phase: 'phase' })
    return reply.page('privacy.njk', {
      supplier,
      services: services.map(service =>
        presentService(
          service,
          rows,
          instances.filter(instance => instance.kind === 'dpia' && instance.serviceId === service.id),
        ),
      ),
      canEdit: rolesAllow(caller.user.roles, 'complete-obligations'),
      problemService,
      notice: noticeOf(request),
      ...errors,
    })
  }
  app.get<Params>('/suppliers/:id/privacy', read, async (request, reply) => privacyPage(reply, request, []))

  const addServicePage = (
    reply: FastifyReply,
    supplier: SupplierRow,
    values: Record<string, unknown>,
    problems: Problem[],
  ) =>
    reply.page('privacy-service.njk', {
      supplier,
      values,
      phaseItems: PHASES.map(value => ({ value, text: PHASE_NAMES[value], checked: values.phase === value })),
      ...formErrors(problems, { phase: 'phase' }),
    })
  app.get<Params>('/suppliers/:id/privacy/new', complete, async (request, reply) => {
    const supplier = await reachableSupplier(deps, {
      caller: supplierCaller(request),
      supplierId: request.params.id,
      permission: 'complete-obligations',
    })
    return addServicePage(reply, supplier, {}, [])
  })
  app.post<Params>('/suppliers/:id/privacy/new', complete, async (request, reply) => {
    const caller = supplierCaller(request)
    const supplier = await reachableSupplier(deps, {
      caller,
      supplierId: request.params.id,
      permission: 'complete-obligations',
    })
    const body = bodyOf(request)
    const parsed = parseBody(AddServiceFormSchema, body)
    const problems =
      'problems' in parsed
        ? parsed.problems
        : await orProblems(() => addSupplierService(deps, { caller, supplierId: supplier.id, ...parsed.data }))
    if (problems.length > 0) return addServicePage(reply.status(400), supplier, body, problems)
    return reply.redirect(`${paths.obligations.privacy(supplier.id)}?done=added`, 303)
  })

  // Changing a service's phase: its own page, since it opens a DPIA.
  const phasePage = async (
    reply: FastifyReply,
    request: FastifyRequest<ServiceParams>,
    values: Record<string, unknown>,
    problems: Problem[],
  ) => {
    const supplier = await reachableSupplier(deps, {
      caller: supplierCaller(request),
      supplierId: request.params.id,
      permission: 'complete-obligations',
    })
    const service = await findService(deps.db, supplier.id, request.params.serviceId)
    if (service === undefined) throw notFound('That service')
    const presented = presentService(service, [], [])
    return reply.page('privacy-phase.njk', {
      supplier,
      service: presented,
      phaseItems: presented.laterPhases.map(item => ({ ...item, checked: values.phase === item.value })),
      ...formErrors(problems, { phase: 'phase' }),
    })
  }
  app.get<ServiceParams>('/suppliers/:id/privacy/:serviceId/phase', complete, async (request, reply) =>
    phasePage(reply, request, {}, []),
  )
  app.post<ServiceParams>('/suppliers/:id/privacy/:serviceId/phase', complete, async (request, reply) => {
    const caller = supplierCaller(request)
    const body = bodyOf(request)
    const parsed = parseBody(ChangePhaseFormSchema, body)
    const problems =
      'problems' in parsed
        ? parsed.problems
        : await orProblems(() =>
            changeServicePhase(deps, {
              caller,
              supplierId: request.params.id,
              serviceId: request.params.serviceId,
              phase: parsed.data.phase,
            }),
          )
    if (problems.length > 0) return phasePage(reply.status(400), request, body, problems)
    return reply.redirect(`${paths.obligations.privacy(request.params.id)}?done=phase`, 303)
  })

  app.post<ServiceParams>('/suppliers/:id/privacy/:serviceId/checklist', complete, async (request, reply) => {
    const caller = supplierCaller(request)
    const body = bodyOf(request)
    const parsed = parseBody(ChecklistFormSchema, { ...body, items: checkedValues(body.items) })
    const problems =
      'problems' in parsed
        ? parsed.problems
        : await orProblems(() =>
            recordPrivacyChecklist(deps, {
              caller,
              supplierId: request.params.id,
              serviceId: request.params.serviceId,
              checked: parsed.data.items,
            }),
          )
    if (problems.length > 0) {
      return privacyPage(
        reply.status(400),
        request as unknown as FastifyRequest<Params>,
        problems,
        request.params.serviceId,
      )
    }
    return reply.redirect(`${paths.obligations.privacy(request.params.id)}?done=checklist`, 303)
  })
}
