import { sql } from 'kysely'
import { AssureError } from '../platform/errors.ts'
import type { IdentityDeps } from './deps.ts'

const WINDOW_MINUTES = 15
/** Sign-in attempts one address may make in a window: enough for an office behind one NAT, too few for spraying. */
export const SIGN_IN_ATTEMPTS_PER_WINDOW = 30

/**
 * Counts an attempt against a bucket in a fixed window, atomically in the store (so it holds across instances),
 * and refuses once the window's allowance is spent.
 */
export async function spendAttempt(
  deps: IdentityDeps,
  bucket: string,
  limit: number = SIGN_IN_ATTEMPTS_PER_WINDOW,
): Promise<void> {
  const windowMs = WINDOW_MINUTES * 60_000
  const windowStart = new Date(Math.floor(deps.now().getTime() / windowMs) * windowMs).toISOString()
  const row = await deps.db
    .insertInto('rate_limits')
    .values({ bucket, window_start: windowStart, hits: 1 })
    .onConflict(oc =>
      oc.column('bucket').doUpdateSet({
        hits: sql<number>`case when rate_limits.window_start = ${windowStart} then rate_limits.hits + 1 else 1 end`,
        window_start: windowStart,
      }),
    )
    .returning('hits')
    .executeTakeFirst()
  if ((row?.hits ?? 0) > limit) {
    throw new AssureError(
      'RATE_LIMITED',
      `Too many sign-in attempts from your network. Wait ${WINDOW_MINUTES} minutes and try again`,
    )
  }
}
