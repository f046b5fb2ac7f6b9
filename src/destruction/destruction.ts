import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Catalogue } from '../catalogue/catalogue.ts'
import type { Database } from '../platform/db/schema.ts'
import { isUniqueViolation } from '../platform/db/unique.ts'
import { AssureError, invalidField, notFound, type Problem } from '../platform/errors.ts'
import type { Mailer } from '../platform/mail/mailer.ts'
import { alertPeople, authorityPeople } from '../notifications/alerts.ts'
import { paths } from '../paths.ts'
import { renderPdf } from '../platform/pdf/pdf.ts'
import { recordAuditEvent } from '../audit/record.ts'
import { planStages, plannedStage, type StagePlan } from '../deadlines/stages.ts'
import { contractToAddress, reachableSupplier, requireSignatory, type SupplierCaller } from '../suppliers/register.ts'
import type { SupplierRow } from '../suppliers/store.ts'
import type { RolePermission } from '../identity/policy.ts'
import { returnFormatProblem, clauseField, dateField, type DecisionInput, type FailureReport } from './forms.ts'
import {
  declarationText,
  endOfDay,
  renderDestructionLetter,
  textHash,
  type ClauseDecision,
  type DestructionLetterVariables,
} from './render.ts'
import { DECLARATION_CLAUSES, type ClauseId } from './templates/destruction-letter.ts'
import {
  DESTRUCTION_SUBJECT,
  completeInstructionStage,
  findDeclaration,
  findInstruction,
  insertDataReturn,
  insertDeclaration,
  insertFailure,
  insertInstruction,
  insertStages,
  instructionForContract,
  type InstructionRow,
} from './store.ts'

/** What the destruction operations need. */
export interface DestructionDeps {
  readonly db: Kysely<Database>
  readonly now: () => Date
  readonly catalogue: Catalogue
  readonly mailer: Mailer
  readonly publicUrl: string
}

/** The stages an instruction opens when issued. */
export const INSTRUCTION_STAGES = {
  returnData: 'return-data',
  declaration: 'sign-destruction-declaration',
} as const

/** The stage keys a signatory's promised dates open, one per dated clause. */
export const PROMISED_STAGE_KEYS: readonly string[] = DECLARATION_CLAUSES.flatMap(clause =>
  clause.date === null ? [] : [clause.date.stageKey],
)

/** The refusal when the supplier's profile has no long legal name: the letter is addressed to that entity. */
export const NO_LEGAL_NAME =
  'Record the supplier’s long legal name in its profile before issuing a data destruction instruction'
/** The refusal of a second instruction for a contract. */
export const ALREADY_ISSUED = 'This contract already has a data destruction instruction'
/** The refusal when someone other than the signatory tries to sign the declaration. */
export const SIGNATORY_ONLY = 'Only the supplier’s signatory can sign the data destruction declaration'
/** The refusal of a second signature. */
export const ALREADY_SIGNED = 'The data destruction declaration has already been signed'

/** The instant a contract ends: the end of its end date (UTC). */
export const contractEndsAt = (endDate: string): Date => endOfDay(endDate)

/** The variables an instruction for this supplier and contract is filled in with today. */
export function instructionVariables(
  supplier: SupplierRow,
  contract: { reference: string; end_date: string },
  issuedOn: Date,
  catalogue: Catalogue,
): DestructionLetterVariables {
  const [returnStage] = planStages('data-return', contractEndsAt(contract.end_date), catalogue)
  const { profile } = supplier
  return {
    longLegalName: profile?.legal_name ?? null,
    shortName: profile?.short_name ?? null,
    securityDirector: profile?.security_director_name ?? null,
    contractReference: contract.reference,
    date: issuedOn.toISOString().slice(0, 10),
    contractEndDate: contract.end_date,
    dataReturnDueDate: (returnStage?.dueAt ?? contractEndsAt(contract.end_date)).toISOString().slice(0, 10),
  }
}

/**
 * The stages an instruction opens: returning the data (the catalogue's data-return period from the contract's end),
 * and the signed declaration, due with it. Guidance, short format clause: "return all Authority Data ... within 30
 * (thirty) calendar days of the end of the contract"; the letter: "Please sign the declaration below and return this
 * letter". The guidance sets no separate period for the declaration, so it is due when the data is.
 */
export function instructionStages(contractEndDate: string, now: Date, catalogue: Catalogue): StagePlan[] {
  const returnStages = planStages('data-return', contractEndsAt(contractEndDate), catalogue)
  const dueAt = returnStages[0]?.dueAt ?? contractEndsAt(contractEndDate)
  return [
    ...returnStages,
    plannedStage({
      stageKey: INSTRUCTION_STAGES.declaration,
      title: 'Sign and return the data destruction declaration',
      startsAt: now,
      dueAt,
      responsible: 'supplier-signatory',
    }),
  ]
}

/**
 * The Authority issues the data destruction instruction and confirmation letter for one of a supplier's contracts:
 * the guidance's letter filled in from the register, stored with its SHA-256, with the data-return and declaration
 * stages opened and one ledger entry, all in one transaction. One instruction per contract.
 */
export async function issueDestructionInstruction(
  deps: DestructionDeps,
  props: { caller: SupplierCaller; supplierId: string; contractId: string },
): Promise<string> {
  const { caller } = props
  const { supplier, contract } = await contractToAddress(deps, props, NO_LEGAL_NAME)
  const now = deps.now()
  const variables = instructionVariables(supplier, contract, now, deps.catalogue)
  const body = renderDestructionLetter(variables, deps.catalogue)
  const bodySha256 = textHash(body)
  const stages = instructionStages(contract.end_date, now, deps.catalogue)
  const id = randomUUID()
  return deps.db
    .transaction()
    .execute(async trx => {
      if ((await instructionForContract(trx, contract.id)) !== undefined)
        throw invalidField('contractId', ALREADY_ISSUED)
      await insertInstruction(trx, {
        id,
        organisation_id: supplier.id,
        contract_id: contract.id,
        issued_at: now.toISOString(),
        issued_by: caller.user.id,
        variables: JSON.stringify(variables),
        body,
        body_sha256: bodySha256,
      })
      await insertStages(trx, {
        subjectType: DESTRUCTION_SUBJECT,
        subjectId: id,
        organisationId: supplier.id,
        stages,
        now,
      })
      await recordAuditEvent(
        trx,
        {
          actor: caller.actor,
          action: 'destruction.instruction.issued',
          outcome: 'success',
          target: { type: 'destruction_instruction', id },
          ip: caller.ip,
          requestId: caller.requestId,
          details: {
            supplierId: supplier.id,
            contractReference: contract.reference,
            bodySha256,
            stages: Object.fromEntries(stages.map(stage => [stage.stageKey, stage.dueAt.toISOString()])),
          },
        },
        now,
      )
      return id
    })
    .catch((error: unknown) => {
      throw isUniqueViolation(error) ? invalidField('contractId', ALREADY_ISSUED) : error
    })
}

/** A supplier's instruction the caller may reach with `permission`, or not found. */
export async function reachableInstruction(
  deps: Pick<DestructionDeps, 'db' | 'now'>,
  props: { caller: SupplierCaller; supplierId: string; instructionId: string; permission: RolePermission },
): Promise<{ supplier: SupplierRow; instruction: InstructionRow }> {
  const supplier = await reachableSupplier(deps, props)
  const instruction = await findInstruction(deps.db, supplier.id, props.instructionId)
  if (instruction === undefined) throw notFound('That data destruction instruction')
  return { supplier, instruction }
}

/**
 * The declaration's rules: every clause decided once (the first may not be struck: a supplier that cannot confirm
 * destruction reports it as failed instead), and every date a clause that applies asks for present and not before
 * `today` (YYYY-MM-DD). Problems are keyed by the form's fields.
 */
export function declarationProblems(decisions: readonly DecisionInput[], today: string): Problem[] {
  const problems: Problem[] = []
  for (const extra of decisions.filter(d => !DECLARATION_CLAUSES.some(clause => clause.id === d.id)))
    problems.push({ path: '', message: `The declaration has no clause ${extra.id}` })
  for (const clause of DECLARATION_CLAUSES) {
    const given = decisions.filter(d => d.id === clause.id)
    const decision = given.length === 1 ? given[0]?.decision : null
    const allowed = clause.strikable ? ['applies', 'struck'] : ['applies']
    if (decision === null || decision === undefined || !allowed.includes(decision)) {
      problems.push({
        path: clauseField(clause.id),
        message: clause.strikable
          ? `Select whether ${clause.label} applies or is struck out`
          : 'Confirm that all Ministry of Justice data has been destroyed. If it has not, report failed or incomplete destruction instead',
      })
      continue
    }
    if (clause.date === null || decision !== 'applies') continue
    const date = given[0]?.date ?? null
    if (date === null || !/^\d{4}-\d{2}-\d{2}$/.test(date))
      problems.push({ path: dateField(clause.id), message: `Enter the ${clause.date.label}` })
    else if (date < today)
      problems.push({
        path: dateField(clause.id),
        message: `The ${clause.date.label} must be today or in the future`,
      })
  }
  return problems
}

/** The marking the certificate carries: the contract's classification. */
const markingOf = (instruction: InstructionRow) => instruction.contract_classification.replace('-', ' ')

/**
 * The signatory signs the supplier declaration, deciding each "(Strike as applicable)" clause and entering the
 * dates the letter asks for. Only a supplier-signatory may (the route asks for a fresh second factor first). The
 * declaration is rendered as a PDF certificate; signer, position, time, clauses and the PDF's SHA-256 are stored and
 * written to the ledger, the declaration stage is done, and each promised date opens a stage due that day.
 */
export async function signDestructionDeclaration(
  deps: DestructionDeps,
  props: {
    caller: SupplierCaller
    supplierId: string
    instructionId: string
    position: string | null
    decisions: readonly DecisionInput[]
  },
): Promise<{ pdfSha256: string }> {
  const { caller } = props
  const { instruction } = await reachableInstruction(deps, { ...props, permission: 'respond-to-letters' })
  requireSignatory(caller.user, SIGNATORY_ONLY)
  if ((await findDeclaration(deps.db, instruction.id)) !== undefined) throw invalidField('', ALREADY_SIGNED)
  const now = deps.now()
  const problems = declarationProblems(props.decisions, now.toISOString().slice(0, 10))
  if (props.position === null || props.position.trim() === '')
    problems.unshift({ path: 'position', message: 'Enter your position' })
  if (problems.length > 0) throw new AssureError('VALIDATION_FAILED', 'The declaration is incomplete', { problems })
  const position = (props.position ?? '').trim()
  const clauses: ClauseDecision[] = DECLARATION_CLAUSES.map(clause => {
    const given = props.decisions.find(d => d.id === clause.id)
    const decision = given?.decision === 'struck' ? 'struck' : 'applies'
    return { id: clause.id as ClauseId, decision, date: decision === 'applies' ? (given?.date ?? null) : null }
  })
  const variables = JSON.parse(instruction.variables) as DestructionLetterVariables
  const text = declarationText({ variables, clauses, signerName: caller.user.displayName, position, signedAt: now })
  const { pdf, sha256 } = await renderPdf({
    title: `Data destruction declaration: ${instruction.contract_reference}`,
    marking: markingOf(instruction),
    paragraphs: text.paragraphs,
    fields: text.fields,
    createdAt: now,
  })
  // Guidance, Data destruction: "positive confirmation of the final date by which these systems will have completed
  // their data lifecycle tasks" — each date promised is an obligation with a clock.
  const promised = DECLARATION_CLAUSES.flatMap(clause => {
    const decided = clauses.find(c => c.id === clause.id)
    if (clause.date === null || decided?.date === null || decided?.date === undefined) return []
    return [
      plannedStage({
        stageKey: clause.date.stageKey,
        title: clause.date.stageTitle,
        startsAt: now,
        dueAt: endOfDay(decided.date),
        responsible: 'supplier-contact',
      }),
    ]
  })
  await deps.db.transaction().execute(async trx => {
    const stored = await insertDeclaration(trx, {
      instruction_id: instruction.id,
      signed_at: now.toISOString(),
      signed_by: caller.user.id,
      signer_name: caller.user.displayName,
      position,
      clauses: JSON.stringify(clauses),
      pdf: pdf.toString('base64'),
      pdf_sha256: sha256,
    })
    if (!stored) throw invalidField('', ALREADY_SIGNED)
    await completeInstructionStage(trx, {
      instructionId: instruction.id,
      stageKey: INSTRUCTION_STAGES.declaration,
      completedBy: caller.user.id,
      now,
    })
    await insertStages(trx, {
      subjectType: DESTRUCTION_SUBJECT,
      subjectId: instruction.id,
      organisationId: instruction.organisation_id,
      stages: promised,
      now,
    })
    await recordAuditEvent(
      trx,
      {
        actor: caller.actor,
        action: 'destruction.declaration.signed',
        outcome: 'success',
        target: { type: 'destruction_instruction', id: instruction.id },
        ip: caller.ip,
        requestId: caller.requestId,
        details: {
          supplierId: instruction.organisation_id,
          signerId: caller.user.id,
          signerName: caller.user.displayName,
          position,
          signedAt: now.toISOString(),
          clauses,
          pdfSha256: sha256,
          promised: Object.fromEntries(promised.map(stage => [stage.stageKey, stage.dueAt.toISOString()])),
        },
      },
      now,
    )
  })
  return { pdfSha256: sha256 }
}

/** The supplier confirms that what it promised by a date (backup systems' destruction, say) has been done. */
export async function confirmPromisedDestruction(
  deps: DestructionDeps,
  props: { caller: SupplierCaller; supplierId: string; instructionId: string; stageKey: string },
): Promise<void> {
  const { caller } = props
  const { instruction } = await reachableInstruction(deps, { ...props, permission: 'respond-to-letters' })
  if (!PROMISED_STAGE_KEYS.includes(props.stageKey)) throw notFound('That obligation')
  const now = deps.now()
  await deps.db.transaction().execute(async trx => {
    const done = await completeInstructionStage(trx, {
      instructionId: instruction.id,
      stageKey: props.stageKey,
      completedBy: caller.user.id,
      now,
    })
    if (!done) {
      const exists = await trx
        .selectFrom('deadline_stages')
        .select('id')
        .where('subject_type', '=', DESTRUCTION_SUBJECT)
        .where('subject_id', '=', instruction.id)
        .where('stage_key', '=', props.stageKey)
        .executeTakeFirst()
      if (exists === undefined) throw notFound('That obligation')
      throw invalidField('', 'That has already been confirmed as done')
    }
    await recordAuditEvent(
      trx,
      {
        actor: caller.actor,
        action: 'destruction.promise.completed',
        outcome: 'success',
        target: { type: 'destruction_instruction', id: instruction.id },
        ip: caller.ip,
        requestId: caller.requestId,
        details: { supplierId: instruction.organisation_id, stage: props.stageKey },
      },
      now,
    )
  })
}

/**
 * The supplier records that the Authority's data was returned, in a machine-readable non-proprietary format from the
 * list (guidance, short format clause); the data-return stage is done. Recorded once.
 */
export async function recordDataReturn(
  deps: DestructionDeps,
  props: { caller: SupplierCaller; supplierId: string; instructionId: string; format: string },
): Promise<void> {
  const { caller } = props
  const { instruction } = await reachableInstruction(deps, { ...props, permission: 'respond-to-letters' })
  const refused = returnFormatProblem(props.format)
  if (refused !== null) throw invalidField(refused.path, refused.message)
  const format = props.format.trim().toLowerCase()
  const now = deps.now()
  await deps.db.transaction().execute(async trx => {
    const stored = await insertDataReturn(trx, {
      instruction_id: instruction.id,
      format,
      recorded_at: now.toISOString(),
      recorded_by: caller.user.id,
    })
    if (!stored) throw invalidField('format', 'The data return has already been recorded')
    await completeInstructionStage(trx, {
      instructionId: instruction.id,
      stageKey: INSTRUCTION_STAGES.returnData,
      completedBy: caller.user.id,
      now,
    })
    await recordAuditEvent(
      trx,
      {
        actor: caller.actor,
        action: 'destruction.data.returned',
        outcome: 'success',
        target: { type: 'destruction_instruction', id: instruction.id },
        ip: caller.ip,
        requestId: caller.requestId,
        details: { supplierId: instruction.organisation_id, format },
      },
      now,
    )
  })
}

/**
 * The supplier reports unsuccessful or incomplete data destruction (guidance, long format clause 1f: "notify the
 * Authority within 24 (twenty-four) hours of identification"). Identified-at is what the supplier says; reported-at
 * is now; the report is late when now is past the catalogue's notification period from identification. The
 * Authority's administrators are told at once: in their notification list, committed with the report, and by email
 * after the commit, so a mail server that is down never loses the report or shows the supplier an error.
 */
export async function reportFailedDestruction(
  deps: DestructionDeps,
  props: { caller: SupplierCaller; supplierId: string; instructionId: string; report: FailureReport },
): Promise<{ id: string; late: boolean }> {
  const { caller, report } = props
  const { supplier, instruction } = await reachableInstruction(deps, { ...props, permission: 'respond-to-letters' })
  const now = deps.now()
  const identifiedAt = new Date(report.identifiedAt)
  if (Number.isNaN(identifiedAt.getTime()) || identifiedAt > now)
    throw invalidField('identified', 'The time it was identified must be in the past')
  // The deadline engine's clock for this report: the catalogue's notification period from identification.
  const [clock] = planStages('failed-destruction-report', identifiedAt, deps.catalogue)
  if (clock === undefined) throw new Error('The deadline engine planned no failed-destruction clock')
  const { dueAt } = clock
  const late = now > dueAt
  const id = randomUUID()
  const recipients = await authorityPeople(deps.db, ['authority-admin'])
  const alert = alertPeople(recipients, {
    title: `${late ? 'Late report' : 'Report'}: failed or incomplete data destruction by ${supplier.name}`,
    lines: [
      `${supplier.name} reported unsuccessful or incomplete data destruction for contract ${instruction.contract_reference}.`,
      '',
      `Identified: ${identifiedAt.toISOString()}`,
      `Reported: ${now.toISOString()}${late ? ' (later than the contract allows)' : ''}`,
    ],
    path: paths.destruction.instruction(supplier.id, instruction.id),
    source: `destruction-failure:${id}`,
  })
  await deps.db.transaction().execute(async trx => {
    await insertFailure(trx, {
      id,
      instruction_id: instruction.id,
      organisation_id: instruction.organisation_id,
      what_failed: report.whatFailed,
      identified_at: identifiedAt.toISOString(),
      reported_at: now.toISOString(),
      reported_by: caller.user.id,
      due_at: dueAt.toISOString(),
      late: late ? 1 : 0,
    })
    await alert.record(trx, now)
    await recordAuditEvent(
      trx,
      {
        actor: caller.actor,
        action: 'destruction.failure.reported',
        outcome: 'success',
        target: { type: 'destruction_failure', id },
        ip: caller.ip,
        requestId: caller.requestId,
        details: {
          supplierId: instruction.organisation_id,
          instructionId: instruction.id,
          identifiedAt: identifiedAt.toISOString(),
          dueAt: dueAt.toISOString(),
          late,
          authorityNotified: recipients.length,
        },
      },
      now,
    )
  })
  await alert.send(deps.mailer, deps.publicUrl)
  return { id, late }
}
