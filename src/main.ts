import type { FastifyBaseLogger } from 'fastify'
import { AssureError } from './platform/errors.ts'
import { describeConfigProblems, loadConfig } from './config.ts'
import { bootstrap } from './bootstrap.ts'
import { buildApp } from './platform/http/app.ts'
import { administratorExists, createSetupLink } from './identity/setup.ts'
import { runDueJobs, startJobTicker } from './platform/jobs/runner.ts'
import { signCheckpoint } from './audit/ledger.ts'
import { startSiemForwarding } from './audit/forwarding.ts'
import type { Forwarder } from './audit/siem/forwarder.ts'
import { describeAccountScan, startBaselineWorker } from './baseline/jobs.ts'
import type { Services } from './services.ts'
import type { Config } from './config.ts'

// How often the ledger is polled for events to forward; a backlog is sent at once, batch after batch.
const SIEM_POLL_MS = 5_000

const ROLES = ['web', 'worker'] as const
type Role = (typeof ROLES)[number]

/**
 * The roles `--services=web,worker` asks for (both by default): the web role serves pages and the API, the worker
 * role runs the scheduled jobs, takes queued work and forwards the ledger to the SIEM.
 */
export function parseRoles(argv: readonly string[]): Set<Role> {
  const option = argv.findLast(arg => arg.startsWith('--services='))
  if (option === undefined) return new Set(ROLES)
  const names = option
    .slice('--services='.length)
    .split(',')
    .map(name => name.trim())
    .filter(Boolean)
  const unknown = names.filter(name => !(ROLES as readonly string[]).includes(name))
  if (names.length === 0 || unknown.length > 0)
    throw new AssureError('CONFIG_INVALID', 'The configuration is not valid', {
      problems: [
        {
          path: '--services',
          message: `must list web, worker or both, separated by a comma${unknown.length > 0 ? `; ${unknown.join(', ')} is not a role` : ''}`,
        },
      ],
    })
  return new Set(names as Role[])
}

/** Starts the chosen roles and stops them cleanly on SIGINT or SIGTERM. */
export async function serve(env: Record<string, string | undefined>, argv: readonly string[] = []): Promise<void> {
  const roles = parseRoles(argv)
  const config = loadConfig(env)
  let log: FastifyBaseLogger | undefined
  const services = await bootstrap(config, {
    onQueueFailure: (queue, error) => log?.error({ err: error, queue }, 'queued work failed; it is retried'),
  })
  const app = await buildApp({ config, services })
  log = app.log
  let stopping = false
  let forwarder: Forwarder | undefined
  let stopTicker: (() => void) | undefined
  const stop = async (signal: string) => {
    if (stopping) return
    stopping = true
    app.log.info({ signal }, 'stopping')
    stopTicker?.()
    await app.close()
    // Lets the account scans running here finish; queued ones wait in pg-boss for another worker.
    await services.queue.stop().catch(error => app.log.error({ err: error }, 'stopping the work queue failed'))
    // Sign the head on the way out, so nothing appended since the last hourly checkpoint goes unsigned.
    await signCheckpoint(services.ledgerDeps).catch(error => app.log.error({ err: error }, 'final checkpoint failed'))
    // Waits for a batch in flight; whatever is not yet confirmed goes on the next start, from the saved cursor.
    await forwarder?.close().catch(error => app.log.error({ err: error }, 'stopping SIEM forwarding failed'))
    await services.store.close()
    process.exit(0)
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      stop(signal).catch(reportStartFailure)
    })
  }
  if (roles.has('web')) {
    await app.listen({ host: config.host, port: config.port })
    const address = app.server.address()
    const port = typeof address === 'object' && address !== null ? address.port : config.port
    process.stdout.write(
      `Assure is running at ${config.publicUrl.replace(/:\d+$/, `:${port}`)} (store: ${describeStore(config)}${roles.has('worker') ? '' : '; web only'})\n`,
    )
    if (!(await administratorExists(services.identityDeps))) {
      const link = await createSetupLink({
        ...services.identityDeps,
        publicUrl: services.identityDeps.publicUrl.replace(/:\d+$/, `:${port}`),
      })
      process.stdout.write(
        `\nNo administrator exists yet. Open this one-time link to create the first one (it works once, until ${link.expiresAt}):\n\n  ${link.url}\n\nRun npx assure setup-link for a new link while no administrator exists.\n\n`,
      )
    }
  }
  if (roles.has('worker')) {
    // Account scans are the only queued work; without a scan interval there is nothing to take or poll for.
    if (config.baseline.scanInterval !== null) await startWorker(services, app.log, config.baseline.scanConcurrency)
    // Scheduled jobs, each period once across instances (claimed in the store).
    const tick = () =>
      runDueJobs(services.store.db, services.jobs, services.now(), (job, error) =>
        app.log.error({ err: error, job: job.name }, 'job failed'),
      )
    await tick()
    const stopJobs = startJobTicker(tick)
    // The ticker is unref'd; without the web role's server nothing else would hold the process open.
    const keepAlive = roles.has('web') ? undefined : setInterval(() => undefined, 2 ** 30)
    stopTicker = () => {
      stopJobs()
      clearInterval(keepAlive)
    }
    forwarder = startSiemForwarding({
      db: services.store.db,
      siem: config.siem,
      intervalMs: SIEM_POLL_MS,
      onError: error =>
        app.log.warn({ err: error }, 'SIEM forwarding failed; the batch is sent again at the next poll'),
    })
    if (!roles.has('web')) process.stdout.write(`Assure worker is running (store: ${describeStore(config)})\n`)
  }
}

function describeStore(config: Config): string {
  return config.database.engine === 'sqlite' ? `SQLite at ${config.database.file}` : 'PostgreSQL'
}

/** Connects the work queue and takes queued work: the account scans the scheduled baseline run queues. */
async function startWorker(services: Services, log: FastifyBaseLogger, scanConcurrency: number): Promise<void> {
  await services.queue.start()
  await startBaselineWorker(services, services.queue, {
    concurrency: scanConcurrency,
    onScanned: report => {
      const line = `baseline scan: ${describeAccountScan(report)}`
      if (report.failed === undefined) log.info({ accountId: report.accountId }, line)
      else log.warn({ accountId: report.accountId }, line)
    },
  })
}

/** Prints a refused start as one line per problem, never a stack trace, and exits 1. */
export function reportStartFailure(error: unknown): never {
  if (error instanceof AssureError && error.code === 'CONFIG_INVALID') {
    process.stderr.write(`Assure cannot start: the configuration is not valid.\n`)
    for (const line of describeConfigProblems(error)) process.stderr.write(`  ${line}\n`)
  } else if (error instanceof AssureError) {
    process.stderr.write(`Assure cannot start: ${error.message}\n`)
    for (const problem of error.problems) process.stderr.write(`  ${problem.path}: ${problem.message}\n`)
  } else {
    process.stderr.write(`Assure cannot start: ${error instanceof Error ? error.message : String(error)}\n`)
  }
  process.exit(1)
}

if (import.meta.main) {
  serve(process.env, process.argv.slice(2)).catch(reportStartFailure)
}
