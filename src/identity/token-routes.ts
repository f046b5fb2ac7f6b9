import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { paths } from '../paths.ts'
import { AssureError } from '../platform/errors.ts'
import { problemsFrom } from '../platform/validation.ts'
import { formErrors } from '../platform/http/forms.ts'
import { API_SCOPES, createApiToken, listApiTokens, revokeApiToken, TOKEN_MAX_DAYS } from './api-tokens.ts'
import type { IdentityDeps } from './deps.ts'
import { ApiTokenFormSchema } from './forms.ts'
import { requestContext } from './http.ts'
import { PERMISSIONS } from './policy.ts'
import { ROLE_LABELS } from './roles.ts'
import { requireStepUp } from './step-up.ts'
import { listUsers, type UserRecord } from './store.ts'

const SCOPE_LABELS: Record<(typeof API_SCOPES)[number], string> = {
  'account:read': 'Read your own account (account:read)',
  'people:read': 'Read the people you manage (people:read)',
  'suppliers:read': 'Read the supplier register (suppliers:read)',
  'baseline:read': 'Read AWS baseline results (baseline:read)',
}

function userOf(request: FastifyRequest): UserRecord {
  const user = request.identity?.user ?? request.apiCaller?.user
  if (user === undefined) throw new AssureError('UNAUTHENTICATED', 'Sign in to continue')
  return user
}

/** Personal API tokens (pages) and the token-authenticated API endpoints. */
export function registerTokenRoutes(app: FastifyInstance, deps: IdentityDeps): void {
  const account = { permission: PERMISSIONS.account }
  const page = async (request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}) =>
    reply.page('api-tokens.njk', {
      tokens: await listApiTokens(deps, userOf(request).id),
      scopeItems: API_SCOPES.map(scope => ({ value: scope, text: SCOPE_LABELS[scope] })),
      maxDays: TOKEN_MAX_DAYS,
      values: { days: '30' },
      now: deps.now().toISOString(),
      ...extra,
    })
  app.get(paths.apiTokens, { config: account }, async (request, reply) => page(request, reply))
  app.post(paths.apiTokens, { config: account }, async (request, reply) => {
    const stale = requireStepUp(deps, request, reply, paths.apiTokens)
    if (stale !== undefined) return stale
    const body = (request.body ?? {}) as Record<string, unknown>
    const parsed = ApiTokenFormSchema.safeParse(body)
    if (!parsed.success)
      return page(request, reply.status(400), {
        values: body,
        ...formErrors(
          problemsFrom(parsed.error).filter(p => p.path !== '_csrf'),
          { scopes: 'scopes' },
        ),
      })
    const created = await createApiToken(deps, userOf(request), parsed.data, requestContext(request))
    return page(request, reply, { created })
  })
  app.post<{ Params: { id: string } }>(
    '/account/api-tokens/:id/revoke',
    { config: account },
    async (request, reply) => {
      const stale = requireStepUp(deps, request, reply, paths.apiTokens)
      if (stale !== undefined) return stale
      await revokeApiToken(deps, userOf(request), request.params.id, requestContext(request))
      return reply.redirect(paths.apiTokens, 303)
    },
  )

  app.get(paths.api.me, { config: { permission: PERMISSIONS.apiAccountRead } }, async request => {
    const user = userOf(request)
    return {
      id: user.id,
      email: user.email,
      displayName: user.displayName,
      organisation: user.organisationName,
      roles: user.roles,
      status: user.status,
    }
  })
  app.get(
    paths.api.people,
    { config: { permission: PERMISSIONS.apiPeopleRead, auditRead: 'identity.people.listed' } },
    async request => {
      const user = userOf(request)
      const people = await listUsers(deps.db, user.roles.includes('authority-admin') ? undefined : user.organisationId)
      return {
        people: people.map(p => ({
          id: p.id,
          email: p.email,
          displayName: p.displayName,
          organisation: p.organisationName,
          roles: p.roles.map(r => ({ id: r, label: ROLE_LABELS[r] })),
          status: p.status,
          lastSignInAt: p.lastSignInAt,
        })),
      }
    },
  )
}
