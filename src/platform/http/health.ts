import type { FastifyInstance } from 'fastify'
import type { Services } from '../../services.ts'
import { paths } from '../../paths.ts'
import { pendingMigrations } from '../db/database.ts'
import { PERMISSIONS } from '../../identity/policy.ts'
import { lastVerification } from '../../audit/ledger.ts'

/** `/healthz` says the process is up; `/readyz` says the store answers, migrations are current and how far the clocks differ. */
export function registerHealthRoutes(app: FastifyInstance, services: Services): void {
  app.get(paths.healthz, { config: { permission: PERMISSIONS.public } }, async () => ({ status: 'ok' }))

  app.get(paths.readyz, { config: { permission: PERMISSIONS.public } }, async (request, reply) => {
    const checks: Record<string, unknown> = {}
    let ready = true
    try {
      const before = Date.now()
      const databaseTime = await services.store.databaseTime()
      const after = Date.now()
      const appTime = (before + after) / 2
      checks.store = { status: 'ok', engine: services.store.engine, roundTripMs: after - before }
      checks.clock = {
        appTime: new Date(appTime).toISOString(),
        databaseTime: databaseTime.toISOString(),
        skewMs: Math.round(databaseTime.getTime() - appTime),
      }
      const pending = await pendingMigrations(services.store)
      checks.migrations = pending.length === 0 ? { status: 'ok' } : { status: 'pending', pending }
      if (pending.length > 0) ready = false
      // Reported, not gating: a failed verification is a security event to act on, not a reason to stop serving.
      // /readyz is public, so it says when and whether, never what failed (the audit pages say that).
      const verification = pending.length === 0 ? await lastVerification(services.store.db) : undefined
      checks.ledger =
        verification === undefined
          ? { status: 'not-verified-yet' }
          : {
              status: verification.ok === 1 ? 'verified' : 'verification-failed',
              lastVerifiedAt: verification.at,
              entries: Number(verification.entries),
            }
    } catch (error) {
      request.log.error({ err: error }, 'readiness check failed')
      checks.store = { status: 'unreachable', engine: services.store.engine }
      ready = false
    }
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not-ready', checks })
  })
}
