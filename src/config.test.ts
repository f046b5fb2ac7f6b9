import { after, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { loadConfig, describeConfigProblems, ENVIRONMENT_VARIABLES } from './config.ts'
import { AssureError } from './platform/errors.ts'

function problemsFor(env: Record<string, string>): string[] {
  let problems: string[] = []
  assert.throws(
    () => loadConfig(env),
    (error: unknown) => {
      assert.ok(error instanceof AssureError)
      assert.equal(error.code, 'CONFIG_INVALID')
      problems = describeConfigProblems(error)
      return true
    },
  )
  return problems
}

describe('configuration', () => {
  it('starts on 127.0.0.1:3000 with SQLite in ./data by default', () => {
    const config = loadConfig({})
    assert.equal(config.host, '127.0.0.1')
    assert.equal(config.port, 3000)
    assert.deepEqual(config.database, { engine: 'sqlite', file: path.resolve('data', 'assure.sqlite') })
    // WebAuthn does not accept IP addresses, so the loopback default is offered as localhost.
    assert.equal(config.publicUrl, 'http://localhost:3000')
    assert.equal(config.secureCookies, false)
  })

  it('uses PostgreSQL when DATABASE_URL is a postgres URL', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://u@localhost:5432/assure' })
    assert.deepEqual(config.database, { engine: 'postgres', url: 'postgres://u@localhost:5432/assure' })
  })

  it('accepts evidence files up to 10 MiB unless ASSURE_EVIDENCE_MAX_BYTES says otherwise, within 1 KiB to 50 MiB', () => {
    assert.equal(loadConfig({}).evidence.maxBytes, 10_485_760)
    assert.equal(loadConfig({ ASSURE_EVIDENCE_MAX_BYTES: '2048' }).evidence.maxBytes, 2048)
    assert.deepEqual(problemsFor({ ASSURE_EVIDENCE_MAX_BYTES: '100' }), [
      'ASSURE_EVIDENCE_MAX_BYTES: must be a whole number of bytes from 1024 to 52428800',
    ])
  })

  it('reads the AWS baseline settings, with the blast radius on by default and no scheduled scan', () => {
    const { baseline } = loadConfig({})
    assert.deepEqual(
      [baseline.maxActionsPerAccount, baseline.maxShareOfResources, baseline.scanInterval],
      [10, 0.1, null],
    )
    const set = loadConfig({
      ASSURE_BASELINE_SCAN_INTERVAL: 'PT6H',
      ASSURE_BASELINE_SECURITY_CONTACT_PHONE: '+44 20 3334 3555',
      ASSURE_BASELINE_QUARANTINE_GROUPS: 'vpc-0a1b=sg-0c2d,vpc-0e3f=sg-0a4b',
      ASSURE_BASELINE_CENTRAL_TEAMS: 'hosting@justice.gov.uk, cyber@justice.gov.uk',
    }).baseline
    assert.equal(set.scanInterval, 'PT6H')
    assert.equal(set.securityContactPhone, '+44 20 3334 3555')
    assert.deepEqual(set.quarantineGroups, { 'vpc-0a1b': 'sg-0c2d', 'vpc-0e3f': 'sg-0a4b' })
    assert.deepEqual(set.centralTeams, ['hosting@justice.gov.uk', 'cyber@justice.gov.uk'])
    assert.deepEqual(
      problemsFor({ ASSURE_BASELINE_SCAN_INTERVAL: 'PT5M', ASSURE_BASELINE_SECURITY_CONTACT_PHONE: '0203' }).sort(),
      [
        'ASSURE_BASELINE_SCAN_INTERVAL: must be an ISO 8601 duration from 1 hour (PT1H) to 7 days (P7D)',
        'ASSURE_BASELINE_SECURITY_CONTACT_PHONE: must be an international phone number starting with +',
      ],
    )
  })

  it('lists every problem at once, naming each variable and what is allowed', () => {
    const problems = problemsFor({
      PORT: 'eighty',
      LOG_LEVEL: 'loud',
      DATABASE_URL: 'mysql://x',
      ASSURE_TRUST_PROXY: 'yes',
    })
    assert.deepEqual(problems.sort(), [
      'ASSURE_TRUST_PROXY: must be true or false',
      'DATABASE_URL: must be a postgres:// or postgresql:// URL',
      'LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent',
      'PORT: must be a whole number from 0 to 65535 (0 picks a free port)',
    ])
  })

  it('refuses production without an https public URL rather than guessing one', () => {
    assert.deepEqual(problemsFor({ NODE_ENV: 'production' }), [
      'ASSURE_PUBLIC_URL: is required in production',
      'ASSURE_SMTP_URL: is required in production',
    ])
    assert.deepEqual(
      problemsFor({
        NODE_ENV: 'production',
        ASSURE_PUBLIC_URL: 'http://assure.example',
        ASSURE_SMTP_URL: 'smtp://mail:25',
      }),
      ['ASSURE_PUBLIC_URL: must be an https:// URL in production'],
    )
    const config = loadConfig({
      NODE_ENV: 'production',
      ASSURE_PUBLIC_URL: 'https://assure.example/',
      ASSURE_SMTP_URL: 'smtp://mail:25',
    })
    assert.equal(config.secureCookies, true)
    assert.equal(config.publicUrl, 'https://assure.example')
  })

  it('documents every variable it reads', () => {
    const names = ENVIRONMENT_VARIABLES.map(v => v.name)
    assert.deepEqual(names, [...new Set(names)])
    for (const variable of ENVIRONMENT_VARIABLES) assert.ok(variable.meaning.length > 10, variable.name)
  })
})

describe('SIEM forwarding configuration', () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'assure-config-'))
  after(() => rmSync(directory, { recursive: true, force: true }))
  const pemFile = path.join(directory, 'ca.pem')
  writeFileSync(pemFile, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n')
  const textFile = path.join(directory, 'ca.txt')
  writeFileSync(textFile, 'not a certificate\n')

  it('is off by default, with ECS at the enhanced tier', () => {
    assert.deepEqual(loadConfig({}).siem, { sink: null, format: 'ecs', tier: 'enhanced', caFile: null })
  })

  it('reads stdout, a file, and syslog over TCP or TLS, with a CA bundle for TLS', () => {
    assert.deepEqual(loadConfig({ ASSURE_SIEM_SINK: 'stdout' }).siem.sink, { kind: 'stdout' })
    assert.deepEqual(loadConfig({ ASSURE_SIEM_SINK: 'file:logs/audit.ndjson' }).siem.sink, {
      kind: 'file',
      path: path.resolve('logs/audit.ndjson'),
    })
    assert.deepEqual(loadConfig({ ASSURE_SIEM_SINK: 'syslog://siem.example.gov.uk:514' }).siem.sink, {
      kind: 'syslog',
      host: 'siem.example.gov.uk',
      port: 514,
      tls: false,
    })
    const tls = loadConfig({
      ASSURE_SIEM_SINK: 'syslog+tls://[::1]:6514',
      ASSURE_SIEM_FORMAT: 'ocsf',
      ASSURE_SIEM_TIER: 'bespoke',
      ASSURE_SIEM_CA_FILE: pemFile,
    }).siem
    assert.deepEqual(tls, {
      sink: { kind: 'syslog', host: '::1', port: 6514, tls: true },
      format: 'ocsf',
      tier: 'bespoke',
      caFile: pemFile,
    })
  })

  it('names what is wrong with each bad sink', () => {
    const sinkProblem = (value: string) => problemsFor({ ASSURE_SIEM_SINK: value })
    assert.deepEqual(sinkProblem('kafka://siem:9092'), [
      'ASSURE_SIEM_SINK: must be stdout, file:/path/to/audit.ndjson, syslog://host:port or syslog+tls://host:port',
    ])
    assert.deepEqual(sinkProblem('file:'), [
      'ASSURE_SIEM_SINK: must name a file after file: (file:/var/log/assure/audit.ndjson)',
    ])
    assert.deepEqual(sinkProblem('syslog://siem.example'), [
      'ASSURE_SIEM_SINK: needs a port (syslog://siem.example.gov.uk:514)',
    ])
    assert.deepEqual(sinkProblem('syslog+tls://siem.example:70000'), ['ASSURE_SIEM_SINK: port must be from 1 to 65535'])
    assert.deepEqual(sinkProblem('syslog+tls://siem.example:0'), ['ASSURE_SIEM_SINK: port must be from 1 to 65535'])
    assert.deepEqual(sinkProblem('syslog://:514'), [
      'ASSURE_SIEM_SINK: needs a host name or IP address (syslog://siem.example.gov.uk:514)',
    ])
    assert.deepEqual(sinkProblem('syslog+tls://user:secret@siem.example:6514'), [
      'ASSURE_SIEM_SINK: must not hold a user name or password (syslog+tls://siem.example.gov.uk:6514)',
    ])
    assert.deepEqual(sinkProblem('syslog://siem.example:514/audit?x=1'), [
      'ASSURE_SIEM_SINK: must be syslog://host:port with nothing after the port',
    ])
  })

  it('names a bad format, tier or CA bundle, all at once', () => {
    assert.deepEqual(
      problemsFor({
        ASSURE_SIEM_SINK: 'syslog+tls://siem.example:6514',
        ASSURE_SIEM_FORMAT: 'cef',
        ASSURE_SIEM_TIER: 'gold',
        ASSURE_SIEM_CA_FILE: path.join(directory, 'missing.pem'),
      }).sort(),
      [
        `ASSURE_SIEM_CA_FILE: cannot be read (ENOENT): ${path.join(directory, 'missing.pem')}`,
        'ASSURE_SIEM_FORMAT: must be ecs or ocsf',
        'ASSURE_SIEM_TIER: must be one of baseline, enhanced, bespoke',
      ],
    )
    assert.deepEqual(
      problemsFor({ ASSURE_SIEM_SINK: 'syslog+tls://siem.example:6514', ASSURE_SIEM_CA_FILE: textFile }),
      ['ASSURE_SIEM_CA_FILE: holds no PEM certificate (-----BEGIN CERTIFICATE-----)'],
    )
    assert.deepEqual(problemsFor({ ASSURE_SIEM_SINK: 'syslog://siem.example:514', ASSURE_SIEM_CA_FILE: pemFile }), [
      'ASSURE_SIEM_CA_FILE: is only used with a syslog+tls:// ASSURE_SIEM_SINK',
    ])
    assert.deepEqual(problemsFor({ ASSURE_SIEM_CA_FILE: pemFile }), [
      'ASSURE_SIEM_CA_FILE: is only used with a syslog+tls:// ASSURE_SIEM_SINK',
    ])
  })

  it('refuses plain syslog to another machine in production, since ledger events hold personal data', () => {
    const production = {
      NODE_ENV: 'production',
      ASSURE_PUBLIC_URL: 'https://assure.example',
      ASSURE_SMTP_URL: 'smtp://mail:25',
    }
    assert.deepEqual(problemsFor({ ...production, ASSURE_SIEM_SINK: 'syslog://siem.example:514' }), [
      'ASSURE_SIEM_SINK: must be syslog+tls:// in production unless the receiver is on this machine (ledger events hold personal data)',
    ])
    assert.equal(loadConfig({ ...production, ASSURE_SIEM_SINK: 'syslog://127.0.0.1:514' }).siem.sink?.kind, 'syslog')
    assert.equal(
      loadConfig({ ...production, ASSURE_SIEM_SINK: 'syslog+tls://siem.example:6514' }).siem.sink?.kind,
      'syslog',
    )
  })
})

describe('the mail transport', () => {
  const KEY = 'assure_live-26785a09-ab16-4eb0-8407-a37497a57506-3d844edf-8d35-48ac-975b-e847b4f122b0'
  const TEMPLATE = '9f7a4c1e-2b3d-4e5f-8a6b-7c8d9e0f1a2b'

  it('prints mail without an SMTP URL, and sends by SMTP with one', () => {
    assert.deepEqual(loadConfig({}).mail, { transport: 'log', from: 'Assure <assure@localhost>' })
    assert.deepEqual(loadConfig({ ASSURE_SMTP_URL: 'smtp://mail:25' }).mail, {
      transport: 'smtp',
      smtpUrl: 'smtp://mail:25',
      from: 'Assure <assure@localhost>',
    })
  })

  it('sends through GOV.UK Notify with a key and template, to Notify’s API unless told otherwise', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      ASSURE_PUBLIC_URL: 'https://assure.example',
      ASSURE_MAIL_TRANSPORT: 'notify',
      ASSURE_NOTIFY_API_KEY: KEY,
      ASSURE_NOTIFY_TEMPLATE_ID: TEMPLATE.toUpperCase(),
    })
    assert.deepEqual(config.mail, {
      transport: 'notify',
      from: 'Assure <assure@localhost>',
      notify: { apiKey: KEY, templateId: TEMPLATE, baseUrl: 'https://api.notifications.service.gov.uk' },
    })
  })

  it('names what Notify is missing, and never repeats the key', () => {
    assert.deepEqual(problemsFor({ ASSURE_MAIL_TRANSPORT: 'notify' }), [
      'ASSURE_NOTIFY_API_KEY: is required when ASSURE_MAIL_TRANSPORT is notify',
      'ASSURE_NOTIFY_TEMPLATE_ID: is required when ASSURE_MAIL_TRANSPORT is notify',
    ])
    const secret = 'not-a-notify-key-3d844edf'
    const problems = problemsFor({
      ASSURE_MAIL_TRANSPORT: 'notify',
      ASSURE_NOTIFY_API_KEY: secret,
      ASSURE_NOTIFY_TEMPLATE_ID: 'welcome',
    })
    assert.deepEqual(problems, [
      'ASSURE_NOTIFY_API_KEY: must be a GOV.UK Notify API key: its name, the service ID and the secret ID, joined by -',
      'ASSURE_NOTIFY_TEMPLATE_ID: must be the template ID Notify shows, a UUID',
    ])
    assert.ok(problems.every(problem => !problem.includes(secret)))
    // The service ID and secret without the key's name is not the shape Notify issues.
    assert.deepEqual(
      problemsFor({
        ASSURE_MAIL_TRANSPORT: 'notify',
        ASSURE_NOTIFY_API_KEY: KEY.slice('assure_live-'.length),
        ASSURE_NOTIFY_TEMPLATE_ID: TEMPLATE,
      }),
      [
        'ASSURE_NOTIFY_API_KEY: must be a GOV.UK Notify API key: its name, the service ID and the secret ID, joined by -',
      ],
    )
  })

  it('refuses a transport it does not know, Notify settings without Notify, and printed mail in production', () => {
    assert.deepEqual(problemsFor({ ASSURE_MAIL_TRANSPORT: 'carrier-pigeon' }), [
      'ASSURE_MAIL_TRANSPORT: must be smtp, notify or log',
    ])
    assert.deepEqual(problemsFor({ ASSURE_NOTIFY_API_KEY: KEY, ASSURE_SMTP_URL: 'smtp://mail:25' }), [
      'ASSURE_NOTIFY_API_KEY: is only used when ASSURE_MAIL_TRANSPORT is notify',
    ])
    assert.deepEqual(problemsFor({ ASSURE_MAIL_TRANSPORT: 'smtp' }), [
      'ASSURE_SMTP_URL: is required when ASSURE_MAIL_TRANSPORT is smtp',
    ])
    assert.deepEqual(
      problemsFor({
        NODE_ENV: 'production',
        ASSURE_PUBLIC_URL: 'https://assure.example',
        ASSURE_MAIL_TRANSPORT: 'log',
      }),
      ['ASSURE_MAIL_TRANSPORT: must be smtp or notify in production'],
    )
    assert.deepEqual(
      problemsFor({
        NODE_ENV: 'production',
        ASSURE_PUBLIC_URL: 'https://assure.example',
        ASSURE_MAIL_TRANSPORT: 'notify',
        ASSURE_NOTIFY_API_KEY: KEY,
        ASSURE_NOTIFY_TEMPLATE_ID: TEMPLATE,
        ASSURE_NOTIFY_BASE_URL: 'http://notify-proxy.internal',
      }),
      ['ASSURE_NOTIFY_BASE_URL: must be an https:// URL in production'],
    )
  })
})

describe('the README', () => {
  it('documents every environment variable with its default', async () => {
    const { readFileSync } = await import('node:fs')
    const readme = readFileSync(path.resolve('README.md'), 'utf8')
    for (const variable of ENVIRONMENT_VARIABLES) assert.ok(readme.includes(`| \`${variable.name}\` |`), variable.name)
  })
})
