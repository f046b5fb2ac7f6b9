import type { FastifyRequest } from 'fastify'
import { AssureError } from '../platform/errors.ts'
import { requestActor } from '../audit/attribution.ts'
import type { UserRecord } from '../identity/store.ts'
import type { SupplierCaller } from './register.ts'

/** The signed-in person (or token owner) behind a request, as the supplier workflows' operations take them. */
export function supplierCaller(request: FastifyRequest): SupplierCaller {
  const user: UserRecord | undefined = request.identity?.user ?? request.apiCaller?.user
  if (user === undefined) throw new AssureError('UNAUTHENTICATED', 'Sign in to continue')
  return { user, actor: requestActor(request), ip: request.ip, requestId: request.id }
}
