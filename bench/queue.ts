// `npm run bench` (last): how the scheduled baseline scan's work queue shares accounts out. 200 account scans, each
// standing in for one I/O-bound scan of a fixed length (the scan itself is measured by bench/baseline.ts), go through
// the in-process queue (SQLite's) and through pg-boss with 1 and with 4 worker instances sharing one PostgreSQL
// database. Each run's time is reported as a ratio to its ideal bound, accounts × scan time ÷ (workers × concurrency),
// measured in the same run, so the figure is the queue's overhead and how well more workers divide the work. Writes
// bench/results/queue.json. PostgreSQL comes from QUEUE_BENCH_DATABASE_URL (or ASSURE_TEST_DATABASE_URL); a fresh
// database is made and dropped. Without one the pg-boss runs are reported as not run.
// Environment: QUEUE_BENCH_ACCOUNTS (200), _SCAN_MS (100), _CONCURRENCY (4), _WORKERS (1,4).
import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { inProcessQueue, pgBossQueue, type WorkQueue } from '../src/platform/jobs/queue.ts'
import { postgresStore } from '../test/helpers/stores.ts'

const here = path.dirname(fileURLToPath(import.meta.url))
const parameters = {
  accounts: Number(process.env.QUEUE_BENCH_ACCOUNTS ?? 200),
  scanMs: Number(process.env.QUEUE_BENCH_SCAN_MS ?? 100),
  concurrency: Number(process.env.QUEUE_BENCH_CONCURRENCY ?? 4),
  workers: (process.env.QUEUE_BENCH_WORKERS ?? '1,4').split(',').map(Number),
}
const adminUrl = process.env.QUEUE_BENCH_DATABASE_URL ?? process.env.ASSURE_TEST_DATABASE_URL
const round = (x: number, places = 3) => Math.round(x * 10 ** places) / 10 ** places

interface Run {
  readonly queue: 'in-process' | 'pg-boss'
  readonly workers: number
  readonly ms: number
  readonly idealMs: number
  readonly ratioToIdeal: number
  readonly scanned: number
  readonly scannedTwice: number
}

/** Queues every account, lets `queues` take them, and times until the last scan ends. */
async function measure(kind: Run['queue'], queues: readonly WorkQueue[]): Promise<Run> {
  const counts = new Map<string, number>()
  const ids = Array.from({ length: parameters.accounts }, (_, n) => String(100_000_000_000 + n))
  let finished = 0
  let done: () => void = () => undefined
  const all = new Promise<void>(resolve => {
    done = resolve
  })
  for (const queue of queues) await queue.start()
  // The clock starts when the work is queued, as the scheduled job queues it, with the workers already waiting.
  const scan = async (data: unknown) => {
    const { accountId } = data as { accountId: string }
    await sleep(parameters.scanMs)
    counts.set(accountId, (counts.get(accountId) ?? 0) + 1)
    finished += 1
    if (finished === ids.length) done()
  }
  for (const queue of queues) await queue.work('bench-account-scan', { concurrency: parameters.concurrency }, scan)
  const started = performance.now()
  const [first] = queues
  if (first === undefined) throw new Error('no queue')
  await first.enqueue(
    'bench-account-scan',
    ids.map(accountId => ({ key: accountId, data: { accountId } })),
  )
  await all
  const ms = performance.now() - started
  await Promise.all(queues.map(queue => queue.stop()))
  const idealMs = (ids.length * parameters.scanMs) / (queues.length * parameters.concurrency)
  return {
    queue: kind,
    workers: queues.length,
    ms: round(ms, 1),
    idealMs: round(idealMs, 1),
    ratioToIdeal: round(ms / idealMs),
    scanned: counts.size,
    scannedTwice: [...counts.values()].filter(n => n > 1).length,
  }
}

/** Runs `work` on a fresh PostgreSQL database, dropped afterwards. */
async function withDatabase<T>(url: string, work: (databaseUrl: string) => Promise<T>): Promise<T> {
  const store = await postgresStore(url)
  try {
    return await work(store.location.engine === 'postgres' ? store.location.url : url)
  } finally {
    await store.dispose()
  }
}

const fail = (name: string, error: unknown) => {
  throw new Error(`${name} failed: ${error instanceof Error ? error.message : String(error)}`)
}
const runs: Run[] = [await measure('in-process', [inProcessQueue(fail)])]
let pgBoss: string | null = null
if (adminUrl === undefined || adminUrl === '') pgBoss = 'not run: set QUEUE_BENCH_DATABASE_URL to a PostgreSQL server'
else
  for (const workers of parameters.workers)
    runs.push(
      await withDatabase(adminUrl, async url =>
        measure(
          'pg-boss',
          Array.from({ length: workers }, () =>
            // Workers poll every half second when idle; a worker that finishes an item fetches the next at once.
            pgBossQueue({ connectionString: url, onFailure: fail, pollingIntervalSeconds: 0.5 }),
          ),
        ),
      ),
    )

const [inProcess] = runs
const report = {
  benchmark: 'baseline account scans shared out through the work queue',
  at: new Date().toISOString(),
  machine: { cpus: os.cpus().length, node: process.version },
  parameters,
  runs,
  ...(pgBoss === null ? {} : { pgBoss }),
  ratios: Object.fromEntries(
    runs
      .filter(run => run.queue === 'pg-boss')
      .map(run => [`pgBoss${run.workers}WorkersToInProcess`, round(run.ms / (inProcess?.ms ?? run.ms))]),
  ),
}
mkdirSync(path.join(here, 'results'), { recursive: true })
writeFileSync(path.join(here, 'results', 'queue.json'), `${JSON.stringify(report, null, 2)}\n`)
process.stdout.write(
  [
    '',
    `work queue: ${parameters.accounts} account scans of ${parameters.scanMs} ms, ${parameters.concurrency} at a time per worker`,
    ...runs.map(
      run =>
        `${`${run.queue}, ${run.workers} worker${run.workers === 1 ? '' : 's'}`.padEnd(24)} ${String(run.ms).padStart(8)} ms   ${run.ratioToIdeal} × ideal (${run.idealMs} ms)   ${run.scanned} scanned, ${run.scannedTwice} twice`,
    ),
    ...(pgBoss === null ? [] : [`pg-boss ${pgBoss}`]),
    ...Object.entries(report.ratios).map(([name, value]) => `${name}: ${value}`),
    'written to bench/results/queue.json',
    '',
  ].join('\n'),
)
