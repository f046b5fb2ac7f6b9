import { Command, CommanderError } from 'commander'
import { loadConfig } from '../config.ts'
import { migrateToLatest, openStore } from '../platform/db/database.ts'
import { loadCatalogue } from '../catalogue/load.ts'
import { syncBuiltInCatalogue } from '../catalogue/operations.ts'
import { registerCatalogueCommands } from './catalogue.ts'
import { registerAuditCommands } from './audit.ts'
import { registerBaselineCommands } from './baseline.ts'
import { bootstrap } from '../bootstrap.ts'
import { createSetupLink } from '../identity/setup.ts'
import { runDueJobs } from '../platform/jobs/runner.ts'
import { describeAccountScan, startBaselineWorker } from '../baseline/jobs.ts'
import { createOutput, fail } from './output.ts'

/** The `assure` command line. */
export function buildProgram(): Command {
  const program = new Command('assure')
    .description('Assure: the MoJ Cyber Security Guidance: Supplier Edition, put into practice')
    .showHelpAfterError('(run assure --help for the commands)')
    .exitOverride()

  program
    .command('serve')
    .description('Run the service (the same as npm start)')
    .option('--services <roles>', 'the roles to run: web, worker or web,worker', 'web,worker')
    .option('--json', 'accepted for consistency; the service logs JSON lines')
    .action(async (options: { json?: boolean; services: string }) => {
      // Loaded here: the web app is the heaviest import, and no other command needs it.
      const { serve } = await import('../main.ts')
      await serve(process.env, [`--services=${options.services}`]).catch(error => fail(error, options.json === true))
    })

  program
    .command('migrate')
    .description('Bring the store up to date and store the built-in catalogue version')
    .option('--json', 'report the result as JSON')
    .action(async (options: { json?: boolean }) => {
      const json = options.json === true
      try {
        const config = loadConfig(process.env)
        const catalogue = loadCatalogue()
        const store = openStore(config.database)
        try {
          const { applied } = await migrateToLatest(store)
          const synced = await syncBuiltInCatalogue({ db: store.db, catalogue, now: () => new Date() })
          createOutput(json).result({ engine: store.engine, applied, catalogue: synced }, [
            applied.length === 0
              ? 'The store was already up to date.'
              : `Applied ${applied.length} migrations: ${applied.join(', ')}`,
            synced.stored
              ? `Stored catalogue version ${synced.ref}.`
              : `Catalogue version ${synced.ref} was already stored.`,
          ])
        } finally {
          await store.close()
        }
      } catch (error) {
        fail(error, json)
      }
    })

  program
    .command('setup-link')
    .description('Make a one-time link (1 hour) that creates the first administrator; refused once one exists')
    .option('--json', 'report the result as JSON')
    .action(async (options: { json?: boolean }) => {
      const json = options.json === true
      try {
        const services = await bootstrap(loadConfig(process.env))
        try {
          const link = await createSetupLink(services.identityDeps)
          createOutput(json).result(link, [
            `Open this link to create the first administrator (single use, until ${link.expiresAt}):`,
            link.url,
          ])
        } finally {
          await services.store.close()
        }
      } catch (error) {
        fail(error, json)
      }
    })

  program
    .command('jobs')
    .description('Run the scheduled jobs whose period is due now (the web service runs them every minute too)')
    .option('--json', 'report the result as JSON')
    .action(async (options: { json?: boolean }) => {
      const json = options.json === true
      try {
        const config = loadConfig(process.env)
        const services = await bootstrap(config)
        try {
          const failures: string[] = []
          const scans: string[] = []
          // On SQLite the queued account scans live in this process: work them here, or they end with it. On
          // PostgreSQL they wait in pg-boss for the service's workers.
          if (services.queue.kind === 'in-process')
            await startBaselineWorker(services, services.queue, {
              concurrency: config.baseline.scanConcurrency,
              onScanned: report => scans.push(describeAccountScan(report)),
            })
          const ran = await runDueJobs(services.store.db, services.jobs, services.now(), (job, error) =>
            failures.push(`${job.name}: ${error instanceof Error ? error.message : String(error)}`),
          )
          await services.queue.stop({ drain: true })
          if (failures.length > 0) throw new Error(`jobs failed: ${failures.join('; ')}`)
          createOutput(json).result(
            { ran, baselineScans: scans },
            ran.length === 0
              ? 'No job was due.'
              : [
                  ...ran.map(r => `${r.job} (${r.period}): ${r.outcome}`),
                  ...scans.map(line => `baseline scan: ${line}`),
                ],
          )
        } finally {
          await services.queue.stop()
          services.mailer.close()
          await services.store.close()
        }
      } catch (error) {
        fail(error, json)
      }
    })

  registerCatalogueCommands(program)
  registerAuditCommands(program)
  registerBaselineCommands(program)
  return program
}

/** Runs the CLI; usage errors get commander's one-line message and exit 1. */
export async function runCli(argv: readonly string[]): Promise<void> {
  const program = buildProgram()
  try {
    await program.parseAsync([...argv], { from: 'user' })
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exit(error.exitCode === 0 ? 0 : 1)
    }
    fail(error, argv.includes('--json'))
  }
}

/** A closed pipe (`assure catalogue export ... | head`) is the reader's choice, not a failure. */
export function exitQuietlyOnClosedPipe(): void {
  process.stdout.on('error', error => {
    if ((error as NodeJS.ErrnoException).code === 'EPIPE') process.exit(0)
    throw error
  })
}

if (import.meta.main) {
  exitQuietlyOnClosedPipe()
  await runCli(process.argv.slice(2))
}
