import type { Config } from './config.ts'
import type { Store } from './platform/db/database.ts'
import type { Catalogue } from './catalogue/catalogue.ts'
import type { CatalogueDeps } from './catalogue/operations.ts'
import type { IdentityDeps } from './identity/deps.ts'
import { createMailer, type Mailer } from './platform/mail/mailer.ts'
import type { Job } from './platform/jobs/runner.ts'
import { inactiveAccountsJob, privilegedReviewJob } from './identity/jobs.ts'
import type { SigningKey } from './audit/signing.ts'
import type { LedgerDeps } from './audit/ledger.ts'
import { checkpointJob, retentionJob, verifyJob } from './audit/jobs.ts'
import { durationParameter } from './catalogue/catalogue.ts'
import { sweepDeadlinesJob } from './deadlines/jobs.ts'
import { baselineScanJob } from './baseline/jobs.ts'
import { inProcessQueue, pgBossQueue, type WorkQueue } from './platform/jobs/queue.ts'

/** The wired dependencies shared by the web app, the CLI and the worker. */
export interface Services {
  readonly config: Config
  readonly store: Store
  readonly catalogue: Catalogue
  readonly now: () => Date
  readonly mailer: Mailer
  readonly catalogueDeps: CatalogueDeps
  readonly identityDeps: IdentityDeps
  readonly ledgerDeps: LedgerDeps
  /** The master key that seals secrets at rest. */
  readonly masterKey: Buffer
  /** The scheduled jobs the worker role runs. */
  readonly jobs: readonly Job[]
  /** Work shared out between worker instances (pg-boss on PostgreSQL, this process on SQLite); started by the worker role. */
  readonly queue: WorkQueue
}

/** Wires the services from their parts; tests pass their own clock and mailer. */
export function createServices(deps: {
  config: Config
  store: Store
  catalogue: Catalogue
  masterKey: Buffer
  signingKey: SigningKey
  now?: () => Date
  mailer?: Mailer
  /** Where queue failures are reported; the worker role logs them. */
  onQueueFailure?: (queue: string, error: unknown) => void
}): Services {
  const now = deps.now ?? (() => new Date())
  const onQueueFailure =
    deps.onQueueFailure ??
    ((queue: string, error: unknown) =>
      process.stderr.write(`queue ${queue} failed: ${error instanceof Error ? error.message : String(error)}\n`))
  const queue =
    deps.config.database.engine === 'postgres'
      ? pgBossQueue({ connectionString: deps.config.database.url, onFailure: onQueueFailure })
      : inProcessQueue(onQueueFailure)
  const mailer = deps.mailer ?? createMailer(deps.config.mail, line => process.stdout.write(`${line}\n`))
  const identityDeps: IdentityDeps = {
    db: deps.store.db,
    catalogue: deps.catalogue,
    now,
    mailer,
    publicUrl: deps.config.publicUrl,
    masterKey: deps.masterKey,
  }
  const ledgerDeps: LedgerDeps = { db: deps.store.db, signingKey: deps.signingKey, now }
  const retention = {
    keep: deps.config.audit.retention,
    minimum: durationParameter(deps.catalogue, 'log-retention-min'),
  }
  return {
    config: deps.config,
    store: deps.store,
    catalogue: deps.catalogue,
    now,
    mailer,
    catalogueDeps: { db: deps.store.db, catalogue: deps.catalogue, now },
    identityDeps,
    ledgerDeps,
    masterKey: deps.masterKey,
    jobs: [
      inactiveAccountsJob(identityDeps),
      privilegedReviewJob(identityDeps),
      checkpointJob(ledgerDeps, deps.config.audit.checkpointInterval),
      verifyJob(ledgerDeps),
      retentionJob({ ...ledgerDeps, engine: deps.store.engine }, retention),
      sweepDeadlinesJob(identityDeps),
      ...(deps.config.baseline.scanInterval === null
        ? []
        : [baselineScanJob({ ...deps, now, mailer }, deps.config.baseline.scanInterval, queue)]),
    ],
    queue,
  }
}
