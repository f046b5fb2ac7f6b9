import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { paths } from '../paths.ts'
import { AssureError, type Problem } from '../platform/errors.ts'
import { bodyOf, formErrors, orProblems, parseBody, registerFormRoutes, type FormPage } from '../platform/http/forms.ts'
import { supplierCaller } from '../suppliers/caller.ts'
import { PERMISSIONS, rolesAllow } from '../identity/policy.ts'
import type { IdentityDeps } from '../identity/deps.ts'
import { requireStepUp } from '../identity/step-up.ts'
import { stagesFor } from '../deadlines/deadlines.ts'
import { reachableSupplier, requireSignatory } from '../suppliers/register.ts'
import { listContracts, type SupplierRow } from '../suppliers/store.ts'
import {
  IssueDestructionFormSchema,
  RETURN_FORMATS,
  clauseField,
  dateField,
  parseDataReturnForm,
  parseDeclarationForm,
  parseFailureReport,
} from './forms.ts'
import {
  ALREADY_SIGNED,
  SIGNATORY_ONLY,
  confirmPromisedDestruction,
  declarationProblems,
  issueDestructionInstruction,
  reachableInstruction,
  recordDataReturn,
  reportFailedDestruction,
  signDestructionDeclaration,
  type DestructionDeps,
} from './destruction.ts'
import { presentInstruction, presentInstructionSummary } from './presenters.ts'
import { renderDestructionClauses, VARIABLE_LABELS } from './render.ts'
import {
  DESTRUCTION_SUBJECT,
  failuresFor,
  findDataReturn,
  findDeclaration,
  listInstructions,
  type InstructionRow,
} from './store.ts'
import { DECLARATION_CLAUSES } from './templates/destruction-letter.ts'

type Params = { Params: { id: string } }
type InstructionParams = { Params: { id: string; instructionId: string } }
type StageParams = { Params: { id: string; instructionId: string; stageKey: string } }
/** What an instruction's routes find first: the supplier and its instruction, once the caller may reach them. */
type Reached = { supplier: SupplierRow; instruction: InstructionRow }

/** What the destruction pages need: the operations' deps, and identity's for step-up. */
export interface DestructionRouteDeps extends DestructionDeps {
  readonly identity: IdentityDeps
}

/** The order fields appear on the declaration form, for the error summary. */
const DECLARATION_FIELDS = [
  ...DECLARATION_CLAUSES.flatMap(clause => [clauseField(clause.id), dateField(clause.id)]),
  'position',
  'declaration',
  '',
]

/** Where each declaration problem's link goes: the first input of its field. */
const DECLARATION_INPUTS: Record<string, string> = {
  form: 'position',
  ...Object.fromEntries(DECLARATION_CLAUSES.map(clause => [dateField(clause.id), `${dateField(clause.id)}-day`])),
}

/** Data destruction: instructions (Authority), the declaration, data return and failed-destruction reports (supplier). */
export function registerDestructionRoutes(app: FastifyInstance, deps: DestructionRouteDeps): void {
  const read = { config: { permission: PERMISSIONS.readSuppliers } }
  const issue = { config: { permission: PERMISSIONS.issueLetters } }
  const respond = { config: { permission: PERMISSIONS.respondToLetters } }

  const reachable = (
    request: FastifyRequest<InstructionParams>,
    permission: 'read-suppliers' | 'respond-to-letters',
  ): Promise<Reached> =>
    reachableInstruction(deps, {
      caller: supplierCaller(request),
      supplierId: request.params.id,
      instructionId: request.params.instructionId,
      permission,
    })
  const done = (supplierId: string, instructionId: string, notice: string) =>
    `${paths.destruction.instruction(supplierId, instructionId)}?done=${notice}`
  const subjectOf = (instruction: InstructionRow) => ({
    type: DESTRUCTION_SUBJECT,
    id: instruction.id,
    organisationId: instruction.organisation_id,
  })

  app.get<Params>('/suppliers/:id/destruction', read, async (request, reply) => {
    const caller = supplierCaller(request)
    const supplier = await reachableSupplier(deps, {
      caller,
      supplierId: request.params.id,
      permission: 'read-suppliers',
    })
    const clauses = renderDestructionClauses(deps.catalogue)
    const asParagraphs = (text: string) => text.split(/\n{2,}/).map(paragraph => paragraph.trim())
    return reply.page('destruction-list.njk', {
      supplier,
      instructions: (await listInstructions(deps.db, supplier.id)).map(presentInstructionSummary),
      canIssue: rolesAllow(caller.user.roles, 'issue-letters'),
      clauses: {
        shortFormat: asParagraphs(clauses.shortFormat),
        longFormat: asParagraphs(clauses.longFormat),
        longFormatAppendix: asParagraphs(clauses.longFormatAppendix),
      },
    })
  })

  // Issuing.
  const issuePage = async (
    reply: FastifyReply,
    supplier: SupplierRow,
    values: Record<string, unknown>,
    problems: Problem[],
  ) => {
    const contracts = await listContracts(deps.db, supplier.id)
    const { profile } = supplier
    return reply.page('destruction-issue.njk', {
      supplier,
      contractItems: contracts.map(c => ({
        value: c.id,
        text: `${c.reference}: ${c.title}`,
        hint: { text: `Ends ${c.end_date}` },
        checked: values.contractId === c.id,
      })),
      variables: [
        { label: VARIABLE_LABELS.longLegalName, value: profile?.legal_name ?? null },
        { label: VARIABLE_LABELS.shortName, value: profile?.short_name ?? null },
        { label: VARIABLE_LABELS.securityDirector, value: profile?.security_director_name ?? null },
      ],
      ...formErrors(problems, { form: 'contractId' }),
    })
  }
  registerFormRoutes(app, {
    path: '/suppliers/:id/destruction/new',
    options: issue,
    load: (request: FastifyRequest<Params>) =>
      reachableSupplier(deps, {
        caller: supplierCaller(request),
        supplierId: request.params.id,
        permission: 'issue-letters',
      }),
    page: issuePage,
    parse: body => parseBody(IssueDestructionFormSchema, body),
    submit: async (request, supplier, data) => {
      const instructionId = await issueDestructionInstruction(deps, {
        caller: supplierCaller(request),
        supplierId: supplier.id,
        contractId: data.contractId,
      })
      return done(supplier.id, instructionId, 'issued')
    },
  })

  // The instruction's page: the letter, its clocks, and what the supplier has done.
  const instructionPage = async (
    request: FastifyRequest<InstructionParams>,
    reply: FastifyReply,
    supplier: SupplierRow,
    instruction: InstructionRow,
    problems: Problem[] = [],
  ) => {
    const { roles } = supplierCaller(request).user
    const [stages, declaration, dataReturn, failures] = await Promise.all([
      stagesFor(deps, subjectOf(instruction)),
      findDeclaration(deps.db, instruction.id),
      findDataReturn(deps.db, instruction.id),
      failuresFor(deps.db, instruction.id),
    ])
    const canRespond = rolesAllow(roles, 'respond-to-letters')
    return reply.page('destruction-instruction.njk', {
      supplier,
      instruction: presentInstruction({ instruction, stages, declaration, dataReturn, failures }),
      canRespond,
      canSign: canRespond && roles.includes('supplier-signatory') && declaration === undefined,
      canReturn: canRespond && dataReturn === undefined,
      notice: (request.query as { done?: string }).done ?? null,
      ...formErrors(problems),
    })
  }
  app.get<InstructionParams>('/suppliers/:id/destruction/:instructionId', read, async (request, reply) => {
    const { supplier, instruction } = await reachable(request, 'read-suppliers')
    return instructionPage(request, reply, supplier, instruction)
  })

  // The declaration: the signatory's alone, after a fresh second factor.
  const declarationPage = (
    reply: FastifyReply,
    supplier: SupplierRow,
    instruction: InstructionRow,
    values: Record<string, unknown>,
    problems: Problem[],
  ) =>
    reply.page('destruction-declaration.njk', {
      supplier,
      instruction,
      organisation: supplier.profile?.legal_name ?? supplier.name,
      clauses: DECLARATION_CLAUSES.map(clause => ({
        id: clause.id,
        field: clauseField(clause.id),
        dateField: dateField(clause.id),
        text: clause.text.replace('<PROMISED DATE>', '_____'),
        strikable: clause.strikable,
        date: clause.date,
        value: values[clauseField(clause.id)] ?? null,
        dateValues: {
          day: values[`${dateField(clause.id)}-day`] ?? '',
          month: values[`${dateField(clause.id)}-month`] ?? '',
          year: values[`${dateField(clause.id)}-year`] ?? '',
        },
      })),
      values,
      ...formErrors(problems, DECLARATION_INPUTS),
    })
  const signatoryOnly = (request: FastifyRequest) => {
    requireSignatory(supplierCaller(request).user, SIGNATORY_ONLY)
  }
  app.get<InstructionParams>(
    '/suppliers/:id/destruction/:instructionId/declaration',
    respond,
    async (request, reply) => {
      const { supplier, instruction } = await reachable(request, 'respond-to-letters')
      signatoryOnly(request)
      const stale = requireStepUp(
        deps.identity,
        request,
        reply,
        paths.destruction.action(supplier.id, instruction.id, 'declaration'),
      )
      if (stale !== undefined) return stale
      // Signed once: the page shows the signed declaration instead of a form that would be refused.
      if ((await findDeclaration(deps.db, instruction.id)) !== undefined)
        return reply.redirect(paths.destruction.instruction(supplier.id, instruction.id), 303)
      return declarationPage(reply, supplier, instruction, {}, [])
    },
  )
  app.post<InstructionParams>(
    '/suppliers/:id/destruction/:instructionId/declaration',
    respond,
    async (request, reply) => {
      const caller = supplierCaller(request)
      const { supplier, instruction } = await reachable(request, 'respond-to-letters')
      signatoryOnly(request)
      // Signing for the supplier is a sensitive action: a fresh second factor first.
      const stale = requireStepUp(
        deps.identity,
        request,
        reply,
        paths.destruction.action(supplier.id, instruction.id, 'declaration'),
      )
      if (stale !== undefined) return stale
      const body = bodyOf(request)
      if ((await findDeclaration(deps.db, instruction.id)) !== undefined)
        return declarationPage(reply.status(400), supplier, instruction, body, [{ path: '', message: ALREADY_SIGNED }])
      const parsed = parseDeclarationForm(body)
      const problems = [...parsed.problems]
      const today = deps.now().toISOString().slice(0, 10)
      for (const found of declarationProblems(parsed.decisions, today))
        if (!problems.some(p => p.path === found.path)) problems.push(found)
      if (parsed.position === null) problems.push({ path: 'position', message: 'Enter your position' })
      if (!parsed.signed) problems.push({ path: 'declaration', message: 'Select to sign the declaration' })
      problems.sort((a, b) => DECLARATION_FIELDS.indexOf(a.path) - DECLARATION_FIELDS.indexOf(b.path))
      const all =
        problems.length > 0
          ? problems
          : await orProblems(() =>
              signDestructionDeclaration(deps, {
                caller,
                supplierId: supplier.id,
                instructionId: instruction.id,
                position: parsed.position,
                decisions: parsed.decisions,
              }),
            )
      if (all.length > 0) return declarationPage(reply.status(400), supplier, instruction, body, all)
      return reply.redirect(done(supplier.id, instruction.id, 'signed'), 303)
    },
  )

  // The destruction certificate: the signed declaration as the PDF whose SHA-256 was recorded.
  app.get<InstructionParams>(
    '/suppliers/:id/destruction/:instructionId/certificate.pdf',
    { config: { permission: PERMISSIONS.readSuppliers, auditRead: 'destruction.certificate.downloaded' } },
    async (request, reply) => {
      const { instruction } = await reachable(request, 'read-suppliers')
      const declaration = await findDeclaration(deps.db, instruction.id)
      if (declaration === undefined)
        throw new AssureError('NOT_FOUND', 'The declaration has not been signed yet, so there is no certificate')
      const file = `data-destruction-certificate-${instruction.contract_reference.replace(/[^A-Za-z0-9-]+/g, '-')}.pdf`
      return reply
        .type('application/pdf')
        .header('content-disposition', `attachment; filename="${file}"`)
        .header('x-content-sha256', declaration.pdf_sha256)
        .send(Buffer.from(declaration.pdf, 'base64'))
    },
  )

  // Data return.
  const returnPage: FormPage<Reached> = (reply, { supplier, instruction }, values, problems) =>
    reply.page('destruction-data-return.njk', {
      supplier,
      instruction,
      formatItems: RETURN_FORMATS.map(format => ({
        value: format.value,
        text: format.text,
        checked: values.format === format.value,
      })),
      ...formErrors(problems, { form: 'format' }),
    })
  registerFormRoutes(app, {
    path: '/suppliers/:id/destruction/:instructionId/data-return',
    options: respond,
    load: (request: FastifyRequest<InstructionParams>) => reachable(request, 'respond-to-letters'),
    page: returnPage,
    parse: parseDataReturnForm,
    submit: async (request, { supplier, instruction }, data) => {
      await recordDataReturn(deps, {
        caller: supplierCaller(request),
        supplierId: supplier.id,
        instructionId: instruction.id,
        format: data.format,
      })
      return done(supplier.id, instruction.id, 'returned')
    },
  })

  // Failed or incomplete destruction.
  const failurePage: FormPage<Reached> = (reply, { supplier, instruction }, values, problems) =>
    reply.page('destruction-failed.njk', {
      supplier,
      instruction,
      values,
      ...formErrors(problems, { identified: 'identified-day', form: 'whatFailed' }),
    })
  registerFormRoutes(app, {
    path: '/suppliers/:id/destruction/:instructionId/failed-destruction',
    options: respond,
    load: (request: FastifyRequest<InstructionParams>) => reachable(request, 'respond-to-letters'),
    page: failurePage,
    parse: body => parseFailureReport(body, deps.now()),
    submit: async (request, { supplier, instruction }, report) => {
      const { late } = await reportFailedDestruction(deps, {
        caller: supplierCaller(request),
        supplierId: supplier.id,
        instructionId: instruction.id,
        report,
      })
      return done(supplier.id, instruction.id, late ? 'failure-late' : 'failure')
    },
  })

  // A promised date met: the supplier confirms it, which closes its stage.
  app.post<StageParams>(
    '/suppliers/:id/destruction/:instructionId/stages/:stageKey/complete',
    respond,
    async (request, reply) => {
      const caller = supplierCaller(request)
      const { supplier, instruction } = await reachable(request, 'respond-to-letters')
      const problems = await orProblems(() =>
        confirmPromisedDestruction(deps, {
          caller,
          supplierId: supplier.id,
          instructionId: instruction.id,
          stageKey: request.params.stageKey,
        }),
      )
      if (problems.length > 0) return instructionPage(request, reply.status(400), supplier, instruction, problems)
      return reply.redirect(done(supplier.id, instruction.id, 'confirmed'), 303)
    },
  )
}
