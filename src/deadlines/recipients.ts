import type { Kysely } from 'kysely'
import type { Database } from '../platform/db/schema.ts'
import type { Role } from '../identity/roles.ts'
import type { NotifyKey, Subject } from './stages.ts'

/** Someone a notice goes to: their address, and their account (null for an address with none), whose list it joins. */
export interface Recipient {
  readonly id: string | null
  readonly email: string
}

/** Resolves who a notice goes to; the workflows supply their own (a SAL's named contact, say). */
export type RecipientsFor = (subject: Subject, notify: NotifyKey) => Promise<readonly Recipient[]>

/**
 * Until the workflows name their contacts, each key maps to a role: the supplier's keys to people with that role in
 * the subject's organisation (none without one), the Authority's keys to people with that role in the Authority.
 * The contract owner is the security assessor until contracts record an owner.
 */
const DEFAULT_ROLES: Record<NotifyKey, { readonly role: Role; readonly side: 'supplier' | 'authority' }> = {
  'supplier-contact': { role: 'supplier-admin', side: 'supplier' },
  'supplier-signatory': { role: 'supplier-signatory', side: 'supplier' },
  'authority-contract-owner': { role: 'security-assessor', side: 'authority' },
  'authority-admin': { role: 'authority-admin', side: 'authority' },
}

/** The default resolver: active people holding the key's role (see DEFAULT_ROLES), in email address order. */
export function recipientsByRole(db: Kysely<Database>): RecipientsFor {
  return async (subject, notify) => {
    const { role, side } = DEFAULT_ROLES[notify]
    let query = db
      .selectFrom('users')
      .innerJoin('user_roles', 'user_roles.user_id', 'users.id')
      .innerJoin('organisations', 'organisations.id', 'users.organisation_id')
      .select(['users.id', 'users.email'])
      .where('user_roles.role', '=', role)
      .where('users.status', '=', 'active')
    if (side === 'supplier') {
      if (subject.organisationId === undefined) return []
      query = query.where('users.organisation_id', '=', subject.organisationId)
    } else query = query.where('organisations.kind', '=', 'authority')
    const rows = await query.orderBy('users.email').execute()
    return rows.map(row => ({ id: row.id, email: row.email }))
  }
}
