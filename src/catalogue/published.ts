import { createHash } from 'node:crypto'
import type { Catalogue } from './catalogue.ts'

/** The fingerprint of a requirement's meaning: its statement and obligation. An ID keeps these for ever. */
export function meaningHash(requirement: { statement: string; obligation: string }): string {
  return createHash('sha256').update(`${requirement.obligation}\n${requirement.statement}`).digest('hex').slice(0, 16)
}

/** The record kept for each published catalogue version: every requirement ID and the hash of its meaning. */
export function publicationRecord(catalogue: Catalogue): Record<string, string> {
  return Object.fromEntries(catalogue.requirements.map(requirement => [requirement.id, meaningHash(requirement)]))
}
