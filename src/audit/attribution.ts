import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Kysely } from 'kysely'
import type { Database } from '../platform/db/schema.ts'
import { recordAuditEvent, type Actor } from './record.ts'

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

declare module 'fastify' {
  interface FastifyContextConfig {
    /** For a read of sensitive records (people, clearances, reviews): the ledger action each read records. */
    auditRead?: string
  }
}

/** The authenticated actor behind a request: a person's session, a person's API token, or nobody yet. */
export function requestActor(request: FastifyRequest): Actor {
  const caller = request.apiCaller
  if (caller !== null) {
    return { type: 'token', id: caller.tokenId, userId: caller.user.id, organisationId: caller.user.organisationId }
  }
  const { identity } = request
  if (identity !== null) {
    return {
      type: 'user',
      id: identity.user.id,
      organisationId: identity.user.organisationId,
      sessionRef: identity.sessionHash.slice(0, 12),
    }
  }
  return { type: 'anonymous' }
}

/**
 * Makes every state-changing request, and every read of a route marked `auditRead`, leave exactly one trace in the
 * ledger. Operations record their own events (in
 * the transaction of the change) with the request ID; a request that ends without one — refused by validation, CSRF,
 * a missing permission, or a step that changes nothing worth naming — gets a single entry here, attributed to the
 * caller, so no attempt goes unrecorded. Guidance, Accounting: "Successful and unsuccessful attempts to access
 * systems ... must be recorded in logs."
 */
export function registerAttribution(app: FastifyInstance, deps: { db: Kysely<Database>; now: () => Date }): void {
  app.addHook('onSend', async (request, reply, payload) => {
    const route = request.routeOptions.url
    const sensitiveRead = request.method === 'GET' ? request.routeOptions.config.auditRead : undefined
    if (route === undefined || (!STATE_CHANGING.has(request.method) && sensitiveRead === undefined)) return payload
    const recorded = await deps.db
      .selectFrom('audit_entries')
      .select('sequence')
      .where('request_id', '=', request.id)
      .limit(1)
      .executeTakeFirst()
    if (recorded !== undefined) return payload
    const refused = reply.statusCode >= 400
    const fallback = refused ? 'http.request.refused' : 'http.request.completed'
    let outcome: 'success' | 'failure' | 'denied' = 'success'
    if (refused) outcome = reply.statusCode === 403 ? 'denied' : 'failure'
    const params = request.params as Record<string, string> | undefined
    await recordAuditEvent(
      deps.db,
      {
        actor: requestActor(request),
        action: sensitiveRead ?? fallback,
        outcome,
        ip: request.ip,
        requestId: request.id,
        details: { method: request.method, route, status: reply.statusCode, ...(params ?? {}) },
      },
      deps.now(),
    )
    return payload
  })
}
