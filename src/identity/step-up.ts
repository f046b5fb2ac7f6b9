import type { FastifyReply, FastifyRequest } from 'fastify'
import { addDuration } from '../platform/duration.ts'
import { paths } from '../paths.ts'
import type { IdentityDeps } from './deps.ts'

/** How recent a second-factor check must be before a sensitive action (granting roles, approvals, tokens...). */
export const STEP_UP_WINDOW = 'PT5M'

/** True when the session proved a second factor within the step-up window. */
export function stepUpFresh(deps: IdentityDeps, stepUpAt: string | null): boolean {
  return stepUpAt !== null && addDuration(new Date(stepUpAt), STEP_UP_WINDOW) > deps.now()
}

/** Only same-site paths may be returned to after step-up (no open redirects). */
export function safeNext(next: unknown, fallback: string): string {
  return typeof next === 'string' && next.startsWith('/') && !next.startsWith('//') && !next.includes('\\')
    ? next
    : fallback
}

/**
 * Sends the person to confirm it is them when their last second-factor check is older than the window; the page
 * then returns them to `returnTo`. Returns the reply when it redirected, undefined when they may go on.
 */
export function requireStepUp(
  deps: IdentityDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  returnTo: string,
): FastifyReply | undefined {
  if (stepUpFresh(deps, request.identity?.session.step_up_at ?? null)) return undefined
  return reply.redirect(`${paths.confirm}?next=${encodeURIComponent(safeNext(returnTo, paths.account))}`, 303)
}
