import type { Kysely, Transaction } from 'kysely'
import type { Database, LetterEventsTable, LettersTable } from '../platform/db/schema.ts'
import type { StagePlan } from '../deadlines/stages.ts'
import { openStageRow } from '../deadlines/deadlines.ts'

type Db = Kysely<Database> | Transaction<Database>

/** The deadline engine's subject type for a Security Aspects Letter. */
export const LETTER_SUBJECT = 'sal'

/** A letter with its contract's reference, for lists and pages. */
export type LetterRow = LettersTable & { readonly contract_reference: string }

const withReference = (db: Db) =>
  db
    .selectFrom('letters')
    .innerJoin('contracts', 'contracts.id', 'letters.contract_id')
    .selectAll('letters')
    .select('contracts.reference as contract_reference')

/** A supplier's letters, newest first. */
export async function listLetters(db: Db, organisationId: string): Promise<LetterRow[]> {
  return withReference(db)
    .where('letters.organisation_id', '=', organisationId)
    .orderBy('letters.issued_at', 'desc')
    .orderBy('letters.version', 'desc')
    .execute()
}

/** One of a supplier's letters; undefined when it has no such letter. */
export async function findLetter(db: Db, organisationId: string, letterId: string): Promise<LetterRow | undefined> {
  return withReference(db)
    .where('letters.organisation_id', '=', organisationId)
    .where('letters.id', '=', letterId)
    .executeTakeFirst()
}

/** The letter a contract's current one supersedes, or the current one: the highest version. */
export async function latestForContract(db: Db, contractId: string): Promise<LettersTable | undefined> {
  return db
    .selectFrom('letters')
    .selectAll()
    .where('contract_id', '=', contractId)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst()
}

/** The letter that superseded this one, if any. */
export async function supersededBy(db: Db, letterId: string): Promise<LettersTable | undefined> {
  return db.selectFrom('letters').selectAll().where('supersedes_id', '=', letterId).executeTakeFirst()
}

/** Stores a letter. */
export async function insertLetter(db: Db, row: LettersTable): Promise<void> {
  await db.insertInto('letters').values(row).execute()
}

/** Marks the current letter superseded; false when it was not current any more (someone revised it first). */
export async function markSuperseded(db: Db, letterId: string): Promise<boolean> {
  const result = await db
    .updateTable('letters')
    .set({ status: 'superseded' })
    .where('id', '=', letterId)
    .where('status', '=', 'issued')
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/**
 * Opens a letter's stages in the caller's transaction. The deadline engine's `openStages` records an entry per stage
 * in transactions of its own; a letter is issued with its stages and its one ledger entry at once, or not at all.
 * The rows are the engine's own (`deadline_stages`), so `stagesFor` and the sweep see them as any other stage.
 */
export async function insertStages(
  db: Db,
  props: { letterId: string; organisationId: string; stages: readonly StagePlan[]; now: Date },
): Promise<void> {
  for (const plan of props.stages) {
    await db
      .insertInto('deadline_stages')
      .values(
        openStageRow(
          { type: LETTER_SUBJECT, id: props.letterId, organisationId: props.organisationId },
          plan,
          props.now,
        ),
      )
      .execute()
  }
}

/** Completes a letter's open stages (one by key, or all), returning how many it closed. */
export async function completeLetterStages(
  db: Db,
  props: { letterId: string; stageKey?: string; completedBy: string; now: Date },
): Promise<number> {
  let query = db
    .updateTable('deadline_stages')
    .set({ status: 'done', completed_at: props.now.toISOString(), completed_by: props.completedBy })
    .where('subject_type', '=', LETTER_SUBJECT)
    .where('subject_id', '=', props.letterId)
    .where('status', '=', 'open')
  if (props.stageKey !== undefined) query = query.where('stage_key', '=', props.stageKey)
  const result = await query.executeTakeFirst()
  return Number(result.numUpdatedRows)
}

/** Records what the supplier did for a stage; false when it was recorded already (each stage is done once). */
export async function insertLetterEvent(db: Db, row: LetterEventsTable): Promise<boolean> {
  const result = await db
    .insertInto('letter_events')
    .values(row)
    .onConflict(oc => oc.columns(['letter_id', 'stage_key']).doNothing())
    .executeTakeFirst()
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1
}

/** What the supplier has done for a letter, by stage. */
export async function letterEvents(db: Db, letterId: string): Promise<LetterEventsTable[]> {
  return db.selectFrom('letter_events').selectAll().where('letter_id', '=', letterId).execute()
}
