import type { Kysely } from 'kysely'
import type { Database } from '../platform/db/schema.ts'
import type { BaselineConfig } from '../config.ts'
import type { Violation } from './clocks.ts'
import type { BaselineRecipients } from './enforce.ts'
import type { Audience } from './ladders.ts'
import { ownerTagEmail } from './aws/creators.ts'

/**
 * Who each audience is for a violation. The account's owners are the administrators of the supplier the account is
 * registered to (the guidance's "AWS group account owners"), or Cyber Security for an account nobody registered.
 * The creator is the resource's `owner` tag when it has one (`<team>: <email>`), else the account's owners. An IAM
 * user has no address of its own in AWS, so its notices go to the account's owners. Central teams and the
 * infrastructure team come from configuration; Cyber Security is the catalogue's security contact.
 */
export function baselineRecipients(deps: {
  db: Kysely<Database>
  config: Pick<BaselineConfig, 'centralTeams' | 'infrastructureTeam'>
  cyberSecurity: string
}): BaselineRecipients {
  const owners = async (accountId: string): Promise<string[]> => {
    const rows = await deps.db
      .selectFrom('cloud_accounts as a')
      .innerJoin('users as u', 'u.organisation_id', 'a.organisation_id')
      .innerJoin('user_roles as r', 'r.user_id', 'u.id')
      .select('u.email')
      .distinct()
      .where('a.account_id', '=', accountId)
      .where('u.status', '=', 'active')
      .where('r.role', '=', 'supplier-admin')
      .orderBy('u.email')
      .execute()
    return rows.length === 0 ? [deps.cyberSecurity] : rows.map(row => row.email)
  }
  const resolve = async (audience: Audience, violation: Violation): Promise<string[]> => {
    switch (audience) {
      case 'creator': {
        const tagged = ownerTagEmail(
          typeof violation.evidence.owner === 'string' ? violation.evidence.owner : undefined,
        )
        return tagged === null ? owners(violation.accountId) : [tagged]
      }
      case 'user':
      case 'account-owner':
        return owners(violation.accountId)
      case 'infrastructure-team':
        return deps.config.infrastructureTeam === null
          ? owners(violation.accountId)
          : [...deps.config.infrastructureTeam]
      case 'central-teams':
        return deps.config.centralTeams === null ? [deps.cyberSecurity] : [...deps.config.centralTeams]
      default:
        return [deps.cyberSecurity]
    }
  }
  return async (audiences, violation) => {
    const addresses = await Promise.all(audiences.map(audience => resolve(audience, violation)))
    return [...new Set(addresses.flat())].sort()
  }
}
