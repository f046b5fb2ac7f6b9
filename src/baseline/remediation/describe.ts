import { undoCalls, type AppliedAction } from './actions.ts'
import { describeCall } from './calls.ts'
import type { PlannedAction } from './plan.ts'

export { describeCall }

/** A planned action as lines: a heading naming the remediation and resource, then its calls. */
export function describePlan(action: PlannedAction): string[] {
  const heading = `${action.remediation} ${action.accountId} ${action.region} ${action.resourceArn}${
    action.destructive ? ' [destructive]' : ''
  }`
  return [heading, ...action.calls.map(call => `  ${describeCall(call)}`)]
}

/** What rolling an applied action back would send, as lines, for `npx assure baseline rollback` to show first. */
export function describeRollback(applied: AppliedAction): string[] {
  const heading = `rollback ${applied.remediation} ${applied.accountId} ${applied.region} ${applied.resourceArn}`
  const calls = undoCalls(applied)
  return [heading, ...(calls.length === 0 ? ['  nothing to undo'] : calls.map(call => `  ${describeCall(call)}`))]
}
