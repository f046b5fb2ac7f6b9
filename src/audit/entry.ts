/** Who did something: a signed-in person, a person's API token, a named system job, or someone not yet identified. */
export type ActorType = 'user' | 'token' | 'system' | 'anonymous'

/** What happened to the attempt an entry records. */
export type Outcome = 'success' | 'failure' | 'denied'

/**
 * One ledger entry as stored and as exported. `hash` is SHA-256 (hex) over the RFC 8785 canonical JSON of every
 * other field, `prevHash` included, so each entry commits to the whole history before it.
 */
export interface LedgerEntry {
  readonly sequence: number
  /** UTC, millisecond precision, ISO 8601 (`2026-12-03T21:36:42.123Z`). */
  readonly at: string
  readonly actorType: ActorType
  /** The person, token or job ID; null for anonymous attempts. */
  readonly actorId: string | null
  /** The person behind a user or token actor. */
  readonly userId: string | null
  readonly organisationId: string | null
  /** A short reference to the session (never the session token itself). */
  readonly sessionRef: string | null
  readonly ip: string | null
  /** Namespaced action such as `auth.sign_in.failure` or `identity.person.suspended`. */
  readonly action: string
  readonly targetType: string | null
  readonly targetId: string | null
  readonly outcome: Outcome
  readonly reason: string | null
  readonly requestId: string | null
  /** Free-form JSON; never holds a secret, password, code or token. */
  readonly details: Readonly<Record<string, unknown>>
  readonly prevHash: string
  readonly hash: string
}

/** The hash the first entry (or the first after a pruning anchor with nothing before it) links to. */
export const GENESIS_HASH = '0'.repeat(64)
