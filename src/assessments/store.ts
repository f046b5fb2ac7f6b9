import type { Kysely, Selectable, Transaction } from 'kysely'
import type { AssessmentAnswersTable, AssessmentsTable, Database } from '../platform/db/schema.ts'

type Db = Kysely<Database> | Transaction<Database>

export type AssessmentRow = Selectable<AssessmentsTable>
export type AnswerRow = Selectable<AssessmentAnswersTable>

/** One assessment by ID. */
export const findAssessment = (db: Db, id: string): Promise<AssessmentRow | undefined> =>
  db.selectFrom('assessments').selectAll().where('id', '=', id).executeTakeFirst()

/** A supplier's assessments, newest first. */
export const listAssessments = (db: Db, organisationId: string): Promise<AssessmentRow[]> =>
  db
    .selectFrom('assessments')
    .selectAll()
    .where('organisation_id', '=', organisationId)
    .orderBy('opened_at', 'desc')
    .orderBy('id')
    .execute()

/** Every answer given in an assessment. */
export const listAnswers = (db: Db, assessmentId: string): Promise<AnswerRow[]> =>
  db.selectFrom('assessment_answers').selectAll().where('assessment_id', '=', assessmentId).execute()

/** One answer. */
export const findAnswer = (db: Db, assessmentId: string, requirementId: string): Promise<AnswerRow | undefined> =>
  db
    .selectFrom('assessment_answers')
    .selectAll()
    .where('assessment_id', '=', assessmentId)
    .where('requirement_id', '=', requirementId)
    .executeTakeFirst()

/** Records a new assessment. */
export const insertAssessment = async (db: Db, row: AssessmentRow): Promise<void> => {
  await db.insertInto('assessments').values(row).execute()
}

/** Changes an assessment's status and the columns that go with it. */
export const updateAssessment = async (
  db: Db,
  id: string,
  changes: Partial<Omit<AssessmentRow, 'id' | 'organisation_id'>>,
): Promise<void> => {
  await db.updateTable('assessments').set(changes).where('id', '=', id).execute()
}

/** Records or replaces an answer; a new answer clears any earlier review of it. */
export const upsertAnswer = async (db: Db, row: AnswerRow): Promise<void> => {
  const { assessment_id: _a, requirement_id: _r, ...rest } = row
  await db
    .insertInto('assessment_answers')
    .values(row)
    .onConflict(oc => oc.columns(['assessment_id', 'requirement_id']).doUpdateSet(rest))
    .execute()
}

/** Records the review of an answer. */
export const updateReview = async (
  db: Db,
  assessmentId: string,
  requirementId: string,
  review: Pick<AnswerRow, 'review' | 'review_comment' | 'reviewed_by' | 'reviewed_at'>,
): Promise<void> => {
  await db
    .updateTable('assessment_answers')
    .set(review)
    .where('assessment_id', '=', assessmentId)
    .where('requirement_id', '=', requirementId)
    .execute()
}
