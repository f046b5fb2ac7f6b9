import type { Generated } from 'kysely'

/** Table types shared by both engines. Times are ISO 8601 UTC text and JSON is text, so both engines read the same values. */

export interface CataloguesTable {
  id: string
  ref: string
  framework: string
  title: string
  version: string
  published: string
  kind: 'builtin' | 'oscal'
  content_hash: string
  /** Catalogues never change once stored, so their size is kept rather than counted on every read. */
  requirement_count: number
  stored_at: string
}

export interface CatalogueGroupsTable {
  catalogue_id: string
  group_id: string
  parent_group_id: string | null
  title: string
  level: number
  position: number
  summary: string | null
}

export interface CatalogueItemsTable {
  catalogue_id: string
  item_id: string
  group_id: string
  kind: 'requirement' | 'informational' | 'control'
  title: string
  statement: string
  obligation: string | null
  mcss: string
  audience: string | null
  tags: string
  search_text: string
  position: number
  document: string
}

export interface OrganisationsTable {
  id: string
  kind: 'authority' | 'supplier'
  name: string
  created_at: string
}

export interface UsersTable {
  id: string
  organisation_id: string
  email: string
  display_name: string
  status: 'invited' | 'active' | 'suspended' | 'locked'
  clearance: string | null
  clearance_checked_on: string | null
  failed_attempts: Generated<number>
  locked_at: string | null
  last_sign_in_at: string | null
  created_at: string
  inactivity_warned_at?: string | null
}

export interface UserRolesTable {
  user_id: string
  role: string
  granted_at: string
  granted_by: string | null
}

export interface PasswordCredentialsTable {
  user_id: string
  hash: string
  updated_at: string
}

export interface MfaFactorsTable {
  id: string
  user_id: string
  kind: 'webauthn' | 'totp'
  name: string
  credential_id: string | null
  public_key: string | null
  counter: Generated<number>
  transports: string | null
  backed_up: Generated<number>
  secret: string | null
  last_step: Generated<number>
  created_at: string
  last_used_at: string | null
}

export interface RecoveryCodesTable {
  id: string
  user_id: string
  code_hash: string
  used_at: string | null
}

export interface SessionsTable {
  id_hash: string
  user_id: string
  stage: 'mfa' | 'enrol' | 'active'
  created_at: string
  last_seen_at: string
  expires_at: string
  step_up_at: string | null
  challenge: string | null
  ip: string | null
  user_agent: string | null
  ended_note: string | null
}

export interface OneTimeLinksTable {
  id_hash: string
  kind: 'setup' | 'invitation'
  user_id: string | null
  created_at: string
  expires_at: string
  used_at: string | null
  created_by: string | null
}

export interface AuditEntriesTable {
  sequence: number
  at: string
  actor_type: 'user' | 'token' | 'system' | 'anonymous'
  actor_id: string | null
  user_id: string | null
  organisation_id: string | null
  session_ref: string | null
  ip: string | null
  action: string
  target_type: string | null
  target_id: string | null
  outcome: 'success' | 'failure' | 'denied'
  reason: string | null
  request_id: string | null
  details: string
  prev_hash: string
  hash: string
}

export interface AuditHeadTable {
  id: number
  sequence: number
  hash: string
}

export interface AuditCheckpointsTable {
  id: string
  kind: 'checkpoint' | 'anchor'
  sequence: number
  hash: string
  signed_at: string
  key_id: string
  signature: string
}

export interface AuditVerificationsTable {
  id: string
  at: string
  ok: number
  entries: number
  first_bad_sequence: number | null
  message: string
}

export interface AuditForwardCursorsTable {
  sink: string
  sequence: number
  updated_at: string
}

export interface ServiceKeysTable {
  id: string
  purpose: string
  public_key: string
  sealed_private_key: string
  created_at: string
}

export interface RateLimitsTable {
  bucket: string
  window_start: string
  hits: number
}

export interface PendingChangesTable {
  id: string
  kind: 'grant-roles' | 'unlock' | 'security-setting'
  /** The person the change concerns; null for a change that concerns no one account (a security setting). */
  target_user_id: string | null
  payload: string
  requested_by: string
  requested_at: string
  expires_at: string
  status: 'pending' | 'approved' | 'rejected' | 'expired'
  decided_by: string | null
  decided_at: string | null
}

/** A security setting changed only with dual authorisation; a missing row means the built-in default. */
export interface SecuritySettingsTable {
  key: string
  value: string
  updated_by: string | null
  updated_at: string
}

export interface ApiTokensTable {
  id: string
  user_id: string
  name: string
  token_hash: string
  scopes: string
  created_at: string
  expires_at: string
  last_used_at: string | null
  revoked_at: string | null
}

export interface JobRunsTable {
  job: string
  period: string
  status: 'running' | 'succeeded' | 'failed'
  attempts: number
  started_at: string
  finished_at: string | null
  error: string | null
}

export interface PrivilegedReviewsTable {
  id: string
  period: string
  created_at: string
  accounts: string
  signed_off_by: string | null
  signed_off_at: string | null
}

/** A supplier's register entry; `contacts` is a JSON array of `{ role, name, email }`. */
export interface SupplierProfilesTable {
  organisation_id: string
  legal_name: string
  short_name: string
  security_director_name: string
  security_director_email: string
  contacts: string
  updated_at: string
  updated_by: string | null
}

/** A contract between the Authority and a supplier; dates are YYYY-MM-DD, lists are JSON arrays. */
export interface ContractsTable {
  id: string
  organisation_id: string
  reference: string
  title: string
  start_date: string
  end_date: string
  classification: 'OFFICIAL' | 'OFFICIAL-SENSITIVE'
  data_categories: string
  offshore: number
  offshore_locations: string | null
  key_services: string
  subcontractors: string
  created_at: string
  created_by: string | null
}

/** A supplier's cloud account in scope of the Authority's contracts. */
export interface CloudAccountsTable {
  id: string
  organisation_id: string
  contract_id: string | null
  provider: 'aws'
  account_id: string
  description: string
  created_at: string
}

/** An obligation with a clock (src/deadlines); offsets and ladder are JSON text. */
export interface DeadlineStagesTable {
  id: string
  subject_type: string
  subject_id: string
  organisation_id: string | null
  stage_key: string
  title: string
  starts_at: string
  due_at: string
  responsible: string
  reminder_offsets: string
  escalation: string
  breach_after: string
  status: 'open' | 'done'
  opened_at: string
  completed_at: string | null
  completed_by: string | null
}

/** One entry in a person's in-service notification list; `source` (unique per person) says what raised it. */
export interface NotificationsTable {
  id: string
  user_id: string
  title: string
  body: string
  link: string | null
  source: string | null
  created_at: string
  read_at: string | null
}

/** A notice claimed for a stage, at most one per (stage_id, notice_key). */
export interface DeadlineNoticesTable {
  stage_id: string
  notice_key: string
  status: 'sending' | 'sent' | 'no-recipient' | 'recorded'
  claimed_at: string
  sent_at: string | null
  recipient: string | null
  channel: 'email' | 'ledger'
}

/** A supplier self-assessment against a catalogue version; `scope` is JSON `{ tags, sections }`. */
export interface AssessmentsTable {
  id: string
  organisation_id: string
  catalogue_version: string
  scope: string
  title: string
  status: 'open' | 'submitted' | 'in-review' | 'closed'
  opened_by: string
  opened_at: string
  submitted_by: string | null
  submitted_at: string | null
  closed_by: string | null
  closed_at: string | null
  outcome: string | null
}

/** A risk register entry: an accepted shortfall in one answer, carried until `expires_on` (YYYY-MM-DD). */
export interface RisksTable {
  id: string
  organisation_id: string
  assessment_id: string
  requirement_id: string
  owner: string
  description: string
  mitigation: string
  expires_on: string
  status: 'proposed' | 'accepted' | 'expired' | 'closed'
  proposed_by: string
  proposed_at: string
  accepted_by: string | null
  accepted_at: string | null
}

/** A supplier's answer to one requirement of an assessment, with the Authority's review of it. */
export interface AssessmentAnswersTable {
  assessment_id: string
  requirement_id: string
  status: 'met' | 'partially-met' | 'not-met' | 'not-applicable'
  justification: string
  evidence_link: string | null
  answered_by: string
  answered_at: string
  review: 'accepted' | 'queried' | 'rejected' | null
  review_comment: string | null
  reviewed_by: string | null
  reviewed_at: string | null
}

/** An issued Security Aspects Letter; `variables` and `distribution` are JSON, times ISO 8601 UTC. */
export interface LettersTable {
  id: string
  organisation_id: string
  contract_id: string
  kind: 'security-aspects-letter'
  version: number
  supersedes_id: string | null
  issued_at: string
  issued_by: string
  variables: string
  body: string
  body_sha256: string
  revision_note: string | null
  distribution: string
  status: 'issued' | 'superseded'
}

/** What a supplier did for one stage of a letter (at most once each); `details` is JSON. */
export interface LetterEventsTable {
  letter_id: string
  stage_key: string
  recorded_at: string
  recorded_by: string
  details: string
}

/** Evidence for one answer (assessment and requirement): a file (its bytes sealed in `evidence_files`) or an https link. */
export interface EvidenceItemsTable {
  id: string
  organisation_id: string
  assessment_id: string
  requirement_id: string
  kind: 'file' | 'link'
  url: string | null
  file_name: string | null
  media_type: string | null
  size_bytes: number | null
  sha256: string | null
  effective_on: string
  expires_on: string
  marking: 'OFFICIAL' | 'OFFICIAL-SENSITIVE'
  handling_instructions: string | null
  legacy_marking: string | null
  added_by: string
  added_at: string
}

/** An evidence file's bytes, sealed with the master key (bound to the evidence ID). */
export interface EvidenceFilesTable {
  evidence_id: string
  sealed: string
}

/** The whole store, as Kysely sees it. */
/** A security incident a supplier reported; times are ISO 8601 UTC. */
export interface IncidentsTable {
  id: string
  organisation_id: string
  summary: string
  identified_at: string
  reported_at: string
  reported_by: string
  systems_affected: string
  data_affected: string
  personal_data: 'yes' | 'no' | 'not-known'
  actions_taken: string
  status: 'open' | 'closed'
  closed_at: string | null
  closed_by: string | null
  review: string | null
}

/** A later update to an incident, by the supplier or the Authority. */
export interface IncidentUpdatesTable {
  id: string
  incident_id: string
  at: string
  by: string
  text: string
}

/** The clearance level the Authority requires of everyone on a contract (none recorded: BPSS). */
export interface ContractClearanceRequirementsTable {
  contract_id: string
  required_level: string
  set_at: string
  set_by: string
}

/** A supplier's attestation that one person on a contract holds the clearance it requires. */
export interface PersonnelAttestationsTable {
  id: string
  organisation_id: string
  contract_id: string
  full_name: string
  role: string
  clearance_level: string
  required_level: string
  achieved_on: string
  started_on: string
  attested_at: string
  attested_by: string
  status: 'current' | 'withdrawn'
  withdrawn_at: string | null
  withdrawn_by: string | null
  withdrawal_reason: string | null
}

/** An Authority request to check someone's clearance status; the name and date of birth are sealed. */
export interface ClearanceChecksTable {
  id: string
  organisation_id: string | null
  first_name_sealed: string
  last_name_sealed: string
  date_of_birth_sealed: string
  requested_at: string
  requested_by: string
  status: 'pending' | 'answered'
  outcome: 'cleared' | 'none' | 'lapsed' | null
  cleared_level: string | null
  valid_until: string | null
  lapsed_on: string | null
  answered_at: string | null
  answered_by: string | null
}

/** A data destruction instruction and confirmation letter for one contract; `variables` is JSON, times ISO 8601 UTC. */
export interface DestructionInstructionsTable {
  id: string
  organisation_id: string
  contract_id: string
  issued_at: string
  issued_by: string
  variables: string
  body: string
  body_sha256: string
}

/** The supplier's signed destruction declaration (one per instruction); `clauses` is JSON, `pdf` base64. */
export interface DestructionDeclarationsTable {
  instruction_id: string
  signed_at: string
  signed_by: string
  signer_name: string
  position: string
  clauses: string
  pdf: string
  pdf_sha256: string
}

/** That the Authority's data was returned, and in which non-proprietary format (one per instruction). */
export interface DestructionDataReturnsTable {
  instruction_id: string
  format: string
  recorded_at: string
  recorded_by: string
}

/** A report of unsuccessful or incomplete data destruction; `late` is 1 when reported after `due_at`. */
export interface DestructionFailuresTable {
  id: string
  instruction_id: string
  organisation_id: string
  what_failed: string
  identified_at: string
  reported_at: string
  reported_by: string
  due_at: string
  late: number
}

/** A recurring obligation a supplier owes on a cadence (from the catalogue), one per supplier and kind. */
export interface ObligationSchedulesTable {
  id: string
  organisation_id: string
  kind: string
  first_due_at: string
  started_at: string
  started_by: string
}

/** One occurrence of an obligation: due, completed with evidence and attestation, then reviewed by the Authority. */
export interface ObligationInstancesTable {
  id: string
  organisation_id: string
  schedule_id: string | null
  service_id: string | null
  kind: string
  due_at: string
  status: 'open' | 'awaiting-review' | 'accepted'
  opened_at: string
  evidence_description: string | null
  evidence_link: string | null
  completed_at: string | null
  completed_by: string | null
  reviewed_at: string | null
  reviewed_by: string | null
  review_comment: string | null
}

/** A supplier's service (project) and its privacy lifecycle phase. */
export interface SupplierServicesTable {
  id: string
  organisation_id: string
  name: string
  phase: string
  phase_changed_at: string
  created_at: string
  created_by: string
}

/** Whether one privacy lifecycle expectation is met for a service; `checked` is 0 or 1. */
export interface PrivacyChecklistItemsTable {
  service_id: string
  item_id: string
  checked: number
  updated_at: string
  updated_by: string
}

/** One baseline scan or enforcement run. */
export interface BaselineScansTable {
  id: string
  started_at: string
  finished_at: string | null
  mode: 'scan' | 'plan' | 'apply'
  accounts: number
  summary: string
}

/** The latest result of one rule in one account and region: whether it could observe, and how many findings. */
export interface BaselineResultsTable {
  account_id: string
  region: string
  rule_id: string
  scan_id: string
  scanned_at: string
  observed: number
  error: string | null
  findings: number
}

/** A violation with its clock; JSON in evidence and steps_taken. Open while resolved_at is null. */
export interface BaselineViolationsTable {
  id: string
  violation_key: string
  account_id: string
  region: string
  rule_id: string
  resource_arn: string
  summary: string
  evidence: string
  first_seen_at: string
  last_seen_at: string
  clock_started_at: string
  steps_taken: string
  resolved_at: string | null
}

/** A remediation action: its plan, and once applied what it changed (JSON), so it can be rolled back. */
export interface BaselineActionsTable {
  id: string
  violation_id: string
  scan_id: string
  account_id: string
  region: string
  remediation: string
  status: 'planned' | 'applied' | 'failed' | 'rolled-back' | 'rollback-failed'
  planned: string
  applied: string | null
  created_at: string
  applied_at: string | null
  rolled_back_at: string | null
}

/** An exception to a rule in an account (or for one resource), until it expires. */
export interface BaselineMutesTable {
  id: string
  account_id: string
  rule_id: string
  resource_arn: string | null
  owner: string
  justification: string
  expires_at: string
  created_by: string
  created_at: string
}

export interface Database {
  baseline_scans: BaselineScansTable
  baseline_results: BaselineResultsTable
  baseline_violations: BaselineViolationsTable
  baseline_actions: BaselineActionsTable
  baseline_mutes: BaselineMutesTable
  catalogues: CataloguesTable
  catalogue_groups: CatalogueGroupsTable
  catalogue_items: CatalogueItemsTable
  organisations: OrganisationsTable
  users: UsersTable
  user_roles: UserRolesTable
  password_credentials: PasswordCredentialsTable
  mfa_factors: MfaFactorsTable
  recovery_codes: RecoveryCodesTable
  sessions: SessionsTable
  one_time_links: OneTimeLinksTable
  audit_entries: AuditEntriesTable
  audit_head: AuditHeadTable
  audit_checkpoints: AuditCheckpointsTable
  audit_prune_permits: { id: string }
  audit_verifications: AuditVerificationsTable
  audit_forward_cursors: AuditForwardCursorsTable
  service_keys: ServiceKeysTable
  rate_limits: RateLimitsTable
  pending_changes: PendingChangesTable
  api_tokens: ApiTokensTable
  job_runs: JobRunsTable
  privileged_reviews: PrivilegedReviewsTable
  security_settings: SecuritySettingsTable
  supplier_profiles: SupplierProfilesTable
  contracts: ContractsTable
  cloud_accounts: CloudAccountsTable
  deadline_stages: DeadlineStagesTable
  deadline_notices: DeadlineNoticesTable
  notifications: NotificationsTable
  assessments: AssessmentsTable
  assessment_answers: AssessmentAnswersTable
  risks: RisksTable
  letters: LettersTable
  letter_events: LetterEventsTable
  incidents: IncidentsTable
  incident_updates: IncidentUpdatesTable
  evidence_items: EvidenceItemsTable
  evidence_files: EvidenceFilesTable
  destruction_instructions: DestructionInstructionsTable
  destruction_declarations: DestructionDeclarationsTable
  destruction_data_returns: DestructionDataReturnsTable
  destruction_failures: DestructionFailuresTable
  contract_clearance_requirements: ContractClearanceRequirementsTable
  personnel_attestations: PersonnelAttestationsTable
  clearance_checks: ClearanceChecksTable
  obligation_schedules: ObligationSchedulesTable
  obligation_instances: ObligationInstancesTable
  supplier_services: SupplierServicesTable
  privacy_checklist_items: PrivacyChecklistItemsTable
}
