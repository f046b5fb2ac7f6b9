import { setTimeout as sleep } from 'node:timers/promises'
import { PgBoss, type JobWithMetadata } from 'pg-boss'

/** One piece of work: a key that identifies it (at most one per key is queued or running) and its payload. */
export interface WorkItem {
  readonly key: string
  readonly data: Readonly<Record<string, unknown>>
}

/** How a queue's work runs in this process. */
export interface WorkOptions {
  /** Items of this queue run at once in this process. */
  readonly concurrency: number
}

/**
 * Work shared out between instances: any instance queues items, every worker instance takes them. An item whose
 * key is already queued or running is not queued again, so a slow run is never doubled by the next period. A
 * handler that throws has its item retried, up to 3 attempts in all.
 */
export interface WorkQueue {
  readonly kind: 'in-process' | 'pg-boss'
  /** Queues the items and returns how many were queued (the rest were already queued or running). */
  enqueue(queue: string, items: readonly WorkItem[]): Promise<number>
  /** Takes this queue's items in this process. The payload is untrusted JSON: handlers validate it. */
  work(queue: string, options: WorkOptions, handler: (data: unknown) => Promise<void>): Promise<void>
  /** Connects, where the queue has something to connect to; only the worker role starts a queue. */
  start(): Promise<void>
  /**
   * Stops taking work and waits for the items running here to finish. With `drain`, the in-process queue first runs
   * every item still queued, which would otherwise be lost; pg-boss keeps queued items in the database for another
   * worker, so there it changes nothing.
   */
  stop(options?: { drain?: boolean }): Promise<void>
}

const ATTEMPTS = 3

/**
 * SQLite's queue: one instance, so the work runs in this process, in order, `concurrency` at a time. Items still
 * queued when the process stops are not kept: the next period queues them again.
 */
export function inProcessQueue(onFailure: (queue: string, error: unknown) => void): WorkQueue {
  interface Pending {
    readonly item: WorkItem
    attempts: number
  }
  interface Lane {
    readonly pending: Pending[]
    readonly keys: Set<string>
    running: number
    handler?: (data: unknown) => Promise<void>
    concurrency: number
  }
  const lanes = new Map<string, Lane>()
  const inFlight = new Set<Promise<void>>()
  let stopped = false

  const laneOf = (name: string): Lane => {
    let lane = lanes.get(name)
    if (lane === undefined) {
      lane = { pending: [], keys: new Set(), running: 0, concurrency: 1 }
      lanes.set(name, lane)
    }
    return lane
  }

  const attempt = async (name: string, next: Pending, handler: (data: unknown) => Promise<void>) => {
    const lane = laneOf(name)
    try {
      await handler(next.item.data)
      lane.keys.delete(next.item.key)
    } catch (error) {
      onFailure(name, error)
      if (next.attempts < ATTEMPTS) lane.pending.push(next)
      else lane.keys.delete(next.item.key)
    } finally {
      lane.running -= 1
    }
  }

  const pump = (name: string): void => {
    const lane = laneOf(name)
    const { handler } = lane
    if (handler === undefined) return
    while (!stopped && lane.running < lane.concurrency) {
      const next = lane.pending.shift()
      if (next === undefined) return
      lane.running += 1
      next.attempts += 1
      const run: Promise<void> = attempt(name, next, handler).finally(() => {
        inFlight.delete(run)
        pump(name)
      })
      inFlight.add(run)
    }
  }

  return {
    kind: 'in-process',
    // Nothing to connect to: the work runs here.
    start: async () => undefined,
    async enqueue(name, items) {
      const lane = laneOf(name)
      let queued = 0
      for (const item of items) {
        if (lane.keys.has(item.key)) continue
        lane.keys.add(item.key)
        lane.pending.push({ item, attempts: 0 })
        queued += 1
      }
      pump(name)
      return queued
    },
    async work(name, options, handler) {
      const lane = laneOf(name)
      lane.handler = handler
      lane.concurrency = Math.max(1, options.concurrency)
      pump(name)
    },
    async stop(options = {}) {
      // An item still queued behind a running one starts as that one finishes, so running dry means drained.
      if (options.drain === true) while (inFlight.size > 0) await Promise.allSettled([...inFlight])
      stopped = true
      await Promise.allSettled([...inFlight])
    },
  }
}

/** How long one item may run before pg-boss takes it as lost and retries it elsewhere (an account scan: 1 hour). */
const EXPIRE_SECONDS = 3600

/**
 * PostgreSQL's queue: pg-boss, in its own `pgboss` schema of Assure's database, so every instance shares one queue
 * and each item runs once across them. Queues use pg-boss's `exclusive` policy keyed by the item's key: at most one
 * item per key is queued or active. It connects when `start` is called, which only the worker role does.
 */
export function pgBossQueue(options: {
  connectionString: string
  /** Told of each failed item (before its retry) and of pg-boss's own errors (queue `pg-boss`). */
  onFailure: (queue: string, error: unknown) => void
  /** How often an idle worker looks for work, in seconds (2 by default); a busy one fetches again at once. */
  pollingIntervalSeconds?: number
  /** How long a failed item waits before its retry (seconds); 30 by default, so a passing AWS fault can clear. */
  retryDelaySeconds?: number
}): WorkQueue {
  const boss = new PgBoss({
    connectionString: options.connectionString,
    schema: 'pgboss',
    max: 5,
    // Assure's own job runner schedules; pg-boss only shares the work out.
    schedule: false,
  })
  boss.on('error', error => {
    options.onFailure('pg-boss', error)
  })
  let started: Promise<void> | undefined
  const created = new Map<string, Promise<void>>()
  const consumers = new Set<Promise<void>>()
  const stopping = new AbortController()
  const idle = (options.pollingIntervalSeconds ?? 2) * 1000
  const pause = () => sleep(idle, undefined, { signal: stopping.signal }).catch(() => undefined)

  /**
   * One consumer: fetch an item, run it, settle it, and fetch the next at once; wait only when there is none.
   * (pg-boss's own work() waits out the polling interval after every item shorter than it, which would make a
   * queue of short scans poll-bound.) Claims, retries and expiry stay pg-boss's: fetch claims the item for this
   * instance alone, and an item whose instance dies expires and is retried elsewhere.
   */
  const consume = async (name: string, handler: (data: unknown) => Promise<void>): Promise<void> => {
    while (!stopping.signal.aborted) {
      let job: JobWithMetadata | undefined
      try {
        ;[job] = await boss.fetch(name, { batchSize: 1, includeMetadata: true })
      } catch (error) {
        if (!stopping.signal.aborted) options.onFailure('pg-boss', error)
      }
      if (job === undefined) {
        await pause()
        continue
      }
      try {
        await handler(job.data)
        await boss.complete(name, job)
      } catch (error) {
        options.onFailure(name, error)
        await boss
          .fail(name, job, { message: error instanceof Error ? error.message : String(error) })
          .catch((failed: unknown) => options.onFailure('pg-boss', failed))
      }
    }
  }
  // A failed start or queue creation is forgotten, so the next call tries again rather than failing for good.
  const start = () => {
    started ??= boss.start().then(
      () => undefined,
      (error: unknown) => {
        started = undefined
        throw error
      },
    )
    return started
  }
  const queueReady = async (name: string) => {
    await start()
    let ready = created.get(name)
    if (ready === undefined) {
      // Creating a queue that exists does nothing (pg-boss inserts it with ON CONFLICT DO NOTHING).
      ready = boss
        .createQueue(name, {
          policy: 'exclusive',
          retryLimit: ATTEMPTS - 1,
          retryDelay: options.retryDelaySeconds ?? 30,
          expireInSeconds: EXPIRE_SECONDS,
        })
        .catch((error: unknown) => {
          created.delete(name)
          throw error
        })
      created.set(name, ready)
    }
    await ready
  }
  return {
    kind: 'pg-boss',
    start,
    async enqueue(name, items) {
      await queueReady(name)
      let queued = 0
      for (const item of items) {
        // Under the exclusive policy a key already queued or active makes send return null.
        const id = await boss.send(name, { ...item.data }, { singletonKey: item.key })
        if (id !== null) queued += 1
      }
      return queued
    },
    async work(name, workOptions, handler) {
      await queueReady(name)
      for (let n = 0; n < Math.max(1, workOptions.concurrency); n += 1) consumers.add(consume(name, handler))
    },
    async stop() {
      stopping.abort()
      await Promise.allSettled([...consumers])
      if (started === undefined) return
      await started.catch(() => undefined)
      await boss.stop({ graceful: true, close: true, timeout: 30_000 })
    },
  }
}
