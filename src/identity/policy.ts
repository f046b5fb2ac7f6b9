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
  /** API: the token owner's own account (bearer token with the `account:read` scope). */
  apiAccountRead: 'api:account:read',
  /** API: the people the token owner manages (bearer token with `people:read`, and a managing role). */
  apiPeopleRead: 'api:people:read',
} as const
export type Permission = (typeof PERMISSIONS)[keyof typeof PERMISSIONS]

/** Which roles hold each permission beyond being signed in. `public`, `sign-in` and `account` need no role. */
export type RolePermission = 'manage-users' | 'approve-changes' | 'manage-organisations' | 'review-privileged-accounts'
const GRANTS: Record<RolePermission, readonly Role[]> = {
  'manage-users': ['authority-admin', 'supplier-admin'],
  'approve-changes': ['authority-admin'],
  'manage-organisations': ['authority-admin'],
  'review-privileged-accounts': ['auditor', 'authority-admin'],
}

/** Whether roles hold a role-based permission. */
export function rolesAllow(roles: readonly string[], permission: RolePermission): boolean {
  return GRANTS[permission].some(role => roles.includes(role))
}
