import { createHash } from 'node:crypto'
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { finished } from 'node:stream/promises'
import { once } from 'node:events'
import { z } from 'zod'
import { canonicalJson } from '../platform/crypto/canonical-json.ts'
import { AssureError } from '../platform/errors.ts'
import type { LedgerEntry } from './entry.ts'
import { signCheckpoint, type LedgerDeps } from './ledger.ts'
import { publicKeysFromPem, type Checkpoint } from './signing.ts'
import { allCheckpoints, entryFromRow, ledgerHead, linkFrom, rowsAfter } from './store.ts'
import {
  verifyLedger,
  type VerifiableEntry,
  type VerificationFailure,
  type VerificationReport,
  type VerificationSource,
} from './verify.ts'

/** The files of an export folder. */
export const EXPORT_FILES = {
  manifest: 'manifest.json',
  entries: 'entries.ndjson',
  checkpoints: 'checkpoints.json',
  publicKey: 'public-key.pem',
} as const

const FORMAT = 'assure.audit.export.v1'

const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits')

const ManifestSchema = z.strictObject({
  format: z.literal(FORMAT),
  exportedAt: z.iso.datetime(),
  since: z.iso.datetime().nullable(),
  /** The link the first exported entry makes, taken on trust when the export does not start at the beginning. */
  start: z.strictObject({ sequence: z.number().int().nonnegative(), hash: Sha256Hex }),
  entries: z.number().int().nonnegative(),
  lastSequence: z.number().int().nonnegative(),
  keyId: z.string().min(1),
  entriesSha256: Sha256Hex,
})
export type ExportManifest = z.infer<typeof ManifestSchema>

const EntrySchema = z.strictObject({
  sequence: z.number().int().positive(),
  at: z.string(),
  actorType: z.enum(['user', 'token', 'system', 'anonymous']),
  actorId: z.string().nullable(),
  userId: z.string().nullable(),
  organisationId: z.string().nullable(),
  sessionRef: z.string().nullable(),
  ip: z.string().nullable(),
  action: z.string(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  outcome: z.enum(['success', 'failure', 'denied']),
  reason: z.string().nullable(),
  requestId: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  prevHash: z.string(),
  hash: z.string(),
})

const CheckpointSchema = z.strictObject({
  id: z.string(),
  kind: z.enum(['checkpoint', 'anchor']),
  sequence: z.number().int().nonnegative(),
  hash: z.string(),
  signedAt: z.string(),
  keyId: z.string(),
  signature: z.string(),
})

/**
 * Writes the ledger (from `since`, when given) to a folder an auditor can verify elsewhere with the public key alone:
 * the entries as NDJSON, every checkpoint and anchor, the public key and a manifest. The head is signed first, so
 * the copy ends at a signed checkpoint and an entry cut from its end shows.
 */
export async function exportLedger(
  deps: LedgerDeps,
  options: { readonly dir: string; readonly since?: string | undefined },
): Promise<ExportManifest> {
  mkdirSync(options.dir, { recursive: true })
  const clash = readdirSync(options.dir).filter(name => (Object.values(EXPORT_FILES) as string[]).includes(name))
  if (clash.length > 0) {
    throw new AssureError(
      'CONFLICT',
      `${options.dir} already holds an export (${clash.join(', ')}); choose an empty folder`,
    )
  }
  await signCheckpoint(deps)
  // Without --since the export starts where the store does: the beginning, or the newest pruning anchor.
  const start = (await linkFrom(deps.db, options.since ?? '')) ?? (await ledgerHead(deps.db))

  const digest = createHash('sha256')
  const out = createWriteStream(path.join(options.dir, EXPORT_FILES.entries), { flags: 'wx' })
  let count = 0
  let lastSequence = start.sequence
  for await (const row of rowsAfter(deps.db, start.sequence)) {
    const line = `${JSON.stringify(entryFromRow(row))}\n`
    digest.update(line)
    if (!out.write(line)) await once(out, 'drain')
    count += 1
    lastSequence = Number(row.sequence)
  }
  out.end()
  await finished(out)

  const checkpoints = await allCheckpoints(deps.db)
  writeFileSync(path.join(options.dir, EXPORT_FILES.checkpoints), `${JSON.stringify(checkpoints, null, 2)}\n`, {
    flag: 'wx',
  })
  writeFileSync(path.join(options.dir, EXPORT_FILES.publicKey), deps.signingKey.publicKeyPem, { flag: 'wx' })
  const manifest: ExportManifest = {
    format: FORMAT,
    exportedAt: deps.now().toISOString(),
    since: options.since ?? null,
    start,
    entries: count,
    lastSequence,
    keyId: deps.signingKey.id,
    entriesSha256: digest.digest('hex'),
  }
  writeFileSync(path.join(options.dir, EXPORT_FILES.manifest), `${JSON.stringify(manifest, null, 2)}\n`, { flag: 'wx' })
  return manifest
}

function readJson(file: string): unknown {
  if (!existsSync(file)) throw new AssureError('NOT_FOUND', `${file} is missing: is this an Assure ledger export?`)
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as unknown
  } catch {
    throw new AssureError('VALIDATION_FAILED', `${file} is not valid JSON`)
  }
}

function parsed<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const result = schema.safeParse(value)
  if (!result.success) {
    const issue = result.error.issues[0]
    const at = issue === undefined || issue.path.length === 0 ? '' : ` (${issue.path.join('.')})`
    throw new AssureError(
      'VALIDATION_FAILED',
      `${where} is not what an Assure export holds${at}: ${issue?.message ?? 'invalid'}`,
    )
  }
  return result.data
}

/**
 * An export folder as a verification source, keyed to the public key the verifier trusts (never the key shipped in
 * the folder: anyone who could rewrite the entries could replace that too). Needs no database and no secrets.
 */
export function exportSource(
  dir: string,
  publicKeyPem: string,
): { manifest: ExportManifest; source: VerificationSource } {
  const manifest = parsed(ManifestSchema, readJson(path.join(dir, EXPORT_FILES.manifest)), EXPORT_FILES.manifest)
  const checkpoints: Checkpoint[] = parsed(
    z.array(CheckpointSchema),
    readJson(path.join(dir, EXPORT_FILES.checkpoints)),
    EXPORT_FILES.checkpoints,
  )
  const publicKeys = publicKeysFromPem(publicKeyPem)
  if (publicKeys.size === 0) throw new AssureError('VALIDATION_FAILED', 'The public key file holds no PEM public key')
  const entriesFile = path.join(dir, EXPORT_FILES.entries)
  if (!existsSync(entriesFile))
    throw new AssureError('NOT_FOUND', `${entriesFile} is missing: is this an Assure ledger export?`)
  return {
    manifest,
    source: {
      checkpoints,
      publicKeys,
      entries: after => exportedEntries(entriesFile, after),
    },
  }
}

async function* exportedEntries(file: string, after: number): AsyncGenerator<VerifiableEntry> {
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity })
  let lineNumber = 0
  for await (const line of lines) {
    lineNumber += 1
    if (line.trim() === '') continue
    let value: unknown
    try {
      value = JSON.parse(line) as unknown
    } catch {
      throw new AssureError('VALIDATION_FAILED', `Line ${lineNumber} of ${EXPORT_FILES.entries} is not valid JSON`)
    }
    const entry: LedgerEntry = parsed(EntrySchema, value, `Line ${lineNumber} of ${EXPORT_FILES.entries}`)
    if (entry.sequence <= after) continue
    const { details, hash, ...fields } = entry
    yield { fields, detailsJson: canonicalJson(details), hash }
  }
}

async function fileSha256(file: string): Promise<string> {
  const digest = createHash('sha256')
  for await (const chunk of createReadStream(file)) digest.update(chunk as Buffer)
  return digest.digest('hex')
}

/**
 * Verifies an export folder with a trusted public key: every hash and link from the beginning (or the newest signed
 * pruning anchor; for a `--since` export, from its first entry's link, taken on trust), every checkpoint signature,
 * and that the entries reach as far as the manifest and the signed checkpoints say.
 */
export async function verifyExport(
  dir: string,
  publicKeyPem: string,
): Promise<VerificationReport & { manifest: ExportManifest }> {
  const { manifest, source } = exportSource(dir, publicKeyPem)
  const report = await verifyLedger(source, manifest.since === null ? {} : { start: manifest.start })
  if (report.failure !== null) return { ...report, manifest }
  const end = report.lastSequence ?? manifest.start.sequence
  let failure: VerificationFailure | null = null
  if (end < manifest.lastSequence) {
    failure = {
      kind: 'deleted',
      sequence: end + 1,
      message: `The export ends at entry ${end}, but its manifest says it runs to ${manifest.lastSequence}`,
    }
  } else if (end > manifest.lastSequence) {
    failure = {
      kind: 'inserted',
      sequence: manifest.lastSequence + 1,
      message: `Entries after ${manifest.lastSequence} were added to the export after it was written`,
    }
  } else if ((await fileSha256(path.join(dir, EXPORT_FILES.entries))) !== manifest.entriesSha256) {
    // Every entry still verifies, so the bytes changed without changing any entry (spacing, say): worth saying.
    failure = {
      kind: 'changed',
      sequence: end,
      message: `${EXPORT_FILES.entries} differs from the file the manifest describes, though every entry verifies`,
    }
  }
  return failure === null ? { ...report, manifest } : { ...report, ok: false, failure, manifest }
}
