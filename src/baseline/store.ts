import { randomUUID } from 'node:crypto'
import type { Kysely, Selectable, Transaction } from 'kysely'
import type { BaselineActionsTable, BaselineViolationsTable, Database } from '../platform/db/schema.ts'
import type { Violation } from './clocks.ts'
import type { Evaluation } from './findings.ts'

type Db = Kysely<Database> | Transaction<Database>

/** A violation as stored, with its row ID. */
export interface StoredViolation extends Violation {
  readonly id: string
}

const toViolation = (row: Selectable<BaselineViolationsTable>): StoredViolation => ({
  id: row.id,
  key: row.violation_key,
  ruleId: row.rule_id,
  accountId: row.account_id,
  region: row.region,
  resourceArn: row.resource_arn,
  summary: row.summary,
  evidence: JSON.parse(row.evidence) as Record<string, unknown>,
  firstSeenAt: new Date(row.first_seen_at),
  lastSeenAt: new Date(row.last_seen_at),
  clockStartedAt: new Date(row.clock_started_at),
  stepsTaken: JSON.parse(row.steps_taken) as string[],
  resolvedAt: row.resolved_at === null ? null : new Date(row.resolved_at),
})

/** An account's open violations, first seen first: the order a run takes their steps in. */
export async function openViolations(db: Db, accountId: string): Promise<StoredViolation[]> {
  const rows = await db
    .selectFrom('baseline_violations')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('resolved_at', 'is', null)
    .orderBy('first_seen_at')
    .orderBy('violation_key')
    .execute()
  return rows.map(toViolation)
}

/** Every open violation, for pages and exports, oldest clock first. */
export async function allOpenViolations(db: Db, accountIds?: readonly string[]): Promise<StoredViolation[]> {
  let query = db.selectFrom('baseline_violations').selectAll().where('resolved_at', 'is', null)
  if (accountIds !== undefined) {
    if (accountIds.length === 0) return []
    query = query.where('account_id', 'in', [...accountIds])
  }
  const rows = await query.orderBy('clock_started_at').orderBy('violation_key').execute()
  return rows.map(toViolation)
}

/** Stores a new violation and returns it with its ID. */
export async function insertViolation(trx: Db, violation: Violation): Promise<StoredViolation> {
  const id = randomUUID()
  await trx
    .insertInto('baseline_violations')
    .values({
      id,
      violation_key: violation.key,
      account_id: violation.accountId,
      region: violation.region,
      rule_id: violation.ruleId,
      resource_arn: violation.resourceArn,
      summary: violation.summary,
      evidence: JSON.stringify(violation.evidence),
      first_seen_at: violation.firstSeenAt.toISOString(),
      last_seen_at: violation.lastSeenAt.toISOString(),
      clock_started_at: violation.clockStartedAt.toISOString(),
      steps_taken: JSON.stringify(violation.stepsTaken),
      resolved_at: null,
    })
    .execute()
  return { ...violation, id }
}

/** Records that an open violation was seen again. */
export async function markSeen(trx: Db, violation: StoredViolation): Promise<void> {
  await trx
    .updateTable('baseline_violations')
    .set({
      last_seen_at: violation.lastSeenAt.toISOString(),
      summary: violation.summary,
      evidence: JSON.stringify(violation.evidence),
    })
    .where('id', '=', violation.id)
    .execute()
}

/** Resolves a violation: a scan observed its scope compliant. */
export async function markResolved(trx: Db, id: string, at: Date): Promise<void> {
  await trx.updateTable('baseline_violations').set({ resolved_at: at.toISOString() }).where('id', '=', id).execute()
}

/** Records ladder steps as taken. */
export async function markStepsTaken(trx: Db, violation: StoredViolation, keys: readonly string[]): Promise<void> {
  const steps = [...new Set([...violation.stepsTaken, ...keys])]
  await trx
    .updateTable('baseline_violations')
    .set({ steps_taken: JSON.stringify(steps) })
    .where('id', '=', violation.id)
    .execute()
}

/** Keeps the latest result of each (account, region, rule). */
export async function saveResults(trx: Db, props: { scanId: string; evaluations: readonly Evaluation[]; at: Date }) {
  for (const evaluation of props.evaluations) {
    const values = {
      scan_id: props.scanId,
      scanned_at: props.at.toISOString(),
      observed: evaluation.observed ? 1 : 0,
      error: evaluation.error ?? null,
      findings: evaluation.findings.length,
    }
    await trx
      .insertInto('baseline_results')
      .values({ account_id: evaluation.accountId, region: evaluation.region, rule_id: evaluation.ruleId, ...values })
      .onConflict(oc => oc.columns(['account_id', 'region', 'rule_id']).doUpdateSet(values))
      .execute()
  }
}

/** The latest results for accounts, for pages and for evidencing assessment requirements. */
export async function latestResults(db: Db, accountIds: readonly string[]) {
  if (accountIds.length === 0) return []
  return db
    .selectFrom('baseline_results')
    .selectAll()
    .where('account_id', 'in', [...accountIds])
    .orderBy('account_id')
    .orderBy('region')
    .orderBy('rule_id')
    .execute()
}

/** Mutes in force at `now` for an account. */
export async function activeMutes(db: Db, accountId: string, now: Date) {
  return db
    .selectFrom('baseline_mutes')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('expires_at', '>', now.toISOString())
    .execute()
}

/** Every mute of some accounts, expired ones too (the pages show them), latest expiry first. */
export async function mutesOf(db: Db, accountIds: readonly string[]) {
  if (accountIds.length === 0) return []
  return db
    .selectFrom('baseline_mutes')
    .selectAll()
    .where('account_id', 'in', [...accountIds])
    .orderBy('expires_at', 'desc')
    .execute()
}

/** Stores a mute. */
export async function insertMute(trx: Db, mute: Omit<Database['baseline_mutes'], 'id'>): Promise<string> {
  const id = randomUUID()
  await trx
    .insertInto('baseline_mutes')
    .values({ id, ...mute })
    .execute()
  return id
}

/** Starts a run's record. */
export async function insertScan(
  db: Db,
  props: { id: string; mode: 'scan' | 'plan' | 'apply'; accounts: number; at: Date },
) {
  await db
    .insertInto('baseline_scans')
    .values({
      id: props.id,
      started_at: props.at.toISOString(),
      finished_at: null,
      mode: props.mode,
      accounts: props.accounts,
      summary: '{}',
    })
    .execute()
}

/** Finishes a run's record with its summary. */
export async function finishScan(db: Db, props: { id: string; at: Date; summary: Record<string, unknown> }) {
  await db
    .updateTable('baseline_scans')
    .set({ finished_at: props.at.toISOString(), summary: JSON.stringify(props.summary) })
    .where('id', '=', props.id)
    .execute()
}

/** Stores an action as planned, before it is applied. */
export async function insertAction(
  trx: Db,
  action: Omit<BaselineActionsTable, 'applied' | 'applied_at' | 'rolled_back_at'>,
) {
  await trx
    .insertInto('baseline_actions')
    .values({ ...action, applied: null, applied_at: null, rolled_back_at: null })
    .execute()
}

/** Records how applying (or rolling back) an action went. */
export async function updateAction(
  trx: Db,
  id: string,
  changes: Partial<Pick<BaselineActionsTable, 'status' | 'applied' | 'applied_at' | 'rolled_back_at'>>,
) {
  await trx.updateTable('baseline_actions').set(changes).where('id', '=', id).execute()
}

/** One action by ID. */
export async function findAction(db: Db, id: string) {
  return db.selectFrom('baseline_actions').selectAll().where('id', '=', id).executeTakeFirst()
}

/** The actions taken on accounts, newest first. */
export async function actionsFor(db: Db, accountIds: readonly string[]) {
  if (accountIds.length === 0) return []
  return db
    .selectFrom('baseline_actions')
    .selectAll()
    .where('account_id', 'in', [...accountIds])
    .orderBy('created_at', 'desc')
    .execute()
}
