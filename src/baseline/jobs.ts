import type { Job } from '../platform/jobs/runner.ts'
import {
  registeredAccounts,
  roleAccess,
  runConfiguredBaseline,
  type AwsAccess,
  type BaselineServices,
} from './service.ts'

/**
 * The service's scheduled baseline run over every registered AWS account: it scans, sends the notices due and
 * plans remediation, taking only the actions the configuration allows without a person (re-enabling detective
 * services, with ASSURE_BASELINE_APPLY_SAFE). Workload-changing actions wait for `assure baseline enforce --apply`.
 * The job runner runs it once per interval across all instances.
 */
export function baselineScanJob(
  services: BaselineServices,
  interval: string,
  accessFor: (services: BaselineServices) => AwsAccess = roleAccess,
): Job {
  return {
    name: 'baseline-scan',
    every: { interval },
    async run() {
      const accounts = await registeredAccounts(services)
      if (accounts.length === 0) return 'no AWS accounts registered'
      const report = await runConfiguredBaseline(services, accessFor(services), { mode: 'plan', accounts })
      const open = report.accounts.reduce((count, account) => count + account.open.length, 0)
      const failed = report.accounts.filter(account => account.failed !== undefined).length
      const applied = report.accounts.reduce((count, account) => count + account.applied.length, 0)
      const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`
      return `${count(accounts.length, 'account')}: ${count(open, 'open violation')}, ${count(applied, 'action')} applied, ${failed} not scanned${report.stopped === null ? '' : '; stopped at the blast radius'}`
    },
  }
}
