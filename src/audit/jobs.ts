import type { Job } from '../platform/jobs/runner.ts'
import { pruneLedger, signCheckpoint, verifyStore, type LedgerDeps } from './ledger.ts'
import { recordAuditEvent } from './record.ts'

/** Signs the ledger head at the configured interval (hourly by default). */
export function checkpointJob(deps: LedgerDeps, interval: string): Job {
  return {
    name: 'sign-ledger-checkpoint',
    every: { interval },
    async run() {
      const checkpoint = await signCheckpoint(deps)
      return checkpoint === undefined ? 'nothing new to sign' : `signed up to entry ${checkpoint.sequence}`
    },
  }
}

/** Verifies the whole ledger daily; a failure is itself recorded as a security event for the SIEM. */
export function verifyJob(deps: LedgerDeps): Job {
  return {
    name: 'verify-ledger',
    every: 'daily',
    async run(now) {
      const report = await verifyStore(deps)
      if (report.failure !== null) {
        await recordAuditEvent(
          deps.db,
          {
            actor: { type: 'system', id: 'verify-ledger' },
            action: 'audit.ledger.verification_failed',
            outcome: 'failure',
            reason: report.failure.message,
            details: { kind: report.failure.kind, sequence: report.failure.sequence },
          },
          now,
        )
        throw new Error(`Ledger verification failed: ${report.failure.message}`)
      }
      return `${report.entries} entries verified`
    },
  }
}

/** Prunes entries past the retention period daily, after signing an anchor. */
export function retentionJob(
  deps: LedgerDeps & { readonly engine: 'sqlite' | 'postgres' },
  retention: { readonly keep: string; readonly minimum: string },
): Job {
  return {
    name: 'prune-ledger',
    every: 'daily',
    async run() {
      const { pruned, through } = await pruneLedger(deps, retention)
      return through === null ? 'nothing old enough to prune' : `${pruned} entries pruned through ${through}`
    },
  }
}
