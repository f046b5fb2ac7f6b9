import { AssureError } from './platform/errors.ts'
import { describeConfigProblems, loadConfig } from './config.ts'
import { bootstrap } from './bootstrap.ts'
import { buildApp } from './platform/http/app.ts'
import { administratorExists, createSetupLink } from './identity/setup.ts'
import { runDueJobs, startJobTicker } from './platform/jobs/runner.ts'

/** Starts the web service and stops it cleanly on SIGINT or SIGTERM. */
export async function serve(env: Record<string, string | undefined>): Promise<void> {
  const config = loadConfig(env)
  const services = await bootstrap(config)
  const app = await buildApp({ config, services })
  let stopping = false
  const stop = async (signal: string) => {
    if (stopping) return
    stopping = true
    app.log.info({ signal }, 'stopping')
    await app.close()
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
