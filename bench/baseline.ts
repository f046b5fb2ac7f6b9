// `npm run bench` (after the dashboard benchmark): the AWS baseline scan of a simulated organisation
// (bench/simulated-aws.ts) at 20 and at 200 accounts × 17 regions, through the real scanAccounts → collectAccount →
// evaluateAccount path with the real throttle budget and clock. Reports the scan time as a ratio to the ideal bound
// computed from the throttle budgets in the same run, peak memory at 20 against 200 accounts, and checks the scan
// reported every planted violation and no others. Each size runs in a child process of its own so peaks are not
// inherited. Written to bench/results/baseline.json. Peaks count garbage not yet collected; to see what a scan keeps
// alive, run one size with `node --expose-gc bench/baseline.ts --child 200` (it adds liveHeapAfterScan).
// Environment: BASELINE_BENCH_ACCOUNTS (20,200), _LATENCY_MS (20), _JITTER_MS (10), _HEADROOM (1.2), _CONCURRENCY (8),
// _SEED (6).
import { spawn } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { constants as perfConstants, PerformanceObserver } from 'node:perf_hooks'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { createBudget, type Budget } from '../src/baseline/aws/budget.ts'
import { GLOBAL, violationKey } from '../src/baseline/findings.ts'
import { scanAccounts } from '../src/baseline/scan.ts'
import { baselineSettings } from '../src/baseline/settings.ts'
import { loadCatalogue } from '../src/catalogue/load.ts'
import { REGIONS, SECURITY_BUCKET, seededKeys, simulatedAccount, type SimulatedAccount } from './simulated-aws.ts'

const here = path.dirname(fileURLToPath(import.meta.url))
const parameters = {
  sizes: (process.env.BASELINE_BENCH_ACCOUNTS ?? '20,200').split(',').map(Number),
  regions: REGIONS.length,
  latencyMs: Number(process.env.BASELINE_BENCH_LATENCY_MS ?? 20),
  jitterMs: Number(process.env.BASELINE_BENCH_JITTER_MS ?? 10),
  headroom: Number(process.env.BASELINE_BENCH_HEADROOM ?? 1.2),
  /** Accounts scanned at once: scanAccounts' default unless set. */
  concurrency: Number(process.env.BASELINE_BENCH_CONCURRENCY ?? 8),
  seed: Number(process.env.BASELINE_BENCH_SEED ?? 6),
  sampleMs: 50,
}
const SCANNED_AT = new Date('2026-12-04T09:00:00Z')
const MIB = 1024 * 1024
const round = (x: number, places = 3) => Math.round(x * 10 ** places) / 10 ** places

/**
 * The ideal bound of one account: the time its busiest throttle lane needs, whatever else runs in parallel.
 * A lane (account, region, API) with n calls at `perSecond` r, at most c in flight, each taking latency L:
 *   - the budget spaces starts 1/r apart, so the last call starts no earlier than (n − 1)/r and ends L later;
 *   - at most c are in flight, so the lane needs at least ⌈n / c⌉ round trips of L.
 * lane(n) = max((n − 1)/r + L, ⌈n/c⌉·L). Lanes of one account run in parallel, so the account cannot finish before
 * its slowest lane: T_a = max over its lanes. Only answered calls count (a throttled call is waste, not work).
 * (The sum n/r + L·n/c over-counts: a lane's first call starts at once and its round trips overlap the spacing, so
 * a scan could beat it, and a bound the scan can beat is no bound.) L is the mean latency, not the minimum.
 */
function accountIdeal(account: SimulatedAccount, budget: Budget, latencyMs: number): number {
  let worst = 0
  for (const [lane, n] of account.answered) {
    const api = lane.slice(lane.indexOf('|') + 1)
    const { perSecond, concurrency } = budget.rateFor(api)
    worst = Math.max(worst, ((n - 1) * 1000) / perSecond + latencyMs, Math.ceil(n / concurrency) * latencyMs)
  }
  return worst
}

/** One scan of `size` simulated accounts, in this process: its figures as JSON on stdout's last line. */
async function child(size: number) {
  const settings = baselineSettings(loadCatalogue(), { securityLogBucket: SECURITY_BUCKET })
  const budget = createBudget()
  const network = {
    latencyMs: parameters.latencyMs,
    jitterMs: parameters.jitterMs,
    headroom: parameters.headroom,
    rateFor: budget.rateFor,
    now: () => performance.now(),
  }
  const accountIds = Array.from({ length: size }, (_, index) => String(100_000_000_000 + index))
  const live = new Map<string, { account: SimulatedAccount; startedAt: number }>()
  const memory = { rss: 0, heapUsed: 0, heapAfterMajorGc: 0, majorGcs: 0 }
  const sample = () => {
    const { rss, heapUsed } = process.memoryUsage()
    memory.rss = Math.max(memory.rss, rss)
    memory.heapUsed = Math.max(memory.heapUsed, heapUsed)
  }
  const before = process.memoryUsage()
  const sampler = setInterval(sample, parameters.sampleMs)
  // The heap just after each full collection is what the scan keeps alive; the sampled peak also counts garbage
  // V8 has not collected yet, which grows with the allocation rate and the heap limit rather than with what is held.
  const collections = new PerformanceObserver(list => {
    for (const entry of list.getEntries())
      if (
        (entry as unknown as { detail?: { kind?: number } }).detail?.kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR
      ) {
        memory.majorGcs += 1
        memory.heapAfterMajorGc = Math.max(memory.heapAfterMajorGc, process.memoryUsage().heapUsed)
      }
  })
  collections.observe({ entryTypes: ['gc'] })
  const totals = {
    findings: 0,
    seeded: 0,
    falseFindings: 0,
    missing: 0,
    missingUnobserved: 0,
    unobservedEvaluations: 0,
    simulatedThrottles: 0,
    accountIdealSumMs: 0,
    accountIdealMaxMs: 0,
    accountTimeSumMs: 0,
    accountTimeMaxMs: 0,
  }
  const examples: string[] = []
  const failures: string[] = []
  const t0 = performance.now()
  const outcome = await scanAccounts(
    {
      clientsFor: accountId => {
        const index = Number(accountId) - 100_000_000_000
        const account = simulatedAccount({ seed: parameters.seed, index, scannedAt: SCANNED_AT, network })
        live.set(accountId, { account, startedAt: performance.now() })
        return account.clients
      },
      budget,
      settings,
      now: () => SCANNED_AT,
      concurrency: parameters.concurrency,
    },
    accountIds,
    {
      onResult: result => {
        const entry = live.get(result.accountId)
        if (entry === undefined) throw new Error(`no simulated account ${result.accountId}`)
        live.delete(result.accountId)
        const { account } = entry
        const elapsed = performance.now() - entry.startedAt
        const ideal = accountIdeal(account, budget, parameters.latencyMs)
        totals.accountTimeSumMs += elapsed
        totals.accountTimeMaxMs = Math.max(totals.accountTimeMaxMs, elapsed)
        totals.accountIdealSumMs += ideal
        totals.accountIdealMaxMs = Math.max(totals.accountIdealMaxMs, ideal)
        totals.simulatedThrottles += account.throttled.count
        const expected = seededKeys(account)
        totals.seeded += expected.size
        const reported = new Set<string>()
        const unobserved = new Set<string>()
        for (const evaluation of result.evaluations) {
          if (!evaluation.observed) {
            // AWS-CT-03 is unobserved only when no security bucket is configured; here one is.
            unobserved.add(`${evaluation.ruleId}|${evaluation.region}`)
            totals.unobservedEvaluations += 1
          }
          for (const finding of evaluation.findings) reported.add(violationKey(finding))
        }
        totals.findings += reported.size
        for (const key of reported)
          if (!expected.has(key)) {
            totals.falseFindings += 1
            if (examples.length < 10) examples.push(`FALSE   ${key}`)
          }
        for (const key of expected)
          if (!reported.has(key)) {
            const [, region = '', ruleId = ''] = key.split('|')
            if (unobserved.has(`${ruleId}|${region}`) || unobserved.has(`${ruleId}|${GLOBAL}`))
              totals.missingUnobserved += 1
            else {
              totals.missing += 1
              if (examples.length < 10) examples.push(`MISSING ${key}`)
            }
          }
      },
      onFailure: (accountId, error) => {
        failures.push(`${accountId}: ${error instanceof Error ? error.message : String(error)}`)
      },
    },
  )
  const wallMs = performance.now() - t0
  clearInterval(sampler)
  collections.disconnect()
  sample()
  // Diagnostic only (node --expose-gc bench/baseline.ts --child N): what the scan left live, as opposed to the peak,
  // which also counts garbage not yet collected.
  const { gc } = globalThis as { gc?: () => void }
  gc?.()
  const liveAfter = gc === undefined ? null : round(process.memoryUsage().heapUsed / MIB, 1)
  // Accounts are scanned `concurrency` at a time and none can beat its own slowest lane, so the organisation cannot
  // finish before Σ T_a / concurrency, nor before its slowest account: ideal = max(max T_a, Σ T_a / concurrency).
  const idealMs = Math.max(totals.accountIdealMaxMs, totals.accountIdealSumMs / parameters.concurrency)
  const result = {
    accounts: size,
    scanned: outcome.scanned,
    failedAccounts: outcome.failed,
    failures: failures.slice(0, 5),
    wallMs: Math.round(wallMs),
    idealMs: Math.round(idealMs),
    ratio: round(wallMs / idealMs),
    perAccount: {
      meanMs: Math.round(totals.accountTimeSumMs / size),
      maxMs: Math.round(totals.accountTimeMaxMs),
      meanIdealMs: Math.round(totals.accountIdealSumMs / size),
      maxIdealMs: Math.round(totals.accountIdealMaxMs),
      ratio: round(totals.accountTimeSumMs / totals.accountIdealSumMs),
    },
    // How busy the account workers were: 1 means a worker was always scanning an account.
    workerUtilisation: round(totals.accountTimeSumMs / parameters.concurrency / wallMs),
    calls: budget.stats.calls,
    throttled: budget.stats.throttled,
    retries: budget.stats.retries,
    simulatedThrottles: totals.simulatedThrottles,
    callsPerSecond: Math.round(budget.stats.calls / (wallMs / 1000)),
    findings: totals.findings,
    seeded: totals.seeded,
    falseFindings: totals.falseFindings,
    missing: totals.missing,
    missingBecauseUnobserved: totals.missingUnobserved,
    unobservedEvaluations: totals.unobservedEvaluations,
    mismatchExamples: examples,
    memoryMiB: {
      peakRss: round(memory.rss / MIB, 1),
      peakHeapUsed: round(memory.heapUsed / MIB, 1),
      // null when V8 needed no full collection during the scan (the heap limit was never approached).
      peakHeapAfterMajorGc: memory.majorGcs === 0 ? null : round(memory.heapAfterMajorGc / MIB, 1),
      majorGcs: memory.majorGcs,
      rssBeforeScan: round(before.rss / MIB, 1),
      heapUsedBeforeScan: round(before.heapUsed / MIB, 1),
      ...(liveAfter === null ? {} : { liveHeapAfterScan: liveAfter }),
    },
  }
  process.stdout.write(`${JSON.stringify(result)}\n`)
}

/** Runs one size in a child process and reads its figures. */
function runChild(size: number): Promise<ReturnType<typeof parse>> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [fileURLToPath(import.meta.url), '--child', String(size)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let out = ''
    proc.stdout.on('data', chunk => {
      out += String(chunk)
    })
    proc.once('error', reject)
    proc.once('exit', code => {
      if (code !== 0) reject(new Error(`the ${size}-account scan exited with ${code}`))
      else resolve(parse(out))
    })
  })
}

const parse = (out: string) =>
  JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as {
    accounts: number
    scanned: number
    failedAccounts: number
    wallMs: number
    idealMs: number
    ratio: number
    perAccount: { meanMs: number; meanIdealMs: number; ratio: number }
    workerUtilisation: number
    calls: number
    throttled: number
    retries: number
    findings: number
    seeded: number
    falseFindings: number
    missing: number
    missingBecauseUnobserved: number
    mismatchExamples: string[]
    memoryMiB: {
      peakRss: number
      peakHeapUsed: number
      peakHeapAfterMajorGc: number | null
      majorGcs: number
      rssBeforeScan: number
      heapUsedBeforeScan: number
    }
  }

async function main() {
  const runs: Array<ReturnType<typeof parse>> = []
  for (const size of parameters.sizes) runs.push(await runChild(size))
  const small = runs[0]
  const large = runs.at(-1)
  if (small === undefined || large === undefined) throw new Error('no benchmark sizes')
  const report = {
    benchmark: 'baseline-scan',
    date: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    parameters,
    results: runs,
    ratios: {
      scanToIdeal: Object.fromEntries(runs.map(run => [`${run.accounts}Accounts`, run.ratio])),
      memoryPeakRss: round(large.memoryMiB.peakRss / small.memoryMiB.peakRss),
      memoryPeakHeapUsed: round(large.memoryMiB.peakHeapUsed / small.memoryMiB.peakHeapUsed),
    },
  }
  mkdirSync(path.join(here, 'results'), { recursive: true })
  writeFileSync(path.join(here, 'results', 'baseline.json'), `${JSON.stringify(report, null, 2)}\n`)
  const row = (r: (typeof runs)[number]) =>
    `${String(r.accounts).padStart(8)} ${(r.wallMs / 1000).toFixed(1).padStart(8)}s ${(r.idealMs / 1000).toFixed(1).padStart(8)}s ${r.ratio.toFixed(2).padStart(7)} × ${String(r.calls).padStart(8)} ${String(r.throttled).padStart(6)} ${String(r.retries).padStart(6)} ${`${r.findings}/${r.seeded}`.padStart(10)} ${r.memoryMiB.peakRss.toFixed(0).padStart(7)} MiB ${r.memoryMiB.peakHeapUsed.toFixed(0).padStart(6)} MiB`
  const mismatches = runs.filter(r => r.falseFindings > 0 || r.missing > 0 || r.failedAccounts > 0)
  process.stdout.write(
    [
      `baseline scan benchmark: simulated organisation × ${parameters.regions} regions, latency ${parameters.latencyMs}±${parameters.jitterMs} ms, AWS limit ${parameters.headroom} × budget, ${parameters.concurrency} accounts at once, Node ${process.version}, ${os.cpus().length} CPUs`,
      `${'accounts'.padStart(8)} ${'scan'.padStart(9)} ${'ideal'.padStart(9)} ${'ratio'.padStart(9)} ${'calls'.padStart(8)} ${'thrott'.padStart(6)} ${'retry'.padStart(6)} ${'found/seed'.padStart(10)} ${'peak rss'.padStart(11)} ${'heap'.padStart(10)}`,
      ...runs.map(row),
      ...runs.map(
        r =>
          `${String(r.accounts).padStart(8)} accounts: each account ${r.perAccount.meanMs} ms against its own ideal ${r.perAccount.meanIdealMs} ms (${r.perAccount.ratio} ×); workers busy ${Math.round(r.workerUtilisation * 100)}% of the scan`,
      ),
      `peak memory ${large.accounts} ÷ ${small.accounts} accounts: rss ${report.ratios.memoryPeakRss} ×, heap used ${report.ratios.memoryPeakHeapUsed} × (flat would be ~1)`,
      ...(mismatches.length === 0
        ? ['every planted violation reported, and nothing else']
        : [
            '!!!!!!!! MISMATCH: the scan reported a false or missing violation, or an account failed !!!!!!!!',
            ...mismatches.flatMap(r => [
              `${r.accounts} accounts: ${r.falseFindings} false, ${r.missing} missing, ${r.failedAccounts} failed accounts`,
              ...r.mismatchExamples,
            ]),
          ]),
      ...runs
        .filter(r => r.missingBecauseUnobserved > 0)
        .map(
          r =>
            `${r.accounts} accounts: ${r.missingBecauseUnobserved} planted violations not seen because their scope was unobservable (throttled past the retries)`,
        ),
      'written to bench/results/baseline.json',
      '',
    ].join('\n'),
  )
  if (mismatches.length > 0) process.exitCode = 1
}

const at = process.argv.indexOf('--child')
if (at >= 0) await child(Number(process.argv[at + 1]))
else await main()
