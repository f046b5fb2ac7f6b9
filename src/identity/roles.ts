/** Roles from DESIGN.md. Authority roles belong to the MoJ organisation; supplier roles to one supplier. */
export const AUTHORITY_ROLES = ['authority-admin', 'security-assessor', 'authority-viewer', 'auditor'] as const
export const SUPPLIER_ROLES = ['supplier-admin', 'supplier-contributor', 'supplier-signatory'] as const
export const ROLES = [...AUTHORITY_ROLES, ...SUPPLIER_ROLES] as const
export type Role = (typeof ROLES)[number]

/** Roles that need clearance above BPSS, a security key, dual authorisation to grant, and the stricter session policy. */
export const PRIVILEGED_ROLES: readonly Role[] = ['authority-admin', 'auditor', 'security-assessor']

export const CLEARANCE_LEVELS = ['BPSS', 'CTC', 'SC', 'eSC', 'DV', 'eDV'] as const
export type Clearance = (typeof CLEARANCE_LEVELS)[number]

/** Pairs of roles one person may not hold together (segregation of duties). */
export const CONFLICTING_ROLES: ReadonlyArray<readonly [Role, Role]> = [
  ...ROLES.filter(role => role !== 'auditor').map(role => ['auditor', role] as const),
  ['authority-admin', 'security-assessor'],
]

/** True when any role in the list is privileged. */
export const isPrivileged = (roles: readonly string[]) =>
  roles.some(role => (PRIVILEGED_ROLES as readonly string[]).includes(role))

/** The one conflict the `allow-admin-assessor` security setting may lift; the auditor's conflicts never lift. */
export const CONFIGURABLE_CONFLICT: readonly [Role, Role] = ['authority-admin', 'security-assessor']

/**
 * The conflicts a set of roles would create, as pairs; empty when the set is allowed. `allowAdminAssessor` (the
 * security setting, off by default) lets Authority administrator and Security assessor be held together.
 */
export function roleConflicts(
  roles: readonly string[],
  options: { allowAdminAssessor?: boolean } = {},
): Array<readonly [Role, Role]> {
  return CONFLICTING_ROLES.filter(
    ([a, b]) =>
      roles.includes(a) &&
      roles.includes(b) &&
      !(options.allowAdminAssessor === true && a === CONFIGURABLE_CONFLICT[0] && b === CONFIGURABLE_CONFLICT[1]),
  )
}

/** Labels for people, not machines. */
export const ROLE_LABELS: Record<Role, string> = {
  'authority-admin': 'Authority administrator',
  'security-assessor': 'Security assessor',
  'authority-viewer': 'Authority viewer',
  auditor: 'Auditor',
  'supplier-admin': 'Supplier administrator',
  'supplier-contributor': 'Supplier contributor',
  'supplier-signatory': 'Supplier signatory',
}
