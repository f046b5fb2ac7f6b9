import { readFileSync } from 'node:fs'
import path from 'node:path'
import { z } from 'zod'
import { AssureError, type Problem } from './platform/errors.ts'
import { problemsFrom } from './platform/validation.ts'
import { durationSeconds, parseDuration } from './platform/duration.ts'
import { MASTER_KEY_BYTES } from './platform/crypto/master-key.ts'
import { EVENT_TIERS, type EventTier } from './audit/siem/tiers.ts'

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

/** Every environment variable Assure reads, with its default and meaning (the README's table is generated from this list). */
export const ENVIRONMENT_VARIABLES = [
  {
    name: 'NODE_ENV',
    default: 'development',
    meaning: '`production`, `development` or `test`. Production refuses insecure settings.',
  },
  { name: 'HOST', default: '127.0.0.1', meaning: 'Interface the web server listens on.' },
  { name: 'PORT', default: '3000', meaning: 'TCP port the web server listens on (0–65535; 0 picks a free port).' },
  {
    name: 'ASSURE_DATA_DIR',
    default: './data',
    meaning: 'Folder for the SQLite store and local files; created if missing.',
  },
  {
    name: 'DATABASE_URL',
    default: '(unset: SQLite in the data folder)',
    meaning: '`postgres://user:password@host:port/database` to use PostgreSQL instead of SQLite.',
  },
  {
    name: 'ASSURE_PUBLIC_URL',
    default: 'http://localhost:PORT',
    meaning:
      'The address people use. Required in production, and must be `https://` there (turns on HSTS and `__Host-` cookies).',
  },
  {
    name: 'ASSURE_TRUST_PROXY',
    default: 'false',
    meaning: '`true` when behind a reverse proxy that sets `X-Forwarded-For`.',
  },
  {
    name: 'ASSURE_MAX_BODY_BYTES',
    default: '1048576',
    meaning: 'Largest request body accepted, in bytes (1 KiB–50 MiB).',
  },
  {
    name: 'ASSURE_EVIDENCE_MAX_BYTES',
    default: '10485760',
    meaning: 'Largest evidence file a supplier may upload, in bytes (1 KiB–50 MiB; 10 MiB by default).',
  },
  { name: 'LOG_LEVEL', default: 'info', meaning: `Application log level: ${LOG_LEVELS.join(', ')}.` },
  {
    name: 'ASSURE_SMTP_URL',
    default: '(unset: mail is printed to the log)',
    meaning:
      '`smtp://user:password@host:port` (or `smtps://`) for invitations and security notices. Required in production.',
  },
  { name: 'ASSURE_MAIL_FROM', default: 'Assure <assure@localhost>', meaning: 'The sender of Assure’s mail.' },
  {
    name: 'ASSURE_MAIL_TRANSPORT',
    default: '`smtp` when ASSURE_SMTP_URL is set, otherwise `log`',
    meaning:
      'How mail goes out: `smtp` (ASSURE_SMTP_URL), `notify` (GOV.UK Notify, one message per recipient) or `log` (printed; refused in production).',
  },
  {
    name: 'ASSURE_NOTIFY_API_KEY',
    default: '(unset)',
    meaning:
      'A GOV.UK Notify API key, `keyname-serviceId-secretId` as Notify shows it. Required when ASSURE_MAIL_TRANSPORT is `notify`.',
  },
  {
    name: 'ASSURE_NOTIFY_TEMPLATE_ID',
    default: '(unset)',
    meaning:
      'The ID of the Notify email template whose subject is `((subject))` and whose message is `((body))`. Required with `notify`.',
  },
  {
    name: 'ASSURE_NOTIFY_BASE_URL',
    default: 'https://api.notifications.service.gov.uk',
    meaning: 'The Notify API address, for a proxy or Notify’s test environment; must be `https://` in production.',
  },
  {
    name: 'ASSURE_MASTER_KEY',
    default: '(unset: `master.key` in the data folder, created on first start outside production)',
    meaning:
      '32 random bytes in base64 (`npx assure master-key` makes one). Seals the ledger signing key and MFA secrets. Required in production unless the key file exists.',
  },
  {
    name: 'ASSURE_AUDIT_RETENTION',
    default: 'P2Y',
    meaning:
      'How long ledger entries are kept, as an ISO 8601 duration from 6 months (`P6M`) to 2 years (`P2Y`), the guidance’s bounds.',
  },
  {
    name: 'ASSURE_AUDIT_CHECKPOINT_INTERVAL',
    default: 'PT1H',
    meaning: 'How often the ledger head is signed, as an ISO 8601 duration from 1 minute to 1 day.',
  },
  {
    name: 'ASSURE_SIEM_SINK',
    default: '(unset: no forwarding)',
    meaning:
      'Where ledger events are forwarded for the SIEM, in order and at least once: `stdout`, `file:/path/to/audit.ndjson` (NDJSON, rotated at 100 MiB, 5 old files kept), `syslog://host:port` or `syslog+tls://host:port` (RFC 5424, octet-counted, one connection per batch). Production allows plain `syslog://` only to this machine.',
  },
  {
    name: 'ASSURE_SIEM_FORMAT',
    default: 'ecs',
    meaning:
      'The documents forwarded: `ecs` (Elastic Common Schema 8) or `ocsf` (Open Cybersecurity Schema Framework 1.5).',
  },
  {
    name: 'ASSURE_SIEM_TIER',
    default: 'enhanced',
    meaning:
      'The guidance’s Security Log Collection maturity tier forwarded: `baseline`, `enhanced` or `bespoke`, each adding to the tiers below. Enhanced by default because Assure holds suppliers’ assessments and incidents, a system whose compromise has a higher impact and so “should be monitored to a higher standard”; bespoke event types are first agreed with the MoJ Cyber Security team.',
  },
  {
    name: 'ASSURE_SIEM_CA_FILE',
    default: '(unset: the system’s trusted CAs)',
    meaning: 'PEM bundle of the certificate authorities trusted for a `syslog+tls://` receiver’s certificate.',
  },
  {
    name: 'ASSURE_BASELINE_SCAN_INTERVAL',
    default: '(unset: no scheduled scan)',
    meaning:
      'How often the service scans every registered AWS account, as an ISO 8601 duration from 1 hour to 7 days (`PT6H`); it sends due notices and plans, and acts only as `ASSURE_BASELINE_APPLY_SAFE` allows.',
  },
  {
    name: 'ASSURE_BASELINE_SCAN_CONCURRENCY',
    default: '4',
    meaning:
      'How many AWS accounts one worker instance scans at once (1–50); the scheduled scan queues one scan per account and the workers share them.',
  },
  {
    name: 'ASSURE_BASELINE_SCAN_ROLE',
    default: 'AssureBaselineReadOnly',
    meaning: 'The read-only IAM role Assure assumes in each supplier AWS account to scan it.',
  },
  {
    name: 'ASSURE_BASELINE_REMEDIATION_ROLE',
    default: 'AssureBaselineRemediation',
    meaning:
      'The separate role Assure assumes to remediate; only `assure baseline enforce` with an action to take uses it.',
  },
  {
    name: 'ASSURE_BASELINE_SECURITY_LOG_BUCKET',
    default: '(unset: the CloudTrail copy rule cannot judge)',
    meaning:
      'The Cyber Security account’s S3 bucket every CloudTrail trail must deliver to (the guidance’s “carbon copy”).',
  },
  {
    name: 'ASSURE_BASELINE_ENCRYPTION',
    default: 'sse-s3',
    meaning: 'Which S3 default encryption is suitable: `sse-s3` (SSE-S3 or KMS) or `sse-kms` (KMS-managed keys only).',
  },
  {
    name: 'ASSURE_BASELINE_ALLOW_LIST',
    default: '(unset: no public access is intended)',
    meaning:
      'Path of the intended-public allow-list (see docs/baseline-allow-list.md; `assure baseline allow-list --from-terraform` makes one).',
  },
  {
    name: 'ASSURE_BASELINE_APPLY_SAFE',
    default: 'false',
    meaning:
      '`true` lets `assure baseline enforce` re-enable GuardDuty, CloudTrail, Config and Security Hub and set the security contact without `--apply`.',
  },
  {
    name: 'ASSURE_BASELINE_SECURITY_CONTACT_PHONE',
    default: '(unset: the security contact is not set automatically)',
    meaning:
      'The phone number AWS requires with the security alternate contact (the catalogue gives name, title and email), such as `+44 20 3334 3555`.',
  },
  {
    name: 'ASSURE_BASELINE_DENY_ALL_BOUNDARY',
    default: '(unset: users are not suspended)',
    meaning:
      'ARN of the managed policy that denies everything, attached as a permissions boundary to suspend an IAM user.',
  },
  {
    name: 'ASSURE_BASELINE_QUARANTINE_GROUPS',
    default: '(unset: untagged instances are stopped instead)',
    meaning:
      'Quarantine security groups (no ingress or egress) by VPC, as `vpc-id=sg-id,vpc-id=sg-id`, for isolating untagged instances.',
  },
  {
    name: 'ASSURE_BASELINE_REMOVE_CONSOLE_ACCESS',
    default: 'false',
    meaning:
      '`true` makes suspending an IAM user also delete its console password (recorded; a rollback recreates it with a password to reset).',
  },
  {
    name: 'ASSURE_BASELINE_CENTRAL_TEAMS',
    default: '(unset: the catalogue’s security contact)',
    meaning:
      'Comma-separated addresses of the central hosting teams, Head of Hosting and MoJ Cyber Security, told on escalations.',
  },
  {
    name: 'ASSURE_BASELINE_INFRASTRUCTURE_TEAM',
    default: '(unset: the account’s owners)',
    meaning: 'Comma-separated addresses of the infrastructure team told of resources outside the EU regions.',
  },
  {
    name: 'ASSURE_BASELINE_MAX_ACTIONS',
    default: '10',
    meaning: 'Blast radius: the most workload-changing actions in one account per run (1–1000).',
  },
  {
    name: 'ASSURE_BASELINE_MAX_SHARE',
    default: '10',
    meaning: 'Blast radius: the largest percentage of an account’s resources changed per run (1–100).',
  },
] as const

/** A whole number within bounds, with one message for every way it can be wrong. */
function wholeNumber(min: number, max: number, message = `must be a whole number from ${min} to ${max}`) {
  return z.coerce.number({ error: message }).int(message).min(min, message).max(max, message)
}

function isoDuration(what: string) {
  return z.string().refine(value => {
    try {
      parseDuration(value)
      return true
    } catch {
      return false
    }
  }, `must be ${what}`)
}

const booleanFlag = z.enum(['true', 'false'], { error: 'must be true or false' }).transform(value => value === 'true')

const roleName = z.string().regex(/^[\w+=,.@-]{1,64}$/, 'must be an IAM role name')
const addressList = z
  .string()
  .transform(value => value.split(',').map(address => address.trim()))
  .pipe(z.array(z.email({ error: 'must be comma-separated email addresses' })).min(1))

/** Where forwarded ledger events go (ASSURE_SIEM_SINK). */
export type SiemSink =
  | { readonly kind: 'stdout' }
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'syslog'; readonly host: string; readonly port: number; readonly tls: boolean }

const SIEM_SINK_FORMS = 'stdout, file:/path/to/audit.ndjson, syslog://host:port or syslog+tls://host:port'

/** Reads an ASSURE_SIEM_SINK value, or says exactly what is wrong with it. */
function parseSiemSink(value: string): SiemSink | { readonly problem: string } {
  if (value === 'stdout') return { kind: 'stdout' }
  if (value.startsWith('file:')) {
    const file = value.slice('file:'.length)
    if (file === '') return { problem: 'must name a file after file: (file:/var/log/assure/audit.ndjson)' }
    return { kind: 'file', path: path.resolve(file) }
  }
  const url = /^(syslog|syslog\+tls):\/\/([^/?#]*)(.*)$/.exec(value)
  if (url === null) return { problem: `must be ${SIEM_SINK_FORMS}` }
  const [, scheme = '', authority = '', rest = ''] = url
  const example = `${scheme}://siem.example.gov.uk:${scheme === 'syslog' ? 514 : 6514}`
  if (rest !== '' && rest !== '/') return { problem: `must be ${scheme}://host:port with nothing after the port` }
  if (authority.includes('@')) return { problem: `must not hold a user name or password (${example})` }
  const address = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+))(?::(\d*))?$/.exec(authority)
  if (address === null) return { problem: `needs a host name or IP address (${example})` }
  const [, ipv6, name, port] = address
  // Syslog over TCP has no standard port (514 is customary, 6514 is RFC 5425's for TLS), so it must be given.
  if (port === undefined || port === '') return { problem: `needs a port (${example})` }
  const number = Number(port)
  if (number < 1 || number > 65535) return { problem: 'port must be from 1 to 65535' }
  return { kind: 'syslog', host: ipv6 ?? name ?? '', port: number, tls: scheme === 'syslog+tls' }
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '::1'])

const MAIL_TRANSPORTS = ['smtp', 'notify', 'log'] as const
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'
/** GOV.UK Notify's API key: the key's name, then the service ID and the secret, each a UUID. */
const NOTIFY_API_KEY = new RegExp(`^\\S+?-(${UUID})-(${UUID})$`, 'i')
/** Notify's production API, used unless ASSURE_NOTIFY_BASE_URL names another. */
export const NOTIFY_DEFAULT_BASE_URL = 'https://api.notifications.service.gov.uk'

const EnvironmentSchema = z.object({
  NODE_ENV: z
    .enum(['production', 'development', 'test'], { error: 'must be production, development or test' })
    .default('development'),
  HOST: z.string().min(1, 'must not be empty').default('127.0.0.1'),
  PORT: wholeNumber(0, 65535, 'must be a whole number from 0 to 65535 (0 picks a free port)').default(3000),
  ASSURE_DATA_DIR: z.string().min(1, 'must not be empty').default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/.+/, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  ASSURE_PUBLIC_URL: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
  ASSURE_TRUST_PROXY: booleanFlag.default(false),
  ASSURE_MAX_BODY_BYTES: wholeNumber(1024, 52_428_800, 'must be a whole number of bytes from 1024 to 52428800').default(
    1_048_576,
  ),
  ASSURE_EVIDENCE_MAX_BYTES: wholeNumber(
    1024,
    52_428_800,
    'must be a whole number of bytes from 1024 to 52428800',
  ).default(10_485_760),
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  ASSURE_SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/.+/, 'must be an smtp:// or smtps:// URL')
    .optional(),
  ASSURE_MAIL_FROM: z
    .string()
    .min(3, 'must be a sender such as Assure <assure@example.gov.uk>')
    .default('Assure <assure@localhost>'),
  ASSURE_MAIL_TRANSPORT: z.enum(MAIL_TRANSPORTS, { error: 'must be smtp, notify or log' }).optional(),
  // The key is a secret: the messages below describe its shape and never repeat it.
  ASSURE_NOTIFY_API_KEY: z
    .string()
    .regex(NOTIFY_API_KEY, 'must be a GOV.UK Notify API key: its name, the service ID and the secret ID, joined by -')
    .optional(),
  ASSURE_NOTIFY_TEMPLATE_ID: z
    .string()
    .regex(new RegExp(`^${UUID}$`, 'i'), 'must be the template ID Notify shows, a UUID')
    .optional(),
  ASSURE_NOTIFY_BASE_URL: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
  ASSURE_MASTER_KEY: z
    .string()
    .refine(
      value => /^[A-Za-z0-9+/]+={0,2}$/.test(value) && Buffer.from(value, 'base64').length === MASTER_KEY_BYTES,
      `must be ${MASTER_KEY_BYTES} bytes in base64 (npx assure master-key makes one)`,
    )
    .optional(),
  ASSURE_AUDIT_RETENTION: isoDuration('an ISO 8601 duration from P6M to P2Y').default('P2Y'),
  ASSURE_AUDIT_CHECKPOINT_INTERVAL: isoDuration('an ISO 8601 duration from PT1M to P1D')
    .refine(value => {
      try {
        const seconds = durationSeconds(value)
        return seconds >= 60 && seconds <= 86_400
      } catch {
        return false
      }
    }, 'must be from PT1M to P1D')
    .default('PT1H'),
  ASSURE_SIEM_SINK: z
    .string()
    .transform((value, ctx) => {
      const sink = parseSiemSink(value)
      if ('problem' in sink) {
        ctx.addIssue({ code: 'custom', message: sink.problem })
        return z.NEVER
      }
      return sink
    })
    .optional(),
  ASSURE_SIEM_FORMAT: z.enum(['ecs', 'ocsf'], { error: 'must be ecs or ocsf' }).default('ecs'),
  ASSURE_SIEM_TIER: z.enum(EVENT_TIERS, { error: `must be one of ${EVENT_TIERS.join(', ')}` }).default('enhanced'),
  ASSURE_SIEM_CA_FILE: z.string().optional(),
  ASSURE_BASELINE_SCAN_INTERVAL: isoDuration('an ISO 8601 duration from 1 hour (PT1H) to 7 days (P7D)')
    .refine(
      value => durationSeconds(value) >= 3600 && durationSeconds(value) <= 7 * 86_400,
      'must be an ISO 8601 duration from 1 hour (PT1H) to 7 days (P7D)',
    )
    .optional(),
  ASSURE_BASELINE_SCAN_ROLE: roleName.default('AssureBaselineReadOnly'),
  ASSURE_BASELINE_REMEDIATION_ROLE: roleName.default('AssureBaselineRemediation'),
  ASSURE_BASELINE_SECURITY_LOG_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name')
    .optional(),
  ASSURE_BASELINE_ENCRYPTION: z.enum(['sse-s3', 'sse-kms'], { error: 'must be sse-s3 or sse-kms' }).default('sse-s3'),
  ASSURE_BASELINE_ALLOW_LIST: z.string().optional(),
  ASSURE_BASELINE_APPLY_SAFE: booleanFlag.default(false),
  ASSURE_BASELINE_SECURITY_CONTACT_PHONE: z
    .string()
    .regex(/^\+[\d\s()-]{7,24}$/, 'must be an international phone number starting with +')
    .optional(),
  ASSURE_BASELINE_DENY_ALL_BOUNDARY: z
    .string()
    .regex(/^arn:aws[a-z-]*:iam::(\d{12}|aws):policy\/.+$/, 'must be an IAM policy ARN')
    .optional(),
  ASSURE_BASELINE_QUARANTINE_GROUPS: z
    .string()
    .regex(/^vpc-[0-9a-f]+=sg-[0-9a-f]+(,vpc-[0-9a-f]+=sg-[0-9a-f]+)*$/, 'must be vpc-id=sg-id pairs, comma-separated')
    .transform(value => Object.fromEntries(value.split(',').map(pair => pair.split('=') as [string, string])))
    .optional(),
  ASSURE_BASELINE_REMOVE_CONSOLE_ACCESS: booleanFlag.default(false),
  ASSURE_BASELINE_CENTRAL_TEAMS: addressList.optional(),
  ASSURE_BASELINE_INFRASTRUCTURE_TEAM: addressList.optional(),
  ASSURE_BASELINE_SCAN_CONCURRENCY: wholeNumber(1, 50).default(4),
  ASSURE_BASELINE_MAX_ACTIONS: wholeNumber(1, 1000).default(10),
  ASSURE_BASELINE_MAX_SHARE: z.coerce
    .number({ error: 'must be a percentage from 1 to 100' })
    .min(1, 'must be a percentage from 1 to 100')
    .max(100, 'must be a percentage from 1 to 100')
    .default(10),
})

/**
 * What only holds across SIEM settings or outside the process: checked on the raw values so the problems are listed
 * alongside any other, and the CA bundle read now so a bad file stops the start rather than every batch failing.
 */
function siemProblems(raw: Record<string, string | undefined>): Problem[] {
  const sink = raw.ASSURE_SIEM_SINK === undefined ? undefined : parseSiemSink(raw.ASSURE_SIEM_SINK)
  const syslog = sink !== undefined && 'kind' in sink && sink.kind === 'syslog' ? sink : undefined
  const problems: Problem[] = []
  // Guidance, Log data security & governance: log data holding personal data "must be adequately protected".
  if (raw.NODE_ENV === 'production' && syslog !== undefined && !syslog.tls && !LOOPBACK_HOSTS.has(syslog.host)) {
    problems.push({
      path: 'ASSURE_SIEM_SINK',
      message:
        'must be syslog+tls:// in production unless the receiver is on this machine (ledger events hold personal data)',
    })
  }
  const caFile = raw.ASSURE_SIEM_CA_FILE
  if (caFile === undefined) return problems
  // A malformed sink is reported on its own; saying the CA does not fit it would only confuse.
  if (syslog?.tls !== true && !(sink !== undefined && 'problem' in sink)) {
    problems.push({ path: 'ASSURE_SIEM_CA_FILE', message: 'is only used with a syslog+tls:// ASSURE_SIEM_SINK' })
    return problems
  }
  let pem: string
  try {
    pem = readFileSync(caFile, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error'
    problems.push({ path: 'ASSURE_SIEM_CA_FILE', message: `cannot be read (${code}): ${path.resolve(caFile)}` })
    return problems
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    problems.push({ path: 'ASSURE_SIEM_CA_FILE', message: 'holds no PEM certificate (-----BEGIN CERTIFICATE-----)' })
  }
  return problems
}

/** What the chosen mail transport needs: SMTP its URL, Notify its key and template; production does not print mail. */
function mailProblems(raw: Record<string, string | undefined>): Problem[] {
  const transport = raw.ASSURE_MAIL_TRANSPORT
  const problems: Problem[] = []
  if (transport === 'notify') {
    if (raw.ASSURE_NOTIFY_API_KEY === undefined)
      problems.push({ path: 'ASSURE_NOTIFY_API_KEY', message: 'is required when ASSURE_MAIL_TRANSPORT is notify' })
    if (raw.ASSURE_NOTIFY_TEMPLATE_ID === undefined)
      problems.push({ path: 'ASSURE_NOTIFY_TEMPLATE_ID', message: 'is required when ASSURE_MAIL_TRANSPORT is notify' })
    const base = raw.ASSURE_NOTIFY_BASE_URL
    // Guidance, Data transfer protections (data-in-transit): Authority data "must be protected against ... interception"
    // in transit; the mail (and the key's signed tokens) must not cross a network in clear. (v5.0.0-12.2.1)
    if (raw.NODE_ENV === 'production' && base !== undefined && !base.startsWith('https://'))
      problems.push({ path: 'ASSURE_NOTIFY_BASE_URL', message: 'must be an https:// URL in production' })
    return problems
  }
  for (const name of ['ASSURE_NOTIFY_API_KEY', 'ASSURE_NOTIFY_TEMPLATE_ID', 'ASSURE_NOTIFY_BASE_URL']) {
    // Set without the transport, the key would sit unused while mail went elsewhere: say so rather than guess.
    const known = transport === undefined || MAIL_TRANSPORTS.some(value => value === transport)
    if (raw[name] !== undefined && known)
      problems.push({ path: name, message: 'is only used when ASSURE_MAIL_TRANSPORT is notify' })
  }
  if (transport === 'smtp' && raw.ASSURE_SMTP_URL === undefined && raw.NODE_ENV !== 'production')
    problems.push({ path: 'ASSURE_SMTP_URL', message: 'is required when ASSURE_MAIL_TRANSPORT is smtp' })
  if (transport === 'log' && raw.NODE_ENV === 'production')
    problems.push({ path: 'ASSURE_MAIL_TRANSPORT', message: 'must be smtp or notify in production' })
  return problems
}

/** Rules that hold only in production, checked on the raw values so they are reported alongside any other problem. */
function productionProblems(raw: Record<string, string | undefined>): Problem[] {
  if (raw.NODE_ENV !== 'production') return []
  const problems: Problem[] = []
  if (raw.ASSURE_PUBLIC_URL === undefined)
    problems.push({ path: 'ASSURE_PUBLIC_URL', message: 'is required in production' })
  else if (!raw.ASSURE_PUBLIC_URL.startsWith('https://')) {
    problems.push({ path: 'ASSURE_PUBLIC_URL', message: 'must be an https:// URL in production' })
  }
  const transport = raw.ASSURE_MAIL_TRANSPORT
  if (raw.ASSURE_SMTP_URL === undefined && (transport === undefined || transport === 'smtp'))
    problems.push({ path: 'ASSURE_SMTP_URL', message: 'is required in production' })
  return problems
}

/** How mail goes out (ASSURE_MAIL_TRANSPORT and what each transport needs). */
export type MailConfig =
  | { readonly transport: 'smtp'; readonly smtpUrl: string; readonly from: string }
  | {
      readonly transport: 'notify'
      readonly from: string
      readonly notify: { readonly apiKey: string; readonly templateId: string; readonly baseUrl: string }
    }
  | { readonly transport: 'log'; readonly from: string }

/** The mail settings from the parsed environment; mailProblems has made sure each transport has what it needs. */
function mailConfig(parsed: z.infer<typeof EnvironmentSchema>): MailConfig {
  const from = parsed.ASSURE_MAIL_FROM
  const transport = parsed.ASSURE_MAIL_TRANSPORT ?? (parsed.ASSURE_SMTP_URL === undefined ? 'log' : 'smtp')
  if (transport === 'notify') {
    return {
      transport,
      from,
      notify: {
        apiKey: parsed.ASSURE_NOTIFY_API_KEY ?? '',
        templateId: (parsed.ASSURE_NOTIFY_TEMPLATE_ID ?? '').toLowerCase(),
        baseUrl: (parsed.ASSURE_NOTIFY_BASE_URL ?? NOTIFY_DEFAULT_BASE_URL).replace(/\/$/, ''),
      },
    }
  }
  if (transport === 'smtp' && parsed.ASSURE_SMTP_URL !== undefined)
    return { transport, smtpUrl: parsed.ASSURE_SMTP_URL, from }
  return { transport: 'log', from }
}

/** The validated configuration every entry point shares. */
export interface Config {
  readonly environment: 'production' | 'development' | 'test'
  readonly host: string
  readonly port: number
  readonly dataDir: string
  readonly database:
    { readonly engine: 'sqlite'; readonly file: string } | { readonly engine: 'postgres'; readonly url: string }
  readonly publicUrl: string
  readonly secureCookies: boolean
  readonly trustProxy: boolean
  readonly maxBodyBytes: number
  readonly logLevel: (typeof LOG_LEVELS)[number]
  /** Evidence uploads: the largest file accepted, in bytes. */
  readonly evidence: { readonly maxBytes: number }
  readonly mail: MailConfig
  /** Base64 master key from the environment; null means the key file in the data folder. */
  readonly masterKey: string | null
  readonly audit: { readonly retention: string; readonly checkpointInterval: string }
  /** Forwarding the ledger to a SIEM; `sink` null means off. */
  readonly siem: {
    readonly sink: SiemSink | null
    readonly format: 'ecs' | 'ocsf'
    readonly tier: EventTier
    /** A PEM CA bundle for `syslog+tls://`; null means the system's trusted CAs. */
    readonly caFile: string | null
  }
  /** AWS baseline enforcement: roles, the deployment's choices, who is told, and the blast radius. */
  readonly baseline: BaselineConfig
}

/** The AWS baseline's settings from the environment. */
export interface BaselineConfig {
  /** How often the service scans; null means it does not (scans run from the CLI). */
  readonly scanInterval: string | null
  /** Accounts one worker scans at once. */
  readonly scanConcurrency: number
  readonly scanRole: string
  readonly remediationRole: string
  readonly securityLogBucket: string | null
  readonly encryption: 'sse-s3' | 'sse-kms'
  readonly allowListFile: string | null
  readonly applySafe: boolean
  readonly denyAllBoundaryArn: string | null
  readonly securityContactPhone: string | null
  readonly quarantineGroups: Readonly<Record<string, string>>
  readonly removeConsoleAccess: boolean
  readonly centralTeams: readonly string[] | null
  readonly infrastructureTeam: readonly string[] | null
  readonly maxActionsPerAccount: number
  readonly maxShareOfResources: number
}

/** Reads the environment once; on any problem throws CONFIG_INVALID naming every variable that is wrong. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const known = Object.fromEntries(
    ENVIRONMENT_VARIABLES.map(({ name }) => [name, env[name] === '' ? undefined : env[name]]),
  )
  const result = EnvironmentSchema.safeParse(known)
  const problems = [
    ...(result.success ? [] : problemsFrom(result.error)),
    ...productionProblems(known),
    ...siemProblems(known),
    ...mailProblems(known),
  ]
  if (!result.success || problems.length > 0) {
    throw new AssureError('CONFIG_INVALID', 'The configuration is not valid', { problems })
  }
  const parsed = result.data
  const dataDir = path.resolve(parsed.ASSURE_DATA_DIR)
  // WebAuthn refuses IP addresses as relying-party IDs, so the loopback default is offered as localhost.
  const defaultHost = parsed.HOST === '127.0.0.1' || parsed.HOST === '::1' ? 'localhost' : parsed.HOST
  const publicUrl = parsed.ASSURE_PUBLIC_URL ?? `http://${defaultHost}:${parsed.PORT}`
  return {
    environment: parsed.NODE_ENV,
    host: parsed.HOST,
    port: parsed.PORT,
    dataDir,
    database:
      parsed.DATABASE_URL === undefined
        ? { engine: 'sqlite', file: path.join(dataDir, 'assure.sqlite') }
        : { engine: 'postgres', url: parsed.DATABASE_URL },
    publicUrl: publicUrl.replace(/\/$/, ''),
    secureCookies: publicUrl.startsWith('https://'),
    trustProxy: parsed.ASSURE_TRUST_PROXY,
    maxBodyBytes: parsed.ASSURE_MAX_BODY_BYTES,
    logLevel: parsed.LOG_LEVEL,
    evidence: { maxBytes: parsed.ASSURE_EVIDENCE_MAX_BYTES },
    mail: mailConfig(parsed),
    masterKey: parsed.ASSURE_MASTER_KEY ?? null,
    audit: { retention: parsed.ASSURE_AUDIT_RETENTION, checkpointInterval: parsed.ASSURE_AUDIT_CHECKPOINT_INTERVAL },
    siem: {
      sink: parsed.ASSURE_SIEM_SINK ?? null,
      format: parsed.ASSURE_SIEM_FORMAT,
      tier: parsed.ASSURE_SIEM_TIER,
      caFile: parsed.ASSURE_SIEM_CA_FILE === undefined ? null : path.resolve(parsed.ASSURE_SIEM_CA_FILE),
    },
    baseline: {
      scanInterval: parsed.ASSURE_BASELINE_SCAN_INTERVAL ?? null,
      scanConcurrency: parsed.ASSURE_BASELINE_SCAN_CONCURRENCY,
      scanRole: parsed.ASSURE_BASELINE_SCAN_ROLE,
      remediationRole: parsed.ASSURE_BASELINE_REMEDIATION_ROLE,
      securityLogBucket: parsed.ASSURE_BASELINE_SECURITY_LOG_BUCKET ?? null,
      encryption: parsed.ASSURE_BASELINE_ENCRYPTION,
      allowListFile:
        parsed.ASSURE_BASELINE_ALLOW_LIST === undefined ? null : path.resolve(parsed.ASSURE_BASELINE_ALLOW_LIST),
      applySafe: parsed.ASSURE_BASELINE_APPLY_SAFE,
      denyAllBoundaryArn: parsed.ASSURE_BASELINE_DENY_ALL_BOUNDARY ?? null,
      securityContactPhone: parsed.ASSURE_BASELINE_SECURITY_CONTACT_PHONE ?? null,
      quarantineGroups: parsed.ASSURE_BASELINE_QUARANTINE_GROUPS ?? {},
      removeConsoleAccess: parsed.ASSURE_BASELINE_REMOVE_CONSOLE_ACCESS,
      centralTeams: parsed.ASSURE_BASELINE_CENTRAL_TEAMS ?? null,
      infrastructureTeam: parsed.ASSURE_BASELINE_INFRASTRUCTURE_TEAM ?? null,
      maxActionsPerAccount: parsed.ASSURE_BASELINE_MAX_ACTIONS,
      maxShareOfResources: parsed.ASSURE_BASELINE_MAX_SHARE / 100,
    },
  }
}

/** The lines printed when configuration is refused: one per problem, naming the variable. */
export function describeConfigProblems(error: AssureError): string[] {
  return error.problems.map(problem => `${problem.path}: ${problem.message}`)
}
