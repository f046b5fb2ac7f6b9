import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { generateKeyPairSync } from 'node:crypto'
import { sqliteStore, type TestStore } from './helpers/stores.ts'

function run(args: string[], env: Record<string, string>) {
  const result = spawnSync(process.execPath, [path.resolve('bin', 'assure.js'), ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', ...env },
    timeout: 60_000,
  })
  return { status: result.status, stdout: result.stdout, stderr: result.stderr }
}

/** Edits the SQLite store the way someone with file access could: with the append-only triggers dropped. */
function tamper(file: string, statements: string): void {
  const db = new DatabaseSync(file)
  try {
    db.exec('drop trigger if exists audit_entries_no_update; drop trigger if exists audit_entries_no_delete;')
    db.exec(statements)
  } finally {
    db.close()
  }
}

// Guidance, Accounting: accounting information "cannot be readily manipulated, particularly by the authenticated
// entity". ASVS v5.0.0-16.4.2 (logs protected from unauthorised modification) and v5.0.0-16.4.3.
describe('the audit ledger from the command line', () => {
  let store: TestStore
  let env: Record<string, string>
  let work: string
  let database: string

  before(() => {
    store = sqliteStore()
    env = { ASSURE_DATA_DIR: store.dataDir, NODE_ENV: 'test' }
    work = mkdtempSync(path.join(tmpdir(), 'assure-audit-cli-'))
    database = path.join(store.dataDir, 'assure.sqlite')
    // Some history: each verification and checkpoint is itself recorded.
    for (let i = 0; i < 3; i += 1) assert.equal(run(['audit', 'verify'], env).status, 0)
    assert.equal(run(['audit', 'checkpoint'], env).status, 0)
    for (let i = 0; i < 3; i += 1) assert.equal(run(['audit', 'verify'], env).status, 0)
  })
  after(async () => {
    rmSync(work, { recursive: true, force: true })
    await store.dispose()
  })

  it('verifies the live store, printing the count and the last checkpoint', () => {
    const result = run(['audit', 'verify', '--json'], env)
    assert.equal(result.status, 0, result.stderr)
    const report = JSON.parse(result.stdout)
    assert.equal(report.ok, true)
    assert.equal(report.entries, 6)
    assert.equal(report.lastCheckpoint.kind, 'checkpoint')
    assert.equal(report.lastCheckpoint.sequence, 3)
    const human = run(['audit', 'verify'], env)
    assert.match(human.stdout, /^Ledger verified: 7 entries \(entries 1 to 7\)$/m)
    assert.match(human.stdout, /^last checkpoint: entry 3, signed at \S+ by key [0-9a-f]{16}$/m)
  })

  it('prints the public key, and writes it to a file', () => {
    const printed = run(['audit', 'public-key'], env)
    assert.equal(printed.status, 0, printed.stderr)
    assert.match(printed.stdout, /^-----BEGIN PUBLIC KEY-----\n[\s\S]+\n-----END PUBLIC KEY-----\n$/)
    const file = path.join(work, 'assure-public.pem')
    assert.equal(run(['audit', 'public-key', '--out', file], env).status, 0)
    assert.equal(readFileSync(file, 'utf8'), printed.stdout)
  })

  it('exports a folder that verifies on another machine with the public key alone, and refuses a wrong key', () => {
    const dir = path.join(work, 'export')
    const exported = run(['audit', 'export', '--out', dir, '--json'], env)
    assert.equal(exported.status, 0, exported.stderr)
    const manifest = JSON.parse(exported.stdout)
    assert.equal(manifest.format, 'assure.audit.export.v1')
    assert.deepEqual(readdirSync(dir).sort(), ['checkpoints.json', 'entries.ndjson', 'manifest.json', 'public-key.pem'])
    const key = path.join(work, 'trusted.pem')
    writeFileSync(key, run(['audit', 'public-key'], env).stdout)

    // "Another machine": an empty data folder and no database settings; verification must not create a store.
    const elsewhere = mkdtempSync(path.join(tmpdir(), 'assure-elsewhere-'))
    const offline = { ASSURE_DATA_DIR: elsewhere, NODE_ENV: 'test' }
    const verified = run(['audit', 'verify', '--export', dir, '--public-key', key, '--json'], offline)
    assert.equal(verified.status, 0, verified.stderr)
    const report = JSON.parse(verified.stdout)
    assert.equal(report.ok, true)
    assert.equal(report.entries, manifest.entries)
    assert.equal(report.lastCheckpoint.sequence, manifest.lastSequence, 'the export ends at a signed checkpoint')
    assert.deepEqual(readdirSync(elsewhere), [])

    const other = path.join(work, 'other.pem')
    writeFileSync(other, generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString())
    const wrongKey = run(['audit', 'verify', '--export', dir, '--public-key', other], offline)
    assert.equal(wrongKey.status, 1)
    assert.match(wrongKey.stdout, /FAILED at entry 3 \(checkpoint-signature-invalid\)/)

    const noKey = run(['audit', 'verify', '--export', dir], offline)
    assert.equal(noKey.status, 1)
    assert.match(noKey.stderr, /^assure: --export needs --public-key FILE: the key you trust/)
    rmSync(elsewhere, { recursive: true, force: true })
  })

  it('names the first changed entry of a tampered export, and an entry cut from its end', () => {
    const dir = path.join(work, 'export')
    const key = path.join(work, 'trusted.pem')
    const changed = path.join(work, 'changed')
    cpSync(dir, changed, { recursive: true })
    const file = path.join(changed, 'entries.ndjson')
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n')
    lines[4] = lines[4]!.replace('"outcome":"success"', '"outcome":"failure"')
    writeFileSync(file, `${lines.join('\n')}\n`)
    const result = run(['audit', 'verify', '--export', changed, '--public-key', key], env)
    assert.equal(result.status, 1)
    assert.match(result.stdout, /^Export \S+ FAILED at entry 5 \(changed\): Entry 5 was changed/m)

    const cut = path.join(work, 'cut')
    cpSync(dir, cut, { recursive: true })
    const cutFile = path.join(cut, 'entries.ndjson')
    writeFileSync(cutFile, `${readFileSync(cutFile, 'utf8').trimEnd().split('\n').slice(0, -1).join('\n')}\n`)
    const truncated = run(['audit', 'verify', '--export', cut, '--public-key', key], env)
    assert.equal(truncated.status, 1)
    assert.match(truncated.stdout, /FAILED at entry \d+ \(deleted\)/)
  })

  it('writes ECS, OCSF and plain NDJSON for SIEMs, from a date', () => {
    const ecsFile = path.join(work, 'events.ecs.ndjson')
    const ecs = run(['audit', 'export', '--format', 'ecs', '--out', ecsFile, '--json'], env)
    assert.equal(ecs.status, 0, ecs.stderr)
    const events = readFileSync(ecsFile, 'utf8')
      .trimEnd()
      .split('\n')
      .map(line => JSON.parse(line))
    assert.equal(events.length, JSON.parse(ecs.stdout).entries)
    assert.ok(events.length >= 7)
    assert.equal(events[0].event.kind, 'event')
    assert.equal(events[0].event.action, 'audit.ledger.verified')
    const ocsf = run(['audit', 'export', '--format', 'ocsf'], env)
    assert.equal(ocsf.status, 0, ocsf.stderr)
    assert.ok(
      ocsf.stdout
        .trimEnd()
        .split('\n')
        .every(line => typeof JSON.parse(line).class_uid === 'number'),
    )
    const future = run(['audit', 'export', '--format', 'ndjson', '--since', '2999-01-01'], env)
    assert.equal(future.status, 0, future.stderr)
    assert.equal(future.stdout, '')
  })

  it('refuses bad options with a one-line reason', () => {
    const badSince = run(['audit', 'verify', '--since', 'last week'], env)
    assert.equal(badSince.status, 1)
    assert.equal(
      badSince.stderr,
      'assure: --since must be a date (2026-06-01) or an ISO 8601 time (2026-06-01T09:00:00Z)\n',
    )
    const badFormat = run(['audit', 'export', '--format', 'xml'], env)
    assert.equal(badFormat.status, 1)
    assert.equal(
      badFormat.stderr,
      'assure: --format must be bundle (a folder to verify elsewhere), ndjson, ecs or ocsf\n',
    )
    const noOut = run(['audit', 'export'], env)
    assert.equal(noOut.stderr, 'assure: --format bundle needs --out DIR, an empty or new folder\n')
    const again = run(['audit', 'export', '--out', path.join(work, 'export')], env)
    assert.equal(again.status, 1)
    assert.match(again.stderr, /already holds an export/)
  })

  it('makes a master key of 32 random bytes', () => {
    const first = run(['master-key'], env).stdout.trim()
    assert.equal(Buffer.from(first, 'base64').length, 32)
    assert.notEqual(run(['master-key'], env).stdout.trim(), first)
  })

  it('fails precisely after a manual edit of the database file', () => {
    const intact = run(['audit', 'verify'], env)
    assert.equal(intact.status, 0, intact.stdout)
    tamper(database, `update audit_entries set actor_id = 'someone-else' where sequence = 2`)
    const changed = run(['audit', 'verify'], env)
    assert.equal(changed.status, 1)
    assert.match(changed.stdout, /^Ledger FAILED at entry 2 \(changed\): Entry 2 was changed/m)
    tamper(database, `update audit_entries set actor_id = 'cli:audit-verify' where sequence = 2`)
    assert.equal(run(['audit', 'verify'], env).status, 0, 'the original bytes verify again')

    tamper(database, `delete from audit_entries where sequence = 4`)
    const deleted = run(['audit', 'verify', '--json'], env)
    assert.equal(deleted.status, 1)
    assert.deepEqual(
      { kind: JSON.parse(deleted.stdout).failure.kind, sequence: JSON.parse(deleted.stdout).failure.sequence },
      { kind: 'deleted', sequence: 4 },
    )
    assert.ok(existsSync(database))
  })
})
