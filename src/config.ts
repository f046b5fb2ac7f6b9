import path from 'node:path'
import { z } from 'zod'
import { AssureError, type Problem } from './platform/errors.ts'
import { problemsFrom } from './platform/validation.ts'

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
  { name: 'LOG_LEVEL', default: 'info', meaning: `Application log level: ${LOG_LEVELS.join(', ')}.` },
  {
    name: 'ASSURE_SMTP_URL',
    default: '(unset: mail is printed to the log)',
    meaning:
      '`smtp://user:password@host:port` (or `smtps://`) for invitations and security notices. Required in production.',
  },
  { name: 'ASSURE_MAIL_FROM', default: 'Assure <assure@localhost>', meaning: 'The sender of Assure’s mail.' },
] as const

const booleanFlag = z.enum(['true', 'false'], { error: 'must be true or false' }).transform(value => value === 'true')

const EnvironmentSchema = z.object({
  NODE_ENV: z
    .enum(['production', 'development', 'test'], { error: 'must be production, development or test' })
    .default('development'),
  HOST: z.string().min(1, 'must not be empty').default('127.0.0.1'),
  PORT: z.coerce
    .number({ error: 'must be a whole number from 0 to 65535 (0 picks a free port)' })
    .int('must be a whole number from 0 to 65535 (0 picks a free port)')
    .min(0, 'must be a whole number from 0 to 65535 (0 picks a free port)')
    .max(65535, 'must be a whole number from 0 to 65535 (0 picks a free port)')
    .default(3000),
  ASSURE_DATA_DIR: z.string().min(1, 'must not be empty').default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/.+/, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  ASSURE_PUBLIC_URL: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
  ASSURE_TRUST_PROXY: booleanFlag.default(false),
  ASSURE_MAX_BODY_BYTES: z.coerce
    .number({ error: 'must be a whole number of bytes from 1024 to 52428800' })
    .int('must be a whole number of bytes from 1024 to 52428800')
    .min(1024, 'must be a whole number of bytes from 1024 to 52428800')
    .max(52_428_800, 'must be a whole number of bytes from 1024 to 52428800')
    .default(1_048_576),
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  ASSURE_SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/.+/, 'must be an smtp:// or smtps:// URL')
    .optional(),
  ASSURE_MAIL_FROM: z
    .string()
    .min(3, 'must be a sender such as Assure <assure@example.gov.uk>')
    .default('Assure <assure@localhost>'),
})

/** Rules that hold only in production, checked on the raw values so they are reported alongside any other problem. */
function productionProblems(raw: Record<string, string | undefined>): Problem[] {
  if (raw.NODE_ENV !== 'production') return []
  const problems: Problem[] = []
  if (raw.ASSURE_PUBLIC_URL === undefined)
    problems.push({ path: 'ASSURE_PUBLIC_URL', message: 'is required in production' })
  else if (!raw.ASSURE_PUBLIC_URL.startsWith('https://')) {
    problems.push({ path: 'ASSURE_PUBLIC_URL', message: 'must be an https:// URL in production' })
  }
  if (raw.ASSURE_SMTP_URL === undefined)
    problems.push({ path: 'ASSURE_SMTP_URL', message: 'is required in production' })
  return problems
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
  readonly mail: { readonly smtpUrl: string | null; readonly from: string }
}

/** Reads the environment once; on any problem throws CONFIG_INVALID naming every variable that is wrong. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const known = Object.fromEntries(
    ENVIRONMENT_VARIABLES.map(({ name }) => [name, env[name] === '' ? undefined : env[name]]),
  )
  const result = EnvironmentSchema.safeParse(known)
  const problems = [...(result.success ? [] : problemsFrom(result.error)), ...productionProblems(known)]
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
    mail: { smtpUrl: parsed.ASSURE_SMTP_URL ?? null, from: parsed.ASSURE_MAIL_FROM },
  }
}

/** The lines printed when configuration is refused: one per problem, naming the variable. */
export function describeConfigProblems(error: AssureError): string[] {
  return error.problems.map(problem => `${problem.path}: ${problem.message}`)
}
