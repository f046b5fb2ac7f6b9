import { randomUUID } from 'node:crypto'
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import cookie from '@fastify/cookie'
import csrf from '@fastify/csrf-protection'
import formbody from '@fastify/formbody'
import helmet from '@fastify/helmet'
import staticFiles from '@fastify/static'
import type { Config } from '../../config.ts'
import type { Services } from '../../services.ts'
import { paths } from '../../paths.ts'
import { presentError, problemDocument } from './problems.ts'
import { notFound } from '../errors.ts'
import { createViewEnvironment, frontendDirs } from './views.ts'
import { registerHealthRoutes } from './health.ts'
import { registerAttribution } from '../../audit/attribution.ts'
import { registerCatalogueRoutes } from '../../catalogue/routes.ts'
import { registerCatalogueApi } from '../../catalogue/api.ts'
import { registerOpenApi } from './openapi.ts'
import { registerAuthentication } from '../../identity/http.ts'
import { registerIdentityRoutes } from '../../identity/routes.ts'
import { registerAdminRoutes, registerReviewRoutes } from '../../identity/admin-routes.ts'
import { registerTokenRoutes } from '../../identity/token-routes.ts'
import { registerAuditRoutes } from '../../audit/routes.ts'
import { registerSupplierRoutes } from '../../suppliers/routes.ts'
import { registerLetterRoutes } from '../../letters/routes.ts'
import { registerAssessmentRoutes } from '../../assessments/routes.ts'
import { registerAssessmentPdfRoutes } from '../../assessments/pdf-routes.ts'
import { registerEvidenceRoutes } from '../../evidence/routes.ts'
import { checkUploadCsrf } from '../../evidence/upload.ts'
import { registerIncidentRoutes } from '../../incidents/routes.ts'
import { registerDestructionRoutes } from '../../destruction/routes.ts'
import { registerObligationRoutes } from '../../obligations/routes.ts'
import { registerPersonnelRoutes } from '../../personnel/routes.ts'
import { registerDashboardRoutes } from '../../dashboard/routes.ts'
import { registerNotificationRoutes } from '../../notifications/routes.ts'
import { registerBaselineRoutes } from '../../baseline/routes.ts'
import { PERMISSIONS } from '../../identity/policy.ts'
import { sessionPolicy } from '../../identity/sessions.ts'
import { durationSeconds } from '../duration.ts'
import { summariseCatalogue } from '../../catalogue/operations.ts'

declare module 'fastify' {
  interface FastifyReply {
    /** Renders a page with the layout's per-request values (CSP nonce, CSRF token, request ID). */
    page(template: string, context?: Record<string, unknown>): FastifyReply
  }
}

/** Everything the app needs from its caller. */
export interface AppDeps {
  readonly config: Config
  readonly services: Services
  /** Pino options, or false for silence (tests). */
  readonly logger?: boolean | { level: string }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])
const STATIC_FILES = /\.(css|js|mjs|woff2?|svg|png|ico|json)$/

/** True for requests whose errors are answered as problem JSON rather than a page. */
function wantsProblemJson(request: FastifyRequest): boolean {
  if (request.url.startsWith('/api/') || request.url === paths.healthz || request.url === paths.readyz) return true
  const accept = request.headers.accept ?? ''
  return accept.includes('json') && !accept.includes('text/html')
}

/** Builds the Fastify app used by `main.ts`, the CLI's `serve` and the tests. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config, services } = deps
  const app = Fastify({
    logger: deps.logger ?? { level: config.logLevel },
    genReqId: () => randomUUID(),
    // Never take a request ID from the client: the one on our logs and error pages must be ours.
    requestIdHeader: false,
    bodyLimit: config.maxBodyBytes,
    trustProxy: config.trustProxy,
    routerOptions: { ignoreTrailingSlash: true },
  })

  await app.register(helmet, {
    enableCSPNonces: true,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", "'strict-dynamic'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        ...(config.secureCookies ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    hsts: config.secureCookies ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    referrerPolicy: { policy: 'no-referrer' },
    frameguard: { action: 'deny' },
    crossOriginEmbedderPolicy: false,
  })
  await app.register(cookie)
  await app.register(csrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: config.secureCookies ? '__Host-assure-csrf' : 'assure-csrf',
    cookieOpts: { path: '/', sameSite: 'lax', httpOnly: true, secure: config.secureCookies, signed: false },
  })
  await app.register(formbody, { bodyLimit: config.maxBodyBytes })

  const views = createViewEnvironment({ strictUndefined: config.environment !== 'production' })
  app.decorateReply('page', function page(this: FastifyReply, template: string, context: Record<string, unknown> = {}) {
    let token: string | undefined
    const html = views.render(template, {
      ...context,
      cspNonce: this.cspNonce.script,
      requestId: this.request.id,
      signedIn: this.request.identity?.session.stage === 'active',
      navRoles: this.request.identity?.session.stage === 'active' ? this.request.identity.user.roles : [],
      unreadNotifications: this.request.unreadNotifications ?? 0,
      idleSeconds:
        this.request.identity?.session.stage === 'active'
          ? durationSeconds(sessionPolicy(services.catalogue, this.request.identity.user.roles).idleTimeout)
          : null,
      currentPath: this.request.url.split('?')[0],
      // Generated on demand, so only pages with forms set the CSRF cookie, and once per page: each call would
      // otherwise mint a new secret on a first visit, and the forms would carry tokens for different secrets.
      csrfToken: () => {
        token ??= this.generateCsrf()
        return token
      },
    })
    return this.type('text/html; charset=utf-8').send(html)
  })

  // CSRF protection for every state-changing request from a browser form, checked once the body (with its
  // token) is parsed; oversized bodies are refused before that. The JSON API takes bearer tokens,
  // never cookies, so it is not exposed to CSRF.
  app.addHook('preValidation', (request, reply, done) => {
    // Upload routes carry the token inside their multipart body: checkUploadCsrf checks it once that is read.
    if (
      SAFE_METHODS.has(request.method) ||
      request.url.startsWith('/api/') ||
      request.routeOptions.config.csrfAfterUpload === true
    ) {
      done()
      return
    }
    app.csrfProtection(request, reply, done)
  })
  app.addHook('onRoute', route => {
    if (route.config?.csrfAfterUpload === true && !([] as unknown[]).concat(route.preHandler).includes(checkUploadCsrf))
      throw new Error(`Route ${route.method} ${route.url} defers its CSRF check without checkUploadCsrf`)
  })
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id)
  })

  await app.register(staticFiles, {
    root: [
      `${frontendDirs.govuk}/govuk/assets`,
      `${frontendDirs.govuk}/govuk`,
      `${frontendDirs.moj}/moj`,
      frontendDirs.public,
      frontendDirs.webauthn,
    ],
    prefix: paths.assets,
    allowedPath: pathName => STATIC_FILES.test(pathName),
    index: false,
    maxAge: config.environment === 'production' ? '1d' : 0,
  })

  app.setErrorHandler((error, request, reply) => {
    const presented = presentError(error)
    if (presented.status >= 500) request.log.error({ err: error }, 'request failed')
    reply.status(presented.status)
    if (wantsProblemJson(request)) {
      return reply
        .type('application/problem+json')
        .send(problemDocument(presented, request.url.split('?')[0] ?? '/', request.id))
    }
    return reply.page('error.njk', { error: presented })
  })
  app.setNotFoundHandler((request, reply) => {
    const presented = presentError(notFound(request.url.startsWith('/api/') ? 'The resource' : 'The page'))
    reply.status(404)
    if (wantsProblemJson(request)) {
      return reply
        .type('application/problem+json')
        .send(problemDocument(presented, request.url.split('?')[0] ?? '/', request.id))
    }
    return reply.page('error.njk', { error: presented })
  })

  registerAuthentication(app, config, services.identityDeps)
  registerAttribution(app, services.ledgerDeps)
  registerIdentityRoutes(app, config, services.identityDeps)
  registerAdminRoutes(app, services.identityDeps)
  registerReviewRoutes(app, services.identityDeps)
  registerTokenRoutes(app, services.identityDeps)
  registerAuditRoutes(app, services)
  registerSupplierRoutes(app, { db: services.store.db, now: services.now })
  registerLetterRoutes(app, {
    db: services.store.db,
    now: services.now,
    catalogue: services.catalogue,
    mailer: services.mailer,
    identity: services.identityDeps,
  })
  registerAssessmentRoutes(app, { db: services.store.db, now: services.now, catalogue: services.catalogue })
  registerAssessmentPdfRoutes(app, { db: services.store.db, now: services.now, catalogue: services.catalogue })
  registerEvidenceRoutes(app, {
    db: services.store.db,
    now: services.now,
    catalogue: services.catalogue,
    masterKey: services.masterKey,
    maxBytes: config.evidence.maxBytes,
  })
  registerIncidentRoutes(app, {
    db: services.store.db,
    now: services.now,
    mailer: services.mailer,
    publicUrl: services.config.publicUrl,
  })
  registerPersonnelRoutes(app, {
    db: services.store.db,
    now: services.now,
    catalogue: services.catalogue,
    masterKey: services.masterKey,
  })
  registerObligationRoutes(app, { db: services.store.db, now: services.now, catalogue: services.catalogue })
  registerDestructionRoutes(app, {
    db: services.store.db,
    now: services.now,
    catalogue: services.catalogue,
    mailer: services.mailer,
    publicUrl: services.config.publicUrl,
    identity: services.identityDeps,
  })
  registerDashboardRoutes(app, { db: services.store.db, now: services.now, catalogue: services.catalogue })
  registerNotificationRoutes(app, { db: services.store.db, now: services.now })
  registerBaselineRoutes(app, { db: services.store.db, now: services.now, catalogue: services.catalogue })
  registerHealthRoutes(app, services)
  registerCatalogueRoutes(app, services)
  registerCatalogueApi(app, services)
  registerOpenApi(app)
  app.get(paths.home, { config: { permission: PERMISSIONS.public } }, async (_request, reply) =>
    reply.page('home.njk', await summariseCatalogue(services.catalogueDeps, 'latest')),
  )
  return app
}
