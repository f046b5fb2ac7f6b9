import { randomUUID } from 'node:crypto'
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type AuthenticatorTransport,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server'
import { AssureError } from '../platform/errors.ts'
import { recordAuditEvent } from '../audit/record.ts'
import { sealerFor } from '../platform/crypto/sealing.ts'
import type { IdentityDeps, RequestContext } from './deps.ts'
import { issueRecoveryCodes, spendRecoveryCode } from './recovery-codes.ts'
import { readSecuritySettings, requiresSecurityKey } from './security-settings.ts'
import { listFactors, type UserRecord } from './store.ts'
import { matchTotp, newTotpSecret, totpUri } from './totp.ts'

const relyingParty = (deps: IdentityDeps) => {
  const url = new URL(deps.publicUrl)
  return { rpID: url.hostname, origin: url.origin }
}

async function saveChallenge(deps: IdentityDeps, sessionHash: string, challenge: unknown): Promise<void> {
  await deps.db
    .updateTable('sessions')
    .set({ challenge: JSON.stringify(challenge) })
    .where('id_hash', '=', sessionHash)
    .execute()
}

async function takeChallenge(deps: IdentityDeps, sessionHash: string): Promise<Record<string, string> | undefined> {
  const row = await deps.db
    .selectFrom('sessions')
    .select('challenge')
    .where('id_hash', '=', sessionHash)
    .executeTakeFirst()
  // A challenge is good for one attempt: it is cleared whatever the outcome.
  await deps.db.updateTable('sessions').set({ challenge: null }).where('id_hash', '=', sessionHash).execute()
  return row?.challenge === null || row?.challenge === undefined
    ? undefined
    : (JSON.parse(row.challenge) as Record<string, string>)
}

const transportsOf = (value: string | null) =>
  value === null || value === '' ? [] : (value.split(' ') as AuthenticatorTransport[])

/** Options for the browser to create a security key or passkey credential (user verification required). */
export async function webauthnRegistrationOptions(deps: IdentityDeps, user: UserRecord, sessionHash: string) {
  const existing = (await listFactors(deps.db, user.id)).filter(factor => factor.kind === 'webauthn')
  const options = await generateRegistrationOptions({
    rpName: 'Assure',
    rpID: relyingParty(deps).rpID,
    userName: user.email,
    userDisplayName: user.displayName,
    userID: new TextEncoder().encode(user.id),
    attestationType: 'none',
    excludeCredentials: existing.map(factor => ({
      id: factor.credential_id ?? '',
      transports: transportsOf(factor.transports),
    })),
    authenticatorSelection: { residentKey: 'preferred', userVerification: 'required' },
  })
  await saveChallenge(deps, sessionHash, { webauthnRegistration: options.challenge })
  return options
}

/** Verifies a new security key or passkey and stores it as a factor. */
export async function registerWebauthn(
  deps: IdentityDeps,
  user: UserRecord,
  sessionHash: string,
  props: { response: RegistrationResponseJSON; name: string },
  context: RequestContext,
): Promise<string> {
  const challenge = (await takeChallenge(deps, sessionHash))?.webauthnRegistration
  if (challenge === undefined)
    throw new AssureError('VALIDATION_FAILED', 'Start adding the security key again', {
      problems: [{ path: 'response', message: 'The security key request has expired' }],
    })
  const { rpID, origin } = relyingParty(deps)
  let verification
  try {
    verification = await verifyRegistrationResponse({
      response: props.response,
      expectedChallenge: challenge,
      expectedOrigin: origin,
      expectedRPID: rpID,
      requireUserVerification: true,
    })
  } catch {
    verification = undefined
  }
  if (verification?.verified !== true || verification.registrationInfo === undefined) {
    throw new AssureError('VALIDATION_FAILED', 'The security key could not be added', {
      problems: [{ path: 'response', message: 'The security key did not verify. Try again' }],
    })
  }
  const { credential, credentialBackedUp } = verification.registrationInfo
  const id = randomUUID()
  const now = deps.now()
  await deps.db
    .insertInto('mfa_factors')
    .values({
      id,
      user_id: user.id,
      kind: 'webauthn',
      name: props.name,
      credential_id: credential.id,
      public_key: Buffer.from(credential.publicKey).toString('base64url'),
      counter: credential.counter,
      transports: (credential.transports ?? []).join(' '),
      backed_up: credentialBackedUp ? 1 : 0,
      secret: null,
      last_step: 0,
      created_at: now.toISOString(),
      last_used_at: null,
    })
    .execute()
  await recordAuditEvent(
    deps.db,
    {
      actor: { type: 'user', id: user.id, organisationId: user.organisationId },
      action: 'auth.mfa.added',
      outcome: 'success',
      target: { type: 'mfa_factor', id },
      ip: context.ip,
      requestId: context.requestId,
      details: { kind: credentialBackedUp ? 'passkey' : 'security-key' },
    },
    now,
  )
  return id
}

/** Options for the browser to prove a registered security key or passkey. */
export async function webauthnAuthenticationOptions(deps: IdentityDeps, user: UserRecord, sessionHash: string) {
  const keys = (await listFactors(deps.db, user.id)).filter(factor => factor.kind === 'webauthn')
  if (keys.length === 0)
    throw new AssureError('VALIDATION_FAILED', 'You have no security key', {
      problems: [{ path: 'method', message: 'Use another way to sign in' }],
    })
  const options = await generateAuthenticationOptions({
    rpID: relyingParty(deps).rpID,
    allowCredentials: keys.map(factor => ({
      id: factor.credential_id ?? '',
      transports: transportsOf(factor.transports),
    })),
    userVerification: 'required',
  })
  await saveChallenge(deps, sessionHash, { webauthnAuthentication: options.challenge })
  return options
}

/** Checks a security key assertion; true when it proves one of the person's keys (its counter then moves on). */
export async function verifyWebauthn(
  deps: IdentityDeps,
  user: UserRecord,
  sessionHash: string,
  response: AuthenticationResponseJSON,
): Promise<boolean> {
  const challenge = (await takeChallenge(deps, sessionHash))?.webauthnAuthentication
  const factor = (await listFactors(deps.db, user.id)).find(
    f => f.kind === 'webauthn' && f.credential_id === response.id,
  )
  if (challenge === undefined || factor === undefined || factor.public_key === null) return false
  const { rpID, origin } = relyingParty(deps)
  try {
    const result = await verifyAuthenticationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: origin,
      expectedRPID: rpID,
      credential: {
        id: factor.credential_id ?? '',
        publicKey: Buffer.from(factor.public_key, 'base64url'),
        counter: factor.counter,
        transports: transportsOf(factor.transports),
      },
      requireUserVerification: true,
    })
    if (!result.verified) return false
    await deps.db
      .updateTable('mfa_factors')
      .set({ counter: result.authenticationInfo.newCounter, last_used_at: deps.now().toISOString() })
      .where('id', '=', factor.id)
      .execute()
    return true
  } catch {
    return false
  }
}

/**
 * Seals any authenticator-app secret still stored in the clear (written before secrets were sealed at rest), so an
 * upgrade keeps every enrolled app working. Runs at start; sealed values start with the sealer's version tag.
 */
export async function sealLegacyTotpSecrets(db: IdentityDeps['db'], masterKey: Uint8Array): Promise<number> {
  const sealer = totpSealer({ masterKey })
  const legacy = await db
    .selectFrom('mfa_factors')
    .select(['id', 'secret'])
    .where('kind', '=', 'totp')
    .where('secret', 'is not', null)
    .where('secret', 'not like', 'v1.%')
    .execute()
  for (const row of legacy) {
    if (row.secret === null) continue
    await db
      .updateTable('mfa_factors')
      .set({ secret: sealer.seal(row.secret, row.id) })
      .where('id', '=', row.id)
      .execute()
  }
  return legacy.length
}

/** Starts adding an authenticator app: a new secret, held in the session until a code proves the app has it. */
export async function beginTotpEnrolment(
  deps: IdentityDeps,
  user: UserRecord,
  sessionHash: string,
): Promise<{ secret: string; uri: string }> {
  if (
    requiresSecurityKey(await readSecuritySettings(deps.db), user.roles) &&
    !(await listFactors(deps.db, user.id)).some(f => f.kind === 'webauthn')
  ) {
    throw new AssureError('FORBIDDEN', 'Your role needs a security key first; add one before an authenticator app')
  }
  const secret = newTotpSecret()
  await saveChallenge(deps, sessionHash, { totpSecret: totpSealer(deps).seal(secret, `enrolment:${user.id}`) })
  return { secret, uri: totpUri(secret, user.email) }
}

/** TOTP secrets are sealed at rest under the master key, bound to their factor (or, while pending, their person). */
function totpSealer(deps: Pick<IdentityDeps, 'masterKey'>) {
  return sealerFor(deps.masterKey, 'totp-secret')
}

/** An authenticator-app secret sealed as the store keeps it, bound to its factor. */
export function sealTotpSecret(masterKey: Uint8Array, factorId: string, secret: string): string {
  return totpSealer({ masterKey }).seal(secret, factorId)
}

/** The authenticator-app secret a person is part-way through adding, if any. */
export async function pendingTotpSecret(
  deps: IdentityDeps,
  user: UserRecord,
  sessionHash: string,
): Promise<string | undefined> {
  const row = await deps.db
    .selectFrom('sessions')
    .select('challenge')
    .where('id_hash', '=', sessionHash)
    .executeTakeFirst()
  const sealed =
    row?.challenge === null || row?.challenge === undefined
      ? undefined
      : (JSON.parse(row.challenge) as { totpSecret?: string }).totpSecret
  return sealed === undefined ? undefined : totpSealer(deps).open(sealed, `enrolment:${user.id}`).toString()
}

/** Finishes adding an authenticator app once a code from it matches. */
export async function confirmTotpEnrolment(
  deps: IdentityDeps,
  user: UserRecord,
  sessionHash: string,
  props: { code: string; name: string },
  context: RequestContext,
): Promise<string> {
  const secret = await pendingTotpSecret(deps, user, sessionHash)
  if (secret === undefined)
    throw new AssureError('VALIDATION_FAILED', 'Start adding the authenticator app again', {
      problems: [{ path: 'code', message: 'The set-up key has expired; start again' }],
    })
  const now = deps.now()
  const step = matchTotp(secret, props.code.replace(/\s/g, ''), now)
  if (step === undefined)
    throw new AssureError('VALIDATION_FAILED', 'The code is not valid', {
      problems: [{ path: 'code', message: 'Enter the 6-digit code your authenticator app shows now' }],
    })
  const id = randomUUID()
  await deps.db
    .insertInto('mfa_factors')
    .values({
      id,
      user_id: user.id,
      kind: 'totp',
      name: props.name,
      credential_id: null,
      public_key: null,
      transports: null,
      secret: totpSealer(deps).seal(secret, id),
      last_step: step,
      created_at: now.toISOString(),
      last_used_at: now.toISOString(),
    })
    .execute()
  await deps.db.updateTable('sessions').set({ challenge: null }).where('id_hash', '=', sessionHash).execute()
  await recordAuditEvent(
    deps.db,
    {
      actor: { type: 'user', id: user.id, organisationId: user.organisationId },
      action: 'auth.mfa.added',
      outcome: 'success',
      target: { type: 'mfa_factor', id },
      ip: context.ip,
      requestId: context.requestId,
      details: { kind: 'totp' },
    },
    now,
  )
  return id
}

/**
 * Checks a code from any of the person's authenticator apps. A code is accepted once: the matched time step must be
 * later than the last one used, and the update is conditional so two requests with the same code cannot both pass.
 */
export async function verifyTotp(deps: IdentityDeps, user: UserRecord, code: string): Promise<boolean> {
  const now = deps.now()
  for (const factor of (await listFactors(deps.db, user.id)).filter(f => f.kind === 'totp')) {
    if (factor.secret === null) continue
    const step = matchTotp(totpSealer(deps).open(factor.secret, factor.id).toString(), code.replace(/\s/g, ''), now)
    if (step === undefined) continue
    const accepted = await deps.db
      .updateTable('mfa_factors')
      .set({ last_step: step, last_used_at: now.toISOString() })
      .where('id', '=', factor.id)
      .where('last_step', '<', step)
      .executeTakeFirst()
    return Number(accepted.numUpdatedRows) === 1
  }
  return false
}

/** Checks and spends a recovery code. */
export async function verifyRecoveryCode(deps: IdentityDeps, user: UserRecord, code: string): Promise<boolean> {
  return spendRecoveryCode(deps.db, user.id, code, deps.now())
}

/** Ten new recovery codes, issued after the first factor and on request; the old ones stop working. */
export async function replaceRecoveryCodes(
  deps: IdentityDeps,
  user: UserRecord,
  context: RequestContext,
): Promise<string[]> {
  const codes = await issueRecoveryCodes(deps.db, user.id)
  await recordAuditEvent(
    deps.db,
    {
      actor: { type: 'user', id: user.id, organisationId: user.organisationId },
      action: 'auth.recovery_codes.issued',
      outcome: 'success',
      ip: context.ip,
      requestId: context.requestId,
    },
    deps.now(),
  )
  return codes
}

/** Renames one of the person's own factors. */
export async function renameFactor(
  deps: IdentityDeps,
  user: UserRecord,
  factorId: string,
  name: string,
): Promise<void> {
  const result = await deps.db
    .updateTable('mfa_factors')
    .set({ name })
    .where('id', '=', factorId)
    .where('user_id', '=', user.id)
    .executeTakeFirst()
  if (Number(result.numUpdatedRows) !== 1) throw new AssureError('NOT_FOUND', 'That factor was not found')
}

/**
 * Removes one of the person's own factors. The last factor can never be removed, nor a privileged person's last
 * security key (the route asks for a fresh second factor first).
 */
export async function removeFactor(
  deps: IdentityDeps,
  user: UserRecord,
  factorId: string,
  context: RequestContext,
): Promise<void> {
  const factors = await listFactors(deps.db, user.id)
  const factor = factors.find(f => f.id === factorId)
  if (factor === undefined) throw new AssureError('NOT_FOUND', 'That factor was not found')
  if (factors.length === 1)
    throw new AssureError('CONFLICT', 'You cannot remove your only way to prove it is you. Add another first')
  if (
    factor.kind === 'webauthn' &&
    requiresSecurityKey(await readSecuritySettings(deps.db), user.roles) &&
    factors.filter(f => f.kind === 'webauthn').length === 1
  ) {
    throw new AssureError('CONFLICT', 'Your role needs a security key. Add another key before removing this one')
  }
  await deps.db.deleteFrom('mfa_factors').where('id', '=', factor.id).execute()
  await recordAuditEvent(
    deps.db,
    {
      actor: { type: 'user', id: user.id, organisationId: user.organisationId },
      action: 'auth.mfa.removed',
      outcome: 'success',
      target: { type: 'mfa_factor', id: factor.id },
      ip: context.ip,
      requestId: context.requestId,
      details: { kind: factor.kind },
    },
    deps.now(),
  )
}
