import { paths } from '../paths.ts'
import type { Subject } from './stages.ts'

/**
 * Where a stage's subject is dealt with in Assure, for notices, notifications and to-do lists: a letter's page, a
 * destruction instruction's page, the supplier's obligations. Null for a subject with no page of its own. The
 * subject types are the workflows' own (`LETTER_SUBJECT` and the others), named here as literals because those
 * modules depend on this one.
 */
export function subjectPath(subject: Pick<Subject, 'type' | 'id' | 'organisationId'>): string | null {
  const supplierId = subject.organisationId
  if (supplierId === undefined) return null
  switch (subject.type) {
    case 'sal':
      return paths.suppliers.letter(supplierId, subject.id)
    case 'destruction':
      return paths.destruction.instruction(supplierId, subject.id)
    case 'obligation':
      return paths.obligations.list(supplierId)
    default:
      return null
  }
}
