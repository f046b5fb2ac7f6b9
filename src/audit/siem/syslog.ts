import type { LedgerEntry } from '../entry.ts'
import { ecsCategorisation, toEcs } from './ecs.ts'

/**
 * RFC 5424 facility for ledger events: 10, security/authorisation (private). Facility 4 carries the same kind of
 * message, but common receivers (rsyslog, syslog-ng defaults) write authpriv to a file only root can read and keep it
 * out of general logs, which suits events holding personal data (the guidance: log data "must be adequately
 * protected"). Facility 13 (log audit) is routed nowhere by default and is easy to lose.
 */
export const AUTHPRIV = 10

/** Structured-data ID for our parameters. 32473 is the private enterprise number RFC 5612 reserves for examples. */
export const SD_ID = 'assure@32473'

export interface SyslogOptions {
  readonly hostname: string
  readonly appName?: string | undefined
  readonly procId?: string | undefined
  readonly facility?: number | undefined
  /** The JSON document MSG holds: ECS (`toEcs`) by default, or OCSF (`toOcsf`). */
  readonly document?: ((entry: LedgerEntry) => Record<string, unknown>) | undefined
}

/**
 * RFC 5424 severity: 5 (notice: "normal but significant") for a recorded success, 4 (warning) for a failure or a
 * refusal, and 2 (critical) when the ledger itself fails verification.
 */
export function syslogSeverity(entry: LedgerEntry): number {
  if (ecsCategorisation(entry.action, entry.outcome).kind === 'alert') return 2
  return entry.outcome === 'success' ? 5 : 4
}

/** A header field: printable US-ASCII (33-126) only, at most `max` characters, `-` (NILVALUE) when empty. */
function headerField(value: string | undefined, max: number): string {
  const printable = (value ?? '').replace(/[^\x21-\x7e]/g, '').slice(0, max)
  return printable === '' ? '-' : printable
}

/** RFC 5424 section 6.3.3: in a PARAM-VALUE, `"`, `\` and `]` must be escaped with a backslash. */
export function escapeParamValue(value: string): string {
  return value.replace(/["\\\]]/g, character => `\\${character}`)
}

/**
 * One entry as an RFC 5424 message: `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [assure@32473 ...] MSG`, where
 * MSGID is the action's family (the full action is a parameter; MSGID allows 32 characters) and MSG is the ECS
 * document (or `options.document`'s) as JSON after a byte-order mark, which RFC 5424 requires to mark MSG as UTF-8.
 */
export function toSyslog(entry: LedgerEntry, options: SyslogOptions): string {
  const pri = (options.facility ?? AUTHPRIV) * 8 + syslogSeverity(entry)
  const header = [
    `<${pri}>1`,
    headerField(entry.at, 64),
    headerField(options.hostname, 255),
    headerField(options.appName ?? 'assure', 48),
    headerField(options.procId, 128),
    headerField(entry.action.split('.')[0], 32),
  ].join(' ')
  const params: Array<[string, string]> = [
    ['seq', String(entry.sequence)],
    ['hash', entry.hash],
    ['action', entry.action],
    ['outcome', entry.outcome],
  ]
  const data = `[${SD_ID} ${params.map(([name, value]) => `${name}="${escapeParamValue(value)}"`).join(' ')}]`
  return `${header} ${data} \uFEFF${JSON.stringify((options.document ?? toEcs)(entry))}`
}

/** RFC 6587 section 3.4.1 octet counting: `MSG-LEN SP SYSLOG-MSG`, the length in bytes of the UTF-8 message. */
export function octetCountedFrame(message: string): Buffer {
  const body = Buffer.from(message, 'utf8')
  return Buffer.concat([Buffer.from(`${body.length} `, 'ascii'), body])
}
