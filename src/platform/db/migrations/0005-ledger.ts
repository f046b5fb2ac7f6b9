import { PostgresAdapter, sql, type Kysely } from 'kysely'
import { GENESIS_HASH, type LedgerEntry } from '../../../audit/entry.ts'
import { sealEntry } from '../../../audit/chain.ts'
import { canonicalJson } from '../../crypto/canonical-json.ts'

/**
 * The tamper-evident ledger: hash-linked entries, the head row that serialises appends, signed checkpoints and
 * pruning anchors, the service's sealed keys, SIEM forwarding cursors and verification results. Triggers refuse
 * UPDATE and DELETE on the ledger; only the retention job's pruning path may delete. Events already recorded in
 * the plain `audit_events` table are chained into the ledger in their order, then that table goes.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter
  await db.schema
    .createTable('audit_entries')
    .addColumn('sequence', 'bigint', col => col.primaryKey())
    .addColumn('at', 'text', col => col.notNull())
    .addColumn('actor_type', 'text', col => col.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('user_id', 'text')
    .addColumn('organisation_id', 'text')
    .addColumn('session_ref', 'text')
    .addColumn('ip', 'text')
    .addColumn('action', 'text', col => col.notNull())
    .addColumn('target_type', 'text')
    .addColumn('target_id', 'text')
    .addColumn('outcome', 'text', col => col.notNull())
    .addColumn('reason', 'text')
    .addColumn('request_id', 'text')
    .addColumn('details', 'text', col => col.notNull())
    .addColumn('prev_hash', 'text', col => col.notNull())
    .addColumn('hash', 'text', col => col.notNull())
    .execute()
  await db.schema.createIndex('audit_entries_by_time').on('audit_entries').column('at').execute()
  await db.schema.createIndex('audit_entries_by_action').on('audit_entries').columns(['action', 'sequence']).execute()
  await db.schema.createIndex('audit_entries_by_actor').on('audit_entries').columns(['user_id', 'sequence']).execute()
  // The attribution hook asks, for every state-changing request, whether it recorded anything.
  await db.schema.createIndex('audit_entries_by_request').on('audit_entries').column('request_id').execute()
  await db.schema
    .createIndex('audit_entries_by_target')
    .on('audit_entries')
    .columns(['target_type', 'target_id', 'sequence'])
    .execute()

  await db.schema
    .createTable('audit_head')
    .addColumn('id', 'integer', col => col.primaryKey())
    .addColumn('sequence', 'bigint', col => col.notNull())
    .addColumn('hash', 'text', col => col.notNull())
    .execute()

  await db.schema
    .createTable('audit_checkpoints')
    .addColumn('id', 'text', col => col.primaryKey())
    .addColumn('kind', 'text', col => col.notNull())
    .addColumn('sequence', 'bigint', col => col.notNull())
    .addColumn('hash', 'text', col => col.notNull())
    .addColumn('signed_at', 'text', col => col.notNull())
    .addColumn('key_id', 'text', col => col.notNull())
    .addColumn('signature', 'text', col => col.notNull())
    .execute()
  await db.schema
    .createIndex('audit_checkpoints_by_sequence')
    .on('audit_checkpoints')
    .columns(['kind', 'sequence'])
    .execute()

  await db.schema
    .createTable('audit_prune_permits')
    .addColumn('id', 'text', col => col.primaryKey())
    .execute()

  await db.schema
    .createTable('audit_verifications')
    .addColumn('id', 'text', col => col.primaryKey())
    .addColumn('at', 'text', col => col.notNull())
    .addColumn('ok', 'integer', col => col.notNull())
    .addColumn('entries', 'bigint', col => col.notNull())
    .addColumn('first_bad_sequence', 'bigint')
    .addColumn('message', 'text', col => col.notNull())
    .execute()
  await db.schema.createIndex('audit_verifications_by_time').on('audit_verifications').column('at').execute()

  await db.schema
    .createTable('audit_forward_cursors')
    .addColumn('sink', 'text', col => col.primaryKey())
    .addColumn('sequence', 'bigint', col => col.notNull())
    .addColumn('updated_at', 'text', col => col.notNull())
    .execute()

  await db.schema
    .createTable('service_keys')
    .addColumn('id', 'text', col => col.primaryKey())
    .addColumn('purpose', 'text', col => col.notNull())
    .addColumn('public_key', 'text', col => col.notNull())
    .addColumn('sealed_private_key', 'text', col => col.notNull())
    .addColumn('created_at', 'text', col => col.notNull())
    .execute()

  const legacy = await sql<{
    at: string
    actor_type: LedgerEntry['actorType']
    actor_id: string | null
    organisation_id: string | null
    session_ref: string | null
    ip: string | null
    action: string
    target_type: string | null
    target_id: string | null
    outcome: LedgerEntry['outcome']
    reason: string | null
    request_id: string | null
    details: string
  }>`select * from audit_events order by at, id`.execute(db)
  let head = { sequence: 0, hash: GENESIS_HASH }
  for (const row of legacy.rows) {
    const entry = sealEntry({
      sequence: head.sequence + 1,
      prevHash: head.hash,
      at: row.at,
      actorType: row.actor_type,
      actorId: row.actor_id,
      userId: row.actor_type === 'user' ? row.actor_id : null,
      organisationId: row.organisation_id,
      sessionRef: row.session_ref,
      ip: row.ip,
      action: row.action,
      targetType: row.target_type,
      targetId: row.target_id,
      outcome: row.outcome,
      reason: row.reason,
      requestId: row.request_id,
      details: JSON.parse(row.details) as Record<string, unknown>,
    })
    await sql`insert into audit_entries (sequence, at, actor_type, actor_id, user_id, organisation_id, session_ref, ip, action, target_type, target_id, outcome, reason, request_id, details, prev_hash, hash)
      values (${entry.sequence}, ${entry.at}, ${entry.actorType}, ${entry.actorId}, ${entry.userId}, ${entry.organisationId}, ${entry.sessionRef}, ${entry.ip}, ${entry.action}, ${entry.targetType}, ${entry.targetId}, ${entry.outcome}, ${entry.reason}, ${entry.requestId}, ${canonicalJson(entry.details)}, ${entry.prevHash}, ${entry.hash})`.execute(
      db,
    )
    head = { sequence: entry.sequence, hash: entry.hash }
  }
  await sql`insert into audit_head (id, sequence, hash) values (1, ${head.sequence}, ${head.hash})`.execute(db)
  await db.schema.dropTable('audit_events').execute()

  if (postgres) {
    await sql`
      create function assure_audit_append_only() returns trigger language plpgsql as $$
      begin
        if tg_op = 'DELETE' and current_setting('assure.audit_pruning', true) = 'on' then
          return old;
        end if;
        raise exception 'the audit ledger is append-only: % on % refused', tg_op, tg_table_name
          using errcode = 'insufficient_privilege';
      end $$`.execute(db)
    // The one way to delete: the retention job calls this after signing its anchor, in the same transaction.
    await sql`
      create function assure_audit_prune(through_sequence bigint) returns bigint language plpgsql as $$
      declare deleted bigint;
      begin
        perform set_config('assure.audit_pruning', 'on', true);
        delete from audit_entries where sequence <= through_sequence;
        get diagnostics deleted = row_count;
        delete from audit_checkpoints where kind = 'checkpoint' and sequence <= through_sequence;
        perform set_config('assure.audit_pruning', 'off', true);
        return deleted;
      end $$`.execute(db)
    for (const table of ['audit_entries', 'audit_checkpoints']) {
      await sql`create trigger ${sql.raw(`${table}_append_only`)} before update or delete on ${sql.table(table)}
        for each row execute function assure_audit_append_only()`.execute(db)
      await sql`create trigger ${sql.raw(`${table}_no_truncate`)} before truncate on ${sql.table(table)}
        for each statement execute function assure_audit_append_only()`.execute(db)
    }
  } else {
    for (const table of ['audit_entries', 'audit_checkpoints']) {
      await sql`create trigger ${sql.raw(`${table}_no_update`)} before update on ${sql.table(table)}
        begin select raise(abort, 'the audit ledger is append-only: UPDATE refused'); end`.execute(db)
      await sql`create trigger ${sql.raw(`${table}_no_delete`)} before delete on ${sql.table(table)}
        when not exists (select 1 from audit_prune_permits)
        begin select raise(abort, 'the audit ledger is append-only: DELETE refused'); end`.execute(db)
    }
  }
}

/** Removes the ledger (development only: it destroys the audit trail). */
export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'service_keys',
    'audit_forward_cursors',
    'audit_verifications',
    'audit_prune_permits',
    'audit_checkpoints',
    'audit_head',
    'audit_entries',
  ]) {
    await db.schema.dropTable(table).execute()
  }
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`drop function if exists assure_audit_prune(bigint)`.execute(db)
    await sql`drop function if exists assure_audit_append_only()`.execute(db)
  }
}
