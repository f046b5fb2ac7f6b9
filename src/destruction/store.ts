import type { Kysely, Transaction } from 'kysely'
import type {
  Database,
  DestructionDataReturnsTable,
  DestructionDeclarationsTable,
  DestructionFailuresTable,
  DestructionInstructionsTable,
} from '../platform/db/schema.ts'
import type { StagePlan } from '../deadlines/stages.ts'
import { openStageRow } from '../deadlines/deadlines.ts'

type Db = Kysely<Database> | Transaction<Database>

/** The deadline engine's subject type for a destruction instruction's clocks. */
export const DESTRUCTION_SUBJECT = 'destruction'
/** The subject type for a failed-destruction report's own 24-hour clock. */
export const FAILURE_SUBJECT = 'destruction-failure'

/** An instruction with its contract's reference, classification and end date, for lists and pages. */
export type InstructionRow = DestructionInstructionsTable & {
  readonly contract_reference: string
  readonly contract_classification: string
  readonly contract_end_date: string
}

const withContract = (db: Db) =>
  db
    .selectFrom('destruction_instructions')
    .innerJoin('contracts', 'contracts.id', 'destruction_instructions.contract_id')
    .selectAll('destruction_instructions')
    .select([
      'contracts.reference as contract_reference',
      'contracts.classification as contract_classification',
      'contracts.end_date as contract_end_date',
    ])

/** A supplier's instructions, newest first. */
export async function listInstructions(db: Db, organisationId: string): Promise<InstructionRow[]> {
  return withContract(db)
    .where('destruction_instructions.organisation_id', '=', organisationId)
    .orderBy('destruction_instructions.issued_at', 'desc')
    .orderBy('contracts.reference')
    .execute()
}

/** One of a supplier's instructions; undefined when it has no such instruction. */
export async function findInstruction(
  db: Db,
  organisationId: string,
  instructionId: string,
): Promise<InstructionRow | undefined> {
  return withContract(db)
    .where('destruction_instructions.organisation_id', '=', organisationId)
    .where('destruction_instructions.id', '=', instructionId)
    .executeTakeFirst()
}

/** The instruction for a contract, if one was issued. */
export async function instructionForContract(db: Db, contractId: string): Promise<{ id: string } | undefined> {
  return db.selectFrom('destruction_instructions').select('id').where('contract_id', '=', contractId).executeTakeFirst()
}

/** Stores an instruction. */
export async function insertInstruction(db: Db, row: DestructionInstructionsTable): Promise<void> {
  await db.insertInto('destruction_instructions').values(row).execute()
}

/** Opens stages for a subject in the caller's transaction (the engine's own rows, so the sweep sees them). */
export async function insertStages(
  db: Db,
  props: { subjectType: string; subjectId: string; organisationId: string; stages: readonly StagePlan[]; now: Date },
): Promise<void> {
  for (const plan of props.stages) {
    await db
      .insertInto('deadline_stages')
      .values(
        openStageRow(
          { type: props.subjectType, id: props.subjectId, organisationId: props.organisationId },
          plan,
          props.now,
        ),
      )
      .execute()
  }
}

/** Completes one open stage of an instruction; false when it was not open (done already, or no such stage). */
export async function completeInstructionStage(
  db: Db,
  props: { instructionId: string; stageKey: string; completedBy: string; now: Date },
): Promise<boolean> {
  const result = await db
    .updateTable('deadline_stages')
    .set({ status: 'done', completed_at: props.now.toISOString(), completed_by: props.completedBy })
    .where('subject_type', '=', DESTRUCTION_SUBJECT)
    .where('subject_id', '=', props.instructionId)
    .where('stage_key', '=', props.stageKey)
    .where('status', '=', 'open')
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/** Stores the signed declaration; false when the instruction already has one. */
export async function insertDeclaration(db: Db, row: DestructionDeclarationsTable): Promise<boolean> {
  const result = await db
    .insertInto('destruction_declarations')
    .values(row)
    .onConflict(oc => oc.column('instruction_id').doNothing())
    .executeTakeFirst()
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1
}

/** An instruction's signed declaration, if any. */
export async function findDeclaration(
  db: Db,
  instructionId: string,
): Promise<DestructionDeclarationsTable | undefined> {
  return db
    .selectFrom('destruction_declarations')
    .selectAll()
    .where('instruction_id', '=', instructionId)
    .executeTakeFirst()
}

/** Records the data returned; false when it was recorded already. */
export async function insertDataReturn(db: Db, row: DestructionDataReturnsTable): Promise<boolean> {
  const result = await db
    .insertInto('destruction_data_returns')
    .values(row)
    .onConflict(oc => oc.column('instruction_id').doNothing())
    .executeTakeFirst()
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1
}

/** An instruction's data return, if recorded. */
export async function findDataReturn(db: Db, instructionId: string): Promise<DestructionDataReturnsTable | undefined> {
  return db
    .selectFrom('destruction_data_returns')
    .selectAll()
    .where('instruction_id', '=', instructionId)
    .executeTakeFirst()
}

/** Stores a failed-destruction report. */
export async function insertFailure(db: Db, row: DestructionFailuresTable): Promise<void> {
  await db.insertInto('destruction_failures').values(row).execute()
}

/** An instruction's failed-destruction reports, with who reported each, oldest first. */
export async function failuresFor(db: Db, instructionId: string) {
  return db
    .selectFrom('destruction_failures as f')
    .innerJoin('users as u', 'u.id', 'f.reported_by')
    .selectAll('f')
    .select('u.display_name as reporter_name')
    .where('f.instruction_id', '=', instructionId)
    .orderBy('f.reported_at')
    .orderBy('f.id')
    .execute()
}
