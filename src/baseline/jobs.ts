import { z } from 'zod'
import type { Job } from '../platform/jobs/runner.ts'
import type { WorkQueue } from '../platform/jobs/queue.ts'
import type { AccountReport } from './enforce.ts'
import type { AwsAccess, BaselineServices } from './service.ts'

// Loaded when a scan runs, so an instance that never scans (and the command line) starts without the AWS SDK.
const service = () => import('./service.ts')

/** The queue of account scans: one item per AWS account, keyed by the account, so an account is never scanned twice at once. */
export const ACCOUNT_SCAN_QUEUE = 'baseline-account-scan'

const AccountScan = z.object({ accountId: z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account ID') })

const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`

/**
 * The service's scheduled baseline run: once per interval across all instances it queues one scan per registered AWS
 * account, and the worker instances share the accounts out (pg-boss on PostgreSQL, this process on SQLite). An
 * account still queued or being scanned from the last interval is not queued again.
 */
export function baselineScanJob(services: BaselineServices, interval: string, queue: WorkQueue): Job {
  return {
    name: 'baseline-scan',
    every: { interval },
    async run() {
      const accounts = await (await service()).registeredAccounts(services)
      if (accounts.length === 0) return 'no AWS accounts registered'
      const queued = await queue.enqueue(
        ACCOUNT_SCAN_QUEUE,
        accounts.map(accountId => ({ key: accountId, data: { accountId } })),
      )
      const waiting = accounts.length - queued
      return `${count(queued, 'account')} queued for scanning${waiting === 0 ? '' : `; ${count(waiting, 'account')} still queued or being scanned`}`
    },
  }
}

/** One account's outcome as a log line. */
export function describeAccountScan(report: AccountReport): string {
  if (report.failed !== undefined) return `${report.accountId}: not scanned: ${report.failed}`
  return `${report.accountId}: ${count(report.open.length, 'open violation')}, ${count(report.notices.length, 'notice')} sent, ${count(report.planned.length, 'remediation')} planned, ${count(report.applied.length, 'action')} applied`
}

/**
 * Makes this process a baseline worker: it takes queued account scans, `concurrency` accounts at a time, and for
 * each scans, sends the notices due and plans remediation, taking only the actions ASSURE_BASELINE_APPLY_SAFE allows
 * without a person; workload-changing actions wait for `assure baseline enforce --apply`. An account that could not
 * be scanned is recorded as such by the run and tried again next interval, not retried at once.
 */
export async function startBaselineWorker(
  services: BaselineServices,
  queue: WorkQueue,
  options: {
    concurrency: number
    accessFor?: (services: BaselineServices) => AwsAccess
    onScanned?: (report: AccountReport) => void
  },
): Promise<void> {
  const { roleAccess, runConfiguredBaseline } = await service()
  const access = (options.accessFor ?? roleAccess)(services)
  await queue.work(ACCOUNT_SCAN_QUEUE, { concurrency: options.concurrency }, async data => {
    const { accountId } = AccountScan.parse(data)
    const report = await runConfiguredBaseline(services, access, { mode: 'plan', accounts: [accountId] })
    for (const account of report.accounts) options.onScanned?.(account)
  })
}
