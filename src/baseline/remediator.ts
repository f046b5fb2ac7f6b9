import type { Budget } from './aws/budget.ts'
import type { AwsClients } from './aws/clients.ts'
import type { Remediator } from './enforce.ts'
import { applyAction, type AppliedAction } from './remediation/actions.ts'
import { describePlan } from './remediation/describe.ts'
import { planRemediation, type PlannedAction, type RemediationContext } from './remediation/plan.ts'
import { rollbackAction, type RolledBackAction } from './remediation/rollback.ts'

/**
 * The enforcer's remediator over the AWS SDK: plans from the violation's evidence and the deployment's choices,
 * applies with the remediation role's clients, one shared throttle budget.
 */
export function sdkRemediator(deps: {
  clientsFor: (accountId: string) => AwsClients
  budget: Budget
  context: RemediationContext
}): Remediator {
  return {
    plan: (violation, remediation) => planRemediation(violation, deps.context, remediation),
    async apply(planned) {
      // The enforcer hands back exactly what `plan` returned.
      const applied = await applyAction(deps.clientsFor(planned.accountId), deps.budget, planned as PlannedAction)
      return {
        status: applied.status,
        requestIds: applied.calls.flatMap(call => (call.requestId === null ? [] : [call.requestId])),
        ...(applied.error === undefined ? {} : { error: `${applied.error.name}: ${applied.error.message}` }),
        record: applied,
      }
    },
    describe: planned => describePlan(planned as PlannedAction),
  }
}

/** Rolls back an applied action with the remediation role's clients. */
export function sdkRollback(deps: { clientsFor: (accountId: string) => AwsClients; budget: Budget }) {
  return (applied: AppliedAction): Promise<RolledBackAction> =>
    rollbackAction(deps.clientsFor(applied.accountId), deps.budget, applied)
}
