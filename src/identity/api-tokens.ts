import { randomBytes, randomUUID } from 'node:crypto'
import { AssureError } from '../platform/errors.ts'
import { addDuration } from '../platform/duration.ts'
import { recordAuditEvent } from '../audit/record.ts'
import type { IdentityDeps, RequestContext } from './deps.ts'
import { hashToken } from './sessions.ts'
import { findUserById, type UserRecord } from './store.ts'

/** What a token may do, per area. */
export const API_SCOPES = ['account:read', 'people:read', 'suppliers:read', 'baseline:read'] as const
export type ApiScope = (typeof API_SCOPES)[number]
export const TOKEN_MAX_DAYS = 90
const PREFIX = 'assure_'

/** Creates a personal API token, returned once in full; only its hash is kept. */
export async function createApiToken(
  deps: IdentityDeps,
  user: UserRecord,
  props: { name: string; scopes: readonly ApiScope[]; days: number },
  context: RequestContext,
): Promise<{ id: string; token: string; expiresAt: string }> {
  if (props.days < 1 || props.days > TOKEN_MAX_DAYS)
    throw new AssureError('VALIDATION_FAILED', 'Expiry not allowed', {
      problems: [{ path: 'days', message: `Tokens expire within 1 to ${TOKEN_MAX_DAYS} days` }],
    })
  const token = `${PREFIX}${randomBytes(32).toString('base64url')}`
  const id = randomUUID()
  const now = deps.now()
  const expiresAt = addDuration(now, `P${props.days}D`).toISOString()
  await deps.db
    .insertInto('api_tokens')
    .values({
      id,
      user_id: user.id,
      name: props.name,
      token_hash: hashToken(token),
      scopes: props.scopes.join(' '),
      created_at: now.toISOString(),
      expires_at: expiresAt,
      last_used_at: null,
      revoked_at: null,
    })
    .execute()
  await recordAuditEvent(
    deps.db,
    {
      actor: { type: 'user', id: user.id, organisationId: user.organisationId },
      action: 'api.token.created',
      outcome: 'success',
      target: { type: 'api_token', id },
      ip: context.ip,
      requestId: context.requestId,
      details: { scopes: props.scopes, expiresAt },
    },
    now,
  )
  return { id, token, expiresAt }
}

/** A person's tokens, newest first (never the secret). */
export async function listApiTokens(deps: IdentityDeps, userId: string) {
  return deps.db
    .selectFrom('api_tokens')
    .select(['id', 'name', 'scopes', 'created_at', 'expires_at', 'last_used_at', 'revoked_at'])
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .execute()
}

/** Revokes one of the person's own tokens. */
export async function revokeApiToken(
  deps: IdentityDeps,
  user: UserRecord,
  tokenId: string,
  context: RequestContext,
): Promise<void> {
  const now = deps.now()
  const result = await deps.db
    .updateTable('api_tokens')
    .set({ revoked_at: now.toISOString() })
    .where('id', '=', tokenId)
    .where('user_id', '=', user.id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst()
  if (Number(result.numUpdatedRows) !== 1) throw new AssureError('NOT_FOUND', 'That token was not found')
  await recordAuditEvent(
    deps.db,
    {
      actor: { type: 'user', id: user.id, organisationId: user.organisationId },
      action: 'api.token.revoked',
      outcome: 'success',
      target: { type: 'api_token', id: tokenId },
      ip: context.ip,
      requestId: context.requestId,
    },
    now,
  )
}

/** The person and scopes behind a bearer token, when it is live and its owner active; every use is recorded. */
export async function authenticateToken(
  deps: IdentityDeps,
  token: string,
  context: RequestContext,
): Promise<{ user: UserRecord; scopes: ApiScope[]; tokenId: string } | undefined> {
  if (!token.startsWith(PREFIX) || token.length > 100) return undefined
  const now = deps.now()
  const row = await deps.db
    .selectFrom('api_tokens')
    .selectAll()
    .where('token_hash', '=', hashToken(token))
    .executeTakeFirst()
  if (row === undefined || row.revoked_at !== null || row.expires_at <= now.toISOString()) return undefined
  const user = await findUserById(deps.db, row.user_id)
  if (user === undefined || user.status !== 'active') return undefined
  await deps.db.updateTable('api_tokens').set({ last_used_at: now.toISOString() }).where('id', '=', row.id).execute()
  await recordAuditEvent(
    deps.db,
    {
      actor: { type: 'token', id: row.id, userId: user.id, organisationId: user.organisationId },
      action: 'api.token.used',
      outcome: 'success',
      target: { type: 'api_token', id: row.id },
      ip: context.ip,
      requestId: context.requestId,
    },
    now,
  )
  return { user, scopes: row.scopes.split(' ').filter(Boolean) as ApiScope[], tokenId: row.id }
}
