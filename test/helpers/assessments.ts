import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { AssessmentsTable, Database } from '../../src/platform/db/schema.ts'

/**
 * Stores an open self-assessment of a supplier against a catalogue version and returns its ID, for tests whose
 * subject is what happens to an assessment, not opening one. The scope is every requirement unless told otherwise.
 */
export async function buildAssessment(
  db: Kysely<Database>,
  props: { organisationId: string; catalogueVersion: string; openedBy: string },
  overrides: Partial<Omit<AssessmentsTable, 'organisation_id' | 'catalogue_version' | 'opened_by'>> = {},
): Promise<string> {
  const id = overrides.id ?? randomUUID()
  await db
    .insertInto('assessments')
    .values({
      organisation_id: props.organisationId,
      catalogue_version: props.catalogueVersion,
      scope: JSON.stringify({ tags: [], sections: [] }),
      title: 'Annual self-assessment',
      status: 'open',
      opened_by: props.openedBy,
      opened_at: new Date().toISOString(),
      submitted_by: null,
      submitted_at: null,
      closed_by: null,
      closed_at: null,
      outcome: null,
      ...overrides,
      id,
    })
    .execute()
  return id
}
