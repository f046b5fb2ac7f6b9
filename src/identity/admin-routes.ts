import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { z } from 'zod'
import { paths } from '../paths.ts'
import { AssureError, type Problem } from '../platform/errors.ts'
import { problemsFrom } from '../platform/validation.ts'
import { formErrors } from '../platform/http/forms.ts'
import {
  addSupplierOrganisation,
  changeRoles,
  decideChange,
  disconnectPerson,
  invitableOrganisations,
  invitePerson,
  managedPerson,
  pendingChanges,
  reactivatePerson,
  suspendPerson,
  tooFewAdministrators,
  unlockPerson,
} from './administration.ts'
import type { IdentityDeps } from './deps.ts'
import { InviteFormSchema, OrganisationFormSchema, RolesFormSchema } from './forms.ts'
import { requestContext } from './http.ts'
import { PERMISSIONS } from './policy.ts'
import { AUTHORITY_ROLES, isPrivileged, ROLE_LABELS, SUPPLIER_ROLES, type Role } from './roles.ts'
import { requireStepUp } from './step-up.ts'
import { listFactors, listUsers, type UserRecord } from './store.ts'
import { recordAuditEvent } from './audit.ts'
import type { ReviewedAccount } from './jobs.ts'

function actorOf(request: FastifyRequest): UserRecord {
  if (request.identity === null) throw new AssureError('UNAUTHENTICATED', 'Sign in to continue')
  return request.identity.user
}

function parse<S extends z.ZodType>(schema: S, body: unknown): { data: z.infer<S> } | { problems: Problem[] } {
  const result = schema.safeParse(body)
  return result.success
    ? { data: result.data }
    : { problems: problemsFrom(result.error).filter(p => p.path !== '_csrf') }
}

const roleItems = (roles: readonly Role[], checked: readonly string[]) =>
  roles.map(role => ({
    value: role,
    text: ROLE_LABELS[role],
    checked: checked.includes(role),
    hint: isPrivileged([role])
      ? { text: 'Privileged: needs clearance above BPSS and a second administrator’s approval' }
      : undefined,
  }))

/** People administration, supplier organisations and dual-authorisation approvals. */
export function registerAdminRoutes(app: FastifyInstance, deps: IdentityDeps): void {
  const manage = { permission: PERMISSIONS.manageUsers }
  const banner = async () => ({ tooFewAdministrators: await tooFewAdministrators(deps) })

  app.get(paths.admin.people, { config: manage }, async (request, reply) => {
    const actor = actorOf(request)
    const people = await listUsers(deps.db, actor.roles.includes('authority-admin') ? undefined : actor.organisationId)
    return reply.page('admin-people.njk', {
      people: people.map(p => ({ ...p, roleLabels: p.roles.map(r => ROLE_LABELS[r]) })),
      ...(await banner()),
    })
  })

  const inviteForm = async (
    request: FastifyRequest,
    reply: FastifyReply,
    values: Record<string, unknown>,
    problems: Problem[] = [],
  ) => {
    const actor = actorOf(request)
    const organisations = await invitableOrganisations(deps, actor)
    const checked = ([] as string[]).concat((values.roles as string[] | string | undefined) ?? [])
    return reply.page('admin-invite.njk', {
      values,
      organisationItems: [
        { value: '', text: 'Select an organisation' },
        ...organisations.map(org => ({ value: org.id, text: org.name, selected: org.id === values.organisationId })),
      ],
      authorityRoles: actor.roles.includes('authority-admin')
        ? roleItems(
            AUTHORITY_ROLES.filter(r => !isPrivileged([r])),
            checked,
          )
        : [],
      supplierRoles: roleItems(SUPPLIER_ROLES, checked),
      ...formErrors(problems, { roles: 'roles' }),
      ...(await banner()),
    })
  }
  app.get(paths.admin.invite, { config: manage }, async (request, reply) => inviteForm(request, reply, {}))
  app.post(paths.admin.invite, { config: manage }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>
    const parsed = parse(InviteFormSchema, body)
    if ('problems' in parsed) return inviteForm(request, reply.status(400), body, parsed.problems)
    try {
      await invitePerson(deps, actorOf(request), parsed.data, requestContext(request))
    } catch (error) {
      if (error instanceof AssureError && error.code === 'VALIDATION_FAILED')
        return inviteForm(request, reply.status(400), body, [...error.problems])
      throw error
    }
    return reply.redirect(`${paths.admin.people}?invited=${encodeURIComponent(parsed.data.email)}`, 303)
  })

  app.get<{ Params: { id: string } }>('/admin/people/:id', { config: manage }, async (request, reply) => {
    const actor = actorOf(request)
    const person = await managedPerson(deps, actor, request.params.id, requestContext(request))
    const allowed = person.organisationKind === 'authority' ? AUTHORITY_ROLES : SUPPLIER_ROLES
    return reply.page('admin-person.njk', {
      person,
      roleLabels: person.roles.map(r => ROLE_LABELS[r]),
      factorCount: (await listFactors(deps.db, person.id)).length,
      roleItems: roleItems(actor.roles.includes('authority-admin') ? allowed : SUPPLIER_ROLES, person.roles),
      self: person.id === actor.id,
      notice: (request.query as { done?: string }).done ?? null,
      ...(await banner()),
    })
  })

  const personAction = (
    action: 'roles' | 'suspend' | 'reactivate' | 'disconnect' | 'unlock',
    run: (actor: UserRecord, person: UserRecord, request: FastifyRequest) => Promise<string>,
  ) =>
    app.post<{ Params: { id: string } }>(`/admin/people/:id/${action}`, { config: manage }, async (request, reply) => {
      const actor = actorOf(request)
      const person = await managedPerson(deps, actor, request.params.id, requestContext(request))
      // Changing who can do what needs a fresh second factor (Privileged Account Management: MFA for privileged actions).
      const stale = requireStepUp(deps, request, reply, paths.admin.person(person.id))
      if (stale !== undefined) return stale
      try {
        const done = await run(actor, person, request)
        return reply.redirect(`${paths.admin.person(person.id)}?done=${encodeURIComponent(done)}`, 303)
      } catch (error) {
        if (error instanceof AssureError && error.code === 'VALIDATION_FAILED') {
          const allowed = person.organisationKind === 'authority' ? AUTHORITY_ROLES : SUPPLIER_ROLES
          const checked = ([] as string[]).concat(((request.body ?? {}) as { roles?: string | string[] }).roles ?? [])
          return reply.status(400).page('admin-person.njk', {
            person,
            roleLabels: person.roles.map(r => ROLE_LABELS[r]),
            factorCount: (await listFactors(deps.db, person.id)).length,
            roleItems: roleItems(allowed, checked),
            self: person.id === actor.id,
            notice: null,
            ...formErrors([...error.problems], { roles: 'roles' }),
            ...(await banner()),
          })
        }
        throw error
      }
    })

  personAction('roles', async (actor, person, request) => {
    const parsed = parse(RolesFormSchema, request.body)
    if ('problems' in parsed)
      throw new AssureError('VALIDATION_FAILED', 'The roles are not valid', { problems: parsed.problems })
    const result = await changeRoles(deps, actor, person, parsed.data.roles, requestContext(request))
    return result.applied
      ? 'Roles changed. Their sessions have ended.'
      : 'A privileged role needs a second administrator. The request waits for approval for 24 hours.'
  })
  personAction('suspend', async (actor, person, request) => {
    await suspendPerson(deps, actor, person, requestContext(request))
    return 'Suspended. Their sessions and API tokens have ended.'
  })
  personAction('reactivate', async (actor, person, request) => {
    await reactivatePerson(deps, actor, person, requestContext(request))
    return 'Reactivated.'
  })
  personAction('disconnect', async (actor, person, request) => {
    const ended = await disconnectPerson(deps, actor, person, requestContext(request))
    return `Disconnected: ${ended} session${ended === 1 ? '' : 's'} and every API token ended.`
  })
  personAction('unlock', async (actor, person, request) => {
    const result = await unlockPerson(deps, actor, person, requestContext(request))
    return result.applied
      ? 'Unlocked.'
      : 'Unlocking a privileged account needs a second administrator. The request waits for approval for 24 hours.'
  })

  // --- supplier organisations ---------------------------------------------------------------------------------------
  const organisationsPage = async (reply: FastifyReply, values: Record<string, unknown>, problems: Problem[] = []) =>
    reply.page('admin-organisations.njk', {
      organisations: await deps.db.selectFrom('organisations').selectAll().orderBy('kind').orderBy('name').execute(),
      values,
      ...formErrors(problems),
      ...(await banner()),
    })
  app.get(
    paths.admin.organisations,
    { config: { permission: PERMISSIONS.manageOrganisations } },
    async (_request, reply) => organisationsPage(reply, {}),
  )
  app.post(
    paths.admin.organisations,
    { config: { permission: PERMISSIONS.manageOrganisations } },
    async (request, reply) => {
      const body = (request.body ?? {}) as Record<string, unknown>
      const parsed = parse(OrganisationFormSchema, body)
      if ('problems' in parsed) return organisationsPage(reply.status(400), body, parsed.problems)
      try {
        await addSupplierOrganisation(deps, actorOf(request), parsed.data.name, requestContext(request))
      } catch (error) {
        if (error instanceof AssureError && error.code === 'VALIDATION_FAILED')
          return organisationsPage(reply.status(400), body, [...error.problems])
        throw error
      }
      return reply.redirect(paths.admin.organisations, 303)
    },
  )

  // --- dual authorisation ----------------------------------------------------------------------------------------------
  const approve = { permission: PERMISSIONS.approveChanges }
  app.get(paths.admin.approvals, { config: approve }, async (request, reply) => {
    const actor = actorOf(request)
    const changes = await pendingChanges(deps)
    return reply.page('admin-approvals.njk', {
      changes: changes.map(change => ({
        ...change,
        mine: change.requested_by === actor.id || change.target_id === actor.id,
        description:
          change.kind === 'grant-roles'
            ? `Give ${change.target_name} the roles ${(JSON.parse(change.payload) as { roles: Role[] }).roles.map(r => ROLE_LABELS[r]).join(', ')}`
            : `Unlock ${change.target_name}’s privileged account`,
      })),
      notice: (request.query as { done?: string }).done ?? null,
      ...(await banner()),
    })
  })
  for (const decision of ['approve', 'reject'] as const) {
    app.post<{ Params: { id: string } }>(
      `/admin/approvals/:id/${decision}`,
      { config: approve },
      async (request, reply) => {
        const stale = requireStepUp(deps, request, reply, paths.admin.approvals)
        if (stale !== undefined) return stale
        await decideChange(deps, actorOf(request), request.params.id, decision === 'approve', requestContext(request))
        return reply.redirect(
          `${paths.admin.approvals}?done=${decision === 'approve' ? 'Approved and applied.' : 'Rejected.'}`,
          303,
        )
      },
    )
  }
}

/** The monthly privileged account review: list, detail and sign-off. */
export function registerReviewRoutes(app: FastifyInstance, deps: IdentityDeps): void {
  const review = { permission: PERMISSIONS.reviewPrivilegedAccounts }
  app.get(paths.admin.reviews, { config: review }, async (_request, reply) => {
    const reviews = await deps.db
      .selectFrom('privileged_reviews as r')
      .leftJoin('users as u', 'u.id', 'r.signed_off_by')
      .select(['r.id', 'r.period', 'r.created_at', 'r.signed_off_at', 'u.display_name as signed_off_name'])
      .orderBy('r.period', 'desc')
      .execute()
    return reply.page('admin-reviews.njk', { reviews })
  })
  app.get<{ Params: { id: string } }>('/admin/privileged-reviews/:id', { config: review }, async (request, reply) => {
    const row = await deps.db
      .selectFrom('privileged_reviews as r')
      .leftJoin('users as u', 'u.id', 'r.signed_off_by')
      .selectAll('r')
      .select('u.display_name as signed_off_name')
      .where('r.id', '=', request.params.id)
      .executeTakeFirst()
    if (row === undefined) throw new AssureError('NOT_FOUND', 'That review was not found')
    return reply.page('admin-review.njk', { review: row, accounts: JSON.parse(row.accounts) as ReviewedAccount[] })
  })
  app.post<{ Params: { id: string } }>(
    '/admin/privileged-reviews/:id/sign-off',
    { config: review },
    async (request, reply) => {
      const stale = requireStepUp(deps, request, reply, paths.admin.review(request.params.id))
      if (stale !== undefined) return stale
      const actor = actorOf(request)
      const now = deps.now()
      const signed = await deps.db
        .updateTable('privileged_reviews')
        .set({ signed_off_by: actor.id, signed_off_at: now.toISOString() })
        .where('id', '=', request.params.id)
        .where('signed_off_at', 'is', null)
        .executeTakeFirst()
      if (Number(signed.numUpdatedRows) !== 1) throw new AssureError('CONFLICT', 'That review was already signed off')
      await recordAuditEvent(
        deps.db,
        {
          actor: { type: 'user', id: actor.id, organisationId: actor.organisationId },
          action: 'identity.privileged_review.signed_off',
          outcome: 'success',
          target: { type: 'privileged_review', id: request.params.id },
          ip: request.ip,
          requestId: request.id,
        },
        now,
      )
      return reply.redirect(paths.admin.review(request.params.id), 303)
    },
  )
}
