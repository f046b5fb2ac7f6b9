import { readFileSync } from 'node:fs'
import type { Writable } from 'node:stream'
import type { Kysely } from 'kysely'
import type { Config, SiemSink } from '../config.ts'
import type { Database } from '../platform/db/schema.ts'
import { entriesAfter } from './store.ts'
import { toEcs } from './siem/ecs.ts'
import { createForwarder, type Forwarder, type LedgerSource, type Sink } from './siem/forwarder.ts'
import { ndjsonFileSink, ndjsonStreamSink, type DocumentFormat } from './siem/ndjson-sink.ts'
import { toOcsf } from './siem/ocsf.ts'
import { syslogTcpSink } from './siem/syslog-sink.ts'

/** A rotated audit file's size limit and how many old files are kept (the README's ASSURE_SIEM_SINK row says so). */
export const FILE_ROTATION = { maxBytes: 100 * 1024 * 1024, keep: 5 } as const

/** Entries per batch: one syslog connection or one file write each. */
export const FORWARD_BATCH_SIZE = 200

/**
 * The name a sink's cursor is kept under: the destination itself, so changing the format or the tier carries on
 * where it stopped, and pointing Assure at a new destination starts that one from the beginning of the ledger.
 */
export function sinkName(sink: SiemSink): string {
  if (sink.kind === 'stdout') return 'stdout'
  if (sink.kind === 'file') return `file:${sink.path}`
  const host = sink.host.includes(':') ? `[${sink.host}]` : sink.host
  return `${sink.tls ? 'syslog+tls' : 'syslog'}://${host}:${sink.port}`
}

/**
 * The ledger as a forwarder reads it, with the sink's cursor in `audit_forward_cursors`. Saving is an upsert that
 * never moves the cursor back, so a slower run (another instance, an older batch) cannot make confirmed events resend.
 */
export function storeLedgerSource(
  db: Kysely<Database>,
  sink: string,
  now: () => Date = () => new Date(),
): LedgerSource {
  return {
    async loadCursor() {
      const row = await db
        .selectFrom('audit_forward_cursors')
        .select('sequence')
        .where('sink', '=', sink)
        .executeTakeFirst()
      // PostgreSQL returns bigint as a string.
      return row === undefined ? 0 : Number(row.sequence)
    },
    async saveCursor(sequence) {
      const updatedAt = now().toISOString()
      await db
        .insertInto('audit_forward_cursors')
        .values({ sink, sequence, updated_at: updatedAt })
        .onConflict(oc =>
          oc
            .column('sink')
            .doUpdateSet({ sequence, updated_at: updatedAt })
            .where('audit_forward_cursors.sequence', '<', sequence),
        )
        .execute()
    },
    readAfter: (sequence, limit) => entriesAfter(db, sequence, limit),
  }
}

/** The document builder for a configured format. */
export function documentFormat(format: Config['siem']['format']): DocumentFormat {
  return format === 'ocsf' ? toOcsf : toEcs
}

/** The sink the configuration names, writing documents in its format. */
export function buildSink(siem: Config['siem'] & { readonly sink: SiemSink }, stdout: Writable = process.stdout): Sink {
  const document = documentFormat(siem.format)
  const { sink, caFile } = siem
  if (sink.kind === 'stdout') return ndjsonStreamSink(stdout, document)
  if (sink.kind === 'file') return ndjsonFileSink(sink.path, { ...FILE_ROTATION, document })
  // Read at start (config has checked it): a renewed bundle takes effect on the next restart.
  const ca = caFile === null ? {} : { ca: readFileSync(caFile, 'utf8') }
  return syslogTcpSink({
    host: sink.host,
    port: sink.port,
    appName: 'assure',
    document,
    tls: sink.tls ? ca : undefined,
  })
}

/** What `startSiemForwarding` needs: the store, the SIEM settings, how often to poll and where failures go. */
export interface SiemForwardingProps {
  readonly db: Kysely<Database>
  readonly siem: Config['siem']
  readonly intervalMs: number
  /** A failed batch; it is sent again on the next poll. */
  readonly onError: (error: unknown) => void
  readonly now?: (() => Date) | undefined
  readonly stdout?: Writable | undefined
  readonly batchSize?: number | undefined
}

/**
 * Starts forwarding the ledger to the configured SIEM sink, from the sink's saved cursor, only the configured tier's
 * actions (the cursor still moves past the rest). Returns the running forwarder, or undefined when forwarding is off.
 */
export function startSiemForwarding(props: SiemForwardingProps): Forwarder | undefined {
  const { sink } = props.siem
  if (sink === null) return undefined
  const forwarder = createForwarder({
    source: storeLedgerSource(props.db, sinkName(sink), props.now),
    sink: buildSink({ ...props.siem, sink }, props.stdout),
    batchSize: props.batchSize ?? FORWARD_BATCH_SIZE,
    onError: props.onError,
    tier: props.siem.tier,
  })
  forwarder.start(props.intervalMs)
  return forwarder
}
