import { isIP } from 'node:net'
import type { LedgerEntry, Outcome } from '../entry.ts'
import { mostSpecific } from './patterns.ts'

/**
 * The ECS release documents claim. Every field and categorisation value used here is checked against the official
 * definitions copied into `ecs-fields.fixture.json`.
 */
export const ECS_VERSION = '8.17.0'

/** ECS's four categorisation fields for one action (outcome comes from the entry). */
export interface EcsCategorisation {
  readonly kind: 'event' | 'alert'
  readonly category: readonly string[]
  readonly type: readonly string[]
}

type Verb = 'creation' | 'deletion' | 'access' | 'change' | 'info'

// ECS lists the event types it expects with each category; every row keeps every (category, type) pair within that
// list. Generic families take their type from the action's last word.
interface EcsRule {
  readonly actions: readonly string[]
  readonly kind?: 'alert'
  readonly category: readonly string[]
  readonly type: readonly string[] | 'verb' | 'decision'
}

const RULES: readonly EcsRule[] = [
  { actions: ['auth.sign_in.success'], category: ['authentication', 'session'], type: ['start'] },
  { actions: ['auth.sign_in.*'], category: ['authentication'], type: ['start'] },
  { actions: ['auth.sign_out'], category: ['authentication', 'session'], type: ['end'] },
  {
    actions: ['auth.session.ended', 'auth.disconnect', 'identity.person.disconnected'],
    category: ['session'],
    type: ['end'],
  },
  { actions: ['auth.session.*'], category: ['session'], type: ['info'] },
  { actions: ['auth.step_up'], category: ['authentication'], type: ['info'] },
  {
    actions: ['auth.lockout', 'auth.unlock', 'auth.account.*', 'auth.mfa.*', 'auth.recovery_codes.*'],
    category: ['iam'],
    type: ['user', 'change'],
  },
  { actions: ['auth.*'], category: ['authentication'], type: ['info'] },
  { actions: ['identity.api_token.used', 'api.token.used'], category: ['authentication'], type: ['start'] },
  {
    actions: [
      'identity.api_token.created',
      'api.token.created',
      'identity.person.invited',
      'identity.invitation.sent',
      'identity.setup.completed',
    ],
    category: ['iam'],
    type: ['user', 'creation'],
  },
  { actions: ['identity.api_token.revoked', 'api.token.revoked'], category: ['iam'], type: ['user', 'deletion'] },
  {
    actions: ['identity.person.*', 'identity.invitation.*', 'identity.roles.*'],
    category: ['iam'],
    type: ['user', 'change'],
  },
  {
    actions: [
      'identity.setup_link.created',
      'identity.pending_change.requested',
      'identity.dual_authorisation.requested',
      'identity.privileged_review.created',
      'organisation.created',
    ],
    category: ['iam'],
    type: ['admin', 'creation'],
  },
  {
    actions: [
      'identity.pending_change.*',
      'identity.dual_authorisation.*',
      'identity.privileged_review.*',
      'organisation.*',
    ],
    category: ['iam'],
    type: ['admin', 'change'],
  },
  { actions: ['identity.*', 'api.*'], category: ['iam'], type: ['info'] },
  { actions: ['authz.*', 'access.*'], category: ['api'], type: 'decision' },
  // A failed verification means the chain no longer matches: the one ledger event that is itself an alert.
  {
    actions: ['audit.ledger.verification_failed'],
    kind: 'alert',
    category: ['database', 'intrusion_detection'],
    type: ['info'],
  },
  { actions: ['audit.ledger.read'], category: ['database'], type: ['access'] },
  // ECS expects no `deletion` for `database`; pruning changes the store.
  { actions: ['audit.ledger.pruned'], category: ['database'], type: ['change'] },
  { actions: ['audit.*'], category: ['database'], type: ['info'] },
  { actions: ['catalogue.*', 'baseline.*'], category: ['configuration'], type: 'verb' },
  // Assessments, letters, incidents and anything new: operations on the service's API.
  { actions: ['*'], category: ['api'], type: 'verb' },
]

const VERBS: ReadonlyArray<[RegExp, Verb]> = [
  [/^(created|added|invited|issued|requested|submitted|opened|reported|uploaded|registered|sent)$/, 'creation'],
  [/^(deleted|removed|revoked|pruned|retired|withdrawn|archived|expired)$/, 'deletion'],
  [/^(read|viewed|exported|downloaded|listed|used|accessed)$/, 'access'],
  [/^(verified|checked|reminded|notified)$/, 'info'],
]

function verbOf(action: string): Verb {
  const last = action.slice(action.lastIndexOf('.') + 1)
  return VERBS.find(([pattern]) => pattern.test(last))?.[1] ?? 'change'
}

/** How ECS categorises an action: kind, category and type. */
export function ecsCategorisation(action: string, outcome: Outcome): EcsCategorisation {
  const rule: EcsRule = mostSpecific(RULES, row => row.actions, action) ?? {
    actions: ['*'],
    category: ['api'],
    type: 'verb',
  }
  let type: readonly string[]
  if (rule.type === 'verb') type = [verbOf(action)]
  else if (rule.type === 'decision') type = ['access', outcome === 'success' ? 'allowed' : 'denied']
  else type = rule.type
  return { kind: rule.kind ?? 'event', category: rule.category, type }
}

/** ECS has no `denied`: a refusal is a failed attempt. */
export function ecsOutcome(outcome: Outcome): 'success' | 'failure' {
  return outcome === 'success' ? 'success' : 'failure'
}

/** The person an event is about: the account being authenticated, else the person who acted. */
function users(entry: LedgerEntry, category: readonly string[]): Record<string, unknown> | undefined {
  const targetUser = entry.targetType === 'user' ? entry.targetId : null
  const authenticating = category.includes('authentication') && entry.userId === null
  const id = authenticating ? (targetUser ?? null) : entry.userId
  const target = targetUser !== null && targetUser !== id ? { target: { id: targetUser } } : {}
  if (id === null && Object.keys(target).length === 0) return undefined
  return { ...(id === null ? {} : { id }), ...target }
}

function message(entry: LedgerEntry): string {
  return `${entry.action} ${entry.outcome}${entry.reason === null ? '' : `: ${entry.reason}`}`
}

/**
 * One ledger entry as an ECS 8 document, nested rather than dotted. What ECS has no field for (the actor's kind, the
 * session reference, the target, the ledger's chain and the details) goes under `assure.*`.
 */
export function toEcs(entry: LedgerEntry): Record<string, unknown> {
  const { kind, category, type } = ecsCategorisation(entry.action, entry.outcome)
  const user = users(entry, category)
  const validIp = entry.ip !== null && isIP(entry.ip) !== 0
  return {
    '@timestamp': entry.at,
    message: message(entry),
    ecs: { version: ECS_VERSION },
    event: {
      kind,
      category,
      type,
      action: entry.action,
      outcome: ecsOutcome(entry.outcome),
      // The hash is unique and fixed for the entry, so a receiver can use it as the document ID and drop resends.
      id: entry.hash,
      sequence: entry.sequence,
      ...(entry.reason === null ? {} : { reason: entry.reason }),
      dataset: 'assure.audit',
      provider: 'assure',
    },
    ...(user === undefined ? {} : { user }),
    ...(entry.organisationId === null ? {} : { organization: { id: entry.organisationId } }),
    ...(validIp ? { source: { ip: entry.ip } } : {}),
    ...(entry.requestId === null ? {} : { http: { request: { id: entry.requestId } } }),
    assure: {
      actor: { type: entry.actorType, ...(entry.actorId === null ? {} : { id: entry.actorId }) },
      ...(entry.sessionRef === null ? {} : { session: { ref: entry.sessionRef } }),
      ...(entry.targetType === null ? {} : { target: { type: entry.targetType, id: entry.targetId } }),
      // An `ip` field of type ip rejects the whole document on a malformed address; keep such a value as text.
      ...(entry.ip !== null && !validIp ? { source: { address: entry.ip } } : {}),
      ledger: { sequence: entry.sequence, hash: entry.hash, prev_hash: entry.prevHash },
      details: entry.details,
    },
  }
}

/** One ECS document as a line of NDJSON, for Filebeat, Fluent Bit or stdout. */
export function ecsNdjsonLine(entry: LedgerEntry): string {
  return `${JSON.stringify(toEcs(entry))}\n`
}
