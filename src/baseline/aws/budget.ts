/**
 * Throttle budgets: how fast and how many at once Assure calls each AWS API in each region, so a scan of hundreds of
 * accounts stays inside AWS's limits instead of discovering them. The SDK's adaptive retry (retryMode 'adaptive')
 * backs off within one client; the budget spreads calls across all of them, and retries a throttled call itself
 * a bounded number of times, since one throttled region must not fail the scan.
 */

/** A rate for one API: sustained calls per second, and at most this many in flight. */
export interface Rate {
  readonly perSecond: number
  readonly concurrency: number
}

/** Default rates. CloudTrail LookupEvents is documented at 2 requests per second per region per account. */
export const DEFAULT_RATES: Readonly<Record<string, Rate>> = {
  'cloudtrail:LookupEvents': { perSecond: 2, concurrency: 1 },
  'iam:*': { perSecond: 5, concurrency: 2 },
  default: { perSecond: 10, concurrency: 4 },
}

/** Error names AWS uses for throttling. */
const THROTTLED = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'LimitExceededException',
])

/** True when an SDK error is AWS saying "too fast". */
export const isThrottling = (error: unknown): boolean =>
  error instanceof Error && (THROTTLED.has(error.name) || THROTTLED.has((error as { Code?: string }).Code ?? ''))

/** What a budget needs from the outside: a clock and a way to wait, both injectable for tests and the benchmark. */
export interface BudgetClock {
  readonly now: () => number
  readonly sleep: (ms: number) => Promise<void>
}

export const REAL_CLOCK: BudgetClock = {
  now: () => performance.now(),
  sleep: ms =>
    new Promise(resolve => {
      setTimeout(resolve, ms)
    }),
}

interface Lane {
  run<T>(call: () => Promise<T>): Promise<T>
  /** True when the lane holds no state a fresh lane would not: nothing in flight or queued, its next slot passed. */
  idle(now: number): boolean
}

/** A lane: calls spaced to the rate, at most `concurrency` in flight, the rest queued in order. */
function createLane(rate: Rate, clock: BudgetClock): Lane {
  let nextSlot = 0
  let inFlight = 0
  const waiting: Array<() => void> = []
  const idle = (now: number) => inFlight === 0 && waiting.length === 0 && nextSlot <= now
  const run = async <T>(call: () => Promise<T>): Promise<T> => {
    // A caller that has to wait is handed its slot by the call that finishes, so nobody arriving in between can
    // take it: the lane never has more than `concurrency` in flight, and waiters go in the order they came.
    if (inFlight >= rate.concurrency)
      await new Promise<void>(resolve => {
        waiting.push(resolve)
      })
    else inFlight += 1
    try {
      const now = clock.now()
      const slot = Math.max(now, nextSlot)
      nextSlot = slot + 1000 / rate.perSecond
      if (slot > now) await clock.sleep(slot - now)
      return await call()
    } finally {
      const next = waiting.shift()
      if (next === undefined) inFlight -= 1
      else next()
    }
  }
  return { run, idle }
}

/** Lanes made between sweeps of idle ones. */
const SWEEP_EVERY = 1000

/** Counts of what the budget did, for the scan summary and the benchmark. */
export interface BudgetStats {
  calls: number
  throttled: number
  retries: number
}

/** How a budget is set up. */
export interface BudgetOptions {
  readonly rates?: Readonly<Record<string, Rate>>
  readonly clock?: BudgetClock
  /** Retries of one throttled call before it is reported as failed. */
  readonly maxRetries?: number
  /** First back-off in milliseconds, doubled on each retry. */
  readonly backoffMs?: number
}

/** Lanes keyed by API and scope, with bounded retries of throttled calls. */
export interface Budget {
  readonly stats: BudgetStats
  /** The rate that applies to an API such as `guardduty:ListDetectors`. */
  rateFor(api: string): Rate
  /** Calls `call` inside the lane of `api` in `scope` (an account and region), retrying throttling. */
  call<T>(api: string, scope: string, call: () => Promise<T>): Promise<T>
}

/** Creates a budget. */
export function createBudget(options: BudgetOptions = {}): Budget {
  const lanes = new Map<string, Lane>()
  let made = 0
  const clock = options.clock ?? REAL_CLOCK
  const maxRetries = options.maxRetries ?? 4
  const stats: BudgetStats = { calls: 0, throttled: 0, retries: 0 }
  const rateFor = (api: string): Rate => {
    const rates = options.rates ?? DEFAULT_RATES
    const service = `${api.split(':')[0] ?? ''}:*`
    return rates[api] ?? rates[service] ?? rates.default ?? { perSecond: 10, concurrency: 4 }
  }
  return {
    stats,
    rateFor,
    async call(api, scope, call) {
      const key = `${scope}|${api}`
      let lane = lanes.get(key)
      if (lane === undefined) {
        // A scan touches every (account, region, API) once or a few times: idle lanes are dropped now and then so
        // the budget's memory follows the accounts in flight, not every account scanned. A dropped lane had no
        // state a new one lacks, so the spacing is unchanged.
        made += 1
        if (made % SWEEP_EVERY === 0) {
          const now = clock.now()
          for (const [name, held] of lanes) if (held.idle(now)) lanes.delete(name)
        }
        lane = createLane(rateFor(api), clock)
        lanes.set(key, lane)
      }
      for (let attempt = 0; ; attempt += 1) {
        stats.calls += 1
        try {
          return await lane.run(call)
        } catch (error) {
          if (!isThrottling(error)) throw error
          stats.throttled += 1
          if (attempt >= maxRetries) throw error
          stats.retries += 1
          await clock.sleep((options.backoffMs ?? 200) * 2 ** attempt)
        }
      }
    },
  }
}
