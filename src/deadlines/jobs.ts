import type { Job } from '../platform/jobs/runner.ts'
import { sweepDeadlines, type DeadlineDeps } from './deadlines.ts'

/** How often open stages are swept: often enough that an hour-long clock (24 hours to report) is chased in time. */
export const SWEEP_INTERVAL = 'PT15M'

/** Sends the reminders and escalations due on every open deadline stage, each once across instances. */
export function sweepDeadlinesJob(deps: DeadlineDeps): Job {
  return {
    name: 'sweep-deadlines',
    every: { interval: SWEEP_INTERVAL },
    async run(now) {
      const result = await sweepDeadlines({ ...deps, now: () => now })
      return `${result.sent} sent, ${result.noRecipient} without a recipient, ${result.breached} breached, ${result.failed} failed`
    },
  }
}
