import type { Role } from './roles.ts'

/**
 * Every permission a route can need. Routes declare one; the app refuses any route that does not (deny by default),
 * and a test walks the route table to prove it.
 */
export const PERMISSIONS = {
  /** Published guidance and health checks: anyone. */
  public: 'public',
  /** Sign-in, setup and invitation pages: people who are not signed in yet (or are part-way through). */
  signIn: 'sign-in',
  /** The second-factor step of signing in: a session whose password was accepted. */
  verify: 'verify',
  /** Adding a factor: a session that must enrol one first, or a signed-in person adding another. */
  enrol: 'enrol',
  /** Someone signed in with MFA, whatever their roles: their own account, factors and sessions. */
  account: 'account',
  /** Manage people: invite, change roles, suspend, disconnect, unlock. */
  manageUsers: 'manage-users',
  /** See and decide dual-authorisation requests. */
  approveChanges: 'approve-changes',
  /** Add supplier organisations. */
  manageOrganisations: 'manage-organisations',
  /** See and sign off the monthly privileged account review. */
  reviewPrivilegedAccounts: 'review-privileged-accounts',
  /** Read, filter, export and verify the audit ledger (every read is itself recorded). */
  readAuditLedger: 'read-audit-ledger',
  /** See the security settings and propose changes to them (each needs a second administrator's approval). */
  manageSecuritySettings: 'manage-security-settings',
  /** Move a person to another organisation (Authority administrators); checked once the person is found (see below). */
  movePeople: 'move-people',
  /** The supplier register: all suppliers for Authority roles; supplier people their own only (checked once found). */
  readSuppliers: 'read-suppliers',
  /** Add and edit the Authority's contracts with a supplier (Authority administrators). */
  manageContracts: 'manage-contracts',
  /** Edit a supplier's register profile: Authority administrators, or that supplier's own administrator (checked once found). */
  editSupplierProfile: 'edit-supplier-profile',
  /** Register a supplier's cloud accounts: Authority administrators, or that supplier's own administrator (checked once found). */
  manageCloudAccounts: 'manage-cloud-accounts',
  /** API: the supplier register (bearer token with `suppliers:read`); supplier tokens see their own supplier only. */
  apiSuppliersRead: 'api:suppliers:read',
  /** API: the token owner's own account (bearer token with the `account:read` scope). */
  apiAccountRead: 'api:account:read',
  /** API: the people the token owner manages (bearer token with `people:read`, and a managing role). */
  apiPeopleRead: 'api:people:read',
} as const
export type Permission = (typeof PERMISSIONS)[keyof typeof PERMISSIONS]

/** Which roles hold each permission beyond being signed in. `public`, `sign-in` and `account` need no role. */
export type RolePermission =
  | 'manage-users'
  | 'approve-changes'
  | 'manage-organisations'
  | 'review-privileged-accounts'
  | 'read-audit-ledger'
  | 'manage-security-settings'
  | 'move-people'
  | 'read-suppliers'
  | 'manage-contracts'
  | 'edit-supplier-profile'
  | 'manage-cloud-accounts'
const GRANTS: Record<RolePermission, readonly Role[]> = {
  'manage-users': ['authority-admin', 'supplier-admin'],
  'approve-changes': ['authority-admin'],
  'manage-organisations': ['authority-admin'],
  'manage-security-settings': ['authority-admin'],
  'move-people': ['authority-admin'],
  'review-privileged-accounts': ['auditor', 'authority-admin'],
  'read-audit-ledger': ['auditor', 'authority-admin'],
  'read-suppliers': [
    'authority-admin',
    'security-assessor',
    'authority-viewer',
    'auditor',
    'supplier-admin',
    'supplier-contributor',
    'supplier-signatory',
  ],
  'manage-contracts': ['authority-admin'],
  'edit-supplier-profile': ['authority-admin', 'supplier-admin'],
  'manage-cloud-accounts': ['authority-admin', 'supplier-admin'],
}

/** Every permission that some role grants, for the authorisation matrix. */
export const ROLE_PERMISSIONS = Object.keys(GRANTS) as RolePermission[]

/**
 * Permissions checked in two steps: the request gate checks the broader permission, and the operation checks the
 * permission itself once the record is found, so records outside the caller's reach are answered as not found
 * rather than forbidden (a supplier administrator learns nothing about another supplier's people).
 */
const CHECKED_AFTER_LOOKUP: Partial<Record<RolePermission, RolePermission>> = { 'move-people': 'manage-users' }

/** The permission the request gate checks for a route that declares `permission`. */
export const gatePermission = (permission: RolePermission): RolePermission =>
  CHECKED_AFTER_LOOKUP[permission] ?? permission

/** Whether roles hold a role-based permission. */
export function rolesAllow(roles: readonly string[], permission: RolePermission): boolean {
  return GRANTS[permission].some(role => roles.includes(role))
}
