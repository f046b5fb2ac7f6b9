import { createHash } from 'node:crypto'
import { canonicalJson } from '../platform/crypto/canonical-json.ts'
import type { LedgerEntry } from './entry.ts'

/** An entry before its hash is known. */
export type UnsealedEntry = Omit<LedgerEntry, 'hash'>

/**
 * The canonical bytes an entry's hash covers: RFC 8785 JSON of every field but `hash`. `detailsJson` is the
 * details as stored (already canonical when written); passing the stored text, rather than re-serialising a parsed
 * object, makes any edit of the stored bytes show, and saves verification a parse per entry. Member order is
 * the RFC's sorted order, written out once here rather than sorted per entry.
 */
export function canonicalEntryText(entry: Omit<UnsealedEntry, 'details'>, detailsJson: string): string {
  const s = JSON.stringify
  return (
    `{"action":${s(entry.action)},"actorId":${s(entry.actorId)},"actorType":${s(entry.actorType)},"at":${s(entry.at)}` +
    `,"details":${detailsJson},"ip":${s(entry.ip)},"organisationId":${s(entry.organisationId)}` +
    `,"outcome":${s(entry.outcome)},"prevHash":${s(entry.prevHash)},"reason":${s(entry.reason)}` +
    `,"requestId":${s(entry.requestId)},"sequence":${canonicalJson(entry.sequence)},"sessionRef":${s(entry.sessionRef)}` +
    `,"targetId":${s(entry.targetId)},"targetType":${s(entry.targetType)},"userId":${s(entry.userId)}}`
  )
}

/** SHA-256 (hex) over an entry's canonical bytes. */
export function hashEntryText(entry: Omit<UnsealedEntry, 'details'>, detailsJson: string): string {
  return createHash('sha256').update(canonicalEntryText(entry, detailsJson)).digest('hex')
}

/** The entry with its hash, its details reduced to canonical JSON's data model. */
export function sealEntry(entry: UnsealedEntry): LedgerEntry {
  const detailsJson = canonicalJson(entry.details)
  return {
    ...entry,
    details: JSON.parse(detailsJson) as Record<string, unknown>,
    hash: hashEntryText(entry, detailsJson),
  }
}

/** Recomputes an entry's hash from its fields (as read back from an export). */
export function recomputeHash(entry: UnsealedEntry): string {
  return hashEntryText(entry, canonicalJson(entry.details))
}
