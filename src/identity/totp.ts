import { Secret, TOTP } from 'otpauth'

const PERIOD_SECONDS = 30

/** A new TOTP secret (160 bits, as RFC 4226 recommends), in the base32 form authenticator apps take. */
export const newTotpSecret = () => new Secret({ size: 20 }).base32

/** The otpauth:// URI an authenticator app reads. */
export function totpUri(secretBase32: string, account: string): string {
  return new TOTP({
    issuer: 'Assure',
    label: account,
    secret: Secret.fromBase32(secretBase32),
    period: PERIOD_SECONDS,
    digits: 6,
  }).toString()
}

/**
 * Checks a code at `now` (one period either side for clock drift) and returns the time step it matched, or
 * undefined. The caller accepts the step only if it is later than the last step used, so a code works once.
 */
export function matchTotp(
  secretBase32: string,
  code: string,
  now: Date,
  options: { digits?: number; algorithm?: 'SHA1' | 'SHA256' | 'SHA512'; secret?: Secret } = {},
): number | undefined {
  if (!/^\d{6,8}$/.test(code)) return undefined
  const totp = new TOTP({
    secret: options.secret ?? Secret.fromBase32(secretBase32),
    period: PERIOD_SECONDS,
    digits: options.digits ?? 6,
    algorithm: options.algorithm ?? 'SHA1',
  })
  const delta = totp.validate({ token: code, timestamp: now.getTime(), window: 1 })
  if (delta === null) return undefined
  return Math.floor(now.getTime() / 1000 / PERIOD_SECONDS) + delta
}
