import { AssureError } from './platform/errors.ts'
import { describeConfigProblems, loadConfig } from './config.ts'
import { bootstrap } from './bootstrap.ts'
import { buildApp } from './platform/http/app.ts'
import { administratorExists, createSetupLink } from './identity/setup.ts'
import { runDueJobs, startJobTicker } from './platform/jobs/runner.ts'
import { signCheckpoint } from './audit/ledger.ts'
import { startSiemForwarding } from './audit/forwarding.ts'
import type { Forwarder } from './audit/siem/forwarder.ts'

// How often the ledger is polled for events to forward; a backlog is sent at once, batch after batch.
const SIEM_POLL_MS = 5_000

/** Starts the web service and stops it cleanly on SIGINT or SIGTERM. */
export async function serve(env: Record<string, string | undefined>): Promise<void> {
  const config = loadConfig(env)
  const services = await bootstrap(config)
  const app = await buildApp({ config, services })
  let stopping = false
  let forwarder: Forwarder | undefined
  const stop = async (signal: string) => {
    if (stopping) return
    stopping = true
    app.log.info({ signal }, 'stopping')
    await app.close()
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
  await app.listen({ host: config.host, port: config.port })
  // The worker role: scheduled jobs, each period once across instances (claimed in the store).
  const tick = () =>
    runDueJobs(services.store.db, services.jobs, services.now(), (job, error) =>
      app.log.error({ err: error, job: job.name }, 'job failed'),
    )
  await tick()
  startJobTicker(tick)
  forwarder = startSiemForwarding({
    db: services.store.db,
    siem: config.siem,
    intervalMs: SIEM_POLL_MS,
    onError: error => app.log.warn({ err: error }, 'SIEM forwarding failed; the batch is sent again at the next poll'),
  })
  const address = app.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : config.port
  const store = config.database.engine === 'sqlite' ? `SQLite at ${config.database.file}` : 'PostgreSQL'
  process.stdout.write(`Assure is running at ${config.publicUrl.replace(/:\d+$/, `:${port}`)} (store: ${store})\n`)
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
  serve(process.env).catch(reportStartFailure)
}
