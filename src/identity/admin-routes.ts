import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { z } from 'zod'
import { paths } from '../paths.ts'
import { AssureError, type Problem } from '../platform/errors.ts'
import { problemsFrom } from '../platform/validation.ts'
import { bodyOf, checkedValues, formErrors } from '../platform/http/forms.ts'
import {
  addSupplierOrganisation,
  assertMayMovePeople,
  changeEmail,
  changeRoles,
  decideChange,
  disconnectPerson,
  invitableOrganisations,
  invitePerson,
  managedPerson,
  mayMovePeople,
  movePerson,
  pendingChanges,
  proposeSecuritySetting,
  reactivatePerson,
  suspendPerson,
  tooFewAdministrators,
  unlockPerson,
} from './administration.ts'
import type { IdentityDeps } from './deps.ts'
import {
  EmailFormSchema,
  InviteFormSchema,
  MoveFormSchema,
  OrganisationFormSchema,
  RolesFormSchema,
  SecuritySettingFormSchema,
} from './forms.ts'
import { requestContext } from './http.ts'
import { PERMISSIONS } from './policy.ts'
import { AUTHORITY_ROLES, isPrivileged, ROLE_LABELS, ROLES, SUPPLIER_ROLES, type Role } from './roles.ts'
import {
  readSecuritySettings,
  SECURITY_SETTING_DEFINITIONS,
  SECURITY_SETTING_KEYS,
  SecuritySettingChangeSchema,
  securitySettingHistory,
  weakensControl,
  type SecuritySettings,
} from './security-settings.ts'
import { requireStepUp } from './step-up.ts'
import { listFactors, listUsers, type UserRecord } from './store.ts'
import { recordAuditEvent } from '../audit/record.ts'
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

type PendingChange = Awaited<ReturnType<typeof pendingChanges>>[number]

/** How a dual-authorisation request reads on the approvals page, with a warning when it relaxes a control. */
export function describeChange(change: PendingChange): { description: string; warning: string | null } {
  if (change.kind === 'security-setting') {
    const proposal = SecuritySettingChangeSchema.parse(JSON.parse(change.payload))
    const definition = SECURITY_SETTING_DEFINITIONS[proposal.setting]
    return {
      description: `Turn ${proposal.value ? 'on' : 'off'} the security setting “${definition.title}”`,
      warning: weakensControl(proposal) ? definition.warning : null,
    }
  }
  if (change.kind === 'grant-roles')
    return {
      description: `Give ${change.target_name ?? 'a person'} the roles ${(JSON.parse(change.payload) as { roles: Role[] }).roles.map(r => ROLE_LABELS[r]).join(', ')}`,
      warning: null,
    }
  return { description: `Unlock ${change.target_name ?? 'a person'}’s privileged account`, warning: null }
}

/** The security settings page's view of each setting: its state, who last changed it, and any change waiting. */
export function presentSecuritySettings(
  settings: SecuritySettings,
  history: ReadonlyArray<{ key: string; updated_at: string; updated_by_name: string | null }>,
  changes: readonly PendingChange[],
) {
  return SECURITY_SETTING_KEYS.map(key => {
    const definition = SECURITY_SETTING_DEFINITIONS[key]
    const on = settings[key]
    const changed = history.find(row => row.key === key)
    const waiting = changes
      .filter(change => change.kind === 'security-setting')
      .map(change => ({ change, proposal: SecuritySettingChangeSchema.parse(JSON.parse(change.payload)) }))
      .find(({ proposal }) => proposal.setting === key)
    return {
      key,
      title: definition.title,
      description: definition.description,
      state: on ? 'On' : 'Off',
      isDefault: on === definition.default,
      changedAt: changed?.updated_at ?? null,
      changedBy: changed?.updated_by_name ?? null,
      waiting:
        waiting === undefined
          ? null
          : {
              state: waiting.proposal.value ? 'on' : 'off',
              requesterName: waiting.change.requester_name,
              expiresAt: waiting.change.expires_at,
            },
      propose: { value: on ? 'off' : 'on', label: on ? 'Propose turning this off' : 'Propose turning this on' },
      warning: weakensControl({ setting: key, value: !on }) ? definition.warning : null,
    }
  })
}

/** People administration, supplier organisations, security settings and dual-authorisation approvals. */
export function registerAdminRoutes(app: FastifyInstance, deps: IdentityDeps): void {
  registerSecuritySettingsRoutes(app, deps)
  const manage = { permission: PERMISSIONS.manageUsers }
  const banner = async () => ({ tooFewAdministrators: await tooFewAdministrators(deps) })

  app.get(
    paths.admin.people,
    { config: { ...manage, auditRead: 'identity.people.listed' } },
    async (request, reply) => {
      const actor = actorOf(request)
      const people = await listUsers(
        deps.db,
        actor.roles.includes('authority-admin') ? undefined : actor.organisationId,
      )
      return reply.page('admin-people.njk', {
        people: people.map(p => ({ ...p, roleLabels: p.roles.map(r => ROLE_LABELS[r]) })),
        ...(await banner()),
      })
    },
  )

  const inviteForm = async (
    request: FastifyRequest,
    reply: FastifyReply,
    values: Record<string, unknown>,
    problems: Problem[] = [],
  ) => {
    const actor = actorOf(request)
    const organisations = await invitableOrganisations(deps, actor)
    const checked = checkedValues(values.roles)
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

  /** A person's page; `extra` carries a form's errors and values when a post is shown again. */
  const personPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    person: UserRecord,
    extra: { checkedRoles?: readonly string[]; move?: Record<string, unknown>; [key: string]: unknown } = {},
  ) => {
    const actor = actorOf(request)
    const allowed = person.organisationKind === 'authority' ? AUTHORITY_ROLES : SUPPLIER_ROLES
    const { checkedRoles, move: moveValues = {}, ...rest } = extra
    const moveChecked = checkedValues(moveValues.roles)
    const canMove = mayMovePeople(actor) && person.id !== actor.id
    return reply.page('admin-person.njk', {
      person,
      roleLabels: person.roles.map(r => ROLE_LABELS[r]),
      factorCount: (await listFactors(deps.db, person.id)).length,
      roleItems: roleItems(
        actor.roles.includes('authority-admin') ? allowed : SUPPLIER_ROLES,
        checkedRoles ?? person.roles,
      ),
      self: person.id === actor.id,
      notice: null,
      move: canMove
        ? {
            organisationItems: [
              { value: '', text: 'Select an organisation' },
              ...(await invitableOrganisations(deps, actor))
                .filter(org => org.id !== person.organisationId)
                .map(org => ({
                  value: org.id,
                  text: `${org.name} (${org.kind === 'authority' ? 'Authority' : 'supplier'})`,
                  selected: org.id === moveValues.organisationId,
                })),
            ],
            roleItems: roleItems(ROLES, moveChecked),
          }
        : null,
      ...(await banner()),
      ...rest,
    })
  }

  app.get<{ Params: { id: string } }>(
    '/admin/people/:id',
    { config: { ...manage, auditRead: 'identity.person.viewed' } },
    async (request, reply) => {
      const person = await managedPerson(deps, actorOf(request), request.params.id, requestContext(request))
      return personPage(request, reply, person, { notice: (request.query as { done?: string }).done ?? null })
    },
  )

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
          const checked = checkedValues(bodyOf(request).roles)
          return personPage(request, reply.status(400), person, {
            checkedRoles: checked,
            ...formErrors([...error.problems], { roles: 'roles' }),
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

  // --- changing a person's email address ----------------------------------------------------------------------------
  const emailPage = async (
    reply: FastifyReply,
    person: UserRecord,
    values: Record<string, unknown>,
    problems: Problem[] = [],
  ) => reply.page('admin-email.njk', { person, values, ...formErrors(problems), ...(await banner()) })
  app.get<{ Params: { id: string } }>('/admin/people/:id/email', { config: manage }, async (request, reply) => {
    const person = await managedPerson(deps, actorOf(request), request.params.id, requestContext(request))
    // Asked before the form, so the administrator does not lose what they type (Privileged Account Management:
    // MFA for "changing registered email addresses").
    const stale = requireStepUp(deps, request, reply, paths.admin.personEmail(person.id))
    if (stale !== undefined) return stale
    return emailPage(reply, person, {})
  })
  app.post<{ Params: { id: string } }>('/admin/people/:id/email', { config: manage }, async (request, reply) => {
    const actor = actorOf(request)
    const person = await managedPerson(deps, actor, request.params.id, requestContext(request))
    const stale = requireStepUp(deps, request, reply, paths.admin.personEmail(person.id))
    if (stale !== undefined) return stale
    const body = (request.body ?? {}) as Record<string, unknown>
    const parsed = parse(EmailFormSchema, body)
    if ('problems' in parsed) return emailPage(reply.status(400), person, body, parsed.problems)
    try {
      await changeEmail(deps, actor, person, parsed.data.email, requestContext(request))
    } catch (error) {
      if (error instanceof AssureError && error.code === 'VALIDATION_FAILED')
        return emailPage(reply.status(400), person, body, [...error.problems])
      throw error
    }
    const done =
      'Email address changed. We have emailed the old and the new address, and their sessions and API tokens have ended.'
    return reply.redirect(`${paths.admin.person(person.id)}?done=${encodeURIComponent(done)}`, 303)
  })

  // --- moving a person to another organisation (a mover) ------------------------------------------------------------
  const move = { permission: PERMISSIONS.movePeople }
  app.post<{ Params: { id: string } }>('/admin/people/:id/organisation', { config: move }, async (request, reply) => {
    const actor = actorOf(request)
    const context = requestContext(request)
    // Found first, so another supplier's people stay "not found"; then only Authority administrators go on.
    const person = await managedPerson(deps, actor, request.params.id, context)
    await assertMayMovePeople(deps, actor, context)
    const stale = requireStepUp(deps, request, reply, paths.admin.person(person.id))
    if (stale !== undefined) return stale
    const body = (request.body ?? {}) as Record<string, unknown>
    const show = (problems: readonly Problem[]) => {
      const { errors, fieldErrors } = formErrors(problems, { organisationId: 'moveOrganisationId', roles: 'moveRoles' })
      return personPage(request, reply.status(400), person, { move: body, errors, moveErrors: fieldErrors })
    }
    const parsed = parse(MoveFormSchema, body)
    if ('problems' in parsed) return show(parsed.problems)
    let result: Awaited<ReturnType<typeof movePerson>>
    try {
      result = await movePerson(deps, actor, person, parsed.data, context)
    } catch (error) {
      if (error instanceof AssureError && error.code === 'VALIDATION_FAILED') return show(error.problems)
      throw error
    }
    const removed =
      result.removed.length === 0 ? '' : ` Roles removed: ${result.removed.map(r => ROLE_LABELS[r]).join(', ')}.`
    const pending =
      result.pendingId === undefined
        ? ''
        : ' The privileged roles wait for a second administrator’s approval for 24 hours.'
    const done = `Moved. Their sessions and API tokens have ended.${removed}${pending}`
    return reply.redirect(`${paths.admin.person(person.id)}?done=${encodeURIComponent(done)}`, 303)
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
        ...describeChange(change),
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

/** Security settings: seen and proposed by Authority administrators; each change waits for a second one. */
function registerSecuritySettingsRoutes(app: FastifyInstance, deps: IdentityDeps): void {
  const settings = { permission: PERMISSIONS.manageSecuritySettings }
  const settingsPage = async (request: FastifyRequest, reply: FastifyReply, problems: readonly Problem[] = []) =>
    reply.page('admin-security-settings.njk', {
      settings: presentSecuritySettings(
        await readSecuritySettings(deps.db),
        await securitySettingHistory(deps.db),
        await pendingChanges(deps),
      ),
      notice: (request.query as { done?: string }).done ?? null,
      ...formErrors(problems),
      tooFewAdministrators: await tooFewAdministrators(deps),
    })
  app.get(paths.admin.securitySettings, { config: settings }, async (request, reply) => settingsPage(request, reply))
  app.post(paths.admin.securitySettings, { config: settings }, async (request, reply) => {
    // Changing a security control needs a fresh second factor, and then a second administrator.
    const stale = requireStepUp(deps, request, reply, paths.admin.securitySettings)
    if (stale !== undefined) return stale
    const parsed = parse(SecuritySettingFormSchema, request.body)
    if ('problems' in parsed) return settingsPage(request, reply.status(400), parsed.problems)
    try {
      await proposeSecuritySetting(deps, actorOf(request), parsed.data, requestContext(request))
    } catch (error) {
      if (error instanceof AssureError && error.code === 'VALIDATION_FAILED')
        return settingsPage(request, reply.status(400), error.problems)
      throw error
    }
    const done = `Change to “${SECURITY_SETTING_DEFINITIONS[parsed.data.setting].title}” proposed. Another Authority administrator must approve it within 24 hours.`
    return reply.redirect(`${paths.admin.securitySettings}?done=${encodeURIComponent(done)}`, 303)
  })
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
  app.get<{ Params: { id: string } }>(
    '/admin/privileged-reviews/:id',
    { config: { ...review, auditRead: 'identity.privileged_review.viewed' } },
    async (request, reply) => {
      const row = await deps.db
        .selectFrom('privileged_reviews as r')
        .leftJoin('users as u', 'u.id', 'r.signed_off_by')
        .selectAll('r')
        .select('u.display_name as signed_off_name')
        .where('r.id', '=', request.params.id)
        .executeTakeFirst()
      if (row === undefined) throw new AssureError('NOT_FOUND', 'That review was not found')
      return reply.page('admin-review.njk', { review: row, accounts: JSON.parse(row.accounts) as ReviewedAccount[] })
    },
  )
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
