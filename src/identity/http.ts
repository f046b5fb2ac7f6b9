import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { SessionsTable } from '../platform/db/schema.ts'
import { AssureError } from '../platform/errors.ts'
import type { Config } from '../config.ts'
import { paths } from '../paths.ts'
import { recordAuditEvent } from '../audit/record.ts'
import type { IdentityDeps, RequestContext } from './deps.ts'
import { gatePermission, PERMISSIONS, rolesAllow, type Permission, type RolePermission } from './policy.ts'
import { checkSession, hashToken, sessionPolicy, type SessionEnd } from './sessions.ts'
import { findUserById, type UserRecord } from './store.ts'
import { authenticateToken, type ApiScope } from './api-tokens.ts'

/** The person behind a request, when a session cookie names a live session. */
export interface Identity {
  readonly sessionHash: string
  readonly session: SessionsTable
  readonly user: UserRecord
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The permission a route needs; every route must declare one. */
    permission?: Permission
  }
  interface FastifyRequest {
    identity: Identity | null
    sessionEnded: SessionEnd | null
    apiCaller: { user: UserRecord; scopes: ApiScope[]; tokenId: string } | null
  }
  interface FastifyInstance {
    /** Every route with the permission it declared, for the authorisation matrix test and reviews. */
    routeTable: Array<{ method: string; url: string; permission: Permission }>
  }
}

/** The session cookie's name: `__Host-` over HTTPS, so it is bound to this host and path and sent only securely. */
export const sessionCookieName = (config: Config) => (config.secureCookies ? '__Host-assure-session' : 'assure-session')

/** Sets the session cookie: only a random ID, HttpOnly, SameSite=Lax, Secure over HTTPS; no expiry (the store decides). */
export function setSessionCookie(reply: FastifyReply, config: Config, token: string): void {
  reply.setCookie(sessionCookieName(config), token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: config.secureCookies,
  })
}

/** Clears the session cookie. */
export function clearSessionCookie(reply: FastifyReply, config: Config): void {
  reply.clearCookie(sessionCookieName(config), {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: config.secureCookies,
  })
}

/** Request details for the audit trail and the session list. */
export const requestContext = (request: FastifyRequest): RequestContext => ({
  ip: request.ip,
  userAgent: request.headers['user-agent'],
  requestId: request.id,
})

const wantsJson = (request: FastifyRequest) =>
  request.url.startsWith('/api/') || (request.headers.accept ?? '').startsWith('application/json')

/**
 * Deny by default: every route must name its permission (registration fails otherwise), and every request is
 * checked against it after the session, its idle and absolute timeouts and the person's status.
 */
export function registerAuthentication(app: FastifyInstance, config: Config, deps: IdentityDeps): void {
  app.decorateRequest('identity', null)
  app.decorateRequest('sessionEnded', null)
  app.decorateRequest('apiCaller', null)

  app.decorate('routeTable', [])
  app.addHook('onRoute', route => {
    if (route.url.startsWith(paths.assets)) return
    const permission = route.config?.permission
    if (permission === undefined)
      throw new Error(`Route ${route.method} ${route.url} does not declare the permission it needs`)
    for (const method of ([] as string[]).concat(route.method)) {
      if (method !== 'HEAD') app.routeTable.push({ method, url: route.url, permission })
    }
  })

  app.addHook('preHandler', async (request, reply) => {
    // The API takes bearer tokens only: cookies never authenticate /api/v1, so it cannot be driven by CSRF.
    if (request.url.startsWith('/api/')) {
      const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1]
      if (bearer !== undefined)
        request.apiCaller = (await authenticateToken(deps, bearer, { ip: request.ip, requestId: request.id })) ?? null
      return enforceApi(request, request.routeOptions.config.permission ?? PERMISSIONS.public, bearer !== undefined)
    }
    const token = request.cookies[sessionCookieName(config)]
    if (token !== undefined && token !== '') {
      const sessionHash = hashToken(token)
      let owner: UserRecord | undefined
      const checked = await checkSession(deps.db, {
        hash: sessionHash,
        now: deps.now(),
        policyFor: async userId => {
          owner = await findUserById(deps.db, userId)
          return sessionPolicy(deps.catalogue, owner?.roles ?? [])
        },
      })
      if ('ended' in checked) {
        request.sessionEnded = checked.ended
        clearSessionCookie(reply, config)
        if (checked.ended !== 'missing') {
          await recordAuditEvent(
            deps.db,
            {
              actor: { type: 'system', id: 'session-policy' },
              action: 'auth.session.ended',
              outcome: 'success',
              reason: checked.ended,
              ip: request.ip,
              requestId: request.id,
            },
            deps.now(),
          )
        }
      } else {
        const user = owner
        if (user === undefined || user.status !== 'active') {
          await deps.db.deleteFrom('sessions').where('id_hash', '=', sessionHash).execute()
          clearSessionCookie(reply, config)
        } else {
          request.identity = { sessionHash, session: checked.session, user }
        }
      }
    }
    return enforce(request, reply, request.routeOptions.config.permission ?? PERMISSIONS.public, deps)
  })
}

function enforceApi(request: FastifyRequest, permission: Permission, presentedToken: boolean): undefined {
  if (permission === PERMISSIONS.public) return undefined
  const caller = request.apiCaller
  if (caller === null)
    throw new AssureError(
      'UNAUTHENTICATED',
      presentedToken
        ? 'The API token is not valid, has expired or was revoked'
        : 'Send a personal API token as Authorization: Bearer <token>',
    )
  const scope = permission.replace(/^api:/, '') as ApiScope
  if (!caller.scopes.includes(scope)) throw new AssureError('FORBIDDEN', `This token lacks the ${scope} scope`)
  if (permission === PERMISSIONS.apiPeopleRead && !rolesAllow(caller.user.roles, 'manage-users'))
    throw new AssureError('FORBIDDEN', 'You do not manage people')
  return undefined
}

async function enforce(
  request: FastifyRequest,
  reply: FastifyReply,
  permission: Permission,
  deps: IdentityDeps,
): Promise<FastifyReply | undefined> {
  if (permission === PERMISSIONS.public || permission === PERMISSIONS.signIn) return undefined
  const { identity } = request
  const stage = identity?.session.stage
  const refuse = (to: string) => {
    if (wantsJson(request)) throw new AssureError('UNAUTHENTICATED', 'Sign in to continue')
    return reply.redirect(to)
  }
  if (identity === null || stage === undefined) {
    return refuse(request.sessionEnded === 'idle' ? `${paths.signIn}?ended=idle` : paths.signIn)
  }
  if (permission === PERMISSIONS.verify)
    return stage === 'mfa' ? undefined : refuse(stage === 'enrol' ? paths.enrol : paths.account)
  if (permission === PERMISSIONS.enrol)
    return stage === 'enrol' || stage === 'active' ? undefined : refuse(paths.verify)
  if (stage === 'mfa') return refuse(paths.verify)
  if (stage === 'enrol') return refuse(paths.enrol)
  if (permission === PERMISSIONS.account) return undefined
  // API permissions on a page route would be a programming error: refuse rather than guess.
  if (!permission.startsWith('api:') && rolesAllow(identity.user.roles, gatePermission(permission as RolePermission)))
    return undefined
  await recordAuditEvent(
    deps.db,
    {
      actor: { type: 'user', id: identity.user.id, organisationId: identity.user.organisationId },
      action: 'access.denied',
      outcome: 'denied',
      reason: `needs ${permission}`,
      ip: request.ip,
      requestId: request.id,
      details: { route: request.routeOptions.url },
    },
    deps.now(),
  )
  throw new AssureError('FORBIDDEN', 'You do not have permission to do that')
}
