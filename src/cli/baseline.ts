import { readFileSync, writeFileSync } from 'node:fs'
import type { Command } from 'commander'
import { Presets, SingleBar } from 'cli-progress'
import { z } from 'zod'
import { loadConfig } from '../config.ts'
import { bootstrap } from '../bootstrap.ts'
import type { Services } from '../services.ts'
import { AssureError } from '../platform/errors.ts'
import { parseInput } from '../platform/validation.ts'
import { recordAuditEvent } from '../audit/record.ts'
import { createBudget } from '../baseline/aws/budget.ts'
import { rollbackBaselineAction, type AccountReport, type RunReport } from '../baseline/enforce.ts'
import { allowListFromTerraformState } from '../baseline/intended.ts'
import { RULE_IDS } from '../baseline/rules/index.ts'
import { allOpenViolations, insertMute, mutesOf } from '../baseline/store.ts'
import { mutedBy } from '../baseline/clocks.ts'
import { toNdjson, toOcsf, violationsCsv } from '../baseline/export.ts'
import { ladders } from '../baseline/ladders.ts'
import { createOutput, fail } from './output.ts'
import type { AwsAccess } from '../baseline/service.ts'
import { cliActor } from './audit.ts'

const AccountId = z.string().regex(/^\d{12}$/, 'AWS account IDs are 12 digits')
const ExportFormat = z.enum(['ocsf', 'ndjson', 'csv'], { error: '--format must be ocsf, ndjson or csv' })

// The AWS SDK is loaded when a command reaches AWS, so the rest of the command line starts without it.
const service = () => import('../baseline/service.ts')

/** The accounts a command covers: those named, the Organization's, or every AWS account in the supplier register. */
async function accountsFor(
  services: Services,
  access: AwsAccess,
  options: { account?: string[]; organization?: boolean },
): Promise<string[]> {
  if (options.account !== undefined && options.account.length > 0)
    return [...new Set(options.account.map(id => parseInput(AccountId, id, '--account')))].sort()
  if (options.organization === true) return (await access.organizationAccounts()).sort()
  const ids = await (await service()).registeredAccounts(services)
  if (ids.length === 0)
    throw new AssureError(
      'VALIDATION_FAILED',
      'No AWS accounts to scan: register them on a supplier’s page, or pass --account ID or --organization',
    )
  return ids
}

/** Runs scan or enforce, with a progress bar on a terminal. */
async function run(
  services: Services,
  access: AwsAccess,
  props: { mode: 'scan' | 'plan' | 'apply'; accounts: string[]; progress: boolean },
): Promise<RunReport> {
  const bar = props.progress
    ? new SingleBar(
        { format: 'Scanning {bar} {value}/{total} accounts | {eta_formatted} left', stream: process.stderr },
        Presets.shades_classic,
      )
    : null
  bar?.start(props.accounts.length, 0)
  try {
    const { runConfiguredBaseline } = await service()
    return await runConfiguredBaseline(services, access, { ...props, onAccount: () => bar?.increment() })
  } finally {
    bar?.stop()
  }
}

/** A run's report as JSON: each open violation with its clock, each planned and applied action. */
export function reportJson(report: RunReport) {
  return {
    scanId: report.scanId,
    mode: report.mode,
    stopped: report.stopped,
    accounts: report.accounts.map(account => ({
      accountId: account.accountId,
      regions: account.regions,
      ...(account.failed === undefined ? {} : { failed: account.failed }),
      unobserved: account.unobserved,
      opened: account.opened,
      resolved: account.resolved,
      muted: account.muted,
      violations: account.open.map(violation => ({
        id: violation.id,
        ruleId: violation.ruleId,
        region: violation.region,
        resourceArn: violation.resourceArn,
        summary: violation.summary,
        clockStartedAt: violation.clockStartedAt.toISOString(),
        stepsTaken: violation.stepsTaken,
      })),
      notices: account.notices,
      planned: account.planned,
      applied: account.applied,
      skipped: account.skipped,
    })),
  }
}

function accountLines(account: AccountReport, mode: RunReport['mode']): string[] {
  if (account.failed !== undefined) return [`Account ${account.accountId}: not scanned (${account.failed})`]
  const lines = [
    `Account ${account.accountId}: ${account.open.length} open violation${account.open.length === 1 ? '' : 's'} in ${account.regions.length} regions (${account.opened} new, ${account.resolved} resolved${account.muted > 0 ? `, ${account.muted} muted` : ''})`,
    ...account.open.map(violation => `  ${violation.ruleId} ${violation.region} ${violation.summary}`),
    ...account.unobserved.map(part => `  could not check ${part.ruleId} in ${part.region}: ${part.error}`),
  ]
  if (mode === 'scan') return lines
  for (const notice of account.notices) lines.push(`  notice ${notice.step} sent to ${notice.recipients} people`)
  for (const planned of account.planned) {
    lines.push(
      `  ${mode === 'apply' ? 'action' : 'plan'}: ${planned.remediation}${planned.destructive ? ' (changes a workload)' : ''}`,
    )
    for (const line of planned.lines) lines.push(`    ${line}`)
  }
  for (const applied of account.applied)
    lines.push(
      `  ${applied.status} ${applied.remediation}: action ${applied.actionId} (${applied.requestIds.join(', ')})`,
    )
  for (const skipped of account.skipped)
    lines.push(`  not remediated automatically (${skipped.remediation}): ${skipped.reason}`)
  return lines
}

function humanReport(report: RunReport): string[] {
  const lines = report.accounts.flatMap(account => accountLines(account, report.mode))
  if (report.mode === 'plan' && report.accounts.some(account => account.planned.length > 0))
    lines.push('', 'Nothing was changed. Run again with --apply to take these actions.')
  if (report.stopped !== null) lines.push('', `Stopped: ${report.stopped}`)
  return lines
}

const MuteSchema = z.strictObject({
  account: AccountId,
  rule: z.enum(RULE_IDS, { error: `--rule must be one of ${RULE_IDS.join(', ')}` }),
  resource: z.string().startsWith('arn:', '--resource must be an ARN').optional(),
  owner: z.string().trim().min(1, 'Give the mute an --owner').max(200),
  justification: z.string().trim().min(10, 'Give a --justification of at least 10 characters').max(2000),
  expires: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, '--expires must be a date like 2027-01-31')
    .refine(value => !Number.isNaN(Date.parse(`${value}T23:59:59Z`)), '--expires must be a real date'),
})

/** `assure baseline …`: scan, enforce, roll back, mute, and make the allow-list. */
export function registerBaselineCommands(
  program: Command,
  setup: {
    /** How AWS is reached (tests hand in mocked clients). */
    accessFor?: (services: Services) => AwsAccess
    /** The environment configuration is read from (tests give their own). */
    env?: Record<string, string | undefined>
    /** Where results are written (default: standard output). */
    write?: (text: string) => void
  } = {},
): void {
  const accessFor = async (services: Services) => (setup.accessFor ?? (await service()).roleAccess)(services)
  const output = (json: boolean) => createOutput(json, setup.write)
  const baseline = program
    .command('baseline')
    .description('AWS account baseline: detect, alert, escalate and remediate')
  const withServices = async <T>(json: boolean, work: (services: Services) => Promise<T>) => {
    try {
      const services = await bootstrap(loadConfig(setup.env ?? process.env))
      try {
        return await work(services)
      } finally {
        services.mailer.close()
        await services.store.close()
      }
    } catch (error) {
      return fail(error, json)
    }
  }
  const accountOptions = (command: Command) =>
    command
      .option('--account <id...>', 'AWS account IDs (default: every account in the supplier register)')
      .option('--organization', 'every active account of the AWS Organization these credentials manage')
      .option('--json', 'report as JSON')

  accountOptions(
    baseline.command('scan').description('Read-only: scan the accounts and record what violates the baseline'),
  ).action(async (options: { account?: string[]; organization?: boolean; json?: boolean }) => {
    const json = options.json === true
    await withServices(json, async services => {
      const access = await accessFor(services)
      const accounts = await accountsFor(services, access, options)
      const report = await run(services, access, { mode: 'scan', accounts, progress: !json && process.stderr.isTTY })
      output(json).result(reportJson(report), humanReport(report))
    })
  })

  accountOptions(
    baseline
      .command('enforce')
      .description('Send due notices and print the remediation plan; act only with --apply')
      .option('--apply', 'take the planned actions (within the blast radius)'),
  ).action(async (options: { account?: string[]; organization?: boolean; json?: boolean; apply?: boolean }) => {
    const json = options.json === true
    await withServices(json, async services => {
      const access = await accessFor(services)
      const accounts = await accountsFor(services, access, options)
      const mode = options.apply === true ? 'apply' : 'plan'
      const report = await run(services, access, { mode, accounts, progress: !json && process.stderr.isTTY })
      output(json).result(reportJson(report), humanReport(report))
      if (report.stopped !== null) process.exitCode = 2
    })
  })

  baseline
    .command('rollback')
    .description('Undo an applied remediation action from the record of what it changed')
    .argument('<actionId>', 'the action ID that enforce --apply printed')
    .option('--json', 'report as JSON')
    .action(async (actionId: string, options: { json?: boolean }) => {
      const json = options.json === true
      await withServices(json, async services => {
        const access = await accessFor(services)
        const { sdkRollback } = await import('../baseline/remediator.ts')
        const result = await rollbackBaselineAction(
          {
            db: services.store.db,
            now: services.now,
            rollback: applied =>
              sdkRollback({ clientsFor: access.remediationClients, budget: createBudget() })(
                applied as Parameters<ReturnType<typeof sdkRollback>>[0],
              ),
          },
          { actionId, by: cliActor('baseline-rollback').actor },
        )
        output(json).result(
          result,
          result.status === 'rolled-back'
            ? `Rolled back action ${actionId} (${result.requestIds.join(', ')}).`
            : `Rollback of ${actionId} stopped: ${result.error ?? 'failed'}`,
        )
        if (result.status !== 'rolled-back') process.exitCode = 1
      })
    })

  baseline
    .command('mute')
    .description('Hold back a rule’s notices and actions in an account (or for one resource) until a date')
    .requiredOption('--account <id>', 'the AWS account ID')
    .requiredOption('--rule <id>', 'the rule (catalogue requirement) ID, such as AWS-TAG-02')
    .option('--resource <arn>', 'only this resource (default: the whole rule in the account)')
    .requiredOption('--owner <name>', 'who owns the exception')
    .requiredOption('--justification <text>', 'why it is accepted')
    .requiredOption('--expires <date>', 'the last day it holds (YYYY-MM-DD); the violation re-opens after it')
    .option('--json', 'report as JSON')
    .action(async (options: Record<string, unknown>) => {
      const json = options.json === true
      await withServices(json, async services => {
        const { json: _json, ...fields } = options
        const mute = parseInput(MuteSchema, fields, 'mute')
        const expiresAt = new Date(`${mute.expires}T23:59:59.999Z`)
        if (expiresAt <= services.now())
          throw new AssureError('VALIDATION_FAILED', 'A mute must expire in the future', {
            problems: [{ path: 'expires', message: '--expires must be today or later' }],
          })
        const { actor, operator } = cliActor('baseline-mute')
        const id = await services.store.db.transaction().execute(async trx => {
          const muteId = await insertMute(trx, {
            account_id: mute.account,
            rule_id: mute.rule,
            resource_arn: mute.resource ?? null,
            owner: mute.owner,
            justification: mute.justification,
            expires_at: expiresAt.toISOString(),
            created_by: operator,
            created_at: services.now().toISOString(),
          })
          await recordAuditEvent(
            trx,
            {
              actor,
              action: 'baseline.mute.created',
              outcome: 'success',
              target: { type: 'baseline_mute', id: muteId },
              details: { ...mute, operator },
            },
            services.now(),
          )
          return muteId
        })
        output(json).result(
          { id, ...mute, expiresAt: expiresAt.toISOString() },
          `Muted ${mute.rule} in ${mute.account} until ${mute.expires} (mute ${id}).`,
        )
      })
    })

  baseline
    .command('export')
    .description('Export open violations, with their clocks and next steps, as OCSF JSON, NDJSON or CSV')
    .requiredOption('--format <format>', 'ocsf (a JSON array), ndjson (one OCSF document a line) or csv')
    .option('--account <id...>', 'only these AWS account IDs')
    .option('--out <file>', 'write it here (default: print it)')
    .action(async (options: { format: string; account?: string[]; out?: string }) => {
      await withServices(false, async services => {
        const format = parseInput(ExportFormat, options.format, '--format')
        const accounts = options.account?.map(id => parseInput(AccountId, id, '--account'))
        const violations = await allOpenViolations(services.store.db, accounts)
        const now = services.now()
        const mutes = await mutesOf(services.store.db, [...new Set(violations.map(violation => violation.accountId))])
        const muted = new Set(
          violations
            .filter(violation =>
              mutedBy(
                violation,
                mutes.filter(mute => mute.account_id === violation.accountId),
                now,
              ),
            )
            .map(violation => violation.key),
        )
        const context = { now, ladders: ladders(services.catalogue), muted }
        const documents = violations.map(violation => toOcsf(violation, context))
        const render = {
          csv: () => violationsCsv(violations, context),
          ndjson: () => toNdjson(documents),
          ocsf: () => `${JSON.stringify(documents, null, 2)}\n`,
        }
        const text = render[format]()
        if (options.out === undefined) (setup.write ?? (chunk => process.stdout.write(chunk)))(text)
        else writeFileSync(options.out, text)
        // Recorded once the export is out: it hands findings about suppliers' accounts to another tool.
        const { actor, operator } = cliActor('baseline-export')
        await recordAuditEvent(
          services.store.db,
          {
            actor,
            action: 'baseline.violations.exported',
            outcome: 'success',
            details: {
              format,
              violations: violations.length,
              accounts: accounts ?? 'all',
              out: options.out ?? 'stdout',
              operator,
            },
          },
          now,
        )
        if (options.out !== undefined)
          output(false).result({}, `Wrote ${violations.length} open violations to ${options.out}.`)
      })
    })

  baseline
    .command('allow-list')
    .description('Make the intended-public allow-list from a Terraform state file (see docs/baseline-allow-list.md)')
    .requiredOption('--from-terraform <file>', 'a Terraform state file (terraform show -json, or the .tfstate)')
    .option('--out <file>', 'write it here (default: print it)')
    .option('--json', 'report as JSON')
    .action((options: { fromTerraform: string; out?: string; json?: boolean }) => {
      const json = options.json === true
      try {
        let text: string
        try {
          text = readFileSync(options.fromTerraform, 'utf8')
        } catch (error) {
          throw new AssureError(
            'NOT_FOUND',
            `Cannot read ${options.fromTerraform}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`,
          )
        }
        const list = allowListFromTerraformState(text, { source: options.fromTerraform, now: new Date() })
        const document = `${JSON.stringify(list, null, 2)}\n`
        if (options.out === undefined) (setup.write ?? (chunk => process.stdout.write(chunk)))(document)
        else {
          writeFileSync(options.out, document)
          output(json).result({ out: options.out }, `Wrote the allow-list to ${options.out}.`)
        }
      } catch (error) {
        fail(error, json)
      }
    })
}
