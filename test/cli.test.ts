import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { sqliteStore, type TestStore } from './helpers/stores.ts'
import { openStore } from '../src/platform/db/database.ts'

function run(args: string[], env: Record<string, string>, script = path.resolve('bin', 'assure.js')) {
  const result = spawnSync(process.execPath, [script, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', ...env },
    timeout: 60_000,
  })
  return { status: result.status, stdout: result.stdout, stderr: result.stderr }
}

describe('the assure command line', () => {
  let store: TestStore
  let env: Record<string, string>

  before(() => {
    store = sqliteStore()
    env = { ASSURE_DATA_DIR: store.dataDir, NODE_ENV: 'test' }
  })
  after(async () => store.dispose())

  it('lists its commands', () => {
    const { status, stdout } = run(['--help'], env)
    assert.equal(status, 0)
    for (const command of ['serve', 'migrate', 'catalogue']) assert.match(stdout, new RegExp(`^  ${command}\\b`, 'm'))
    const catalogueHelp = run(['catalogue', '--help'], env).stdout
    for (const command of ['export', 'import', 'list', 'check'])
      assert.match(catalogueHelp, new RegExp(`^  ${command}\\b`, 'm'))
  })

  it('migrates the store and reports it as JSON', () => {
    const first = run(['migrate', '--json'], env)
    assert.equal(first.status, 0, first.stderr)
    assert.deepEqual(JSON.parse(first.stdout), {
      engine: 'sqlite',
      applied: [
        '0001-catalogue',
        '0002-identity',
        '0003-administration',
        '0004-jobs',
        '0005-ledger',
        '0006-security-settings',
        '0007-register',
        '0008-deadlines',
        '0009-letters',
        '0010-assessments',
        '0011-incidents',
        '0012-risks',
        '0013-destruction',
        '0014-obligations',
        '0015-personnel',
        '0016-evidence',
        '0017-notifications',
        '0018-baseline',
      ],
      catalogue: { stored: true, ref: '1.0.0' },
    })
    const again = JSON.parse(run(['migrate', '--json'], env).stdout)
    assert.deepEqual(again, { engine: 'sqlite', applied: [], catalogue: { stored: false, ref: '1.0.0' } })
  })

  it('exports the catalogue as OSCAL, JSON and CSV', () => {
    const oscalFile = path.join(store.dataDir, 'catalogue.oscal.json')
    const result = run(['catalogue', 'export', '--format', 'oscal', '--out', oscalFile, '--json'], env)
    assert.equal(result.status, 0, result.stderr)
    assert.equal(JSON.parse(result.stdout).requirements, 458)
    assert.equal(JSON.parse(readFileSync(oscalFile, 'utf8')).catalog.metadata['oscal-version'], '1.1.2')
    const json = JSON.parse(run(['catalogue', 'export', '--format', 'json'], env).stdout)
    assert.equal(json.requirements.length, 458)
    const csv = run(['catalogue', 'export', '--format', 'csv'], env).stdout
    assert.equal(
      csv.split('\r\n')[0],
      'id,section,subsection,title,statement,obligation,mcss,audience,tags,parameters,evidence,check,nist_800_53_r5,ncsc_caf',
    )
    assert.match(csv, /^TSC-L2-01,/m)
  })

  it('refuses an unknown export format with a one-line reason', () => {
    const { status, stderr } = run(['catalogue', 'export', '--format', 'xml'], env)
    assert.equal(status, 1)
    assert.equal(stderr, 'assure: --format must be one of oscal, json, csv\n')
  })

  it('imports NIST’s example catalog and lists it', () => {
    const imported = run(['catalogue', 'import', path.resolve('test', 'fixtures', 'basic-catalog.json'), '--json'], env)
    assert.equal(imported.status, 0, imported.stderr)
    assert.deepEqual(JSON.parse(imported.stdout), {
      stored: true,
      ref: 'sample-security-catalog-for-demonstration-and-testing-1-1',
      title: 'Sample Security Catalog *for Demonstration* and Testing',
      version: '1.1',
      controls: 4,
    })
    const listed = JSON.parse(run(['catalogue', 'list', '--json'], env).stdout) as Array<{ ref: string }>
    assert.deepEqual(
      listed.map(c => c.ref),
      ['1.0.0', 'sample-security-catalog-for-demonstration-and-testing-1-1'],
    )
  })

  it('refuses an invalid OSCAL file, lists the schema errors and stores nothing', () => {
    const bad = path.join(store.dataDir, 'bad.json')
    writeFileSync(bad, JSON.stringify({ catalog: { uuid: 'x', metadata: { title: 'Bad' } } }))
    const result = run(['catalogue', 'import', bad, '--json'], env)
    assert.equal(result.status, 1)
    const { error } = JSON.parse(result.stdout)
    assert.equal(error.code, 'OSCAL_INVALID')
    assert.deepEqual(
      error.problems.map((p: { path: string; message: string }) => `${p.path} ${p.message}`),
      [
        '/catalog/uuid must match pattern "^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[45][0-9A-Fa-f]{3}-[89ABab][0-9A-Fa-f]{3}-[0-9A-Fa-f]{12}$"',
        "/catalog/metadata must have required property 'last-modified'",
        "/catalog/metadata must have required property 'version'",
        "/catalog/metadata must have required property 'oscal-version'",
      ],
    )
    assert.equal(result.stderr.split('\n').length, 2, 'one line and a newline')
    const listed = JSON.parse(run(['catalogue', 'list', '--json'], env).stdout) as unknown[]
    assert.equal(listed.length, 2)
  })

  it('refuses a file that is not JSON', () => {
    const notJson = path.join(store.dataDir, 'not.json')
    writeFileSync(notJson, 'catalog: yes')
    const { status, stderr } = run(['catalogue', 'import', notJson], env)
    assert.equal(status, 1)
    assert.match(stderr, /^assure: .*not\.json is not JSON: /)
  })

  it('proves the catalogue covers the guidance', () => {
    const result = run(['catalogue', 'check', '--json'], env)
    assert.equal(result.status, 0, result.stderr)
    assert.deepEqual(JSON.parse(result.stdout), {
      version: '1.0.0',
      sections: 37,
      requirements: 458,
      informational: 140,
      parameters: 43,
    })
  })

  it('refuses to start on bad configuration, naming every problem and showing no stack trace', () => {
    const result = run(
      [],
      { ...env, PORT: 'http', NODE_ENV: 'production', LOG_LEVEL: 'chatty' },
      path.resolve('src', 'main.ts'),
    )
    assert.equal(result.status, 1)
    assert.equal(
      result.stderr,
      'Assure cannot start: the configuration is not valid.\n' +
        '  PORT: must be a whole number from 0 to 65535 (0 picks a free port)\n' +
        '  LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent\n' +
        '  ASSURE_PUBLIC_URL: is required in production\n' +
        '  ASSURE_SMTP_URL: is required in production\n',
    )
  })

  it('runs the due jobs, and on SQLite scans the AWS accounts the baseline job queues before it exits', async () => {
    const db = openStore({ engine: 'sqlite', file: path.join(store.dataDir, 'assure.sqlite') })
    try {
      await db.db
        .insertInto('organisations')
        .values({ id: 'org-cli', kind: 'supplier', name: 'Contoso Ltd', created_at: new Date().toISOString() })
        .execute()
      await db.db
        .insertInto('cloud_accounts')
        .values({
          id: 'acct-cli',
          organisation_id: 'org-cli',
          contract_id: null,
          provider: 'aws',
          account_id: '111122223333',
          description: 'Production',
          created_at: new Date().toISOString(),
        })
        .execute()
    } finally {
      await db.close()
    }
    // No AWS credentials anywhere: the scan runs and records the account as not scanned, without reaching AWS.
    const noAws = {
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONFIG_FILE: path.join(store.dataDir, 'no-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(store.dataDir, 'no-aws-credentials'),
    }
    const result = run(['jobs', '--json'], { ...env, ...noAws, ASSURE_BASELINE_SCAN_INTERVAL: 'PT1H' })
    assert.equal(result.status, 0, result.stderr)
    const report = JSON.parse(result.stdout) as {
      ran: Array<{ job: string; outcome: string }>
      baselineScans: string[]
    }
    assert.equal(report.ran.find(entry => entry.job === 'baseline-scan')?.outcome, '1 account queued for scanning')
    assert.deepEqual(
      report.baselineScans.map(line => line.replace(/: not scanned: .*/, ': not scanned')),
      ['111122223333: not scanned'],
    )
  })

  it('refuses a role it does not have, naming the roles it has', () => {
    const result = run(['--services=web,scheduler'], env, path.resolve('src', 'main.ts'))
    assert.equal(result.status, 1)
    assert.equal(
      result.stderr,
      'Assure cannot start: the configuration is not valid.\n' +
        '  --services: must list web, worker or both, separated by a comma; scheduler is not a role\n',
    )
  })

  it('runs as a worker only, serving no pages, and stops cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, [path.resolve('src', 'main.ts'), '--services=worker'], {
      env: { PATH: process.env.PATH ?? '', ...env, PORT: '0' },
    })
    let stdout = ''
    let signalled = false
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
      if (signalled || !stdout.includes('Assure worker is running')) return
      signalled = true
      child.kill('SIGTERM')
    })
    const code = await new Promise<number | null>(resolve => {
      child.on('exit', resolve)
    })
    assert.equal(code, 0)
    assert.match(stdout, /^Assure worker is running \(store: SQLite at .*assure\.sqlite\)$/m)
    assert.doesNotMatch(stdout, /Assure is running at|setup link/, 'no web role: no address and no setup link')
  })
})
