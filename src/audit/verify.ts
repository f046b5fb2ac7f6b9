import type { KeyObject } from 'node:crypto'
import { GENESIS_HASH } from './entry.ts'
import { hashEntryText, type UnsealedEntry } from './chain.ts'
import { checkpointSignatureValid, type Checkpoint } from './signing.ts'

/** An entry as verification reads it: its fields, its details exactly as stored, and the hash stored with it. */
export interface VerifiableEntry {
  readonly fields: Omit<UnsealedEntry, 'details'>
  readonly detailsJson: string
  readonly hash: string
}

/** Where verification reads from: the live store or an export on another machine. */
export interface VerificationSource {
  /** Entries with a sequence above `after`, in ascending order. May be called more than once. */
  entries(after: number): AsyncIterable<VerifiableEntry>
  readonly checkpoints: readonly Checkpoint[]
  readonly publicKeys: ReadonlyMap<string, KeyObject>
  /** The head row, when the source has one (the live store does). */
  readonly head?: { readonly sequence: number; readonly hash: string } | undefined
  /** Reads the head again, to tell an entry appended while verification ran from one added outside the ledger. */
  readonly currentHead?: (() => Promise<{ readonly sequence: number; readonly hash: string }>) | undefined
}

export type TamperKind =
  'changed' | 'deleted' | 'inserted' | 'reordered' | 'checkpoint-signature-invalid' | 'checkpoint-inconsistent'

/** The first thing wrong, at the lowest sequence where it shows. */
export interface VerificationFailure {
  readonly kind: TamperKind
  readonly sequence: number
  readonly message: string
}

export interface VerificationReport {
  readonly ok: boolean
  /** Entries whose hash and link were checked. */
  readonly entries: number
  readonly firstSequence: number | null
  readonly lastSequence: number | null
  /** The newest checkpoint with a valid signature. */
  readonly lastCheckpoint: Checkpoint | null
  /** The pruning anchor verification started from, if any. */
  readonly anchor: Checkpoint | null
  readonly failure: VerificationFailure | null
}

const hashOf = (entry: VerifiableEntry) => hashEntryText(entry.fields, entry.detailsJson)
const hashAs = (entry: VerifiableEntry, sequence: number) =>
  hashEntryText({ ...entry.fields, sequence }, entry.detailsJson)

/**
 * Recomputes every hash and link from the newest valid pruning anchor (or the beginning), checks every checkpoint's
 * signature and that each checkpoint matches the entry it names, and reports the first problem precisely.
 * `start` begins part-way (for --since): that entry's link to its predecessor is taken on trust.
 */
export async function verifyLedger(
  source: VerificationSource,
  options: { start?: { readonly sequence: number; readonly hash: string } } = {},
): Promise<VerificationReport> {
  const valid: Checkpoint[] = []
  const failures: VerificationFailure[] = []
  for (const checkpoint of source.checkpoints) {
    if (checkpointSignatureValid(checkpoint, source.publicKeys)) valid.push(checkpoint)
    else {
      failures.push({
        kind: 'checkpoint-signature-invalid',
        sequence: checkpoint.sequence,
        message: `The ${checkpoint.kind} for entry ${checkpoint.sequence} signed at ${checkpoint.signedAt} has no valid signature by a known key (${checkpoint.keyId})`,
      })
    }
  }
  const anchor = valid.filter(c => c.kind === 'anchor').sort((a, b) => b.sequence - a.sequence)[0] ?? null
  const start = options.start ?? (anchor === null ? { sequence: 0, hash: GENESIS_HASH } : anchor)
  const checkpointsAt = new Map<number, Checkpoint[]>()
  for (const checkpoint of valid.filter(c => c.kind === 'checkpoint' && c.sequence > start.sequence)) {
    checkpointsAt.set(checkpoint.sequence, [...(checkpointsAt.get(checkpoint.sequence) ?? []), checkpoint])
  }

  let expected = start.sequence + 1
  let previousHash = start.hash
  let count = 0
  let first: number | null = null
  let walkFailure: VerificationFailure | null = null
  let currentHead: { readonly sequence: number } | undefined
  for await (const entry of source.entries(start.sequence)) {
    const { sequence } = entry.fields
    if (sequence <= start.sequence) continue
    if (source.head !== undefined && options.start === undefined && sequence > source.head.sequence) {
      // The head was read first: an entry past it that the head now covers was appended while we read, so the
      // walk stops at the snapshot. One past even the current head was never appended, and is judged below.
      currentHead ??= (await source.currentHead?.()) ?? source.head
      if (sequence <= currentHead.sequence) break
    }
    if (sequence > expected) {
      walkFailure = {
        kind: 'deleted',
        sequence: expected,
        message:
          sequence === expected + 1
            ? `Entry ${expected} is missing`
            : `Entries ${expected} to ${sequence - 1} are missing`,
      }
      break
    }
    if (sequence < expected) {
      walkFailure = { kind: 'inserted', sequence, message: `Entry ${sequence} appears more than once` }
      break
    }
    if (hashOf(entry) !== entry.hash) {
      walkFailure = await explainBadContent(source, start, sequence)
      // An entry past the head was never appended, so it cannot have been changed: it was added outside the ledger.
      if (
        walkFailure.kind === 'changed' &&
        source.head !== undefined &&
        options.start === undefined &&
        sequence > source.head.sequence
      ) {
        walkFailure = {
          kind: 'inserted',
          sequence,
          message: `Entries after ${source.head.sequence} were added outside the ledger (the head stops there)`,
        }
      }
      break
    }
    if (entry.fields.prevHash !== previousHash) {
      walkFailure =
        sequence - 1 > start.sequence
          ? {
              kind: 'changed',
              sequence: sequence - 1,
              message: `Entry ${sequence - 1} was changed: its hash is not the one entry ${sequence} recorded`,
            }
          : {
              kind: 'changed',
              sequence,
              message: `Entry ${sequence} does not link to the ${anchor === null ? 'start of the ledger' : 'pruning anchor'}`,
            }
      break
    }
    const signed = checkpointsAt.get(sequence)?.find(checkpoint => checkpoint.hash !== entry.hash)
    if (signed !== undefined) {
      walkFailure = {
        kind: 'checkpoint-inconsistent',
        sequence,
        message: `Entry ${sequence} does not match the checkpoint signed at ${signed.signedAt}: it, or the entries before it, were rewritten and rehashed`,
      }
      break
    }
    previousHash = entry.hash
    first ??= sequence
    expected = sequence + 1
    count += 1
  }
  const last = count === 0 ? null : expected - 1

  if (walkFailure === null) {
    const end = last ?? start.sequence
    const beyond = [...checkpointsAt.values()]
      .flat()
      .filter(c => c.sequence > end)
      .sort((a, b) => b.sequence - a.sequence)[0]
    if (beyond !== undefined) {
      walkFailure = {
        kind: 'deleted',
        sequence: end + 1,
        message: `The ledger ends at entry ${end}, but the checkpoint signed at ${beyond.signedAt} covers entries up to ${beyond.sequence}`,
      }
    } else if (source.head !== undefined && options.start === undefined) {
      if (source.head.sequence > end) {
        walkFailure = {
          kind: 'deleted',
          sequence: end + 1,
          message: `The ledger ends at entry ${end}, but its head says ${source.head.sequence} entries were appended`,
        }
      } else if (source.head.sequence < end) {
        walkFailure = {
          kind: 'inserted',
          sequence: source.head.sequence + 1,
          message: `Entries after ${source.head.sequence} were added outside the ledger (the head stops there)`,
        }
      } else if (source.head.hash !== previousHash) {
        walkFailure = {
          kind: 'changed',
          sequence: end,
          message: `Entry ${end} was changed: its hash is not the one the ledger head recorded`,
        }
      }
    }
  }
  if (walkFailure !== null) failures.push(walkFailure)
  const failure = failures.sort((a, b) => a.sequence - b.sequence)[0] ?? null
  const lastCheckpoint = valid.filter(c => c.kind === 'checkpoint').sort((a, b) => b.sequence - a.sequence)[0] ?? null
  return {
    ok: failure === null,
    entries: count,
    firstSequence: first,
    lastSequence: last,
    lastCheckpoint,
    anchor,
    failure,
  }
}

/**
 * Entry `sequence` does not hash to its stored hash. Tell a changed entry from one moved by an insertion, a
 * deletion with renumbering or a swap: a moved entry still hashes correctly under the sequence it was written at,
 * which its link (the hash of its original predecessor) gives away.
 */
async function explainBadContent(
  source: VerificationSource,
  start: { readonly sequence: number; readonly hash: string },
  sequence: number,
): Promise<VerificationFailure> {
  const sequenceOfHash = new Map<string, number>([[start.hash, start.sequence]])
  const around = new Map<number, VerifiableEntry>()
  for await (const entry of source.entries(start.sequence)) {
    sequenceOfHash.set(entry.hash, entry.fields.sequence)
    if (Math.abs(entry.fields.sequence - sequence) <= 1) around.set(entry.fields.sequence, entry)
  }
  const entry = around.get(sequence)
  const next = around.get(sequence + 1)
  const predecessor = entry === undefined ? undefined : sequenceOfHash.get(entry.fields.prevHash)
  // Where it was written: after its predecessor, if that is still there and unmoved; else one place either side
  // (its predecessor was deleted, or swapped with it). Only a hash that matches confirms a candidate.
  const written =
    entry === undefined
      ? undefined
      : [predecessor === undefined ? undefined : predecessor + 1, sequence - 1, sequence + 1].find(
          candidate => candidate !== undefined && candidate !== sequence && hashAs(entry, candidate) === entry.hash,
        )
  if (entry !== undefined && written !== undefined) {
    if (written === sequence - 1) {
      return {
        kind: 'inserted',
        sequence: sequence - 1,
        message: `Entry ${sequence - 1} was inserted: the entries from it on were renumbered to make room`,
      }
    }
    if (written === sequence + 1 && !(next !== undefined && hashAs(next, sequence) === next.hash)) {
      return {
        kind: 'deleted',
        sequence,
        message: `Entry ${sequence} was deleted and the entries after it renumbered`,
      }
    }
    return {
      kind: 'reordered',
      sequence,
      message: `Entry ${sequence} is out of order: it was written as entry ${written}`,
    }
  }
  if (next !== undefined && hashOf(next) !== next.hash && hashAs(next, sequence) === next.hash) {
    return {
      kind: 'inserted',
      sequence,
      message: `Entry ${sequence} was inserted: the entries after it were renumbered to make room`,
    }
  }
  return {
    kind: 'changed',
    sequence,
    message: `Entry ${sequence} was changed: its content no longer matches its hash`,
  }
}
