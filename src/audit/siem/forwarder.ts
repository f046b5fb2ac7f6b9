import type { LedgerEntry } from '../entry.ts'
import { forwardedAt, type EventTier } from './tiers.ts'

/** Where the forwarder reads from and keeps its place; the ledger store implements it. */
export interface LedgerSource {
  /** The sequence of the last entry a sink confirmed (0 before the first). */
  loadCursor(): Promise<number>
  saveCursor(sequence: number): Promise<void>
  /** Up to `limit` entries with a sequence above `sequence`, in ascending order. */
  readAfter(sequence: number, limit: number): Promise<LedgerEntry[]>
}

/** Where entries go. `send` resolves only once the sink holds the entries; it rejects if it cannot say so. */
export interface Sink {
  send(entries: readonly LedgerEntry[]): Promise<void>
  close(): Promise<void>
}

export interface ForwarderOptions {
  readonly source: LedgerSource
  readonly sink: Sink
  readonly batchSize: number
  /** Failures while polling (the failed batch is retried on the next poll). */
  readonly onError: (error: unknown) => void
  /** The maturity tier configured; entries above it are skipped (but still move the cursor). All by default. */
  readonly tier?: EventTier | undefined
}

export interface Forwarder {
  /** Forwards one batch after the cursor; resolves to the number of entries read (0 when up to date). */
  forwardOnce(): Promise<number>
  /** Polls every `intervalMs`, straight away again while full batches keep coming. */
  start(intervalMs: number): void
  /** Stops polling and waits for a batch in flight. */
  stop(): Promise<void>
  /** Stops, then closes the sink. */
  close(): Promise<void>
}

/**
 * Forwards ledger entries to a sink, in order, without losing any: the cursor moves only after the sink confirms a
 * batch, so anything not confirmed (a crash, a dropped connection, a full disk) is read and sent again. That makes
 * delivery at-least-once; a sink sees a repeat only when it confirmed less than it received.
 */
export function createForwarder(options: ForwarderOptions): Forwarder {
  const { source, sink, batchSize, onError, tier } = options
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batchSize must be a positive integer`)
  let tail: Promise<unknown> = Promise.resolve()
  let polling = false
  let timer: NodeJS.Timeout | undefined
  let loop: Promise<void> | undefined

  async function once(): Promise<number> {
    const cursor = await source.loadCursor()
    const batch = await source.readAfter(cursor, batchSize)
    let previous = cursor
    for (const entry of batch) {
      // A store returning entries out of order would make the cursor skip some: refuse rather than lose them.
      if (entry.sequence <= previous)
        throw new Error(`Ledger read after ${cursor} returned ${entry.sequence} out of order`)
      previous = entry.sequence
    }
    if (batch.length === 0) return 0
    const chosen = tier === undefined ? batch : batch.filter(entry => forwardedAt(tier, entry.action))
    if (chosen.length > 0) await sink.send(chosen)
    await source.saveCursor(previous)
    return batch.length
  }

  // One batch at a time, whether from the poll or a direct call, so two runs never read the same cursor.
  function forwardOnce(): Promise<number> {
    const run = tail.then(once)
    tail = run.catch(() => undefined)
    return run
  }

  async function tick(intervalMs: number): Promise<void> {
    timer = undefined
    let delay = intervalMs
    try {
      if ((await forwardOnce()) === batchSize) delay = 0
    } catch (error) {
      onError(error)
    }
    if (polling) {
      timer = setTimeout(() => {
        loop = tick(intervalMs)
      }, delay)
    }
  }

  async function stop(): Promise<void> {
    polling = false
    if (timer !== undefined) clearTimeout(timer)
    timer = undefined
    await loop
    await tail
  }

  return {
    forwardOnce,
    start(intervalMs) {
      if (polling) throw new Error('The forwarder is already polling')
      polling = true
      loop = tick(intervalMs)
    },
    stop,
    async close() {
      await stop()
      await sink.close()
    },
  }
}
