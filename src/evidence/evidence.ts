import { createHash, randomUUID } from 'node:crypto'
import { AssureError, notFound, type Problem } from '../platform/errors.ts'
import { sealerFor } from '../platform/crypto/sealing.ts'
import { parseMarking, type Marking } from '../platform/marking.ts'
import { recordAuditEvent } from '../audit/record.ts'
import { reachableAssessment, scopedRequirement, type AssessmentDeps } from '../assessments/assessments.ts'
import { findAnswer, findAssessment, type AssessmentRow } from '../assessments/store.ts'
import { isoDay } from '../assessments/risks.ts'
import { isRealDay } from '../assessments/forms.ts'
import type { SupplierCaller } from '../suppliers/register.ts'
import { sanitiseFileName, sniffEvidence } from './sniff.ts'
import { deleteEvidence, findEvidence, findSealedFile, insertEvidence, type EvidenceRow } from './store.ts'

/** What evidence operations need: the assessments' deps, the master key that seals files, and the size limit. */
export interface EvidenceDeps extends AssessmentDeps {
  readonly masterKey: Buffer
  /** The largest file accepted, in bytes (ASSURE_EVIDENCE_MAX_BYTES). */
  readonly maxBytes: number
}

/**
 * Evidence that expires within this many days is flagged as stale, as expired evidence is. Not a number from the
 * guidance: Assure's own choice, taken from the service's requirements, giving a supplier a month to renew evidence
 * before it lapses (and an assessor a month's sight of it).
 */
export const EXPIRY_WARNING_DAYS = 30

/** What an evidence item is: an uploaded file's name and bytes, or an https link. */
export type EvidenceSource =
  | { readonly kind: 'file'; readonly fileName: string; readonly bytes: Buffer }
  | { readonly kind: 'link'; readonly url: string }

/** Whether evidence is current, close to its expiry, or past it, on `today` (YYYY-MM-DD). */
export type Freshness = 'current' | 'expiring' | 'expired'

/** A day (YYYY-MM-DD) plus a number of days. */
const addDays = (day: string, days: number): string =>
  isoDay(new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000))

/** Whether evidence expiring on `expiresOn` is current, expiring within EXPIRY_WARNING_DAYS, or expired, on `today`. */
export function freshness(expiresOn: string, today: string): Freshness {
  if (expiresOn < today) return 'expired'
  if (expiresOn <= addDays(today, EXPIRY_WARNING_DAYS)) return 'expiring'
  return 'current'
}

const MAX_URL = 2000

/** Human file sizes for messages: "10 MB", "512 KB". */
export function describeBytes(bytes: number): string {
  if (bytes >= 1_048_576) return `${Math.round((bytes / 1_048_576) * 10) / 10} MB`
  if (bytes >= 1024) return `${Math.round((bytes / 1024) * 10) / 10} KB`
  return `${bytes} bytes`
}

/** The problem with a link, if any: it must be an absolute https:// address with a host and no credentials. */
function linkProblem(url: string): string | null {
  const message = 'Enter the link as a web address starting https://'
  if (url.length > MAX_URL) return `The link must be ${MAX_URL} characters or fewer`
  if (!/^https:\/\/[^\s]+$/i.test(url)) return message
  try {
    const parsed = new URL(url)
    if (parsed.protocol !== 'https:' || parsed.hostname === '') return message
    if (parsed.username !== '' || parsed.password !== '') return 'The link must not contain a user name or password'
    return null
  } catch {
    return message
  }
}

const conflict = (message: string) => new AssureError('CONFLICT', message)

/** Refuses changes to evidence unless the assessment is open for answering and the answer is not yet decided. */
async function assertAnswerable(
  trx: Parameters<typeof findAssessment>[0],
  assessment: AssessmentRow,
  requirementId: string,
): Promise<void> {
  const current = await findAssessment(trx, assessment.id)
  if (current?.status !== 'open')
    throw conflict('This assessment has been submitted; its evidence can change only once the assessor returns it')
  const answer = await findAnswer(trx, assessment.id, requirementId)
  if (answer?.review === 'accepted' || answer?.review === 'rejected')
    throw conflict('This answer has been reviewed and its evidence can no longer be changed')
}

const sealer = (deps: EvidenceDeps) => sealerFor(deps.masterKey, 'evidence-file')

/** What describes one evidence item, however it arrives (form, import). */
export interface EvidenceInput {
  readonly requirementId: string
  readonly source: EvidenceSource
  readonly effectiveOn: string
  readonly expiresOn: string
  /** As written: OFFICIAL, OFFICIAL-SENSITIVE, or a legacy marking (read by `parseMarking`). */
  readonly marking: string
  readonly handlingInstructions: string | null
}

/** A checked evidence item ready to store: its row, its sealed file (if any), or every problem with it. */
function prepareEvidence(
  deps: EvidenceDeps,
  props: { caller: SupplierCaller; assessment: AssessmentRow; input: EvidenceInput; now: Date },
): { row: EvidenceRow; sealed: string | null } | { problems: Problem[] } {
  const { caller, assessment, input, now } = props
  const { source } = input
  const today = isoDay(now)
  const problems: Problem[] = []
  let file: { fileName: string; mediaType: string; sha256: string } | null = null
  if (source.kind === 'file') {
    if (source.bytes.length === 0) problems.push({ path: 'file', message: 'The selected file is empty' })
    else if (source.bytes.length > deps.maxBytes)
      problems.push({ path: 'file', message: `The selected file must be ${describeBytes(deps.maxBytes)} or smaller` })
    else {
      const fileName = sanitiseFileName(source.fileName)
      const sniffed = sniffEvidence(fileName, source.bytes)
      if ('problem' in sniffed) problems.push({ path: 'file', message: sniffed.problem })
      else
        file = {
          fileName,
          mediaType: sniffed.mediaType,
          sha256: createHash('sha256').update(source.bytes).digest('hex'),
        }
    }
  } else {
    const problem = linkProblem(source.url)
    if (problem !== null) problems.push({ path: 'url', message: problem })
  }
  if (input.effectiveOn > today)
    problems.push({
      path: 'effectiveOn',
      message: 'The date the evidence is effective from must be today or in the past',
    })
  if (input.expiresOn < today)
    problems.push({ path: 'expiresOn', message: 'The expiry date must be today or in the future' })
  else if (input.expiresOn <= input.effectiveOn)
    problems.push({
      path: 'expiresOn',
      message: 'The expiry date must be after the date the evidence is effective from',
    })
  let marking: Marking | null = null
  try {
    marking = parseMarking(input.marking, { handlingInstructions: input.handlingInstructions })
  } catch (error) {
    if (!(error instanceof AssureError)) throw error
    problems.push(...error.problems)
  }
  if (problems.length > 0 || marking === null) return { problems }
  const id = randomUUID()
  const row: EvidenceRow = {
    id,
    organisation_id: assessment.organisation_id,
    assessment_id: assessment.id,
    requirement_id: input.requirementId,
    kind: source.kind,
    url: source.kind === 'link' ? source.url : null,
    file_name: file?.fileName ?? null,
    media_type: file?.mediaType ?? null,
    size_bytes: source.kind === 'file' ? source.bytes.length : null,
    sha256: file?.sha256 ?? null,
    effective_on: input.effectiveOn,
    expires_on: input.expiresOn,
    marking: marking.marking,
    handling_instructions: marking.handlingInstructions,
    legacy_marking: marking.legacy,
    added_by: caller.user.id,
    added_at: now.toISOString(),
  }
  // Sealed under the master key and bound to this item, so a copied database row opens nowhere else.
  return { row, sealed: source.kind === 'file' ? sealer(deps).seal(source.bytes, id) : null }
}

/**
 * Adds evidence to the supplier's answer to one requirement, while the assessment is open for answering: a file
 * (type checked by its bytes, SHA-256 recorded, bytes sealed) or an https link, with the day it speaks from (not in
 * the future), the day it lapses (after that, and not already past) and its marking. Legacy markings are accepted and
 * recorded as OFFICIAL with the original kept. Every problem is reported at once; nothing is saved unless all is well.
 */
export async function addEvidence(
  deps: EvidenceDeps,
  props: {
    caller: SupplierCaller
    assessmentId: string
    requirementId: string
    source: EvidenceSource
    effectiveOn: string
    expiresOn: string
    marking: string
    handlingInstructions: string | null
  },
): Promise<string> {
  const { caller, assessmentId, requirementId, source } = props
  const assessment = await reachableAssessment(deps, { caller, assessmentId, permission: 'answer-assessments' })
  scopedRequirement(deps, assessment, requirementId)
  const now = deps.now()
  const prepared = prepareEvidence(deps, { caller, assessment, input: props, now })
  if ('problems' in prepared)
    throw new AssureError('VALIDATION_FAILED', prepared.problems[0]?.message ?? 'The evidence is not valid', {
      problems: prepared.problems,
    })
  const { row, sealed } = prepared
  const { id } = row
  await deps.db.transaction().execute(async trx => {
    await assertAnswerable(trx, assessment, requirementId)
    await insertEvidence(trx, row, sealed)
    await recordAuditEvent(
      trx,
      {
        actor: caller.actor,
        action: 'evidence.added',
        outcome: 'success',
        target: { type: 'evidence', id },
        ip: caller.ip,
        requestId: caller.requestId,
        details: {
          supplierId: assessment.organisation_id,
          assessmentId,
          requirementId,
          kind: source.kind,
          ...(row.sha256 === null ? {} : { sha256: row.sha256, sizeBytes: row.size_bytes, mediaType: row.media_type }),
          marking: row.marking,
          ...(row.legacy_marking === null ? {} : { legacyMarking: row.legacy_marking }),
          effectiveOn: row.effective_on,
          expiresOn: row.expires_on,
        },
      },
      now,
    )
  })
  return id
}

/** An evidence item and its assessment, if the caller may reach it with `permission`; anything else is not found. */
async function reachableEvidence(
  deps: EvidenceDeps,
  props: { caller: SupplierCaller; evidenceId: string; permission: 'read-assessments' | 'answer-assessments' },
): Promise<{ item: EvidenceRow; assessment: AssessmentRow }> {
  const item = await findEvidence(deps.db, props.evidenceId)
  if (item === undefined) throw notFound('That evidence')
  const assessment = await reachableAssessment(deps, {
    caller: props.caller,
    assessmentId: item.assessment_id,
    permission: props.permission,
  })
  return { item, assessment }
}

/** Removes an evidence item (and its file) while the supplier is still answering; the ledger keeps what it was. */
export async function removeEvidence(
  deps: EvidenceDeps,
  props: { caller: SupplierCaller; evidenceId: string },
): Promise<EvidenceRow> {
  const { caller, evidenceId } = props
  const { item, assessment } = await reachableEvidence(deps, { caller, evidenceId, permission: 'answer-assessments' })
  const now = deps.now()
  await deps.db.transaction().execute(async trx => {
    await assertAnswerable(trx, assessment, item.requirement_id)
    await deleteEvidence(trx, evidenceId)
    await recordAuditEvent(
      trx,
      {
        actor: caller.actor,
        action: 'evidence.removed',
        outcome: 'success',
        target: { type: 'evidence', id: evidenceId },
        ip: caller.ip,
        requestId: caller.requestId,
        details: {
          supplierId: item.organisation_id,
          assessmentId: item.assessment_id,
          requirementId: item.requirement_id,
          kind: item.kind,
          ...(item.sha256 === null ? {} : { sha256: item.sha256, fileName: item.file_name }),
        },
      },
      now,
    )
  })
  return item
}

/**
 * An evidence file's original bytes, for the Authority or the supplier it belongs to (anyone else: not found). The
 * bytes are unsealed and checked against the SHA-256 recorded when they were uploaded.
 */
export async function openEvidenceFile(
  deps: EvidenceDeps,
  props: { caller: SupplierCaller; evidenceId: string },
): Promise<{ item: EvidenceRow; bytes: Buffer }> {
  const { item } = await reachableEvidence(deps, { ...props, permission: 'read-assessments' })
  const sealed = item.kind === 'file' ? await findSealedFile(deps.db, item.id) : undefined
  if (sealed === undefined) throw notFound('That evidence file')
  const bytes = sealer(deps).open(sealed, item.id)
  if (createHash('sha256').update(bytes).digest('hex') !== item.sha256)
    throw new Error(`Evidence file ${item.id} does not match its recorded SHA-256`)
  return { item, bytes }
}

/** One link of an evidence import, with the line of the file it came from. */
export interface ImportedLink {
  readonly line: number
  readonly requirementId: string
  readonly url: string
  readonly effectiveOn: string
  readonly expiresOn: string
  readonly marking: string
  readonly handlingInstructions: string | null
}

/**
 * Imports links as evidence for many answers of one open assessment at once: all of them, or (with every problem
 * named by its line) none. This is the path for material from earlier systems: legacy markings (UNCLASSIFIED,
 * PROTECT, RESTRICTED, CONFIDENTIAL) are accepted and recorded as OFFICIAL with the original kept.
 */
export async function importEvidenceLinks(
  deps: EvidenceDeps,
  props: { caller: SupplierCaller; assessmentId: string; links: readonly ImportedLink[] },
): Promise<number> {
  const { caller, assessmentId, links } = props
  const assessment = await reachableAssessment(deps, { caller, assessmentId, permission: 'answer-assessments' })
  if (links.length === 0)
    throw new AssureError('VALIDATION_FAILED', 'The selected file has no evidence in it', {
      problems: [{ path: 'file', message: 'The selected file has no evidence in it' }],
    })
  const now = deps.now()
  const problems: Problem[] = []
  const rows: EvidenceRow[] = []
  for (const link of links) {
    const at = (message: string) => problems.push({ path: 'file', message: `Line ${link.line}: ${message}` })
    try {
      scopedRequirement(deps, assessment, link.requirementId)
    } catch {
      at(`${link.requirementId || 'a blank requirement'} is not a requirement of this assessment`)
      continue
    }
    if (!isRealDay(link.effectiveOn) || !isRealDay(link.expiresOn)) {
      at('the dates must be real dates written YYYY-MM-DD, for example 2027-03-31')
      continue
    }
    const prepared = prepareEvidence(deps, {
      caller,
      assessment,
      input: { ...link, source: { kind: 'link', url: link.url } },
      now,
    })
    if ('problems' in prepared) for (const problem of prepared.problems) at(problem.message)
    else rows.push(prepared.row)
  }
  if (problems.length > 0)
    throw new AssureError('VALIDATION_FAILED', problems[0]?.message ?? 'The import is not valid', { problems })
  await deps.db.transaction().execute(async trx => {
    for (const requirementId of new Set(rows.map(r => r.requirement_id)))
      await assertAnswerable(trx, assessment, requirementId)
    for (const row of rows) await insertEvidence(trx, row, null)
    await recordAuditEvent(
      trx,
      {
        actor: caller.actor,
        action: 'evidence.imported',
        outcome: 'success',
        target: { type: 'assessment', id: assessmentId },
        ip: caller.ip,
        requestId: caller.requestId,
        details: {
          supplierId: assessment.organisation_id,
          count: rows.length,
          items: rows.map(r => ({
            id: r.id,
            requirementId: r.requirement_id,
            marking: r.marking,
            ...(r.legacy_marking === null ? {} : { legacyMarking: r.legacy_marking }),
          })),
        },
      },
      now,
    )
  })
  return rows.length
}
