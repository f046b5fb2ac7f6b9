import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import fc from 'fast-check'
import { sql, type Kysely, type Transaction } from 'kysely'
import { migrateToLatest, openStore, type Store } from '../src/platform/db/database.ts'
import type { Database } from '../src/platform/db/schema.ts'
import { MASTER_KEY_BYTES } from '../src/platform/crypto/master-key.ts'
import { canonicalJson } from '../src/platform/crypto/canonical-json.ts'
import { addDuration, subtractDuration } from '../src/platform/duration.ts'
import { loadCatalogue } from '../src/catalogue/load.ts'
import { durationParameter } from '../src/catalogue/catalogue.ts'
import { GENESIS_HASH } from '../src/audit/entry.ts'
import { canonicalEntryText, hashEntryText } from '../src/audit/chain.ts'
import { recordAuditEvent, type AuditEvent } from '../src/audit/record.ts'
import { allCheckpoints, entryFieldsFromRow, ledgerHead, type EntryRow } from '../src/audit/store.ts'
import { loadOrCreateSigningKey } from '../src/audit/signing.ts'
import {
  lastVerification,
  pruneLedger,
  signCheckpoint,
  storeSource,
  verifyStore,
  type LedgerDeps,
} from '../src/audit/ledger.ts'
import { verifyLedger, type TamperKind } from '../src/audit/verify.ts'
import { engines, type TestStore } from './helpers/stores.ts'

// Property runs per tampering kind and engine: 9 kinds × 30 = 270 ledgers built, tampered and verified per engine.
const TAMPER_RUNS = Number(process.env.LEDGER_TAMPER_RUNS ?? 30)
const RETENTION_RUNS = Number(process.env.LEDGER_RETENTION_RUNS ?? 15)

const catalogue = loadCatalogue()
const MINIMUM = durationParameter(catalogue, 'log-retention-min')
const MAXIMUM = durationParameter(catalogue, 'log-retention-max')

// ---------------------------------------------------------------------------------------------------------------
// Random audit events. Text avoids NUL, which PostgreSQL text cannot hold.

const text = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 16 }).filter(s => !s.includes('\u0000'))
const actorArb: fc.Arbitrary<AuditEvent['actor']> = fc.oneof(
  fc.record({
    type: fc.constant('user' as const),
    id: fc.uuid(),
    organisationId: fc.uuid(),
    sessionRef: fc.option(fc.stringMatching(/^[0-9a-f]{8}$/), { nil: undefined }),
  }),
  fc.record({ type: fc.constant('token' as const), id: fc.uuid(), userId: fc.uuid(), organisationId: fc.uuid() }),
  fc.record({ type: fc.constant('system' as const), id: fc.stringMatching(/^[a-z]+(-[a-z]+){0,2}$/) }),
  fc.constant({ type: 'anonymous' as const }),
)
const eventArb: fc.Arbitrary<AuditEvent> = fc.record({
  actor: actorArb,
  action: fc.stringMatching(/^[a-z]+(\.[a-z_]+){1,3}$/),
  outcome: fc.constantFrom('success' as const, 'failure' as const, 'denied' as const),
  target: fc.option(fc.record({ type: fc.constantFrom('user', 'supplier', 'letter'), id: fc.uuid() }), {
    nil: undefined,
  }),
  reason: fc.option(text, { nil: undefined }),
  ip: fc.option(fc.oneof(fc.ipV4(), fc.ipV6()), { nil: undefined }),
  requestId: fc.option(fc.uuid(), { nil: undefined }),
  details: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
})

/** A ledger to build: its events, the entries after which a checkpoint is signed, and the time between entries. */
interface LedgerPlan {
  readonly events: readonly AuditEvent[]
  readonly checkpointAfter: readonly number[]
  readonly stepMs: number
}
const planArb = (minCheckpoints: number): fc.Arbitrary<LedgerPlan> =>
  fc.record({
    events: fc.array(eventArb, { minLength: 2, maxLength: 10 }),
    checkpointAfter: fc.uniqueArray(fc.nat(), { minLength: minCheckpoints, maxLength: 3 }),
    stepMs: fc.integer({ min: 1, max: 3_600_000 }),
  })

// ---------------------------------------------------------------------------------------------------------------
// Rows as a tamperer sees them.

const fieldsOf = entryFieldsFromRow
/** The hash a row would need to pass verification. */
const rowHash = (row: EntryRow) => hashEntryText(fieldsOf(row), row.details)
const randomHex = () => randomBytes(32).toString('hex')

/** The fields a tamperer may edit in place, each with a way to give it a different value. */
const EDITS = {
  at: (row: EntryRow, variant: number) =>
    variant % 2 === 0
      ? { at: new Date(new Date(row.at).getTime() + 1 + variant).toISOString() }
      : // The same instant written differently: the bytes changed, the meaning did not, and that must show too.
        { at: row.at.replace('Z', '+00:00') },
  actor_type: (row: EntryRow) => ({
    actor_type: row.actor_type === 'system' ? ('user' as const) : ('system' as const),
  }),
  actor_id: (row: EntryRow) => ({ actor_id: row.actor_id === null ? 'someone-else' : `${row.actor_id}x` }),
  user_id: (row: EntryRow) => ({ user_id: row.user_id === null ? 'someone-else' : null }),
  organisation_id: (row: EntryRow) => ({ organisation_id: row.organisation_id === null ? 'another-org' : null }),
  session_ref: (row: EntryRow) => ({ session_ref: row.session_ref === null ? 'deadbeef' : null }),
  ip: (row: EntryRow) => ({ ip: row.ip === '192.0.2.1' ? '192.0.2.2' : '192.0.2.1' }),
  action: (row: EntryRow) => ({ action: row.action === 'audit.forged' ? 'audit.forged.again' : 'audit.forged' }),
  target_id: (row: EntryRow) => ({ target_id: row.target_id === null ? 'another-target' : null }),
  outcome: (row: EntryRow) => ({ outcome: row.outcome === 'success' ? ('failure' as const) : ('success' as const) }),
  reason: (row: EntryRow) => ({ reason: row.reason === null ? 'nothing to see' : null }),
  request_id: (row: EntryRow) => ({ request_id: row.request_id === null ? 'req-forged' : null }),
  details: (row: EntryRow, variant: number) =>
    variant % 2 === 0
      ? { details: JSON.stringify({ ...(JSON.parse(row.details) as object), forged: variant }) }
      : // The same JSON, no longer canonical: a re-serialisation must not pass either.
        { details: ` ${row.details}` },
  prev_hash: () => ({ prev_hash: randomHex() }),
  hash: () => ({ hash: randomHex() }),
} satisfies Record<string, (row: EntryRow, variant: number) => Partial<EntryRow>>
type EditedField = keyof typeof EDITS
const EDITED_FIELDS = Object.keys(EDITS) as EditedField[]
/** Content fields: editing one and rehashing leaves an entry that verifies on its own. */
const CONTENT_FIELDS = EDITED_FIELDS.filter(field => field !== 'prev_hash' && field !== 'hash')

const edit = (row: EntryRow, field: EditedField, variant: number): EntryRow => ({
  ...row,
  ...EDITS[field](row, variant),
})

/** What verification must report for a mutation: the first bad sequence and the kinds that describe it. */
interface Expected {
  readonly sequence: number
  readonly kinds: readonly TamperKind[]
  readonly what: string
}

describe('canonical entry bytes', () => {
  it('are RFC 8785 JSON of the entry, whatever its text holds', () => {
    // Any string at all, lone surrogates and control characters included: the hand-written member order and
    // quoting in chain.ts must give exactly what the general canonicaliser gives.
    const anyText = fc.option(fc.string({ unit: 'binary', maxLength: 12 }), { nil: null })
    fc.assert(
      fc.property(
        fc.record({
          sequence: fc.nat(),
          at: fc.string({ unit: 'binary' }),
          actorType: fc.constantFrom('user' as const, 'token' as const, 'system' as const, 'anonymous' as const),
          actorId: anyText,
          userId: anyText,
          organisationId: anyText,
          sessionRef: anyText,
          ip: anyText,
          action: fc.string({ unit: 'binary' }),
          targetType: anyText,
          targetId: anyText,
          outcome: fc.constantFrom('success' as const, 'failure' as const, 'denied' as const),
          reason: anyText,
          requestId: anyText,
          prevHash: fc.string({ unit: 'binary' }),
        }),
        fc.dictionary(fc.string({ unit: 'binary', maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
        (entry, details) => {
          assert.equal(canonicalEntryText(entry, canonicalJson(details)), canonicalJson({ ...entry, details }))
        },
      ),
      { numRuns: 300 },
    )
  })
})

for (const engine of engines()) {
  describe(`audit ledger on ${engine.name}`, () => {
    let testStore: TestStore
    let store: Store
    let db: Kysely<Database>
    let deps: LedgerDeps
    let clock = new Date('2026-12-03T09:00:00.000Z')
    let tamperings = 0
    let verifiedAt = new Date('2040-01-01T00:00:00.000Z').getTime()

    before(async () => {
      testStore = await engine.create()
      store = openStore(testStore.location)
      await migrateToLatest(store)
      db = store.db
      const signingKey = await loadOrCreateSigningKey(db, randomBytes(MASTER_KEY_BYTES), clock)
      deps = { db, signingKey, now: () => clock }
    })
    after(async () => {
      await store.close()
      await testStore.dispose()
    })

    /**
     * Runs `change` as a tamperer with file or superuser access would: past the append-only triggers. On SQLite the
     * triggers are dropped (and put back, so later tests still meet them); on PostgreSQL, turn about, triggers are
     * switched off for the session (`session_replication_role = replica`) or on the tables (`disable trigger all`).
     */
    async function asTamperer(change: (trx: Transaction<Database>) => Promise<unknown>): Promise<void> {
      tamperings += 1
      const viaReplica = tamperings % 2 === 0
      await db.transaction().execute(async trx => {
        if (store.engine === 'sqlite') {
          const triggers = (
            await sql<{ name: string; sql: string }>`select name, sql from sqlite_master
              where type = 'trigger' and tbl_name in ('audit_entries', 'audit_checkpoints')`.execute(trx)
          ).rows
          assert.equal(triggers.length, 4, 'the append-only triggers are in place before tampering')
          for (const trigger of triggers) await sql`drop trigger ${sql.id(trigger.name)}`.execute(trx)
          await change(trx)
          for (const trigger of triggers) await sql.raw(trigger.sql).execute(trx)
        } else if (viaReplica) {
          await sql`set local session_replication_role = replica`.execute(trx)
          await change(trx)
        } else {
          await sql`alter table audit_entries disable trigger all`.execute(trx)
          await sql`alter table audit_checkpoints disable trigger all`.execute(trx)
          await change(trx)
          await sql`alter table audit_entries enable trigger all`.execute(trx)
          await sql`alter table audit_checkpoints enable trigger all`.execute(trx)
        }
      })
    }

    /** Empties the ledger (as a tamperer could) so each property run starts from a fresh one. */
    const resetLedger = () =>
      asTamperer(async trx => {
        await trx.deleteFrom('audit_entries').execute()
        await trx.deleteFrom('audit_checkpoints').execute()
        await trx.updateTable('audit_head').set({ sequence: 0, hash: GENESIS_HASH }).where('id', '=', 1).execute()
      })

    /** Builds the planned ledger through the service's own path: one transaction per entry, checkpoints part-way. */
    async function build(plan: LedgerPlan): Promise<{ n: number; checkpoints: number[] }> {
      await resetLedger()
      const n = plan.events.length
      const checkpointAfter = new Set(plan.checkpointAfter.map(x => 1 + (x % n)))
      const start = new Date('2026-06-01T00:00:00.000Z').getTime()
      for (const [index, event] of plan.events.entries()) {
        clock = new Date(start + index * plan.stepMs)
        await recordAuditEvent(db, event, clock)
        if (checkpointAfter.has(index + 1)) assert.ok(await signCheckpoint(deps), 'a checkpoint was signed')
      }
      return { n, checkpoints: [...checkpointAfter].sort((a, b) => a - b) }
    }

    const rows = () => db.selectFrom('audit_entries').selectAll().orderBy('sequence').execute()
    /** One stored row; inside a tampering transaction pass it, since the store has one SQLite connection. */
    const row = async (sequence: number, from: Kysely<Database> | Transaction<Database> = db) =>
      from.selectFrom('audit_entries').selectAll().where('sequence', '=', sequence).executeTakeFirstOrThrow()
    const setHead = (trx: Transaction<Database>, sequence: number, hash: string) =>
      trx.updateTable('audit_head').set({ sequence, hash }).where('id', '=', 1).execute()
    const replaceRow = (trx: Transaction<Database>, sequence: number, changed: EntryRow) =>
      trx.updateTable('audit_entries').set(changed).where('sequence', '=', sequence).execute()
    /** Renumbers entries from `from` on by `delta`, in two steps so no row collides with another mid-statement. */
    async function renumberFrom(trx: Transaction<Database>, from: number, delta: number) {
      await sql`update audit_entries set sequence = -sequence where sequence >= ${from}`.execute(trx)
      await sql`update audit_entries set sequence = ${delta} - sequence where sequence < 0`.execute(trx)
    }
    /** Relinks and rehashes every entry from `from` on, as a tamperer covering their tracks would; returns the new head. */
    async function rehashFrom(trx: Transaction<Database>, from: number): Promise<{ sequence: number; hash: string }> {
      const all = await trx.selectFrom('audit_entries').selectAll().orderBy('sequence').execute()
      let previous = all.find(r => Number(r.sequence) === from - 1)?.hash ?? GENESIS_HASH
      let head = { sequence: from - 1, hash: previous }
      for (const current of all.filter(r => Number(r.sequence) >= from)) {
        const relinked = { ...current, prev_hash: previous }
        const rehashed = { ...relinked, hash: rowHash(relinked) }
        await replaceRow(trx, Number(current.sequence), rehashed)
        previous = rehashed.hash
        head = { sequence: Number(current.sequence), hash: rehashed.hash }
      }
      return head
    }
    /** A forged entry: plausible content, sequence `sequence`, linked and hashed as asked. */
    function forge(template: EntryRow, sequence: number, prevHash: string, hashed: boolean): EntryRow {
      const forged: EntryRow = {
        ...template,
        sequence,
        action: 'identity.role.granted',
        actor_type: 'system',
        actor_id: 'forger',
        details: '{"role":"authority-admin"}',
        prev_hash: prevHash,
        hash: '',
      }
      return { ...forged, hash: hashed ? rowHash(forged) : randomHex() }
    }

    /** Builds a ledger, tampers with it, and checks verification names the first bad entry and a fitting kind. */
    async function campaign<P>(
      params: fc.Arbitrary<P>,
      mutate: (ledger: { n: number; checkpoints: number[] }, params: P) => Promise<Expected>,
      minCheckpoints = 0,
    ): Promise<void> {
      await fc.assert(
        fc.asyncProperty(planArb(minCheckpoints), params, async (plan, p) => {
          const ledger = await build(plan)
          const untouched = await verifyStore(deps)
          assert.equal(untouched.ok, true, `the untouched ledger verifies: ${untouched.failure?.message}`)
          const expected = await mutate(ledger, p)
          // Later than any verification before it, so this is the one lastVerification reads back.
          verifiedAt += 1000
          clock = new Date(verifiedAt)
          const report = await verifyStore(deps)
          assert.equal(report.ok, false, `${expected.what}: verification passed`)
          assert.ok(report.failure !== null)
          assert.ok(
            report.failure.sequence === expected.sequence && expected.kinds.includes(report.failure.kind),
            `${expected.what}: expected ${expected.kinds.join(' or ')} at ${expected.sequence}, got ${report.failure.kind} at ${report.failure.sequence} (${report.failure.message})`,
          )
          assert.ok(report.failure.message.length > 0)
          const recorded = await lastVerification(db)
          assert.equal(recorded?.ok, 0)
          assert.equal(Number(recorded?.first_bad_sequence), expected.sequence)
        }),
        { numRuns: TAMPER_RUNS },
      )
    }

    describe('appends and verification', () => {
      it('verifies entries written by recordAuditEvent, each linked to the one before', async () => {
        await resetLedger()
        const events: AuditEvent[] = [
          {
            actor: { type: 'user', id: 'u-1', organisationId: 'o-1', sessionRef: 'abcd1234' },
            action: 'auth.sign_in.success',
            outcome: 'success',
            ip: '192.0.2.10',
            requestId: 'r-1',
          },
          { actor: { type: 'anonymous' }, action: 'auth.sign_in.failure', outcome: 'failure', reason: 'bad password' },
          {
            actor: { type: 'token', id: 't-1', userId: 'u-1', organisationId: 'o-1' },
            action: 'api.requirements.read',
            outcome: 'success',
            target: { type: 'catalogue', id: '1.0.0' },
            details: { page: 2, filters: { obligation: 'must' }, note: 'ünïcödé ✓' },
          },
          {
            actor: { type: 'system', id: 'suspend-inactive-accounts' },
            action: 'identity.person.suspended',
            outcome: 'success',
            details: { password: 'must be scrubbed', days: 30 },
          },
        ]
        for (const event of events) await recordAuditEvent(db, event, clock)
        const stored = await rows()
        assert.deepEqual(
          stored.map(r => Number(r.sequence)),
          [1, 2, 3, 4],
        )
        assert.equal(stored[0]?.prev_hash, GENESIS_HASH)
        for (const [index, current] of stored.entries()) {
          assert.equal(current.hash, rowHash(current), `entry ${index + 1} hashes to its stored hash`)
          if (index > 0) assert.equal(current.prev_hash, stored[index - 1]?.hash)
        }
        assert.equal(stored[2]?.details, '{"filters":{"obligation":"must"},"note":"ünïcödé ✓","page":2}')
        assert.equal(stored[3]?.details, '{"days":30}', 'secrets are scrubbed before they reach the ledger')
        assert.deepEqual(await ledgerHead(db), { sequence: 4, hash: stored[3]?.hash })
        const report = await verifyStore(deps)
        assert.deepEqual(
          { ok: report.ok, entries: report.entries, first: report.firstSequence, last: report.lastSequence },
          { ok: true, entries: 4, first: 1, last: 4 },
        )
        assert.equal((await lastVerification(db))?.message, '4 entries verified')
      })

      it('leaves no entry and no gap when the transaction recording it rolls back', async () => {
        await resetLedger()
        const event: AuditEvent = { actor: { type: 'system', id: 'test' }, action: 'test.one', outcome: 'success' }
        await recordAuditEvent(db, event, clock)
        const head = await ledgerHead(db)
        await assert.rejects(
          db.transaction().execute(async trx => {
            await recordAuditEvent(trx, { ...event, action: 'test.rolled_back' }, clock)
            throw new Error('the change it records failed')
          }),
          /the change it records failed/,
        )
        assert.deepEqual(await ledgerHead(db), head, 'the head did not move')
        assert.deepEqual(
          (await rows()).map(r => r.action),
          ['test.one'],
        )
        await recordAuditEvent(db, { ...event, action: 'test.two' }, clock)
        assert.deepEqual(
          (await rows()).map(r => [Number(r.sequence), r.action]),
          [
            [1, 'test.one'],
            [2, 'test.two'],
          ],
        )
        const report = await verifyStore(deps)
        assert.equal(report.ok, true, report.failure?.message)
        assert.equal(report.entries, 2)
      })

      it('refuses UPDATE and DELETE on entries and checkpoints through the ordinary connection', async () => {
        await resetLedger()
        await recordAuditEvent(
          db,
          { actor: { type: 'system', id: 'test' }, action: 'test.kept', outcome: 'success' },
          clock,
        )
        assert.ok(await signCheckpoint(deps))
        // SQLite's RAISE(ABORT) message; PostgreSQL's exception names the table too, with SQLSTATE 42501.
        const refused = (operation: 'UPDATE' | 'DELETE' | 'TRUNCATE', table: string) => (error: unknown) => {
          assert.ok(error instanceof Error)
          if (store.engine === 'sqlite')
            assert.equal(error.message, `the audit ledger is append-only: ${operation} refused`)
          else {
            assert.equal(error.message, `the audit ledger is append-only: ${operation} on ${table} refused`)
            assert.equal((error as Error & { code?: string }).code, '42501')
          }
          return true
        }
        await assert.rejects(
          db.updateTable('audit_entries').set({ action: 'test.rewritten' }).where('sequence', '=', 1).execute(),
          refused('UPDATE', 'audit_entries'),
        )
        await assert.rejects(
          db.deleteFrom('audit_entries').where('sequence', '=', 1).execute(),
          refused('DELETE', 'audit_entries'),
        )
        await assert.rejects(
          db.updateTable('audit_checkpoints').set({ hash: GENESIS_HASH }).execute(),
          refused('UPDATE', 'audit_checkpoints'),
        )
        await assert.rejects(db.deleteFrom('audit_checkpoints').execute(), refused('DELETE', 'audit_checkpoints'))
        if (store.engine === 'postgres') {
          await assert.rejects(sql`truncate audit_entries`.execute(db), refused('TRUNCATE', 'audit_entries'))
        }
        assert.deepEqual(
          (await rows()).map(r => r.action),
          ['test.kept'],
        )
        assert.equal((await allCheckpoints(db)).length, 1)
        assert.equal((await verifyStore(deps)).ok, true)
      })
    })

    describe('awkward text and concurrent appends', () => {
      it('records and verifies events whose text holds a NUL or a lone surrogate', async () => {
        await resetLedger()
        const event: AuditEvent = { actor: { type: 'anonymous' }, action: 'auth.sign_in.failure', outcome: 'failure' }
        await recordAuditEvent(db, { ...event, reason: 'lone \ud800 surrogate' }, clock)
        await recordAuditEvent(db, { ...event, reason: 'nul \u0000 byte' }, clock)
        const report = await verifyStore(deps)
        assert.equal(report.ok, true, report.failure?.message)
      })

      it('does not report an entry appended while verification runs as inserted outside the ledger', async () => {
        await resetLedger()
        const event: AuditEvent = { actor: { type: 'system', id: 'test' }, action: 'test.entry', outcome: 'success' }
        await recordAuditEvent(db, event, clock)
        const source = await storeSource(deps)
        // Exactly what an append landing between verifyStore's head read and its first page does; no timing.
        await recordAuditEvent(db, event, clock)
        const report = await verifyLedger(source)
        assert.equal(report.ok, true, report.failure?.message)
      })
    })

    describe('tampering campaign', () => {
      it('names an entry edited in place, field by field, as changed', async () => {
        await campaign(
          fc.record({ at: fc.nat(), field: fc.constantFrom(...EDITED_FIELDS), variant: fc.nat({ max: 9 }) }),
          async ({ n }, p) => {
            const k = 1 + (p.at % n)
            const original = await row(k)
            await asTamperer(trx => replaceRow(trx, k, edit(original, p.field, p.variant)))
            // Its stored bytes no longer give its stored hash, while its neighbours still hash and link: changed.
            return { sequence: k, kinds: ['changed'], what: `${p.field} of entry ${k} of ${n} edited` }
          },
        )
      })

      it('names an entry edited and rehashed, but not its successors, as changed or as contradicting its checkpoint', async () => {
        await campaign(
          fc.record({
            at: fc.nat(),
            field: fc.constantFrom(...CONTENT_FIELDS),
            variant: fc.nat({ max: 9 }),
            moveHead: fc.boolean(),
          }),
          async ({ n, checkpoints }, p) => {
            const k = 1 + (p.at % n)
            const signed = checkpoints.includes(k)
            // Moving the head over a rehashed last entry that no checkpoint names leaves nothing to contradict it:
            // what was written after the last checkpoint is only as safe as the head row. So only then is it left.
            const moveHead = p.moveHead && (k < n || signed)
            const changed = edit(await row(k), p.field, p.variant)
            const rehashed = { ...changed, hash: rowHash(changed) }
            await asTamperer(async trx => {
              await replaceRow(trx, k, rehashed)
              if (moveHead && k === n) await setHead(trx, n, rehashed.hash)
            })
            return {
              sequence: k,
              // A checkpoint on the entry itself is met first; otherwise its successor's link (or the head) gives it away.
              kinds: [signed ? 'checkpoint-inconsistent' : 'changed'],
              what: `${p.field} of entry ${k} of ${n} edited and rehashed (checkpoints ${checkpoints.join(',')}${moveHead ? ', head moved' : ''})`,
            }
          },
        )
      })

      it('names an entry deleted without renumbering as deleted', async () => {
        await campaign(fc.record({ at: fc.nat(), moveHead: fc.boolean() }), async ({ n, checkpoints }, p) => {
          const k = 1 + (p.at % n)
          // Truncating the tail past the last checkpoint and moving the head back is indistinguishable from a
          // shorter ledger; only a checkpoint (or the head) can show the tail was there.
          const moveHead = p.moveHead && (k < n || checkpoints.includes(n))
          await asTamperer(async trx => {
            await trx.deleteFrom('audit_entries').where('sequence', '=', k).execute()
            if (moveHead && k === n) await setHead(trx, n - 1, (await row(n - 1, trx)).hash)
          })
          return {
            sequence: k,
            kinds: ['deleted'],
            what: `entry ${k} of ${n} deleted${moveHead ? ', head moved' : ''}`,
          }
        })
      })

      it('names an entry deleted with the later ones renumbered as deleted', async () => {
        await campaign(fc.record({ at: fc.nat(), moveHead: fc.boolean() }), async ({ n }, p) => {
          const k = 1 + (p.at % (n - 1)) // there is a later entry to renumber
          await asTamperer(async trx => {
            await trx.deleteFrom('audit_entries').where('sequence', '=', k).execute()
            await renumberFrom(trx, k + 1, -1)
            if (p.moveHead) await setHead(trx, n - 1, (await row(n - 1, trx)).hash)
          })
          // Entry k now holds what was written as k + 1: it hashes correctly only under its old number.
          return { sequence: k, kinds: ['deleted'], what: `entry ${k} of ${n} deleted, later ones renumbered` }
        })
      })

      it('names a forged entry appended past the head as inserted', async () => {
        await campaign(fc.record({ hashed: fc.boolean(), moveHead: fc.boolean() }), async ({ n }, p) => {
          const last = await row(n)
          const forged = forge(last, n + 1, last.hash, p.hashed)
          // A forged entry that links and hashes correctly, with the head moved over it, is an append like any
          // other: the chain cannot say who appended. So a well-formed forgery leaves the head as it was.
          const moveHead = p.moveHead && !p.hashed
          await asTamperer(async trx => {
            await trx.insertInto('audit_entries').values(forged).execute()
            if (moveHead) await setHead(trx, n + 1, forged.hash)
          })
          return {
            sequence: n + 1,
            // With the head moved over it too, an entry that does not hash is exactly what an appended entry edited
            // in place leaves behind: nothing in the store tells "inserted" from "changed". Without, the head says
            // it was never appended.
            kinds: moveHead ? ['inserted', 'changed'] : ['inserted'],
            what: `forged entry ${n + 1} appended after ${n} (${p.hashed ? 'hashed' : 'not hashed'}${moveHead ? ', head moved' : ''})`,
          }
        })
      })

      it('names a forged entry inserted with the later ones renumbered as inserted', async () => {
        await campaign(
          fc.record({ at: fc.nat(), hashed: fc.boolean(), linked: fc.boolean(), moveHead: fc.boolean() }),
          async ({ n, checkpoints }, p) => {
            const k = 1 + (p.at % n)
            const previous = k === 1 ? GENESIS_HASH : (await row(k - 1)).hash
            const forged = forge(await row(k), k, p.hashed || p.linked ? previous : randomHex(), p.hashed)
            await asTamperer(async trx => {
              await renumberFrom(trx, k, 1)
              await trx.insertInto('audit_entries').values(forged).execute()
              if (p.moveHead) {
                await setHead(trx, n + 1, (await row(n + 1, trx)).hash)
              }
            })
            // A well-formed forgery at k passes on its own, so a checkpoint signed over the real entry k is what
            // it meets first; otherwise entry k + 1 gives it away, hashing correctly only under its old number k.
            const signed = p.hashed && checkpoints.includes(k)
            return {
              sequence: k,
              kinds: [signed ? 'checkpoint-inconsistent' : 'inserted'],
              what: `forged entry inserted at ${k} of ${n}, later ones renumbered (${JSON.stringify({ hashed: p.hashed, linked: p.linked })})`,
            }
          },
        )
      })

      it('names two swapped entries as reordered at the first', async () => {
        await campaign(fc.record({ i: fc.nat(), j: fc.nat() }), async ({ n }, p) => {
          const i = 1 + (p.i % (n - 1))
          const j = i + 1 + (p.j % (n - i))
          await asTamperer(async trx => {
            await trx.updateTable('audit_entries').set({ sequence: -1 }).where('sequence', '=', i).execute()
            await trx.updateTable('audit_entries').set({ sequence: i }).where('sequence', '=', j).execute()
            await trx.updateTable('audit_entries').set({ sequence: j }).where('sequence', '=', -1).execute()
          })
          return { sequence: i, kinds: ['reordered'], what: `entries ${i} and ${j} of ${n} swapped` }
        })
      })

      it('names a checkpoint whose hash, sequence, time, key or signature was changed', async () => {
        const CHANGES = [
          'hash-random',
          'hash-of-other-entry',
          'sequence',
          'signed-at',
          'key-id',
          'signature-bit',
          'signature-of-other',
        ] as const
        await campaign(
          fc.record({
            which: fc.nat(),
            change: fc.constantFrom(...CHANGES),
            byte: fc.nat({ max: 63 }),
            bit: fc.nat({ max: 7 }),
          }),
          async ({ n, checkpoints }, p) => {
            const all = await allCheckpoints(db)
            const target = all[p.which % all.length]
            assert.ok(target !== undefined)
            const other = all.find(c => c.id !== target.id)
            const otherEntry = await row(target.sequence === 1 ? 2 : target.sequence - 1)
            const signature = Buffer.from(target.signature, 'base64')
            // A different byte, whichever it was: one to eight more, modulo 256.
            signature[p.byte] = ((signature[p.byte] ?? 0) + 1 + p.bit) % 256
            const newSequence = target.sequence === n ? n - 1 : target.sequence + 1
            const patch = {
              'hash-random': { hash: randomHex() },
              'hash-of-other-entry': { hash: otherEntry.hash },
              sequence: { sequence: newSequence },
              'signed-at': { signed_at: new Date(new Date(target.signedAt).getTime() + 1).toISOString() },
              'key-id': { key_id: randomBytes(8).toString('hex') },
              'signature-bit': { signature: signature.toString('base64') },
              // Another checkpoint's genuine signature does not cover this one's statement.
              'signature-of-other': { signature: other?.signature ?? randomBytes(64).toString('base64') },
            }[p.change]
            await asTamperer(async trx => {
              await trx.updateTable('audit_checkpoints').set(patch).where('id', '=', target.id).execute()
            })
            const sequence = p.change === 'sequence' ? newSequence : target.sequence
            return {
              sequence,
              kinds: ['checkpoint-signature-invalid'],
              what: `${p.change} of the checkpoint at ${target.sequence} (of ${checkpoints.join(',')}) changed`,
            }
          },
          1,
        )
      })

      it('catches a rewritten and rehashed tail at the first checkpoint it contradicts', async () => {
        await campaign(
          fc.record({
            after: fc.nat(),
            how: fc.constantFrom('edit' as const, 'delete' as const, 'insert' as const),
            field: fc.constantFrom(...CONTENT_FIELDS),
            variant: fc.nat({ max: 9 }),
          }),
          async ({ n, checkpoints }, p) => {
            const lastCheckpoint = checkpoints.at(-1)
            assert.ok(lastCheckpoint !== undefined)
            // Rewrite from entry k to the end, k at or before the last checkpoint, so a signature covers the change.
            const k = 1 + (p.after % lastCheckpoint)
            await asTamperer(async trx => {
              if (p.how === 'edit') await replaceRow(trx, k, edit(await row(k, trx), p.field, p.variant))
              if (p.how === 'delete') {
                await trx.deleteFrom('audit_entries').where('sequence', '=', k).execute()
                await renumberFrom(trx, k + 1, -1)
              }
              if (p.how === 'insert') {
                await renumberFrom(trx, k, 1)
                await trx
                  .insertInto('audit_entries')
                  .values(forge(await row(k + 1, trx), k, '', false))
                  .execute()
              }
              const head = await rehashFrom(trx, k)
              await setHead(trx, head.sequence, head.hash)
            })
            // Every link and hash checks out and the head agrees; the first checkpoint at or after k names a hash
            // the rewritten chain no longer has. Deleting from the chain can leave that checkpoint past its end.
            const end = n + { edit: 0, delete: -1, insert: 1 }[p.how]
            const first = checkpoints.find(c => c >= k)
            assert.ok(first !== undefined)
            return first <= end
              ? {
                  sequence: first,
                  kinds: ['checkpoint-inconsistent'],
                  what: `tail from ${k} of ${n} rewritten by ${p.how} (checkpoints ${checkpoints.join(',')})`,
                }
              : {
                  sequence: end + 1,
                  kinds: ['deleted'],
                  what: `tail from ${k} of ${n} rewritten by ${p.how}, checkpoint ${first} past the end`,
                }
          },
          1,
        )
      })
    })

    describe('retention', () => {
      // Any retention the service accepts: from the guidance's minimum to its maximum, compared as calendar spans
      // from one fixed day, exactly as start-up checks ASSURE_AUDIT_RETENTION.
      const from = new Date(Date.UTC(2001, 0, 1))
      const span = (duration: string) => addDuration(from, duration).getTime()
      const allowed = (duration: string) => span(duration) >= span(MINIMUM) && span(duration) <= span(MAXIMUM)
      const retentionArb = fc
        .oneof(
          fc.constantFrom('P6M', 'P1Y', 'P18M', 'P2Y', 'P1Y6M'),
          fc.integer({ min: 6, max: 24 }).map(m => `P${m}M`),
          fc.integer({ min: 180, max: 731 }).map(d => `P${d}D`),
          fc.integer({ min: 26, max: 105 }).map(w => `P${w}W`),
        )
        .filter(allowed)
      const system = (action: string): AuditEvent => ({
        actor: { type: 'system', id: 'test' },
        action,
        outcome: 'success',
      })

      /** Appends one entry per time (oldest first), each at that time, signing a checkpoint after those asked. */
      async function ledgerAt(times: readonly Date[], checkpointAfter: ReadonlySet<number> = new Set()) {
        await resetLedger()
        for (const [index, at] of times.entries()) {
          clock = at
          await recordAuditEvent(db, { ...system('test.entry'), details: { index } }, at)
          if (checkpointAfter.has(index + 1)) await signCheckpoint(deps)
        }
      }
      const prune = (keep: string) => pruneLedger({ ...deps, engine: store.engine }, { keep, minimum: MINIMUM })

      it('keeps every entry younger than 6 months under any allowed retention, and what remains verifies from the anchor', async () => {
        await fc.assert(
          fc.asyncProperty(
            fc.record({
              now: fc.date({
                min: new Date('2027-01-01T00:00:00Z'),
                max: new Date('2031-12-31T00:00:00Z'),
                noInvalidDate: true,
              }),
              agesMs: fc.array(fc.integer({ min: 0, max: 1000 * 86_400_000 }), { minLength: 1, maxLength: 10 }),
              boundaries: fc.subarray(['minimum', 'minimum-1ms', 'keep', 'keep-1ms'] as const),
              keep: retentionArb,
              checkpointAfter: fc.uniqueArray(fc.nat(), { maxLength: 3 }),
            }),
            async p => {
              const minimumFrom = subtractDuration(p.now, MINIMUM)
              const keepFrom = subtractDuration(p.now, p.keep)
              const boundary = {
                minimum: minimumFrom,
                'minimum-1ms': new Date(minimumFrom.getTime() - 1),
                keep: keepFrom,
                'keep-1ms': new Date(keepFrom.getTime() - 1),
              }
              const times = [
                ...p.agesMs.map(age => new Date(p.now.getTime() - age)),
                ...p.boundaries.map(b => boundary[b]),
              ].sort((a, b) => a.getTime() - b.getTime())
              const n = times.length
              await ledgerAt(times, new Set(p.checkpointAfter.map(x => 1 + (x % n))))
              const hashes = (await rows()).map(r => r.hash)
              clock = p.now
              const result = await prune(p.keep)

              const cutoff = Math.min(keepFrom.getTime(), minimumFrom.getTime())
              const pruned = times.filter(t => t.getTime() < cutoff).length
              const remaining = await rows()
              // The guidance's minimum, whatever the retention: security log data kept at least 6 months.
              const youngerThanMinimum = times.flatMap((t, i) => (t.getTime() >= minimumFrom.getTime() ? [i + 1] : []))
              const kept = new Set(remaining.map(r => Number(r.sequence)))
              for (const sequence of youngerThanMinimum)
                assert.ok(kept.has(sequence), `entry ${sequence} is younger than ${MINIMUM} and was kept`)
              assert.equal(result.pruned, pruned)
              if (pruned === 0) {
                assert.deepEqual(result, { pruned: 0, through: null })
                assert.equal(remaining.length, n, 'nothing pruned and nothing recorded')
                assert.equal((await allCheckpoints(db)).filter(c => c.kind === 'anchor').length, 0)
              } else {
                assert.equal(result.through, pruned)
                assert.deepEqual(
                  remaining.map(r => Number(r.sequence)),
                  Array.from({ length: n - pruned + 1 }, (_, i) => pruned + 1 + i),
                  'the entries before the cutoff went, the rest stayed, and the pruning was appended',
                )
                const record = remaining.at(-1)
                assert.equal(record?.action, 'audit.ledger.pruned')
                assert.equal(record?.actor_id, 'audit-retention')
                assert.equal(record?.at, p.now.toISOString())
                assert.deepEqual(JSON.parse(record?.details ?? '{}'), {
                  through: pruned,
                  deleted: pruned,
                  olderThan: new Date(cutoff).toISOString(),
                  retention: p.keep,
                })
                const checkpoints = await allCheckpoints(db)
                const anchors = checkpoints.filter(c => c.kind === 'anchor')
                assert.deepEqual(
                  anchors.map(a => [a.sequence, a.hash]),
                  [[pruned, hashes[pruned - 1]]],
                  'the anchor names the last pruned entry and its hash',
                )
                assert.ok(
                  checkpoints.every(c => c.kind === 'anchor' || c.sequence > pruned),
                  'checkpoints over pruned entries went with them',
                )
              }
              const report = await verifyStore(deps)
              assert.equal(report.ok, true, report.failure?.message)
              assert.equal(report.anchor?.sequence ?? null, pruned === 0 ? null : pruned)
              assert.equal(report.firstSequence, pruned + 1)
              assert.equal(report.entries, remaining.length)
            },
          ),
          { numRuns: RETENTION_RUNS },
        )
      })

      it('never prunes entries younger than the guidance minimum, even when asked to keep less', async () => {
        const now = new Date('2027-09-30T12:00:00.000Z')
        const ages = ['P1Y', 'P7M', 'P6M', 'P5M', 'P1M', 'P1D']
        await ledgerAt(ages.map(age => subtractDuration(now, age)))
        clock = now
        assert.deepEqual(await prune('P1M'), { pruned: 2, through: 2 })
        assert.deepEqual(
          (await rows()).map(r => [Number(r.sequence), r.action]),
          [
            [3, 'test.entry'],
            [4, 'test.entry'],
            [5, 'test.entry'],
            [6, 'test.entry'],
            [7, 'audit.ledger.pruned'],
          ],
        )
        assert.equal((await verifyStore(deps)).ok, true)
      })

      it('still catches tampering after pruning, and an anchor with a bad signature does not excuse the pruned range', async () => {
        const now = new Date('2028-03-01T00:00:00.000Z')
        await ledgerAt(
          ['P3Y', 'P2Y6M', 'P2Y1M', 'P1Y', 'P1M'].map(age => subtractDuration(now, age)),
          new Set([2, 4]),
        )
        clock = now
        assert.deepEqual(await prune('P2Y'), { pruned: 3, through: 3 })
        assert.equal((await verifyStore(deps)).ok, true)
        const first = await row(4)
        await asTamperer(trx => replaceRow(trx, 4, { ...first, outcome: 'denied' }))
        assert.deepEqual(
          (({ kind, sequence }) => ({ kind, sequence }))(
            (await verifyStore(deps)).failure ?? { kind: null, sequence: null },
          ),
          { kind: 'changed', sequence: 4 },
          'the first entry after the anchor is checked like any other',
        )
        await asTamperer(async trx => {
          await trx
            .updateTable('audit_checkpoints')
            .set({ signed_at: now.toISOString().replace('Z', '+00:00') })
            .where('kind', '=', 'anchor')
            .execute()
        })
        const report = await verifyStore(deps)
        // Without a valid anchor verification starts from the beginning, where entries 1 to 3 are missing.
        assert.deepEqual(
          { ok: report.ok, kind: report.failure?.kind, sequence: report.failure?.sequence, anchor: report.anchor },
          { ok: false, kind: 'deleted', sequence: 1, anchor: null },
        )
        assert.equal(report.failure?.message, 'Entries 1 to 3 are missing')
      })
    })
  })
}
