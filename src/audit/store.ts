import { randomUUID } from 'node:crypto'
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely'
import type { AuditCheckpointsTable, AuditEntriesTable, Database } from '../platform/db/schema.ts'
import { canonicalJson } from '../platform/crypto/canonical-json.ts'
import type { LedgerEntry } from './entry.ts'
import { hashEntryText, type UnsealedEntry } from './chain.ts'
import type { Checkpoint } from './signing.ts'

type Db = Kysely<Database> | Transaction<Database>
export type EntryRow = Selectable<AuditEntriesTable>

/** What the caller says happened; the ledger adds the sequence, the link and the hash. */
export type NewEntry = Omit<UnsealedEntry, 'sequence' | 'prevHash'>

/**
 * Appends one entry inside the given transaction. Moving the head row first locks it (a row lock on PostgreSQL,
 * the write lock on SQLite) until the caller's transaction ends, so appends are serialised across instances and
 * an entry commits or rolls back with the change it records.
 */
export async function appendEntry(trx: Transaction<Database>, given: NewEntry): Promise<LedgerEntry> {
  const entry = storableEntry(given)
  const head = await trx
    .updateTable('audit_head')
    .set(eb => ({ sequence: eb('sequence', '+', 1) }))
    .where('id', '=', 1)
    .returning(['sequence', 'hash'])
    .executeTakeFirstOrThrow()
  const detailsJson = canonicalJson(entry.details)
  const unsealed = { ...entry, sequence: Number(head.sequence), prevHash: head.hash }
  const hash = hashEntryText(unsealed, detailsJson)
  await trx
    .insertInto('audit_entries')
    .values({
      sequence: unsealed.sequence,
      at: entry.at,
      actor_type: entry.actorType,
      actor_id: entry.actorId,
      user_id: entry.userId,
      organisation_id: entry.organisationId,
      session_ref: entry.sessionRef,
      ip: entry.ip,
      action: entry.action,
      target_type: entry.targetType,
      target_id: entry.targetId,
      outcome: entry.outcome,
      reason: entry.reason,
      request_id: entry.requestId,
      details: detailsJson,
      prev_hash: head.hash,
      hash,
    })
    .execute()
  await trx.updateTable('audit_head').set({ hash }).where('id', '=', 1).execute()
  return { ...unsealed, details: JSON.parse(detailsJson) as Record<string, unknown>, hash }
}

/**
 * Text as both engines store it, so the hash covers what is kept: a lone surrogate would be stored as U+FFFD (and
 * the untouched entry would then fail verification), and PostgreSQL refuses NUL outright (failing the change the
 * entry records). Both become U+FFFD before hashing.
 */
function storableText(text: string): string {
  return text.toWellFormed().replaceAll('\u0000', '\uFFFD')
}

function storableValue(value: unknown): unknown {
  if (typeof value === 'string') return storableText(value)
  if (Array.isArray(value)) return value.map(storableValue)
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, member]) => [storableText(key), storableValue(member)]))
  }
  return value
}

function storableEntry(entry: NewEntry): NewEntry {
  return storableValue(entry) as NewEntry
}

/** A stored row's fields as its hash covers them, all but the details (kept as stored) and the hash itself. */
export function entryFieldsFromRow(row: EntryRow): Omit<UnsealedEntry, 'details'> {
  return {
    sequence: Number(row.sequence),
    at: row.at,
    actorType: row.actor_type,
    actorId: row.actor_id,
    userId: row.user_id,
    organisationId: row.organisation_id,
    sessionRef: row.session_ref,
    ip: row.ip,
    action: row.action,
    targetType: row.target_type,
    targetId: row.target_id,
    outcome: row.outcome,
    reason: row.reason,
    requestId: row.request_id,
    prevHash: row.prev_hash,
  }
}

/** A stored row as an entry. */
export function entryFromRow(row: EntryRow): LedgerEntry {
  return { ...entryFieldsFromRow(row), details: JSON.parse(row.details) as Record<string, unknown>, hash: row.hash }
}

/** Stored rows in sequence order, a page at a time, from `after` (exclusive). */
export async function* rowsAfter(db: Db, after: number, pageSize = 5000): AsyncGenerator<EntryRow> {
  let cursor = after
  for (;;) {
    const page = await db
      .selectFrom('audit_entries')
      .selectAll()
      .where('sequence', '>', cursor)
      .orderBy('sequence')
      .limit(pageSize)
      .execute()
    for (const row of page) yield row
    const last = page.at(-1)
    if (last === undefined || page.length < pageSize) return
    cursor = Number(last.sequence)
  }
}

/** Entries after a sequence (exclusive), oldest first: what a SIEM forwarder reads. */
export async function entriesAfter(db: Db, after: number, limit: number): Promise<LedgerEntry[]> {
  const rows = await db
    .selectFrom('audit_entries')
    .selectAll()
    .where('sequence', '>', after)
    .orderBy('sequence')
    .limit(limit)
    .execute()
  return rows.map(entryFromRow)
}

/** The last sequence and hash appended. */
export async function ledgerHead(db: Db): Promise<{ sequence: number; hash: string }> {
  const head = await db
    .selectFrom('audit_head')
    .select(['sequence', 'hash'])
    .where('id', '=', 1)
    .executeTakeFirstOrThrow()
  return { sequence: Number(head.sequence), hash: head.hash }
}

/** A stored checkpoint or anchor row as a checkpoint. */
export function checkpointFromRow(row: Selectable<AuditCheckpointsTable>): Checkpoint {
  return {
    id: row.id,
    kind: row.kind,
    sequence: Number(row.sequence),
    hash: row.hash,
    signedAt: row.signed_at,
    keyId: row.key_id,
    signature: row.signature,
  }
}

/** Every checkpoint and anchor, oldest first. */
export async function allCheckpoints(db: Db): Promise<Checkpoint[]> {
  const rows = await db.selectFrom('audit_checkpoints').selectAll().orderBy('sequence').orderBy('signed_at').execute()
  return rows.map(checkpointFromRow)
}

/** The newest checkpoint, if any. */
export async function latestCheckpoint(db: Db): Promise<Checkpoint | undefined> {
  const row = await db
    .selectFrom('audit_checkpoints')
    .selectAll()
    .where('kind', '=', 'checkpoint')
    .orderBy('sequence', 'desc')
    .orderBy('signed_at', 'desc')
    .limit(1)
    .executeTakeFirst()
  return row === undefined ? undefined : checkpointFromRow(row)
}

/** Stores a signed checkpoint or anchor. */
export async function insertCheckpoint(db: Db, checkpoint: Omit<Checkpoint, 'id'>): Promise<Checkpoint> {
  const stored = { ...checkpoint, id: randomUUID() }
  await db
    .insertInto('audit_checkpoints')
    .values({
      id: stored.id,
      kind: stored.kind,
      sequence: stored.sequence,
      hash: stored.hash,
      signed_at: stored.signedAt,
      key_id: stored.keyId,
      signature: stored.signature,
    })
    .execute()
  return stored
}

/** The link the first entry from `at` on makes to the one before it: where a verification or export from then starts. */
export async function linkFrom(db: Db, at: string): Promise<{ sequence: number; hash: string } | undefined> {
  const first = await db
    .selectFrom('audit_entries')
    .select(['sequence', 'prev_hash'])
    .where('at', '>=', at)
    .orderBy('sequence')
    .limit(1)
    .executeTakeFirst()
  return first === undefined ? undefined : { sequence: Number(first.sequence) - 1, hash: first.prev_hash }
}

/** Counts entries (for status pages); cheap enough on both engines at ledger sizes Assure keeps. */
export async function countEntries(db: Db): Promise<number> {
  const { rows } = await sql<{ n: number | string }>`select count(*) as n from audit_entries`.execute(db)
  return Number(rows[0]?.n ?? 0)
}
