/** Remediation of baseline violations: planning, applying and rolling back, for the enforcer and the CLI. */
export { applyAction, type AppliedAction, type AppliedCall, type CallError } from './actions.ts'
export type { Fill, PlannedCall, Service } from './calls.ts'
export { describeCall, describePlan, describeRollback } from './describe.ts'
export {
  planRemediation,
  remediationContext,
  RULE_REMEDIATION,
  type PlannedAction,
  type RemediationContext,
  type Skipped,
} from './plan.ts'
export { rollbackAction, undoCalls, type RolledBackAction, type RolledBackCall } from './rollback.ts'
