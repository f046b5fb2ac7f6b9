// `npm run bench` (after the catalogue benchmark): ledger appends per second on SQLite and PostgreSQL, one at a
// time and with concurrent writers, each append in its own transaction as the service makes them; and
// verification throughput against plain SHA-256 over the same canonical bytes, measured in the same run. Written
// to bench/results/ledger.json.
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { migrateToLatest, openStore, type Store, type StoreLocation } from '../src/platform/db/database.ts'
import { MASTER_KEY_BYTES } from '../src/platform/crypto/master-key.ts'
import { canonicalJson } from '../src/platform/crypto/canonical-json.ts'
import { canonicalEntryText, hashEntryText } from '../src/audit/chain.ts'
import { recordAuditEvent, type AuditEvent } from '../src/audit/record.ts'
import { loadOrCreateSigningKey } from '../src/audit/signing.ts'
import { storeSource, type LedgerDeps } from '../src/audit/ledger.ts'
import { verifyLedger, type VerifiableEntry, type VerificationSource } from '../src/audit/verify.ts'
import { entryFieldsFromRow, rowsAfter, type EntryRow } from '../src/audit/store.ts'

const here = path.dirname(fileURLToPath(import.meta.url))
const seconds = Number(process.env.LEDGER_BENCH_SECONDS ?? 3)
const writers = Number(process.env.LEDGER_BENCH_WRITERS ?? 4)
const entries = Number(process.env.LEDGER_BENCH_ENTRIES ?? 50_000)
const repeats = 5
const postgresUrl = process.env.ASSURE_BENCH_DATABASE_URL

/** An event shaped like the service's: a signed-in person reading a supplier's assessment. */
const event = (i: number): AuditEvent => ({
  actor: { type: 'user', id: randomUUID(), organisationId: randomUUID(), sessionRef: 'a1b2c3d4' },
  action: 'assessments.assessment.read',
  outcome: 'success',
  target: { type: 'assessment', id: randomUUID() },
  ip: '192.0.2.10',
  requestId: randomUUID(),
  details: { supplier: 'Example Supplier Ltd', section: 'technical-security-controls', page: i % 7 },
})

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN
const round = (x: number) => Math.round(x * 10) / 10

/** A fresh store on the engine: a temporary SQLite file, or a scratch database on the PostgreSQL server. */
async function scratchStore(engine: 'sqlite' | 'postgres'): Promise<{ store: Store; dispose: () => Promise<void> }> {
  let location: StoreLocation
  let drop = async () => {}
  if (engine === 'sqlite') {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'assure-bench-ledger-'))
    location = { engine, file: path.join(dir, 'assure.sqlite') }
    drop = async () => rmSync(dir, { recursive: true, force: true })
  } else {
    // A database of its own: ledger rows cannot be deleted once written, so the benchmark never writes to yours.
    const name = `assure_bench_ledger_${process.pid}_${randomBytes(4).toString('hex')}`
    const admin = new pg.Client({ connectionString: postgresUrl })
    await admin.connect()
    await admin.query(`create database ${name}`)
    await admin.end()
    const url = new URL(postgresUrl ?? '')
    url.pathname = `/${name}`
    location = { engine, url: url.toString() }
    drop = async () => {
      const client = new pg.Client({ connectionString: postgresUrl })
      await client.connect()
      await client.query(`drop database if exists ${name} with (force)`)
      await client.end()
    }
  }
  const store = openStore(location)
  await migrateToLatest(store)
  return {
    store,
    async dispose() {
      await store.close()
      await drop()
    },
  }
}

/** Appends for `seconds` with `concurrency` writers, each append its own transaction; appends per second. */
async function appendsPerSecond(store: Store, concurrency: number): Promise<number> {
  const run = async (duration: number) => {
    const deadline = performance.now() + duration * 1000
    let count = 0
    const started = performance.now()
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (performance.now() < deadline) {
          await recordAuditEvent(store.db, event(count), new Date())
          count += 1
        }
      }),
    )
    return count / ((performance.now() - started) / 1000)
  }
  await run(Math.min(1, seconds)) // warm-up: JIT, statement caches, pool connections
  return run(seconds)
}

/** Writes `n` entries in a few large transactions (the chain exactly as appends make it), for verification. */
async function fillLedger(store: Store, n: number): Promise<void> {
  const start = await store.db.selectFrom('audit_head').select(['sequence', 'hash']).executeTakeFirstOrThrow()
  let sequence = Number(start.sequence)
  let previous = start.hash
  const at = new Date().toISOString()
  const batch = 500
  for (let done = 0; done < n; done += batch) {
    const rows: EntryRow[] = []
    for (let i = done; i < Math.min(n, done + batch); i += 1) {
      const e = event(i)
      if (e.actor.type !== 'user') throw new Error('unreachable')
      sequence += 1
      const fields = {
        sequence,
        at,
        actorType: 'user' as const,
        actorId: e.actor.id,
        userId: e.actor.id,
        organisationId: e.actor.organisationId,
        sessionRef: e.actor.sessionRef ?? null,
        ip: e.ip ?? null,
        action: e.action,
        targetType: e.target?.type ?? null,
        targetId: e.target?.id ?? null,
        outcome: e.outcome,
        reason: null,
        requestId: e.requestId ?? null,
        prevHash: previous,
      }
      const details = canonicalJson(e.details)
      const hash = hashEntryText(fields, details)
      rows.push({
        sequence,
        at,
        actor_type: fields.actorType,
        actor_id: fields.actorId,
        user_id: fields.userId,
        organisation_id: fields.organisationId,
        session_ref: fields.sessionRef,
        ip: fields.ip,
        action: fields.action,
        target_type: fields.targetType,
        target_id: fields.targetId,
        outcome: fields.outcome,
        reason: null,
        request_id: fields.requestId,
        details,
        prev_hash: previous,
        hash,
      })
      previous = hash
    }
    const head = { sequence, hash: previous }
    await store.db.transaction().execute(async trx => {
      await trx.insertInto('audit_entries').values(rows).execute()
      await trx.updateTable('audit_head').set(head).where('id', '=', 1).execute()
    })
  }
}

/**
 * verifyLedger over the whole store against the floor it cannot beat: SHA-256 over the same canonical bytes,
 * already in memory. Both are timed `repeats` times in this run; medians are compared.
 */
async function verification(store: Store, deps: LedgerDeps) {
  const rows = await store.db.selectFrom('audit_entries').selectAll().orderBy('sequence').execute()
  const texts = rows.map(row => canonicalEntryText(entryFieldsFromRow(row), row.details))
  const bytes = texts.reduce((sum, text) => sum + Buffer.byteLength(text), 0)
  // Where the time goes: the same verification over entries already in memory (what an offline check of an
  // export costs, less reading the file), and reading the rows alone through the store's query.
  const source = await storeSource(deps)
  const inMemory: VerifiableEntry[] = []
  for await (const entry of source.entries(0)) inMemory.push(entry)
  const memorySource: VerificationSource = {
    ...source,
    async *entries(after) {
      for (const entry of inMemory) if (entry.fields.sequence > after) yield entry
    },
  }
  const rates = { sha: [] as number[], verify: [] as number[], inMemory: [] as number[], read: [] as number[] }
  const rate = async (n: () => Promise<number> | number) => {
    const started = performance.now()
    const count = await n()
    return count / ((performance.now() - started) / 1000)
  }
  const verified = async (from: VerificationSource) => {
    const report = await verifyLedger(from)
    if (!report.ok || report.entries !== rows.length) throw new Error(`verification failed: ${report.failure?.message}`)
    return report.entries
  }
  for (let r = 0; r < repeats + 1; r += 1) {
    const sha = await rate(() => {
      let check = 0
      for (const text of texts) check += createHash('sha256').update(text).digest('hex').length
      if (check !== texts.length * 64) throw new Error('unreachable')
      return texts.length
    })
    const verify = await rate(async () => verified(await storeSource(deps)))
    const memory = await rate(() => verified(memorySource))
    const read = await rate(async () => {
      let count = 0
      for await (const row of rowsAfter(store.db, 0)) count += row.hash.length > 0 ? 1 : 0
      return count
    })
    if (r === 0) continue // warm-up
    rates.sha.push(sha)
    rates.verify.push(verify)
    rates.inMemory.push(memory)
    rates.read.push(read)
  }
  const sha256EntriesPerSecond = median(rates.sha)
  const ratio = (x: number) => Math.round((x / sha256EntriesPerSecond) * 1000) / 1000
  return {
    entries: rows.length,
    averageEntryBytes: Math.round(bytes / rows.length),
    sha256EntriesPerSecond: Math.round(sha256EntriesPerSecond),
    verifyEntriesPerSecond: Math.round(median(rates.verify)),
    ratio: ratio(median(rates.verify)),
    breakdown: {
      inMemoryVerifyEntriesPerSecond: Math.round(median(rates.inMemory)),
      inMemoryRatio: ratio(median(rates.inMemory)),
      storeReadRowsPerSecond: Math.round(median(rates.read)),
      storeReadRatio: ratio(median(rates.read)),
    },
  }
}

async function measureEngine(engine: 'sqlite' | 'postgres') {
  const { store, dispose } = await scratchStore(engine)
  try {
    const signingKey = await loadOrCreateSigningKey(store.db, randomBytes(MASTER_KEY_BYTES), new Date())
    const deps: LedgerDeps = { db: store.db, signingKey, now: () => new Date() }
    const oneAtATime = await appendsPerSecond(store, 1)
    const concurrent = await appendsPerSecond(store, writers)
    await fillLedger(
      store,
      Math.max(
        0,
        entries -
          Number((await store.db.selectFrom('audit_head').select('sequence').executeTakeFirstOrThrow()).sequence),
      ),
    )
    return {
      appendsPerSecond: { oneAtATime: round(oneAtATime), concurrent: round(concurrent), writers },
      verification: await verification(store, deps),
    }
  } finally {
    await dispose()
  }
}

const sqlite = await measureEngine('sqlite')
const postgres = postgresUrl === undefined ? null : await measureEngine('postgres')
const report = {
  benchmark: 'ledger',
  date: new Date().toISOString(),
  node: process.version,
  cpus: os.cpus().length,
  seconds,
  results: {
    sqlite,
    postgres: postgres ?? { notRun: 'set ASSURE_BENCH_DATABASE_URL to measure PostgreSQL' },
  },
  ratios: {
    sqliteVerifyToSha256: sqlite.verification.ratio,
    postgresVerifyToSha256: postgres?.verification.ratio ?? null,
    goal: 0.5,
  },
}
mkdirSync(path.join(here, 'results'), { recursive: true })
writeFileSync(path.join(here, 'results', 'ledger.json'), `${JSON.stringify(report, null, 2)}\n`)
const lines = (name: string, r: typeof sqlite) => [
  `${name.padEnd(10)} appends: ${r.appendsPerSecond.oneAtATime.toFixed(0).padStart(7)}/s one at a time, ${r.appendsPerSecond.concurrent.toFixed(0).padStart(7)}/s with ${r.appendsPerSecond.writers} writers (a transaction each)`,
  `${''.padEnd(10)} verification of ${r.verification.entries} entries (${r.verification.averageEntryBytes} bytes each): ${r.verification.verifyEntriesPerSecond} entries/s, SHA-256 alone ${r.verification.sha256EntriesPerSecond} entries/s: ${r.verification.ratio} × SHA-256 (goal ≥ 0.5)`,
  `${''.padEnd(10)} of which: verification of the same entries in memory ${r.verification.breakdown.inMemoryVerifyEntriesPerSecond}/s (${r.verification.breakdown.inMemoryRatio} × SHA-256), reading the rows alone ${r.verification.breakdown.storeReadRowsPerSecond}/s (${r.verification.breakdown.storeReadRatio} × SHA-256)`,
]
process.stdout.write(
  [
    `ledger benchmark: ${seconds}s per append measurement, median of ${repeats} verifications, Node ${process.version}, ${os.cpus().length} CPUs`,
    ...lines('SQLite', sqlite),
    ...(postgres === null
      ? ['PostgreSQL NOT RUN: set ASSURE_BENCH_DATABASE_URL (a server URL; a scratch database is created and dropped)']
      : lines('PostgreSQL', postgres)),
    'written to bench/results/ledger.json',
    '',
  ].join('\n'),
)
