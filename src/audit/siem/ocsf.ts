import type { LedgerEntry } from '../entry.ts'
import { ecsCategorisation } from './ecs.ts'
import { mostSpecific } from './patterns.ts'

/**
 * OCSF 1.5.0. Classes and activity IDs as defined in ocsf/ocsf-schema `events/iam/authentication.json` (3002),
 * `account_change.json` (3001), `user_access.json` (3005) and `events/application/api_activity.json` (6003).
 */
export const OCSF_VERSION = '1.5.0'

interface OcsfClass {
  readonly uid: number
  readonly name: string
  readonly categoryUid: number
  readonly categoryName: string
}

const AUTHENTICATION: OcsfClass = {
  uid: 3002,
  name: 'Authentication',
  categoryUid: 3,
  categoryName: 'Identity & Access Management',
}
const ACCOUNT_CHANGE: OcsfClass = {
  uid: 3001,
  name: 'Account Change',
  categoryUid: 3,
  categoryName: 'Identity & Access Management',
}
const USER_ACCESS: OcsfClass = {
  uid: 3005,
  name: 'User Access Management',
  categoryUid: 3,
  categoryName: 'Identity & Access Management',
}
const API_ACTIVITY: OcsfClass = {
  uid: 6003,
  name: 'API Activity',
  categoryUid: 6,
  categoryName: 'Application Activity',
}

// OCSF's shared activity IDs: 0 is Unknown and 99 is Other in every class.
const UNKNOWN = { id: 0, name: 'Unknown' }
const OTHER = { id: 99, name: 'Other' }

interface Activity {
  readonly id: number
  readonly name: string
}

interface OcsfRule {
  readonly actions: readonly string[]
  readonly class: OcsfClass
  /** A fixed activity, or one worked out from the entry. */
  readonly activity: Activity | ((entry: LedgerEntry) => Activity)
}

const LOGON = { id: 1, name: 'Logon' }
const LOGOFF = { id: 2, name: 'Logoff' }

function apiActivity(entry: LedgerEntry): Activity {
  const last = entry.action.slice(entry.action.lastIndexOf('.') + 1)
  if (/^(created|added|invited|issued|requested|submitted|opened|reported|uploaded|registered|sent)$/.test(last))
    return { id: 1, name: 'Create' }
  if (/^(read|viewed|exported|downloaded|listed|verified|checked)$/.test(last)) return { id: 2, name: 'Read' }
  if (/^(deleted|removed|revoked|pruned|retired|withdrawn|archived)$/.test(last)) return { id: 4, name: 'Delete' }
  return { id: 3, name: 'Update' }
}

function roleChange(entry: LedgerEntry): { added: string[]; removed: string[] } {
  const list = (value: unknown) => (Array.isArray(value) ? value.filter(item => typeof item === 'string') : [])
  const from = list(entry.details.from)
  const to = list(entry.details.to)
  return { added: to.filter(role => !from.includes(role)), removed: from.filter(role => !to.includes(role)) }
}

function privilegeActivity(entry: LedgerEntry): Activity {
  const { added, removed } = roleChange(entry)
  if (added.length > 0) return { id: 1, name: 'Assign Privileges' }
  if (removed.length > 0) return { id: 2, name: 'Revoke Privileges' }
  return OTHER
}

const RULES: readonly OcsfRule[] = [
  { actions: ['auth.sign_in.*', 'identity.api_token.used', 'api.token.used'], class: AUTHENTICATION, activity: LOGON },
  {
    actions: ['auth.sign_out', 'auth.session.ended', 'auth.disconnect', 'identity.person.disconnected'],
    class: AUTHENTICATION,
    activity: LOGOFF,
  },
  { actions: ['auth.step_up', 'auth.session.*'], class: AUTHENTICATION, activity: OTHER },
  {
    actions: ['identity.person.invited', 'identity.invitation.sent', 'identity.setup.completed'],
    class: ACCOUNT_CHANGE,
    activity: { id: 1, name: 'Create' },
  },
  {
    actions: ['identity.person.joined', 'identity.invitation.accepted', 'identity.person.reactivated'],
    class: ACCOUNT_CHANGE,
    activity: { id: 2, name: 'Enable' },
  },
  { actions: ['auth.password.changed'], class: ACCOUNT_CHANGE, activity: { id: 3, name: 'Password Change' } },
  { actions: ['auth.password.reset'], class: ACCOUNT_CHANGE, activity: { id: 4, name: 'Password Reset' } },
  { actions: ['identity.person.suspended'], class: ACCOUNT_CHANGE, activity: { id: 5, name: 'Disable' } },
  { actions: ['identity.person.deleted'], class: ACCOUNT_CHANGE, activity: { id: 6, name: 'Delete' } },
  { actions: ['auth.lockout', 'auth.account.locked'], class: ACCOUNT_CHANGE, activity: { id: 9, name: 'Lock' } },
  { actions: ['auth.mfa.added'], class: ACCOUNT_CHANGE, activity: { id: 10, name: 'MFA Factor Enable' } },
  { actions: ['auth.mfa.removed'], class: ACCOUNT_CHANGE, activity: { id: 11, name: 'MFA Factor Disable' } },
  { actions: ['auth.unlock', 'auth.account.unlocked'], class: ACCOUNT_CHANGE, activity: { id: 12, name: 'Unlock' } },
  {
    actions: ['auth.mfa.*', 'auth.recovery_codes.*', 'auth.account.*', 'identity.person.*', 'identity.invitation.*'],
    class: ACCOUNT_CHANGE,
    activity: OTHER,
  },
  { actions: ['identity.roles.*'], class: USER_ACCESS, activity: privilegeActivity },
  // A refusal names no operation we could classify as create, read, update or delete.
  { actions: ['authz.*', 'access.*'], class: API_ACTIVITY, activity: UNKNOWN },
  { actions: ['*'], class: API_ACTIVITY, activity: apiActivity },
]

/** The OCSF class and activity an entry maps to. */
export function ocsfClassOf(entry: LedgerEntry): { class: OcsfClass; activity: Activity } {
  const rule = mostSpecific(RULES, row => row.actions, entry.action)
  const chosen = rule ?? { class: API_ACTIVITY, activity: apiActivity }
  return {
    class: chosen.class,
    activity: typeof chosen.activity === 'function' ? chosen.activity(entry) : chosen.activity,
  }
}

/** OCSF severity: Informational for a success, Medium for a failure or refusal, Critical for a broken ledger. */
function severity(entry: LedgerEntry): Activity {
  if (ecsCategorisation(entry.action, entry.outcome).kind === 'alert') return { id: 5, name: 'Critical' }
  return entry.outcome === 'success' ? { id: 1, name: 'Informational' } : { id: 3, name: 'Medium' }
}

/** The person the event is about (OCSF `user`): the target person, else the person who acted. */
function subject(entry: LedgerEntry): Record<string, unknown> {
  const uid = (entry.targetType === 'user' ? entry.targetId : null) ?? entry.userId
  return uid === null ? { name: 'unknown' } : { uid, type_id: 1, type: 'User' }
}

function actor(entry: LedgerEntry): Record<string, unknown> {
  const org = entry.organisationId === null ? {} : { org: { uid: entry.organisationId } }
  const session = entry.sessionRef === null ? {} : { session: { uid: entry.sessionRef } }
  if (entry.actorType === 'system') return { app_name: entry.actorId ?? 'assure' }
  if (entry.actorType === 'anonymous') return { user: { name: 'anonymous', type_id: 0, type: 'Unknown' } }
  return { user: { uid: entry.userId ?? entry.actorId, type_id: 1, type: 'User', ...org }, ...session }
}

/** One ledger entry as an OCSF event. What OCSF has no attribute for goes under `unmapped`. */
export function toOcsf(entry: LedgerEntry): Record<string, unknown> {
  const { class: ocsfClass, activity } = ocsfClassOf(entry)
  const level = severity(entry)
  const success = entry.outcome === 'success'
  const classSpecific: Record<string, unknown> = {}
  if (ocsfClass === AUTHENTICATION) {
    classSpecific.user = subject(entry)
    // Authentication needs a service or a destination endpoint: the service is Assure itself.
    classSpecific.service = { name: 'Assure' }
    if (entry.sessionRef !== null) classSpecific.session = { uid: entry.sessionRef }
  } else if (ocsfClass === ACCOUNT_CHANGE) {
    classSpecific.user = subject(entry)
  } else if (ocsfClass === USER_ACCESS) {
    const { added, removed } = roleChange(entry)
    classSpecific.user = subject(entry)
    classSpecific.privileges = activity.id === 2 ? removed : added
  } else {
    classSpecific.api = { operation: entry.action, service: { name: 'Assure' } }
    if (entry.targetType !== null) classSpecific.resources = [{ type: entry.targetType, uid: entry.targetId }]
  }
  return {
    class_uid: ocsfClass.uid,
    class_name: ocsfClass.name,
    category_uid: ocsfClass.categoryUid,
    category_name: ocsfClass.categoryName,
    activity_id: activity.id,
    activity_name: activity.name,
    type_uid: ocsfClass.uid * 100 + activity.id,
    type_name: `${ocsfClass.name}: ${activity.name}`,
    severity_id: level.id,
    severity: level.name,
    time: Date.parse(entry.at),
    status_id: success ? 1 : 2,
    status: success ? 'Success' : 'Failure',
    ...(entry.reason === null ? {} : { status_detail: entry.reason }),
    message: `${entry.action} ${entry.outcome}`,
    metadata: {
      version: OCSF_VERSION,
      product: { name: 'Assure', vendor_name: 'UK Ministry of Justice' },
      uid: entry.hash,
      sequence: entry.sequence,
      log_name: 'assure.audit',
      ...(entry.requestId === null ? {} : { correlation_uid: entry.requestId }),
    },
    actor: actor(entry),
    // The source is required for API Activity; a system job has no address, so it is named as the service.
    src_endpoint: entry.ip === null ? { name: 'assure' } : { ip: entry.ip },
    ...classSpecific,
    unmapped: {
      action: entry.action,
      outcome: entry.outcome,
      actor_type: entry.actorType,
      ...(entry.actorId === null ? {} : { actor_id: entry.actorId }),
      ...(entry.targetType === null ? {} : { target: { type: entry.targetType, id: entry.targetId } }),
      ledger: { sequence: entry.sequence, hash: entry.hash, prev_hash: entry.prevHash },
      details: entry.details,
    },
  }
}
