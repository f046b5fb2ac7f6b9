import type { Kysely } from 'kysely'
import type { Database } from '../db/schema.ts'
import { durationSeconds } from '../duration.ts'

/** A scheduled job: what it is called, how often it runs, and its work. */
export interface Job {
  readonly name: string
  /** The period a run covers (`daily`, `monthly`, or a clock interval such as `PT1H`); each runs once across instances. */
  readonly every: 'daily' | 'monthly' | { readonly interval: string }
  run(now: Date): Promise<string>
}

const MAX_ATTEMPTS = 3

/**
 * The period a run covers at `now`: `2026-12-03` for daily jobs, `2026-12` for monthly ones, and the start of the
 * interval (`2026-12-03T21:00`) for interval jobs (UTC).
 */
export function periodOf(every: Job['every'], now: Date): string {
  if (every === 'daily') return now.toISOString().slice(0, 10)
  if (every === 'monthly') return now.toISOString().slice(0, 7)
  const length = durationSeconds(every.interval) * 1000
  return new Date(Math.floor(now.getTime() / length) * length).toISOString().slice(0, 16)
}

/**
 * Runs each job whose period has not run yet. A job claims its period by inserting (job, period), which the
 * store's primary key lets only one instance do; a failed run is retried on later ticks, up to 3 attempts.
 * Returns what ran and how it ended.
 */
export async function runDueJobs(
  db: Kysely<Database>,
  jobs: readonly Job[],
  now: Date,
  onFailure: (job: Job, error: unknown) => void,
): Promise<Array<{ job: string; period: string; outcome: string }>> {
  const results: Array<{ job: string; period: string; outcome: string }> = []
  for (const job of jobs) {
    const period = periodOf(job.every, now)
    const claimed = await claim(db, job.name, period, now)
    if (!claimed) continue
    try {
      const summary = await job.run(now)
      await db
        .updateTable('job_runs')
        .set({ status: 'succeeded', finished_at: new Date().toISOString(), error: null })
        .where('job', '=', job.name)
        .where('period', '=', period)
        .execute()
      results.push({ job: job.name, period, outcome: summary })
    } catch (error) {
      onFailure(job, error)
      await db
        .updateTable('job_runs')
        .set({
          status: 'failed',
          finished_at: new Date().toISOString(),
          error: error instanceof Error ? error.message.slice(0, 500) : String(error),
        })
        .where('job', '=', job.name)
        .where('period', '=', period)
        .execute()
      results.push({ job: job.name, period, outcome: 'failed' })
    }
  }
  return results
}

async function claim(db: Kysely<Database>, job: string, period: string, now: Date): Promise<boolean> {
  const inserted = await db
    .insertInto('job_runs')
    .values({
      job,
      period,
      status: 'running',
      attempts: 1,
      started_at: now.toISOString(),
      finished_at: null,
      error: null,
    })
    .onConflict(oc => oc.columns(['job', 'period']).doNothing())
    .executeTakeFirst()
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1) return true
  // Retry a failed period, atomically, so two instances cannot both take it.
  const retried = await db
    .updateTable('job_runs')
    .set(eb => ({ status: 'running', attempts: eb('attempts', '+', 1), started_at: now.toISOString() }))
    .where('job', '=', job)
    .where('period', '=', period)
    .where('status', '=', 'failed')
    .where('attempts', '<', MAX_ATTEMPTS)
    .executeTakeFirst()
  return Number(retried.numUpdatedRows) === 1
}

/** Ticks the jobs every minute in this process (the worker role); returns a stop function. */
export function startJobTicker(tick: () => Promise<unknown>, everyMs = 60_000): () => void {
  let running = false
  const timer = setInterval(() => {
    if (running) return
    running = true
    tick().finally(() => {
      running = false
    })
  }, everyMs)
  timer.unref()
  return () => clearInterval(timer)
}
