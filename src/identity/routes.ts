import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { z } from 'zod'
import type { Config } from '../config.ts'
import { paths } from '../paths.ts'
import { AssureError } from '../platform/errors.ts'
import { problemsFrom } from '../platform/validation.ts'
import { formErrors } from '../platform/http/forms.ts'
import { listParameter } from '../catalogue/catalogue.ts'
import type { IdentityDeps } from './deps.ts'
import {
  beginTotpEnrolment,
  confirmTotpEnrolment,
  registerWebauthn,
  removeFactor,
  renameFactor,
  replaceRecoveryCodes,
  verifyRecoveryCode,
  verifyTotp,
  verifyWebauthn,
  webauthnAuthenticationOptions,
  webauthnRegistrationOptions,
  pendingTotpSecret,
} from './factors.ts'
import {
  RecoveryFormSchema,
  SetupFormSchema,
  SignInFormSchema,
  FactorNameFormSchema,
  InvitationFormSchema,
  TotpEnrolFormSchema,
  TotpFormSchema,
  WebauthnBodySchema,
} from './forms.ts'
import { clearSessionCookie, requestContext, setSessionCookie, type Identity } from './http.ts'
import { PERMISSIONS } from './policy.ts'
import { remainingRecoveryCodes } from './recovery-codes.ts'
import { CLEARANCE_LEVELS, ROLE_LABELS } from './roles.ts'
import { readSecuritySettings, requiresSecurityKey } from './security-settings.ts'
import { completeSetup, setupLinkUsable } from './setup.ts'
import { completeSignIn, needsEnrolment, registerFailure, signInWithPassword } from './sign-in.ts'
import { hashToken, rotateSession, sessionPolicy } from './sessions.ts'
import { requireStepUp, safeNext } from './step-up.ts'
import { spendAttempt } from './rate-limit.ts'
import { acceptInvitation, invitationFor } from './administration.ts'
import { listFactors } from './store.ts'
import { recordAuditEvent } from '../audit/record.ts'

const SIGN_IN_REFUSED = 'Enter a correct email address and password'

function need(request: FastifyRequest): Identity {
  if (request.identity === null) throw new AssureError('UNAUTHENTICATED', 'Sign in to continue')
  return request.identity
}

function parseForm<S extends z.ZodType>(
  schema: S,
  body: unknown,
): { data: z.infer<S> } | { problems: ReturnType<typeof problemsFrom> } {
  const result = schema.safeParse(body)
  return result.success
    ? { data: result.data }
    : { problems: problemsFrom(result.error).filter(p => p.path !== '_csrf') }
}

const FACTOR_KINDS: Record<number, string> = { 1: 'Security key', 2: 'Passkey (synced)', 3: 'Authenticator app' }

/** The second-factor names the guidance ranks (MFA Guide: 1 hardware, 2 software, 3 TOTP in a dedicated app). */
function rankedFactors(deps: IdentityDeps, factors: Awaited<ReturnType<typeof listFactors>>) {
  const ranking = listParameter(deps.catalogue, 'mfa-preference')
  const rankOf = (factor: (typeof factors)[number]) => {
    if (factor.kind === 'totp') return 3
    return factor.backed_up === 1 ? 2 : 1
  }
  return factors
    .map(factor => ({
      id: factor.id,
      name: factor.name,
      rank: rankOf(factor),
      type: ranking[rankOf(factor) - 1] ?? '',
      kind: FACTOR_KINDS[rankOf(factor)] ?? 'Security key',
      createdAt: factor.created_at,
      lastUsedAt: factor.last_used_at,
    }))
    .sort((a, b) => a.rank - b.rank)
}

/** Sign-in, first-run setup, second factors and the person's own account. */
export function registerIdentityRoutes(app: FastifyInstance, config: Config, deps: IdentityDeps): void {
  const signInPage = { permission: PERMISSIONS.signIn }

  // --- first-run setup -------------------------------------------------------------------------------------
  const clearanceItems = (selected?: string) => [
    { value: '', text: 'Select clearance' },
    ...CLEARANCE_LEVELS.filter(level => level !== 'BPSS').map(level => ({
      value: level,
      text: level,
      selected: level === selected,
    })),
  ]
  app.get<{ Params: { token: string } }>('/setup/:token', { config: signInPage }, async (request, reply) => {
    if (!(await setupLinkUsable(deps, request.params.token))) {
      return reply.status(404).page('setup-expired.njk')
    }
    return reply.page('setup.njk', {
      values: {},
      clearanceItems: clearanceItems(),
      action: paths.setup(request.params.token),
    })
  })
  app.post<{ Params: { token: string } }>('/setup/:token', { config: signInPage }, async (request, reply) => {
    const parsed = parseForm(SetupFormSchema, request.body)
    const values: Record<string, string> = {
      ...(request.body as Record<string, string>),
      password: '',
      confirmPassword: '',
    }
    const show = (problems: ReturnType<typeof problemsFrom>) =>
      reply.status(400).page('setup.njk', {
        values,
        clearanceItems: clearanceItems(values.clearance),
        action: paths.setup(request.params.token),
        ...formErrors(problems, { clearanceCheckedOn: 'clearanceCheckedOn-day' }),
      })
    if ('problems' in parsed) return show(parsed.problems)
    try {
      const { sessionToken } = await completeSetup(deps, request.params.token, parsed.data, requestContext(request))
      setSessionCookie(reply, config, sessionToken)
      return reply.redirect(paths.enrol, 303)
    } catch (error) {
      if (error instanceof AssureError && error.code === 'VALIDATION_FAILED') return show([...error.problems])
      if (error instanceof AssureError && error.code === 'NOT_FOUND') return reply.status(404).page('setup-expired.njk')
      throw error
    }
  })

  // --- sign in and out ----------------------------------------------------------------------------------------
  app.get<{ Querystring: { ended?: string } }>(paths.signIn, { config: signInPage }, async (request, reply) =>
    reply.page('sign-in.njk', { values: {}, ended: request.query.ended === 'idle' || request.sessionEnded === 'idle' }),
  )
  app.post(paths.signIn, { config: signInPage }, async (request, reply) => {
    const parsed = parseForm(SignInFormSchema, request.body)
    const email = String((request.body as Record<string, unknown> | undefined)?.email ?? '')
    if ('problems' in parsed)
      return reply.status(400).page('sign-in.njk', { values: { email }, ...formErrors(parsed.problems) })
    // Guidance, Technical Security Controls L2: monitor login attempts; a per-address allowance slows password spraying.
    await spendAttempt(deps, `sign-in:${request.ip}`)
    const outcome = await signInWithPassword(deps, parsed.data, requestContext(request))
    if (outcome.kind === 'refused') {
      // One answer, one status, for an unknown email, a wrong password and a locked account.
      return reply
        .status(200)
        .page('sign-in.njk', { values: { email }, ...formErrors([{ path: 'email', message: SIGN_IN_REFUSED }]) })
    }
    setSessionCookie(reply, config, outcome.sessionToken)
    return reply.redirect(outcome.stage === 'enrol' ? paths.enrol : paths.verify, 303)
  })
  app.post(paths.signOut, { config: signInPage }, async (request, reply) => {
    if (request.identity !== null) {
      await deps.db.deleteFrom('sessions').where('id_hash', '=', request.identity.sessionHash).execute()
      await recordAuditEvent(
        deps.db,
        {
          actor: { type: 'user', id: request.identity.user.id, organisationId: request.identity.user.organisationId },
          action: 'auth.sign_out',
          outcome: 'success',
          ip: request.ip,
          requestId: request.id,
        },
        deps.now(),
      )
    }
    clearSessionCookie(reply, config)
    return reply.page('signed-out.njk')
  })

  // --- the second factor at sign-in ------------------------------------------------------------------------------
  const verifyPage = async (request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}) => {
    const identity = need(request)
    const factors = await listFactors(deps.db, identity.user.id)
    return reply.page('verify.njk', {
      hasKey: factors.some(f => f.kind === 'webauthn'),
      hasApp: factors.some(f => f.kind === 'totp'),
      recoveryLeft: await remainingRecoveryCodes(deps.db, identity.user.id),
      ...extra,
    })
  }
  const finish = async (request: FastifyRequest, reply: FastifyReply, method: string) => {
    const identity = need(request)
    const { sessionToken, endedOthers } = await completeSignIn(
      deps,
      identity.user,
      identity.sessionHash,
      requestContext(request),
      method,
    )
    setSessionCookie(reply, config, sessionToken)
    return { redirect: endedOthers > 0 ? `${paths.account}?ended=${endedOthers}` : paths.account }
  }
  app.get(paths.verify, { config: { permission: PERMISSIONS.verify } }, async (request, reply) =>
    verifyPage(request, reply),
  )
  app.post(paths.verifyTotp, { config: { permission: PERMISSIONS.verify } }, async (request, reply) => {
    const identity = need(request)
    const parsed = parseForm(TotpFormSchema, request.body)
    if ('problems' in parsed) return verifyPage(request, reply.status(400), formErrors(parsed.problems))
    if (!(await verifyTotp(deps, identity.user, parsed.data.code))) {
      await registerFailure(deps, identity.user, 'mfa', requestContext(request))
      return verifyPage(
        request,
        reply.status(200),
        formErrors([
          {
            path: 'code',
            message: 'The code is not correct or has already been used. Enter the code your app shows now',
          },
        ]),
      )
    }
    return reply.redirect((await finish(request, reply, 'totp')).redirect, 303)
  })
  app.get(paths.verifyRecovery, { config: { permission: PERMISSIONS.verify } }, async (_request, reply) =>
    reply.page('verify-recovery.njk'),
  )
  app.post(paths.verifyRecovery, { config: { permission: PERMISSIONS.verify } }, async (request, reply) => {
    const identity = need(request)
    const parsed = parseForm(RecoveryFormSchema, request.body)
    if ('problems' in parsed) return reply.status(400).page('verify-recovery.njk', formErrors(parsed.problems))
    if (!(await verifyRecoveryCode(deps, identity.user, parsed.data.code))) {
      await registerFailure(deps, identity.user, 'mfa', requestContext(request))
      return reply.page(
        'verify-recovery.njk',
        formErrors([{ path: 'code', message: 'The recovery code is not correct or has already been used' }]),
      )
    }
    return reply.redirect((await finish(request, reply, 'recovery-code')).redirect, 303)
  })
  app.post(paths.verifyKeyOptions, { config: { permission: PERMISSIONS.verify } }, async request => {
    const identity = need(request)
    return webauthnAuthenticationOptions(deps, identity.user, identity.sessionHash)
  })
  app.post(paths.verifyKey, { config: { permission: PERMISSIONS.verify } }, async (request, reply) => {
    const identity = need(request)
    const parsed = parseForm(WebauthnBodySchema, request.body)
    if ('problems' in parsed)
      throw new AssureError('VALIDATION_FAILED', 'The security key response is not valid', {
        problems: parsed.problems,
      })
    if (!(await verifyWebauthn(deps, identity.user, identity.sessionHash, parsed.data.response as never))) {
      await registerFailure(deps, identity.user, 'mfa', requestContext(request))
      return reply
        .status(400)
        .send({ error: 'The security key was not recognised. Try again or use another way to sign in.' })
    }
    return finish(request, reply, 'webauthn')
  })

  // --- adding factors --------------------------------------------------------------------------------------------
  const enrolOnly = { permission: PERMISSIONS.enrol }
  app.get(paths.enrol, { config: enrolOnly }, async (request, reply) => {
    const identity = need(request)
    return reply.page('enrol.njk', {
      privileged: requiresSecurityKey(await readSecuritySettings(deps.db), identity.user.roles),
      firstFactor: identity.session.stage === 'enrol',
    })
  })
  app.post(paths.enrolKeyOptions, { config: enrolOnly }, async request => {
    const identity = need(request)
    return webauthnRegistrationOptions(deps, identity.user, identity.sessionHash)
  })
  /** After the first factor, recovery codes are issued and the enrolment session becomes a signed-in one. */
  const afterEnrolment = async (request: FastifyRequest, reply: FastifyReply) => {
    const identity = need(request)
    if (identity.session.stage !== 'enrol' || (await needsEnrolment(deps, identity.user)))
      return { redirect: identity.session.stage === 'enrol' ? paths.enrol : paths.account }
    const codes = await replaceRecoveryCodes(deps, identity.user, requestContext(request))
    const { sessionToken } = await completeSignIn(
      deps,
      identity.user,
      identity.sessionHash,
      requestContext(request),
      'enrolment',
    )
    // Shown once, on the next page, then forgotten.
    await deps.db
      .updateTable('sessions')
      .set({ challenge: JSON.stringify({ recoveryCodes: codes }) })
      .where('id_hash', '=', hashToken(sessionToken))
      .execute()
    setSessionCookie(reply, config, sessionToken)
    return { redirect: paths.recoveryCodes }
  }
  app.post(paths.enrolKey, { config: enrolOnly }, async (request, reply) => {
    const identity = need(request)
    const parsed = parseForm(WebauthnBodySchema, request.body)
    if ('problems' in parsed)
      throw new AssureError('VALIDATION_FAILED', 'The security key response is not valid', {
        problems: parsed.problems,
      })
    await registerWebauthn(
      deps,
      identity.user,
      identity.sessionHash,
      { response: parsed.data.response as never, name: parsed.data.name ?? 'Security key' },
      requestContext(request),
    )
    return afterEnrolment(request, reply)
  })
  app.get(paths.enrolTotp, { config: enrolOnly }, async (request, reply) => {
    const identity = need(request)
    return reply.page('enrol-totp.njk', await beginTotpEnrolment(deps, identity.user, identity.sessionHash))
  })
  app.post(paths.enrolTotp, { config: enrolOnly }, async (request, reply) => {
    const identity = need(request)
    const parsed = parseForm(TotpEnrolFormSchema, request.body)
    const show = async (problems: ReturnType<typeof problemsFrom>) => {
      const secret = (await pendingTotpSecret(deps, identity.user, identity.sessionHash)) ?? ''
      return reply
        .status(400)
        .page('enrol-totp.njk', { secret, uri: '', values: request.body, ...formErrors(problems) })
    }
    if ('problems' in parsed) return show(parsed.problems)
    try {
      await confirmTotpEnrolment(deps, identity.user, identity.sessionHash, parsed.data, requestContext(request))
    } catch (error) {
      if (error instanceof AssureError && error.code === 'VALIDATION_FAILED') return show([...error.problems])
      throw error
    }
    return reply.redirect((await afterEnrolment(request, reply)).redirect, 303)
  })
  app.get(paths.recoveryCodes, { config: { permission: PERMISSIONS.account } }, async (request, reply) => {
    const identity = need(request)
    const held =
      identity.session.challenge === null
        ? {}
        : (JSON.parse(identity.session.challenge) as { recoveryCodes?: string[] })
    await deps.db.updateTable('sessions').set({ challenge: null }).where('id_hash', '=', identity.sessionHash).execute()
    return reply.page('recovery-codes.njk', { codes: held.recoveryCodes ?? [] })
  })

  // --- step-up: a fresh second factor before sensitive actions --------------------------------------------------
  const confirmPage = async (request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}) => {
    const identity = need(request)
    const factors = await listFactors(deps.db, identity.user.id)
    const next = safeNext(
      (request.query as { next?: unknown }).next ?? (request.body as { next?: unknown } | undefined)?.next,
      paths.account,
    )
    return reply.page('confirm.njk', {
      hasKey: factors.some(f => f.kind === 'webauthn'),
      hasApp: factors.some(f => f.kind === 'totp'),
      next,
      ...extra,
    })
  }
  const stepUp = async (request: FastifyRequest, reply: FastifyReply) => {
    const identity = need(request)
    const token = await rotateSession(deps.db, identity.sessionHash, {
      step_up_at: deps.now().toISOString(),
      challenge: null,
    })
    setSessionCookie(reply, config, token)
    await recordAuditEvent(
      deps.db,
      {
        actor: { type: 'user', id: identity.user.id, organisationId: identity.user.organisationId },
        action: 'auth.step_up',
        outcome: 'success',
        ip: request.ip,
        requestId: request.id,
      },
      deps.now(),
    )
  }
  app.get(paths.confirm, { config: { permission: PERMISSIONS.account } }, async (request, reply) =>
    confirmPage(request, reply),
  )
  app.post(paths.confirmTotp, { config: { permission: PERMISSIONS.account } }, async (request, reply) => {
    const identity = need(request)
    const body = (request.body ?? {}) as Record<string, unknown>
    const next = safeNext(body.next, paths.account)
    const { next: _next, ...form } = body
    const parsed = parseForm(TotpFormSchema, form)
    if ('problems' in parsed) return confirmPage(request, reply.status(400), formErrors(parsed.problems))
    if (!(await verifyTotp(deps, identity.user, parsed.data.code))) {
      await registerFailure(deps, identity.user, 'mfa', requestContext(request))
      return confirmPage(
        request,
        reply,
        formErrors([
          {
            path: 'code',
            message: 'The code is not correct or has already been used. Enter the code your app shows now',
          },
        ]),
      )
    }
    await stepUp(request, reply)
    return reply.redirect(next, 303)
  })
  app.post(paths.confirmKeyOptions, { config: { permission: PERMISSIONS.account } }, async request => {
    const identity = need(request)
    return webauthnAuthenticationOptions(deps, identity.user, identity.sessionHash)
  })
  app.post<{ Querystring: { next?: string } }>(
    paths.confirmKey,
    { config: { permission: PERMISSIONS.account } },
    async (request, reply) => {
      const identity = need(request)
      const parsed = parseForm(WebauthnBodySchema, request.body)
      if ('problems' in parsed)
        throw new AssureError('VALIDATION_FAILED', 'The security key response is not valid', {
          problems: parsed.problems,
        })
      if (!(await verifyWebauthn(deps, identity.user, identity.sessionHash, parsed.data.response as never))) {
        await registerFailure(deps, identity.user, 'mfa', requestContext(request))
        return reply.status(400).send({ error: 'The security key was not recognised. Try again.' })
      }
      await stepUp(request, reply)
      return { redirect: safeNext(request.query.next, paths.account) }
    },
  )

  // --- accepting an invitation --------------------------------------------------------------------------------------
  app.get<{ Params: { token: string } }>('/invitation/:token', { config: signInPage }, async (request, reply) => {
    const invited = await invitationFor(deps, request.params.token)
    if (invited === undefined) return reply.status(404).page('invitation-expired.njk')
    return reply.page('invitation.njk', { invited, action: paths.invitation(request.params.token) })
  })
  app.post<{ Params: { token: string } }>('/invitation/:token', { config: signInPage }, async (request, reply) => {
    const invited = await invitationFor(deps, request.params.token)
    if (invited === undefined) return reply.status(404).page('invitation-expired.njk')
    const parsed = parseForm(InvitationFormSchema, request.body)
    const show = (problems: ReturnType<typeof problemsFrom>) =>
      reply
        .status(400)
        .page('invitation.njk', { invited, action: paths.invitation(request.params.token), ...formErrors(problems) })
    if ('problems' in parsed) return show(parsed.problems)
    try {
      setSessionCookie(
        reply,
        config,
        await acceptInvitation(deps, request.params.token, parsed.data.password, requestContext(request)),
      )
    } catch (error) {
      if (error instanceof AssureError && error.code === 'VALIDATION_FAILED') return show([...error.problems])
      throw error
    }
    return reply.redirect(paths.enrol, 303)
  })

  // --- the person's own account ----------------------------------------------------------------------------------
  app.get<{ Querystring: { ended?: string } }>(
    paths.account,
    { config: { permission: PERMISSIONS.account } },
    async (request, reply) => {
      const identity = need(request)
      const sessions = await deps.db
        .selectFrom('sessions')
        .selectAll()
        .where('user_id', '=', identity.user.id)
        .where('stage', '=', 'active')
        .orderBy('created_at', 'desc')
        .execute()
      const policy = sessionPolicy(deps.catalogue, identity.user.roles)
      return reply.page('account.njk', {
        user: identity.user,
        roles: identity.user.roles.map(role => ROLE_LABELS[role]),
        factors: rankedFactors(deps, await listFactors(deps.db, identity.user.id)),
        recoveryLeft: await remainingRecoveryCodes(deps.db, identity.user.id),
        sessions: sessions.map(s => ({
          ...s,
          current: s.id_hash === identity.sessionHash,
          ref: s.id_hash.slice(0, 12),
        })),
        policy,
        endedOthers: Number(request.query.ended ?? 0),
      })
    },
  )
  // Any signed-in request already counts as activity; this one exists so the idle warning can say "stay".
  app.post(paths.keepAlive, { config: { permission: PERMISSIONS.account } }, async (_request, reply) =>
    reply.status(204).send(),
  )
  const factorPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    extra: Record<string, unknown> = {},
  ) => {
    const identity = need(request)
    const factor = rankedFactors(deps, await listFactors(deps.db, identity.user.id)).find(f => f.id === id)
    if (factor === undefined) throw new AssureError('NOT_FOUND', 'That factor was not found')
    return reply.page('factor.njk', { factor, values: { name: factor.name }, ...extra })
  }
  app.get<{ Params: { id: string } }>(
    '/account/factors/:id',
    { config: { permission: PERMISSIONS.account } },
    async (request, reply) => factorPage(request, reply, request.params.id),
  )
  app.post<{ Params: { id: string } }>(
    '/account/factors/:id/rename',
    { config: { permission: PERMISSIONS.account } },
    async (request, reply) => {
      const identity = need(request)
      const parsed = parseForm(FactorNameFormSchema, request.body)
      if ('problems' in parsed)
        return factorPage(request, reply.status(400), request.params.id, formErrors(parsed.problems))
      await renameFactor(deps, identity.user, request.params.id, parsed.data.name)
      return reply.redirect(paths.account, 303)
    },
  )
  app.post<{ Params: { id: string } }>(
    '/account/factors/:id/remove',
    { config: { permission: PERMISSIONS.account } },
    async (request, reply) => {
      const identity = need(request)
      const stale = requireStepUp(deps, request, reply, `/account/factors/${encodeURIComponent(request.params.id)}`)
      if (stale !== undefined) return stale
      try {
        await removeFactor(deps, identity.user, request.params.id, requestContext(request))
      } catch (error) {
        if (error instanceof AssureError && error.code === 'CONFLICT')
          return factorPage(
            request,
            reply.status(409),
            request.params.id,
            formErrors([{ path: 'remove', message: error.message }]),
          )
        throw error
      }
      return reply.redirect(paths.account, 303)
    },
  )
  app.post<{ Params: { id: string } }>(
    '/account/sessions/:id/end',
    { config: { permission: PERMISSIONS.account } },
    async (request, reply) => {
      const identity = need(request)
      const target = await deps.db
        .selectFrom('sessions')
        .select('id_hash')
        .where('user_id', '=', identity.user.id)
        .where('id_hash', 'like', `${request.params.id.replace(/[^A-Za-z0-9_-]/g, '')}%`)
        .executeTakeFirst()
      if (target === undefined || request.params.id.length < 12)
        throw new AssureError('NOT_FOUND', 'That session was not found')
      await deps.db.deleteFrom('sessions').where('id_hash', '=', target.id_hash).execute()
      await recordAuditEvent(
        deps.db,
        {
          actor: { type: 'user', id: identity.user.id, organisationId: identity.user.organisationId },
          action: 'auth.session.ended',
          outcome: 'success',
          reason: 'ended by its owner',
          ip: request.ip,
          requestId: request.id,
        },
        deps.now(),
      )
      if (target.id_hash === identity.sessionHash) {
        clearSessionCookie(reply, config)
        return reply.redirect(paths.signIn, 303)
      }
      return reply.redirect(paths.account, 303)
    },
  )
}
