import { createWriteStream, readFileSync, writeFileSync } from 'node:fs'
import { userInfo } from 'node:os'
import { finished } from 'node:stream/promises'
import { once } from 'node:events'
import type { Command } from 'commander'
import { z } from 'zod'
import { loadConfig } from '../config.ts'
import { bootstrap } from '../bootstrap.ts'
import { AssureError } from '../platform/errors.ts'
import { generateMasterKey } from '../platform/crypto/master-key.ts'
import { exportLedger, verifyExport } from '../audit/export.ts'
import { signCheckpoint, verifyStore } from '../audit/ledger.ts'
import type { VerificationReport } from '../audit/verify.ts'
import { recordAuditEvent } from '../audit/record.ts'
import { entryFromRow, rowsAfter } from '../audit/store.ts'
import { ecsNdjsonLine } from '../audit/siem/ecs.ts'
import { toOcsf } from '../audit/siem/ocsf.ts'
import type { LedgerEntry } from '../audit/entry.ts'
import type { Services } from '../services.ts'
import { createOutput, fail } from './output.ts'

/** `--since`: a day (midnight UTC) or an ISO 8601 time, as an ISO timestamp. */
const SinceSchema = z
  .string()
  .refine(value => /^\d{4}-\d{2}-\d{2}(T.+)?$/.test(value) && !Number.isNaN(Date.parse(value)), {
    error: '--since must be a date (2026-06-01) or an ISO 8601 time (2026-06-01T09:00:00Z)',
  })
  .transform(value => new Date(value).toISOString())

const ExportFormatSchema = z.enum(['bundle', 'ndjson', 'ecs', 'ocsf'], {
  error: '--format must be bundle (a folder to verify elsewhere), ndjson, ecs or ocsf',
})

function since(value: string | undefined): string | undefined {
  if (value === undefined) return undefined
  const result = SinceSchema.safeParse(value)
  if (!result.success) {
    throw new AssureError('VALIDATION_FAILED', 'Bad --since', {
      problems: [{ path: 'since', message: result.error.issues[0]?.message ?? 'bad --since' }],
    })
  }
  return result.data
}

async function withServices<T>(work: (services: Services) => Promise<T>): Promise<T> {
  const services = await bootstrap(loadConfig(process.env))
  try {
    return await work(services)
  } finally {
    services.mailer.close()
    await services.store.close()
  }
}

/** The operator at the terminal, for the ledger: commands run with the store's access, not a person's session. */
export function cliActor(command: string) {
  let operator = 'unknown'
  try {
    operator = userInfo().username
  } catch {
    // No passwd entry (some containers): the command is still recorded.
  }
  return { actor: { type: 'system' as const, id: `cli:${command}` }, operator }
}

function reportLines(report: VerificationReport, what: string): string[] {
  if (report.failure !== null) {
    return [`${what} FAILED at entry ${report.failure.sequence} (${report.failure.kind}): ${report.failure.message}`]
  }
  const range = report.firstSequence === null ? '' : ` (entries ${report.firstSequence} to ${report.lastSequence})`
  const checkpoint =
    report.lastCheckpoint === null
      ? 'no signed checkpoint yet'
      : `last checkpoint: entry ${report.lastCheckpoint.sequence}, signed at ${report.lastCheckpoint.signedAt} by key ${report.lastCheckpoint.keyId}`
  const anchor = report.anchor === null ? [] : [`verified from the pruning anchor at entry ${report.anchor.sequence}`]
  return [`${what} verified: ${report.entries} entries${range}`, checkpoint, ...anchor]
}

/** Prints a verification report and exits 1 when it failed (the report is the output, so not through `fail`). */
function finishVerification(report: VerificationReport, json: boolean, what: string): void {
  createOutput(json).result(report, reportLines(report, what))
  if (!report.ok) {
    if (json) process.stderr.write(`assure: ${reportLines(report, what)[0]}\n`)
    process.exitCode = 1
  }
}

async function writeLines(
  entries: AsyncIterable<LedgerEntry>,
  line: (entry: LedgerEntry) => string,
  out: string | undefined,
): Promise<number> {
  const stream = out === undefined ? process.stdout : createWriteStream(out, { flags: 'wx' })
  let count = 0
  for await (const entry of entries) {
    if (!stream.write(line(entry))) await once(stream, 'drain')
    count += 1
  }
  if (stream !== process.stdout) {
    stream.end()
    await finished(stream)
  }
  return count
}

async function* entriesSince(services: Services, from: string | undefined): AsyncGenerator<LedgerEntry> {
  for await (const row of rowsAfter(services.store.db, 0)) {
    if (from === undefined || row.at >= from) yield entryFromRow(row)
  }
}

/** One event a line, per export format. */
const LINE_FORMATS: Record<'ndjson' | 'ecs' | 'ocsf', (entry: LedgerEntry) => string> = {
  ndjson: entry => `${JSON.stringify(entry)}\n`,
  ecs: ecsNdjsonLine,
  ocsf: entry => `${JSON.stringify(toOcsf(entry))}\n`,
}

/** `assure audit ...` and `assure master-key`. */
export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('The tamper-evident audit ledger: verify, export, keys')

  audit
    .command('verify')
    .description(
      'Recompute every hash and check every checkpoint signature; exit 1 naming the first bad entry. With --export, verify an export folder with a public key alone (no database)',
    )
    .option(
      '--since <date>',
      'start at the first entry from this date or time (its link to the one before is taken on trust)',
    )
    .option('--export <dir>', 'verify an export folder written by `assure audit export` instead of the live store')
    .option('--public-key <file>', 'with --export: the PEM public key you trust (from `assure audit public-key`)')
    .option('--json', 'report the result as JSON')
    .action(async (options: { since?: string; export?: string; publicKey?: string; json?: boolean }) => {
      const json = options.json === true
      try {
        if (options.export !== undefined) {
          if (options.publicKey === undefined) {
            throw new AssureError('VALIDATION_FAILED', 'Missing --public-key', {
              problems: [
                {
                  path: 'public-key',
                  message:
                    '--export needs --public-key FILE: the key you trust, not the copy inside the export (whoever could change the entries could change that too)',
                },
              ],
            })
          }
          if (options.since !== undefined) {
            throw new AssureError('VALIDATION_FAILED', 'Bad options', {
              problems: [{ path: 'since', message: '--since applies to the live store; export with --since instead' }],
            })
          }
          let pem: string
          try {
            pem = readFileSync(options.publicKey, 'utf8')
          } catch {
            throw new AssureError('NOT_FOUND', `Cannot read the public key file ${options.publicKey}`)
          }
          const report = await verifyExport(options.export, pem)
          finishVerification(report, json, `Export ${options.export}`)
          return
        }
        const from = since(options.since)
        await withServices(async services => {
          const report = await verifyStore(services.ledgerDeps, from === undefined ? {} : { since: from })
          const { actor, operator } = cliActor('audit-verify')
          await recordAuditEvent(
            services.store.db,
            {
              actor,
              action: 'audit.ledger.verified',
              outcome: report.ok ? 'success' : 'failure',
              ...(report.failure === null ? {} : { reason: report.failure.message }),
              details: { entries: report.entries, since: from ?? null, operator },
            },
            services.now(),
          )
          finishVerification(report, json, 'Ledger')
        })
      } catch (error) {
        fail(error, json)
      }
    })

  audit
    .command('export')
    .description(
      'Export the ledger: --format bundle (default) writes a folder that `audit verify --export` checks elsewhere; ndjson, ecs and ocsf write one event a line for SIEMs',
    )
    .option('--format <format>', 'bundle, ndjson, ecs or ocsf', 'bundle')
    .option('--out <path>', 'the folder (bundle) or file (others; default standard output)')
    .option('--since <date>', 'only entries from this date or time')
    .option('--json', 'report the result as JSON')
    .action(async (options: { format: string; out?: string; since?: string; json?: boolean }) => {
      const json = options.json === true
      try {
        const formatResult = ExportFormatSchema.safeParse(options.format)
        if (!formatResult.success) {
          throw new AssureError('VALIDATION_FAILED', 'Bad --format', {
            problems: [{ path: 'format', message: formatResult.error.issues[0]?.message ?? 'bad --format' }],
          })
        }
        const format = formatResult.data
        const from = since(options.since)
        if (format === 'bundle' && options.out === undefined) {
          throw new AssureError('VALIDATION_FAILED', 'Missing --out', {
            problems: [{ path: 'out', message: '--format bundle needs --out DIR, an empty or new folder' }],
          })
        }
        if (format !== 'bundle' && json && options.out === undefined) {
          throw new AssureError('VALIDATION_FAILED', 'Bad options', {
            problems: [{ path: 'out', message: '--json with --format ndjson, ecs or ocsf needs --out FILE' }],
          })
        }
        await withServices(async services => {
          const { actor, operator } = cliActor('audit-export')
          let entries: number
          if (format === 'bundle') {
            const manifest = await exportLedger(services.ledgerDeps, { dir: options.out ?? '', since: from })
            entries = manifest.entries
            createOutput(json).result(manifest, [
              `Exported ${manifest.entries} entries (to entry ${manifest.lastSequence}) to ${options.out}.`,
              `Verify it anywhere with: npx assure audit verify --export ${options.out} --public-key <the key you trust>`,
            ])
          } else {
            const line = LINE_FORMATS[format]
            entries = await writeLines(entriesSince(services, from), line, options.out)
            if (options.out !== undefined) {
              createOutput(json).result(
                { format, entries, out: options.out },
                `Wrote ${entries} ${format} events to ${options.out}.`,
              )
            }
          }
          await recordAuditEvent(
            services.store.db,
            {
              actor,
              action: 'audit.ledger.exported',
              outcome: 'success',
              details: { format, entries, since: from ?? null, out: options.out ?? 'stdout', operator },
            },
            services.now(),
          )
        })
      } catch (error) {
        fail(error, json)
      }
    })

  audit
    .command('checkpoint')
    .description('Sign a checkpoint over the ledger head now (the service also signs hourly and on shutdown)')
    .option('--json', 'report the result as JSON')
    .action(async (options: { json?: boolean }) => {
      const json = options.json === true
      try {
        await withServices(async services => {
          const checkpoint = await signCheckpoint(services.ledgerDeps)
          createOutput(json).result(
            { signed: checkpoint !== undefined, checkpoint: checkpoint ?? null },
            checkpoint === undefined
              ? 'Nothing was appended since the last checkpoint; nothing to sign.'
              : `Signed a checkpoint over entries up to ${checkpoint.sequence}.`,
          )
        })
      } catch (error) {
        fail(error, json)
      }
    })

  audit
    .command('public-key')
    .description('Print the public key that verifies the ledger checkpoints (give it to auditors)')
    .option('--out <file>', 'write it to a file instead of standard output')
    .option('--json', 'report the result as JSON')
    .action(async (options: { out?: string; json?: boolean }) => {
      const json = options.json === true
      try {
        await withServices(async services => {
          const { id, publicKeyPem } = services.ledgerDeps.signingKey
          if (options.out !== undefined) writeFileSync(options.out, publicKeyPem, { flag: 'wx' })
          createOutput(json).result(
            { keyId: id, publicKey: publicKeyPem, ...(options.out === undefined ? {} : { out: options.out }) },
            options.out === undefined ? publicKeyPem.trimEnd() : `Wrote public key ${id} to ${options.out}.`,
          )
        })
      } catch (error) {
        fail(error, json)
      }
    })

  program
    .command('master-key')
    .description('Print a new random master key for ASSURE_MASTER_KEY (store it in your secrets manager)')
    .option('--json', 'report the result as JSON')
    .action((options: { json?: boolean }) => {
      const key = generateMasterKey()
      createOutput(options.json === true).result({ masterKey: key }, key)
    })
}
