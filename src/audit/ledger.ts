import { randomUUID } from 'node:crypto'
import { sql, type Kysely } from 'kysely'
import type { Database } from '../platform/db/schema.ts'
import { subtractDuration } from '../platform/duration.ts'
import { checkpointMessage, publicKeysFromPem, type Checkpoint, type SigningKey } from './signing.ts'
import {
  allCheckpoints,
  entryFieldsFromRow,
  insertCheckpoint,
  latestCheckpoint,
  ledgerHead,
  linkFrom,
  rowsAfter,
} from './store.ts'
import { verifyLedger, type VerifiableEntry, type VerificationReport, type VerificationSource } from './verify.ts'
import { recordAuditEvent } from './record.ts'

/** What the ledger needs: the store, the service's signing key and a clock. */
export interface LedgerDeps {
  readonly db: Kysely<Database>
  readonly signingKey: SigningKey
  readonly now: () => Date
}

/** The live store as a verification source; keys are the service's own public key. */
export async function storeSource(deps: LedgerDeps): Promise<VerificationSource> {
  const { db } = deps
  return {
    entries: after => verifiableRows(db, after),
    checkpoints: await allCheckpoints(db),
    publicKeys: publicKeysFromPem(deps.signingKey.publicKeyPem),
    head: await ledgerHead(db),
    currentHead: () => ledgerHead(db),
  }
}

async function* verifiableRows(db: Kysely<Database>, after: number): AsyncGenerator<VerifiableEntry> {
  for await (const row of rowsAfter(db, after)) {
    yield {
      fields: entryFieldsFromRow(row),
      detailsJson: row.details,
      hash: row.hash,
    }
  }
}

/** Signs `kind` over the given head and stores it. */
async function signAndStore(
  db: Kysely<Database> | Parameters<typeof insertCheckpoint>[0],
  key: SigningKey,
  kind: Checkpoint['kind'],
  head: { sequence: number; hash: string },
  now: Date,
): Promise<Checkpoint> {
  const unsigned = { kind, sequence: head.sequence, hash: head.hash, signedAt: now.toISOString(), keyId: key.id }
  return insertCheckpoint(db, { ...unsigned, signature: key.sign(checkpointMessage(unsigned)) })
}

/** Signs a checkpoint over the current head, unless nothing was appended since the last one. */
export async function signCheckpoint(deps: LedgerDeps): Promise<Checkpoint | undefined> {
  const head = await ledgerHead(deps.db)
  const latest = await latestCheckpoint(deps.db)
  if (head.sequence === 0 || (latest !== undefined && latest.sequence >= head.sequence)) return undefined
  return signAndStore(deps.db, deps.signingKey, 'checkpoint', head, deps.now())
}

/**
 * Verifies the live ledger (from `since` when given: entries before it are skipped and the first one's link is
 * taken on trust) and records the result for /readyz and the audit pages.
 */
export async function verifyStore(deps: LedgerDeps, options: { since?: string } = {}): Promise<VerificationReport> {
  const source = await storeSource(deps)
  let start: { sequence: number; hash: string } | undefined
  if (options.since !== undefined) {
    start = (await linkFrom(deps.db, options.since)) ?? (await ledgerHead(deps.db))
  }
  const report = await verifyLedger(source, start === undefined ? {} : { start })
  await deps.db
    .insertInto('audit_verifications')
    .values({
      id: randomUUID(),
      at: deps.now().toISOString(),
      ok: report.ok ? 1 : 0,
      entries: report.entries,
      first_bad_sequence: report.failure?.sequence ?? null,
      message: report.failure?.message ?? `${report.entries} entries verified`,
    })
    .execute()
  return report
}

/** The most recent verification, for /readyz and the audit pages. */
export async function lastVerification(db: Kysely<Database>) {
  return db.selectFrom('audit_verifications').selectAll().orderBy('at', 'desc').limit(1).executeTakeFirst()
}

/**
 * Deletes entries older than the retention period, never any younger than the guidance's minimum. Before deleting
 * it signs an anchor naming the last pruned entry and its hash, in the same transaction, so verification resumes
 * from the anchor. Pruning is itself recorded.
 */
export async function pruneLedger(
  deps: LedgerDeps & { readonly engine: 'sqlite' | 'postgres' },
  retention: { readonly keep: string; readonly minimum: string },
): Promise<{ pruned: number; through: number | null }> {
  const now = deps.now()
  const keepFrom = subtractDuration(now, retention.keep)
  const neverBefore = subtractDuration(now, retention.minimum)
  const cutoff = new Date(Math.min(keepFrom.getTime(), neverBefore.getTime())).toISOString()
  // Prune only a prefix of the chain: up to the entry before the first one that must be kept.
  const firstKept = await deps.db
    .selectFrom('audit_entries')
    .select('sequence')
    .where('at', '>=', cutoff)
    .orderBy('sequence')
    .limit(1)
    .executeTakeFirst()
  const head = await ledgerHead(deps.db)
  const through = firstKept === undefined ? head.sequence : Number(firstKept.sequence) - 1
  const last = await deps.db
    .selectFrom('audit_entries')
    .select(['sequence', 'hash'])
    .where('sequence', '<=', through)
    .orderBy('sequence', 'desc')
    .limit(1)
    .executeTakeFirst()
  if (last === undefined) return { pruned: 0, through: null }
  const pruned = await deps.db.transaction().execute(async trx => {
    await signAndStore(trx, deps.signingKey, 'anchor', { sequence: Number(last.sequence), hash: last.hash }, now)
    let deleted: number
    if (deps.engine === 'postgres') {
      const { rows } = await sql<{
        deleted: number | string
      }>`select assure_audit_prune(${Number(last.sequence)}) as deleted`.execute(trx)
      deleted = Number(rows[0]?.deleted ?? 0)
    } else {
      const permit = randomUUID()
      await trx.insertInto('audit_prune_permits').values({ id: permit }).execute()
      const result = await trx
        .deleteFrom('audit_entries')
        .where('sequence', '<=', Number(last.sequence))
        .executeTakeFirst()
      await trx
        .deleteFrom('audit_checkpoints')
        .where('kind', '=', 'checkpoint')
        .where('sequence', '<=', Number(last.sequence))
        .execute()
      await trx.deleteFrom('audit_prune_permits').where('id', '=', permit).execute()
      deleted = Number(result.numDeletedRows)
    }
    await recordAuditEvent(
      trx,
      {
        actor: { type: 'system', id: 'audit-retention' },
        action: 'audit.ledger.pruned',
        outcome: 'success',
        details: { through: Number(last.sequence), deleted, olderThan: cutoff, retention: retention.keep },
      },
      now,
    )
    return deleted
  })
  return { pruned, through: Number(last.sequence) }
}
