import { z } from 'zod'
import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../platform/db/schema.ts'
import { isPrivileged } from './roles.ts'

type Db = Kysely<Database> | Transaction<Database>

/** The security settings an Authority administrator can change, each only with a second administrator's approval. */
export const SECURITY_SETTING_KEYS = ['allow-admin-assessor', 'privileged-require-security-key'] as const
export type SecuritySettingKey = (typeof SECURITY_SETTING_KEYS)[number]
export type SecuritySettings = Readonly<Record<SecuritySettingKey, boolean>>

/** What each setting means, for people; `weakensWhen` is the value that relaxes a control, shown with a warning. */
export const SECURITY_SETTING_DEFINITIONS: Record<
  SecuritySettingKey,
  {
    readonly title: string
    readonly description: string
    readonly default: boolean
    readonly weakensWhen: boolean
    readonly warning: string
  }
> = {
  'allow-admin-assessor': {
    title: 'Authority administrators may also be security assessors',
    description:
      'Segregation of duties: by default one person cannot be both an Authority administrator and a security assessor. Turning this on lets them hold both roles. An auditor still holds no other role.',
    default: false,
    weakensWhen: true,
    warning:
      'Turning this on weakens segregation of duties: one person could both administer Assure and assess suppliers.',
  },
  'privileged-require-security-key': {
    title: 'Privileged roles need a security key',
    description:
      'Authority administrators, security assessors and auditors must add a security key or passkey, the kind of multi-factor authentication the MoJ prefers, before they can sign in.',
    default: true,
    weakensWhen: false,
    warning:
      'Turning this off disables a multi-factor authentication requirement: people in privileged roles could sign in with an authenticator app or a recovery code instead of a security key.',
  },
}

/** The settings as they are when nothing has been changed: the secure choices. */
export const DEFAULT_SECURITY_SETTINGS: SecuritySettings = {
  'allow-admin-assessor': SECURITY_SETTING_DEFINITIONS['allow-admin-assessor'].default,
  'privileged-require-security-key': SECURITY_SETTING_DEFINITIONS['privileged-require-security-key'].default,
}

const StoredValueSchema = z.enum(['true', 'false']).transform(value => value === 'true')

/** A setting change as a dual-authorisation request carries it. */
export const SecuritySettingChangeSchema = z.strictObject({
  setting: z.enum(SECURITY_SETTING_KEYS),
  value: z.boolean(),
})
export type SecuritySettingChange = z.infer<typeof SecuritySettingChangeSchema>

/** The settings in force. A missing or unreadable row counts as the default, which is always the secure choice. */
export async function readSecuritySettings(db: Db): Promise<SecuritySettings> {
  const rows = await db.selectFrom('security_settings').select(['key', 'value']).execute()
  const settings: Record<SecuritySettingKey, boolean> = { ...DEFAULT_SECURITY_SETTINGS }
  for (const row of rows) {
    const key = z.enum(SECURITY_SETTING_KEYS).safeParse(row.key)
    const value = StoredValueSchema.safeParse(row.value)
    if (key.success && value.success) settings[key.data] = value.data
  }
  return settings
}

/** Who last changed each setting, and when (absent for a setting still at its default). */
export async function securitySettingHistory(db: Db) {
  return db
    .selectFrom('security_settings as s')
    .leftJoin('users as u', 'u.id', 's.updated_by')
    .select(['s.key', 's.updated_at', 'u.display_name as updated_by_name'])
    .execute()
}

/** Stores a setting (after its dual authorisation was approved), in the caller's transaction. */
export async function writeSecuritySetting(
  trx: Transaction<Database>,
  props: { setting: SecuritySettingKey; value: boolean; updatedBy: string; now: Date },
): Promise<void> {
  const row = { value: String(props.value), updated_by: props.updatedBy, updated_at: props.now.toISOString() }
  await trx
    .insertInto('security_settings')
    .values({ key: props.setting, ...row })
    .onConflict(oc => oc.column('key').doUpdateSet(row))
    .execute()
}

/** True when a change would relax a control (so it is shown with a warning); turning the security key off disables an MFA requirement. */
export const weakensControl = (change: SecuritySettingChange) =>
  SECURITY_SETTING_DEFINITIONS[change.setting].weakensWhen === change.value

/**
 * Whether a person with these roles must have a security key (WebAuthn) to sign in.
 * Guidance, Privileged Account Management: MFA "mandated for a privileged user"; the MoJ ranks hardware keys first.
 */
export const requiresSecurityKey = (settings: SecuritySettings, roles: readonly string[]) =>
  isPrivileged(roles) && settings['privileged-require-security-key']
