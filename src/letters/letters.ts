import { randomUUID } from 'node:crypto'
import type { Kysely, Transaction } from 'kysely'
import type { Catalogue } from '../catalogue/catalogue.ts'
import type { Database, LetterEventsTable } from '../platform/db/schema.ts'
import { isUniqueViolation } from '../platform/db/unique.ts'
import { invalidField, notFound } from '../platform/errors.ts'
import { recordAuditEvent } from '../audit/record.ts'
import { planStages } from '../deadlines/stages.ts'
import { contractToAddress, reachableSupplier, requireSignatory, type SupplierCaller } from '../suppliers/register.ts'
import { findContract, type SupplierRow } from '../suppliers/store.ts'
import { renderDeclarationPdf, type SignedDeclaration } from './pdf.ts'
import { distributionFor, letterHash, renderSecurityAspectsLetter, type LetterVariables } from './render.ts'
import {
  completeLetterStages,
  findLetter,
  insertLetter,
  insertLetterEvent,
  insertStages,
  latestForContract,
  markSuperseded,
  supersededBy,
  type LetterRow,
} from './store.ts'

/** What letter operations need. */
export interface LetterDeps {
  readonly db: Kysely<Database>
  readonly now: () => Date
  readonly catalogue: Catalogue
}

/** The three stages of a Security Aspects Letter, as the deadline engine plans them. */
export const LETTER_STAGES = {
  acknowledge: 'acknowledge-receipt',
  confirm: 'confirm-personnel-briefed',
  subcontractors: 'copy-subcontractor-sals',
} as const

/** What `completed_by` says of a stage closed because its letter was revised. */
export const SUPERSEDED = 'superseded'

/** The refusal when the supplier's profile has no long legal name: the letter is addressed to that entity. */
export const NO_LEGAL_NAME =
  'Record the supplier’s long legal name in its profile before issuing a Security Aspects Letter'
const ALREADY_ISSUED =
  'This contract already has a Security Aspects Letter. Issue a revised one from that letter’s page'

/** The variables a letter for this supplier and contract is filled in with today. */
export function letterVariables(supplier: SupplierRow, contractReference: string, issuedOn: Date): LetterVariables {
  const { profile } = supplier
  return {
    longLegalName: profile?.legal_name ?? null,
    shortName: profile?.short_name ?? null,
    securityDirector: profile?.security_director_name ?? null,
    contractReference,
    date: issuedOn.toISOString().slice(0, 10),
  }
}

/** Renders, stores and opens the stages of one version of a contract's letter, with its one ledger entry. */
async function storeLetter(
  deps: LetterDeps,
  trx: Transaction<Database>,
  props: {
    caller: SupplierCaller
    supplier: SupplierRow
    contract: { id: string; reference: string }
    version: number
    supersedes: LetterRow | null
    note: string | null
    now: Date
  },
): Promise<string> {
  const { caller, supplier, contract, now } = props
  const variables = letterVariables(supplier, contract.reference, now)
  if (variables.longLegalName === null) throw invalidField('', NO_LEGAL_NAME)
  const { body } = renderSecurityAspectsLetter(variables, deps.catalogue)
  const id = randomUUID()
  const bodySha256 = letterHash(body)
  await insertLetter(trx, {
    id,
    organisation_id: supplier.id,
    contract_id: contract.id,
    kind: 'security-aspects-letter',
    version: props.version,
    supersedes_id: props.supersedes?.id ?? null,
    issued_at: now.toISOString(),
    issued_by: caller.user.id,
    variables: JSON.stringify(variables),
    body,
    body_sha256: bodySha256,
    revision_note: props.note,
    distribution: JSON.stringify(distributionFor(variables.shortName ?? variables.longLegalName)),
    status: 'issued',
  })
  // Guidance, Security Aspects Letters: acknowledge, confirm and copy subcontractors' SALs, each within the
  // catalogue's period from issue.
  const stages = planStages('security-aspects-letter', now, deps.catalogue)
  await insertStages(trx, { letterId: id, organisationId: supplier.id, stages, now })
  await recordAuditEvent(
    trx,
    {
      actor: caller.actor,
      action: props.supersedes === null ? 'letter.sal.issued' : 'letter.sal.revised',
      outcome: 'success',
      target: { type: 'letter', id },
      ip: caller.ip,
      requestId: caller.requestId,
      details: {
        supplierId: supplier.id,
        contractReference: contract.reference,
        version: props.version,
        bodySha256,
        stages: Object.fromEntries(stages.map(stage => [stage.stageKey, stage.dueAt.toISOString()])),
        ...(props.supersedes === null ? {} : { supersedes: props.supersedes.id, note: props.note }),
      },
    },
    now,
  )
  return id
}

const conflictOr = (message: string) => (error: unknown) => {
  throw isUniqueViolation(error) ? invalidField('contractId', message) : error
}

/**
 * Issues the first Security Aspects Letter for one of a supplier's contracts: the guidance's template filled in from
 * the register, stored with its SHA-256, and its three stages opened. Refused when the profile has no legal name.
 */
export async function issueSecurityAspectsLetter(
  deps: LetterDeps,
  props: { caller: SupplierCaller; supplierId: string; contractId: string },
): Promise<string> {
  const { caller } = props
  const { supplier, contract } = await contractToAddress(deps, props, NO_LEGAL_NAME)
  const now = deps.now()
  return deps.db
    .transaction()
    .execute(async trx => {
      if ((await latestForContract(trx, contract.id)) !== undefined) throw invalidField('contractId', ALREADY_ISSUED)
      return storeLetter(deps, trx, { caller, supplier, contract, version: 1, supersedes: null, note: null, now })
    })
    .catch(conflictOr(ALREADY_ISSUED))
}

/** A supplier's letter the caller may reach, or not found. */
async function reachableLetter(
  deps: LetterDeps,
  props: {
    caller: SupplierCaller
    supplierId: string
    letterId: string
    permission: 'issue-letters' | 'respond-to-letters'
  },
): Promise<{ supplier: SupplierRow; letter: LetterRow }> {
  const supplier = await reachableSupplier(deps, props)
  const letter = await findLetter(deps.db, supplier.id, props.letterId)
  if (letter === undefined) throw notFound('That letter')
  return { supplier, letter }
}

async function notSuperseded(deps: LetterDeps, letter: LetterRow, what: string): Promise<void> {
  if (letter.status === 'issued') return
  const newer = await supersededBy(deps.db, letter.id)
  throw invalidField(
    '',
    `This letter was superseded by version ${newer?.version ?? letter.version + 1}: ${what} that one`,
  )
}

/**
 * Issues a revised letter (guidance: "The Authority reserves the right to issue a revised SAL at any time") with a
 * note of what changed. The old letter is superseded and its open stages are closed as superseded, so nobody is
 * chased, escalated or marked in breach over a letter no longer in force; the revised letter's clocks start again
 * from its own issue, since it is what the supplier must now acknowledge and confirm.
 */
export async function reviseSecurityAspectsLetter(
  deps: LetterDeps,
  props: { caller: SupplierCaller; supplierId: string; letterId: string; note: string },
): Promise<string> {
  const { caller } = props
  const { supplier, letter } = await reachableLetter(deps, { ...props, permission: 'issue-letters' })
  await notSuperseded(deps, letter, 'revise')
  const contract = await findContract(deps.db, supplier.id, letter.contract_id)
  if (contract === undefined) throw notFound('That contract')
  const now = deps.now()
  const stale = invalidField('', 'Someone revised this letter at the same time. Revise the current version instead')
  return deps.db
    .transaction()
    .execute(async trx => {
      if (!(await markSuperseded(trx, letter.id))) throw stale
      await completeLetterStages(trx, { letterId: letter.id, completedBy: SUPERSEDED, now })
      return storeLetter(deps, trx, {
        caller,
        supplier,
        contract,
        version: letter.version + 1,
        supersedes: letter,
        note: props.note,
        now,
      })
    })
    .catch(error => {
      throw isUniqueViolation(error) ? stale : error
    })
}

/** Records one of the supplier's stages for a letter: its details, the stage done, one ledger entry. */
async function recordStage(
  deps: LetterDeps,
  props: {
    caller: SupplierCaller
    letter: LetterRow
    stageKey: string
    action: string
    details: Record<string, unknown>
  },
): Promise<{ recorded: boolean }> {
  const { caller, letter } = props
  const now = deps.now()
  return deps.db.transaction().execute(async trx => {
    const recorded = await insertLetterEvent(trx, {
      letter_id: letter.id,
      stage_key: props.stageKey,
      recorded_at: now.toISOString(),
      recorded_by: caller.user.id,
      details: JSON.stringify(props.details),
    })
    // Done once: a second submission (a double click, two people) changes nothing and records nothing more.
    if (!recorded) return { recorded: false }
    await completeLetterStages(trx, { letterId: letter.id, stageKey: props.stageKey, completedBy: caller.user.id, now })
    await recordAuditEvent(
      trx,
      {
        actor: caller.actor,
        action: props.action,
        outcome: 'success',
        target: { type: 'letter', id: letter.id },
        ip: caller.ip,
        requestId: caller.requestId,
        details: { supplierId: letter.organisation_id, version: letter.version, ...props.details },
      },
      now,
    )
    return { recorded: true }
  })
}

/** The supplier acknowledges receipt and acceptance of a letter (guidance: "acknowledge receipt of this letter"). */
export async function acknowledgeLetter(
  deps: LetterDeps,
  props: { caller: SupplierCaller; supplierId: string; letterId: string },
): Promise<{ recorded: boolean }> {
  const { letter } = await reachableLetter(deps, { ...props, permission: 'respond-to-letters' })
  await notSuperseded(deps, letter, 'acknowledge')
  return recordStage(deps, {
    caller: props.caller,
    letter,
    stageKey: LETTER_STAGES.acknowledge,
    action: 'letter.sal.acknowledged',
    details: {},
  })
}

/** The refusal when someone other than the signatory tries to sign the declaration. */
export const SIGNATORY_ONLY = 'Only the supplier’s signatory can sign the Security Aspects Letter declaration'

/**
 * The signatory signs the supplier declaration: the letter "brought to the attention of the individuals and
 * organisations directly responsible ... the required security controls can and will be taken". Only a
 * supplier-signatory may; the route asks for a fresh second factor first. Records who signed, their position, when,
 * the clause values and the SHA-256 of the signed declaration's PDF, in the letter's record and in the ledger.
 */
export async function confirmLetter(
  deps: LetterDeps,
  props: { caller: SupplierCaller; supplierId: string; letterId: string; position: string },
): Promise<{ recorded: boolean; declarationSha256?: string }> {
  const { caller } = props
  const { letter } = await reachableLetter(deps, { ...props, permission: 'respond-to-letters' })
  requireSignatory(caller.user, SIGNATORY_ONLY)
  await notSuperseded(deps, letter, 'confirm')
  const contract = await findContract(deps.db, letter.organisation_id, letter.contract_id)
  if (contract === undefined) throw notFound('That contract')
  const declaration: SignedDeclaration = {
    signerId: caller.user.id,
    signerName: caller.user.displayName,
    position: props.position,
    signedAt: deps.now().toISOString(),
    marking: contract.classification,
    clauses: JSON.parse(letter.variables) as LetterVariables,
  }
  // The signed declaration's PDF is rendered from exactly these stored values, so its hash, kept with them and in
  // the ledger, lets anyone re-render it later and check the copy they hold.
  const { sha256 } = await renderDeclarationPdf(letter, declaration)
  const outcome = await recordStage(deps, {
    caller,
    letter,
    stageKey: LETTER_STAGES.confirm,
    action: 'letter.sal.confirmed',
    details: { ...declaration, letterSha256: letter.body_sha256, declarationSha256: sha256 },
  })
  return outcome.recorded ? { ...outcome, declarationSha256: sha256 } : outcome
}

/** The signed declaration stored for a letter, with the hash of its PDF; undefined while it is unsigned. */
export function storedDeclaration(
  events: readonly LetterEventsTable[],
): (SignedDeclaration & { declarationSha256: string }) | undefined {
  const event = events.find(e => e.stage_key === LETTER_STAGES.confirm)
  if (event === undefined) return undefined
  const details = JSON.parse(event.details) as Partial<SignedDeclaration & { declarationSha256: string }>
  // Declarations signed before PDFs were rendered have no hash or marking: there is no PDF to re-render for them.
  if (typeof details.declarationSha256 !== 'string' || details.marking === undefined) return undefined
  return details as SignedDeclaration & { declarationSha256: string }
}

/**
 * Records that every subcontractor on the contract was given a SAL in similar form and acknowledged it, and that the
 * Authority has the copies (guidance: "provide a SAL in similar form to all subcontractors, obtain their
 * acknowledgement and provide a copy to the Authority"). Every subcontractor must be accounted for.
 */
export async function recordSubcontractorCopies(
  deps: LetterDeps,
  props: { caller: SupplierCaller; supplierId: string; letterId: string; subcontractors: readonly string[] },
): Promise<{ recorded: boolean }> {
  const { letter } = await reachableLetter(deps, { ...props, permission: 'respond-to-letters' })
  await notSuperseded(deps, letter, 'record copies for')
  const contract = await findContract(deps.db, letter.organisation_id, letter.contract_id)
  if (contract === undefined) throw notFound('That contract')
  const expected = JSON.parse(contract.subcontractors) as string[]
  const missing = expected.filter(name => !props.subcontractors.includes(name))
  if (missing.length > 0 || props.subcontractors.some(name => !expected.includes(name)))
    throw invalidField('subcontractors', 'Select every subcontractor once each has acknowledged its copy of the SAL')
  return recordStage(deps, {
    caller: props.caller,
    letter,
    stageKey: LETTER_STAGES.subcontractors,
    action: 'letter.sal.subcontractor_copies_recorded',
    details: { subcontractors: expected },
  })
}
