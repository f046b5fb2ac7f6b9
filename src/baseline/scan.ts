import { collectAccount } from './aws/collect.ts'
import type { Budget } from './aws/budget.ts'
import type { AwsClients } from './aws/clients.ts'
import type { Evaluation } from './findings.ts'
import { evaluateAccount } from './rules/index.ts'
import type { BaselineSettings } from './settings.ts'

/** One account's result, handed on as soon as it is ready so nothing holds every account's snapshot at once. */
export interface AccountResult {
  readonly accountId: string
  readonly scannedAt: Date
  readonly evaluations: readonly Evaluation[]
  readonly regions: readonly string[]
  /** Resources inventoried (the blast radius is a share of these). */
  readonly resources: number
}

/** What scanning needs: clients per account (a role assumed in it), one shared budget, the settings and a clock. */
export interface ScanDeps {
  readonly clientsFor: (accountId: string) => AwsClients
  readonly budget: Budget
  readonly settings: BaselineSettings
  readonly now: () => Date
  /** Accounts scanned at once; the budget bounds each API within an account and region. */
  readonly concurrency?: number
  readonly sleep?: (ms: number) => Promise<void>
}

/**
 * Scans accounts with bounded concurrency, streaming each result to `onResult` (which the caller may await: the
 * store writes it, the CLI prints it) and keeping only the evaluations, never the snapshots, past that point. An
 * account that fails as a whole (its role cannot be assumed) is reported through `onFailure`, and the rest go on.
 */
export async function scanAccounts(
  deps: ScanDeps,
  accountIds: readonly string[],
  handlers: {
    onResult: (result: AccountResult) => Promise<void> | void
    onFailure?: (accountId: string, error: unknown) => Promise<void> | void
  },
): Promise<{ scanned: number; failed: number }> {
  let next = 0
  let scanned = 0
  let failed = 0
  const worker = async () => {
    while (next < accountIds.length) {
      const accountId = accountIds[next] ?? ''
      next += 1
      try {
        const snapshot = await collectAccount(
          {
            clients: deps.clientsFor(accountId),
            budget: deps.budget,
            now: deps.now,
            guardDutyMinSeverity: deps.settings.guardDutyAlertSeverity,
            ...(deps.sleep === undefined ? {} : { sleep: deps.sleep }),
          },
          accountId,
        )
        await handlers.onResult({
          accountId,
          scannedAt: snapshot.collectedAt,
          evaluations: evaluateAccount(snapshot, deps.settings),
          regions: snapshot.regions.map(region => region.region),
          resources: snapshot.regions.reduce(
            (count, region) => count + (region.resources.observed ? region.resources.value.length : 0),
            0,
          ),
        })
        scanned += 1
      } catch (error) {
        failed += 1
        await handlers.onFailure?.(accountId, error)
      }
    }
  }
  const workers = Math.max(1, Math.min(deps.concurrency ?? 8, accountIds.length))
  await Promise.all(Array.from({ length: workers }, worker))
  return { scanned, failed }
}
