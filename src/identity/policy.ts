import { ROLES, type Role } from './roles.ts'

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
  /** See incidents: the Authority every supplier's, supplier people their own. */
  readIncidents: 'read-incidents',
  /** Report a security incident for one's own supplier. */
  reportIncidents: 'report-incidents',
  /** Add an update to an open incident (either side). */
  updateIncidents: 'update-incidents',
  /** Close an incident with its post-incident review (the Authority). */
  closeIncidents: 'close-incidents',
  /** Add and edit the Authority's contracts with a supplier (Authority administrators). */
  manageContracts: 'manage-contracts',
  /** Edit a supplier's register profile: Authority administrators, or that supplier's own administrator (checked once found). */
  editSupplierProfile: 'edit-supplier-profile',
  /** Register a supplier's cloud accounts: Authority administrators, or that supplier's own administrator (checked once found). */
  manageCloudAccounts: 'manage-cloud-accounts',
  /** See a supplier's self-assessments: Authority roles every supplier's, supplier people their own (checked once found). */
  readAssessments: 'read-assessments',
  /** Open a self-assessment for a supplier (Authority administrators and security assessors). */
  openAssessments: 'open-assessments',
  /** Answer and submit one's own supplier's self-assessments (its administrator or contributors; checked once found). */
  answerAssessments: 'answer-assessments',
  /** Review a supplier's answers, return them and close the assessment (security assessors). */
  reviewAssessments: 'review-assessments',
  /** See the Authority's risk register across every supplier (Authority roles). */
  readRiskRegister: 'read-risk-register',
  /** Accept a risk an assessor proposed: the second person of two-person acceptance (Authority administrators). */
  acceptRisks: 'accept-risks',
  /** Issue and revise Security Aspects Letters (Authority administrators and security assessors). */
  issueLetters: 'issue-letters',
  /** Acknowledge and confirm a supplier's own Security Aspects Letters (its administrator or signatory; confirming is the signatory's alone). */
  respondToLetters: 'respond-to-letters',
  /** Start recurring obligation schedules for a supplier (Authority administrators and security assessors). */
  manageObligations: 'manage-obligations',
  /** Complete one's own supplier's obligations and keep its privacy lifecycle (its administrator or contributors). */
  completeObligations: 'complete-obligations',
  /** Accept or return a supplier's completed obligations (security assessors; never the person who completed it). */
  reviewObligations: 'review-obligations',
  /** See personnel clearance attestations: Authority roles every supplier's, supplier people their own (checked once found). */
  readPersonnel: 'read-personnel',
  /** See AWS baseline results: Authority roles every registered account, supplier people their own supplier's (checked once found). */
  readBaseline: 'read-baseline',
  /** Attest and withdraw one's own supplier's personnel clearances (its administrator or signatory; checked once found). */
  attestPersonnel: 'attest-personnel',
  /** Set the clearance level a contract requires (Authority administrators and security assessors). */
  requireClearances: 'require-clearances',
  /** Request clearance-status checks and see the sealed names and dates of birth (Authority administrators and security assessors only). */
  checkClearances: 'check-clearances',
  /** API: the supplier register (bearer token with `suppliers:read`); supplier tokens see their own supplier only. */
  apiSuppliersRead: 'api:suppliers:read',
  /** API: the token owner's own account (bearer token with the `account:read` scope). */
  apiAccountRead: 'api:account:read',
  /** API: the people the token owner manages (bearer token with `people:read`, and a managing role). */
  apiPeopleRead: 'api:people:read',
  /** API: a supplier's AWS baseline results (bearer token with `baseline:read`); supplier tokens see their own supplier only. */
  apiBaselineRead: 'api:baseline:read',
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
  | 'read-incidents'
  | 'report-incidents'
  | 'update-incidents'
  | 'close-incidents'
  | 'manage-contracts'
  | 'edit-supplier-profile'
  | 'manage-cloud-accounts'
  | 'read-assessments'
  | 'open-assessments'
  | 'answer-assessments'
  | 'review-assessments'
  | 'read-risk-register'
  | 'accept-risks'
  | 'issue-letters'
  | 'respond-to-letters'
  | 'manage-obligations'
  | 'complete-obligations'
  | 'review-obligations'
  | 'read-personnel'
  | 'read-baseline'
  | 'attest-personnel'
  | 'require-clearances'
  | 'check-clearances'
/** Reads every role has; supplier isolation still limits a supplier's people to their own organisation's records. */
const EVERY_ROLE: readonly Role[] = ROLES

const GRANTS: Record<RolePermission, readonly Role[]> = {
  'manage-users': ['authority-admin', 'supplier-admin'],
  'approve-changes': ['authority-admin'],
  'manage-organisations': ['authority-admin'],
  'manage-security-settings': ['authority-admin'],
  'move-people': ['authority-admin'],
  'review-privileged-accounts': ['auditor', 'authority-admin'],
  'read-audit-ledger': ['auditor', 'authority-admin'],
  'read-suppliers': EVERY_ROLE,
  'manage-contracts': ['authority-admin'],
  'read-incidents': EVERY_ROLE,
  'report-incidents': ['supplier-admin', 'supplier-contributor', 'supplier-signatory'],
  'update-incidents': [
    'authority-admin',
    'security-assessor',
    'supplier-admin',
    'supplier-contributor',
    'supplier-signatory',
  ],
  'close-incidents': ['authority-admin', 'security-assessor'],
  'edit-supplier-profile': ['authority-admin', 'supplier-admin'],
  'manage-cloud-accounts': ['authority-admin', 'supplier-admin'],
  'read-assessments': EVERY_ROLE,
  'open-assessments': ['authority-admin', 'security-assessor'],
  'answer-assessments': ['supplier-admin', 'supplier-contributor'],
  'review-assessments': ['security-assessor'],
  'read-risk-register': ['authority-admin', 'security-assessor', 'authority-viewer', 'auditor'],
  'accept-risks': ['authority-admin'],
  'issue-letters': ['authority-admin', 'security-assessor'],
  'respond-to-letters': ['supplier-admin', 'supplier-signatory'],
  'manage-obligations': ['authority-admin', 'security-assessor'],
  'complete-obligations': ['supplier-admin', 'supplier-contributor'],
  'review-obligations': ['security-assessor'],
  'read-personnel': EVERY_ROLE,
  'attest-personnel': ['supplier-admin', 'supplier-signatory'],
  'read-baseline': EVERY_ROLE,
  'require-clearances': ['authority-admin', 'security-assessor'],
  // Guidance, Checking someone's clearance status: "If you are authorised to receive the answer". Only these two
  // roles see a check's name and date of birth; auditors and viewers never do.
  'check-clearances': ['authority-admin', 'security-assessor'],
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
