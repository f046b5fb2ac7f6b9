import { mostSpecific } from './patterns.ts'

/**
 * The guidance's Security Log Collection Maturity Tiers. "Each level of monitoring - or 'tier' - has characteristics
 * that are 'in addition' to lower level tiers", so a tier forwards its own events and every lower tier's.
 */
export type EventTier = 'baseline' | 'enhanced' | 'bespoke'

/** Lowest first: a tier forwards everything at its own index and below. */
export const EVENT_TIERS: readonly EventTier[] = ['baseline', 'enhanced', 'bespoke']

/** One row of the table the README prints: a tier, the actions it adds, and why (quoting the guidance). */
export interface TierRow {
  readonly tier: EventTier
  readonly actions: readonly string[]
  readonly why: string
}

// The guidance text (Operations security > Logging and monitoring > Security Log Collection Maturity Tiers) names no
// individual event types; the split below applies its tier definitions and the Accounting and Access Control text to
// this service's actions. A new action lands in its family's row, and an unplaced action under a security namespace
// (auth, authz, access, identity, api, audit) is forwarded at baseline: over-forwarding is the safer mistake.
export const TIER_TABLE: readonly TierRow[] = [
  {
    tier: 'baseline',
    actions: ['auth.sign_in.*', 'auth.lockout', 'auth.unlock', 'auth.account.*'],
    why:
      'Accounting: "Successful and unsuccessful attempts to access systems ... must be recorded in logs"; ' +
      'Defensive Layer 2: "Monitor login attempts and block access after 10 unsuccessful attempts".',
  },
  {
    tier: 'baseline',
    actions: ['authz.*', 'access.*', 'http.request.refused'],
    why: 'Accounting: "unsuccessful attempts to access systems" - a refused request, including one across suppliers.',
  },
  {
    tier: 'baseline',
    actions: [
      'auth.mfa.*',
      'auth.recovery_codes.*',
      'auth.disconnect',
      'identity.person.*',
      'identity.invitation.*',
      'identity.setup.*',
      'identity.setup_link.*',
      'identity.api_token.created',
      'identity.api_token.revoked',
      'api.token.created',
      'api.token.revoked',
    ],
    why:
      'Baseline: "the broad spectrum of events that can reasonably be used to detect compromise" - new accounts, ' +
      'factors and tokens are how an intruder keeps access; Layer 1: "rapidly disconnect a user".',
  },
  {
    tier: 'baseline',
    actions: ['identity.roles.*'],
    why:
      'Authorisation: privileges "granted in line with the principle of least privilege"; privileged accounts ' +
      '"must be monitored and audited".',
  },
  {
    tier: 'baseline',
    actions: ['audit.ledger.verification_failed', 'audit.ledger.pruned'],
    why:
      'Accounting: "Accounting information must be stored in a way that it cannot be readily manipulated"; logs ' +
      'must not be "tampered with ... through modification or removal".',
  },
  {
    tier: 'baseline',
    actions: ['auth.*', 'identity.*', 'api.*', 'audit.*'],
    why:
      'Not yet placed: baseline "covers the broad spectrum of events that can reasonably be used to detect ' +
      'compromise", so a new security action is forwarded there until it is given a row of its own.',
  },
  {
    tier: 'enhanced',
    actions: ['auth.sign_out', 'auth.session.*', 'auth.step_up'],
    why:
      'Enhanced: "provides earlier notification of attempted compromise" - the full session timeline around each ' +
      'sign-in (Layer 2: "Implement session timeouts").',
  },
  {
    tier: 'enhanced',
    actions: ['identity.api_token.used', 'api.token.used'],
    why:
      'Enhanced: "gathering of more information to detect stealthier or more capable attackers" - a stolen token ' +
      'looks like ordinary use except in volume and origin.',
  },
  {
    tier: 'enhanced',
    actions: ['identity.pending_change.*', 'identity.dual_authorisation.*'],
    why:
      'Access Control: "Dual authorisation must also be used to conduct sensitive system changes"; a rejected or ' +
      'expired request is an attempted change.',
  },
  {
    tier: 'enhanced',
    actions: ['identity.privileged_review.*'],
    why: 'Privileged accounts: "ownership and use of privileged accounts must be monitored and audited on a monthly basis".',
  },
  {
    tier: 'enhanced',
    actions: ['audit.ledger.read', 'audit.ledger.verified', 'audit.checkpoint.signed'],
    why:
      'Enhanced: "more information to detect stealthier or more capable attackers" - who reads the trail, and ' +
      'regular proof of its continuity so a silent gap stands out.',
  },
  {
    tier: 'bespoke',
    actions: ['catalogue.*', 'assessment.*', 'letter.*', 'incident.*', 'baseline.*', 'organisation.*', '*'],
    why:
      'Bespoke: "additional bespoke (customised) event types ... agreed in context between the MoJ Cyber Security ' +
      'team and the associated product or service team".',
  },
]

/** The lowest tier that forwards `action`. */
export function tierOf(action: string): EventTier {
  // The table ends with `*`, so every action matches some row.
  return mostSpecific(TIER_TABLE, row => row.actions, action)?.tier ?? 'bespoke'
}

/** Whether a forwarder configured for `tier` sends `action`. */
export function forwardedAt(tier: EventTier, action: string): boolean {
  return EVENT_TIERS.indexOf(tierOf(action)) <= EVENT_TIERS.indexOf(tier)
}

/** The table as Markdown, for the README. */
export function tierTableMarkdown(): string {
  const lines = ['| Tier | Actions | Why |', '| --- | --- | --- |']
  for (const row of TIER_TABLE) {
    lines.push(`| ${row.tier} | ${row.actions.map(action => `\`${action}\``).join(', ')} | ${row.why} |`)
  }
  return lines.join('\n')
}
