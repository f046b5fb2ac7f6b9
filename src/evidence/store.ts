import type { Kysely, Selectable, Transaction } from 'kysely'
import type { Database, EvidenceItemsTable } from '../platform/db/schema.ts'

type Db = Kysely<Database> | Transaction<Database>

export type EvidenceRow = Selectable<EvidenceItemsTable>

/** One evidence item by ID (without its file). */
export const findEvidence = (db: Db, id: string): Promise<EvidenceRow | undefined> =>
  db.selectFrom('evidence_items').selectAll().where('id', '=', id).executeTakeFirst()

/** The evidence for one answer, oldest first. */
export const listEvidenceForAnswer = (db: Db, assessmentId: string, requirementId: string): Promise<EvidenceRow[]> =>
  db
    .selectFrom('evidence_items')
    .selectAll()
    .where('assessment_id', '=', assessmentId)
    .where('requirement_id', '=', requirementId)
    .orderBy('added_at')
    .orderBy('id')
    .execute()

/** All the evidence in an assessment, oldest first. */
export const listEvidenceForAssessment = (db: Db, assessmentId: string): Promise<EvidenceRow[]> =>
  db
    .selectFrom('evidence_items')
    .selectAll()
    .where('assessment_id', '=', assessmentId)
    .orderBy('added_at')
    .orderBy('id')
    .execute()

/** Records an evidence item, and its sealed file when it has one. */
export const insertEvidence = async (db: Db, row: EvidenceRow, sealed: string | null): Promise<void> => {
  await db.insertInto('evidence_items').values(row).execute()
  if (sealed !== null) await db.insertInto('evidence_files').values({ evidence_id: row.id, sealed }).execute()
}

/** A file's sealed bytes. */
export const findSealedFile = async (db: Db, evidenceId: string): Promise<string | undefined> =>
  (await db.selectFrom('evidence_files').select('sealed').where('evidence_id', '=', evidenceId).executeTakeFirst())
    ?.sealed

/** Deletes an evidence item and its file. */
export const deleteEvidence = async (db: Db, id: string): Promise<void> => {
  await db.deleteFrom('evidence_files').where('evidence_id', '=', id).execute()
  await db.deleteFrom('evidence_items').where('id', '=', id).execute()
}
