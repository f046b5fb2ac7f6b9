import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { paths } from '../paths.ts'
import { notFound, type Problem } from '../platform/errors.ts'
import { bodyOf, checkedValues, formErrors, orProblems, parseBody, registerFormRoutes } from '../platform/http/forms.ts'
import { supplierCaller } from '../suppliers/caller.ts'
import { PERMISSIONS } from '../identity/policy.ts'
import type { IdentityDeps } from '../identity/deps.ts'
import { requireStepUp } from '../identity/step-up.ts'
import { stagesFor } from '../deadlines/deadlines.ts'
import type { Mailer } from '../platform/mail/mailer.ts'
import { reachableSupplier, requireSignatory } from '../suppliers/register.ts'
import { findContract, listContracts, type SupplierRow } from '../suppliers/store.ts'
import {
  AcknowledgeLetterFormSchema,
  ConfirmLetterFormSchema,
  IssueLetterFormSchema,
  ReviseLetterFormSchema,
  SubcontractorCopiesFormSchema,
} from './forms.ts'
import {
  acknowledgeLetter,
  confirmLetter,
  issueSecurityAspectsLetter,
  letterVariables,
  recordSubcontractorCopies,
  reviseSecurityAspectsLetter,
  SIGNATORY_ONLY,
  storedDeclaration,
  type LetterDeps,
} from './letters.ts'
import { letterPdfFilename, renderDeclarationPdf, renderLetterPdf } from './pdf.ts'
import { presentLetter, presentLetterSummary } from './presenters.ts'
import { renderSecurityAspectsLetter, VARIABLE_LABELS } from './render.ts'
import { findLetter, letterEvents, LETTER_SUBJECT, listLetters, type LetterRow } from './store.ts'
import { LONG_LEGAL_NAME_HINT } from './templates/security-aspects-letter.ts'

type Params = { Params: { id: string } }
type LetterParams = { Params: { id: string; letterId: string } }

/** What the letter pages need: the letter operations' deps, and identity's for step-up. */
export interface LetterRouteDeps extends LetterDeps {
  readonly identity: IdentityDeps
  /** Only for the deadline engine's deps type: reading stages sends nothing. */
  readonly mailer: Mailer
}

/** Security Aspects Letters: a supplier's list, issuing and revising (Authority), and the supplier's responses. */
export function registerLetterRoutes(app: FastifyInstance, deps: LetterRouteDeps): void {
  const read = { config: { permission: PERMISSIONS.readSuppliers } }
  const issue = { config: { permission: PERMISSIONS.issueLetters } }
  const respond = { config: { permission: PERMISSIONS.respondToLetters } }

  const reachable = async (
    request: FastifyRequest<LetterParams>,
    permission: 'read-suppliers' | 'issue-letters' | 'respond-to-letters',
  ): Promise<{ supplier: SupplierRow; letter: LetterRow }> => {
    const supplier = await reachableSupplier(deps, {
      caller: supplierCaller(request),
      supplierId: request.params.id,
      permission,
    })
    const letter = await findLetter(deps.db, supplier.id, request.params.letterId)
    if (letter === undefined) throw notFound('That letter')
    return { supplier, letter }
  }
  const done = (supplierId: string, letterId: string, notice: string) =>
    `${paths.suppliers.letter(supplierId, letterId)}?done=${notice}`

  app.get<Params>('/suppliers/:id/letters', read, async (request, reply) => {
    const caller = supplierCaller(request)
    const supplier = await reachableSupplier(deps, {
      caller,
      supplierId: request.params.id,
      permission: 'read-suppliers',
    })
    return reply.page('letters.njk', {
      supplier,
      letters: (await listLetters(deps.db, supplier.id)).map(presentLetterSummary),
      canIssue: caller.user.roles.some(role => role === 'authority-admin' || role === 'security-assessor'),
    })
  })

  // Issuing: the form shows what the letter will be filled in with, and says what is missing.
  const issuePage = async (
    reply: FastifyReply,
    supplier: SupplierRow,
    values: Record<string, unknown>,
    problems: Problem[],
  ) => {
    const contracts = await listContracts(deps.db, supplier.id)
    const preview = letterVariables(supplier, '', new Date(0))
    const { missing } = renderSecurityAspectsLetter(preview, deps.catalogue)
    return reply.page('letter-issue.njk', {
      supplier,
      legalNameHint: LONG_LEGAL_NAME_HINT,
      contractItems: contracts.map(c => ({
        value: c.id,
        text: `${c.reference}: ${c.title}`,
        checked: values.contractId === c.id,
      })),
      variables: (['longLegalName', 'shortName', 'securityDirector'] as const).map(key => ({
        label: VARIABLE_LABELS[key],
        value: preview[key],
        missing: missing.includes(key),
      })),
      ...formErrors(problems, { form: 'contractId' }),
    })
  }
  registerFormRoutes(app, {
    path: '/suppliers/:id/letters/new',
    options: issue,
    load: (request: FastifyRequest<Params>) =>
      reachableSupplier(deps, {
        caller: supplierCaller(request),
        supplierId: request.params.id,
        permission: 'issue-letters',
      }),
    page: issuePage,
    parse: body => parseBody(IssueLetterFormSchema, body),
    submit: async (request, supplier, data) => {
      const letterId = await issueSecurityAspectsLetter(deps, {
        caller: supplierCaller(request),
        supplierId: supplier.id,
        contractId: data.contractId,
      })
      return done(supplier.id, letterId, 'issued')
    },
  })

  app.get<LetterParams>('/suppliers/:id/letters/:letterId', read, async (request, reply) => {
    const { supplier, letter } = await reachable(request, 'read-suppliers')
    const { roles } = supplierCaller(request).user
    const stages = await stagesFor(deps, { type: LETTER_SUBJECT, id: letter.id, organisationId: supplier.id })
    const current = letter.status === 'issued'
    return reply.page('letter.njk', {
      supplier,
      letter: presentLetter(letter, stages, await letterEvents(deps.db, letter.id)),
      canRevise: current && roles.some(role => role === 'authority-admin' || role === 'security-assessor'),
      canRespond: current && roles.some(role => role === 'supplier-admin' || role === 'supplier-signatory'),
      canSign: current && roles.includes('supplier-signatory'),
      notice: (request.query as { done?: string }).done ?? null,
      ...formErrors([]),
    })
  })

  // PDFs people can file. Each download is one ledger entry, through the attribution hook.
  const pdf = (reply: FastifyReply, name: string, body: Buffer, sha256: string) =>
    reply
      .type('application/pdf')
      .header('content-disposition', `attachment; filename="${name}"`)
      .header('cache-control', 'no-store')
      .header('x-content-sha256', sha256)
      .send(body)
  const downloaded = (action: string) => ({ config: { ...read.config, auditRead: action } })
  app.get<LetterParams>(
    '/suppliers/:id/letters/:letterId/pdf',
    downloaded('letter.pdf.downloaded'),
    async (request, reply) => {
      const { supplier, letter } = await reachable(request, 'read-suppliers')
      const contract = await findContract(deps.db, supplier.id, letter.contract_id)
      if (contract === undefined) throw notFound('That contract')
      const rendered = await renderLetterPdf(letter, contract.classification)
      return pdf(reply, letterPdfFilename(letter, 'letter'), rendered.pdf, rendered.sha256)
    },
  )
  app.get<LetterParams>(
    '/suppliers/:id/letters/:letterId/declaration.pdf',
    downloaded('letter.declaration.downloaded'),
    async (request, reply) => {
      const { letter } = await reachable(request, 'read-suppliers')
      const declaration = storedDeclaration(await letterEvents(deps.db, letter.id))
      if (declaration === undefined) throw notFound('That signed declaration')
      // Re-rendered from the stored values; its carried hash is the one recorded at signing unless the renderer
      // changed, which the log makes visible (the stored hash on the letter's page stays the reference).
      const rendered = await renderDeclarationPdf(letter, declaration)
      if (rendered.sha256 !== declaration.declarationSha256)
        request.log.warn({ letterId: letter.id }, 'signed declaration PDF no longer renders to its stored hash')
      return pdf(reply, letterPdfFilename(letter, 'declaration'), rendered.pdf, rendered.sha256)
    },
  )

  // Revising.
  const revisePage = (
    reply: FastifyReply,
    supplier: SupplierRow,
    letter: LetterRow,
    values: Record<string, unknown>,
    problems: Problem[],
  ) => reply.page('letter-revise.njk', { supplier, letter, values, ...formErrors(problems) })
  app.get<LetterParams>('/suppliers/:id/letters/:letterId/revise', issue, async (request, reply) => {
    const { supplier, letter } = await reachable(request, 'issue-letters')
    return revisePage(reply, supplier, letter, {}, [])
  })
  app.post<LetterParams>('/suppliers/:id/letters/:letterId/revise', issue, async (request, reply) => {
    const caller = supplierCaller(request)
    const { supplier, letter } = await reachable(request, 'issue-letters')
    const body = bodyOf(request)
    const parsed = parseBody(ReviseLetterFormSchema, body)
    let revisedId = ''
    const problems =
      'problems' in parsed
        ? parsed.problems
        : await orProblems(async () => {
            revisedId = await reviseSecurityAspectsLetter(deps, {
              caller,
              supplierId: supplier.id,
              letterId: letter.id,
              note: parsed.data.note,
            })
          })
    if (problems.length > 0) return revisePage(reply.status(400), supplier, letter, body, problems)
    return reply.redirect(done(supplier.id, revisedId, 'revised'), 303)
  })

  // The supplier's responses. Each shows the letter page again with the problem when it is refused.
  const letterWithProblems = async (
    reply: FastifyReply,
    request: FastifyRequest<LetterParams>,
    problems: Problem[],
  ) => {
    const { supplier, letter } = await reachable(request, 'respond-to-letters')
    const { roles } = supplierCaller(request).user
    const stages = await stagesFor(deps, { type: LETTER_SUBJECT, id: letter.id, organisationId: supplier.id })
    return reply.status(400).page('letter.njk', {
      supplier,
      letter: presentLetter(letter, stages, await letterEvents(deps.db, letter.id)),
      canRevise: false,
      canRespond: letter.status === 'issued',
      canSign: letter.status === 'issued' && roles.includes('supplier-signatory'),
      notice: null,
      ...formErrors(problems, { form: 'accept' }),
    })
  }
  app.post<LetterParams>('/suppliers/:id/letters/:letterId/acknowledge', respond, async (request, reply) => {
    const caller = supplierCaller(request)
    const { supplier, letter } = await reachable(request, 'respond-to-letters')
    const parsed = parseBody(AcknowledgeLetterFormSchema, bodyOf(request))
    const problems =
      'problems' in parsed
        ? parsed.problems
        : await orProblems(() => acknowledgeLetter(deps, { caller, supplierId: supplier.id, letterId: letter.id }))
    if (problems.length > 0) return letterWithProblems(reply, request, problems)
    return reply.redirect(done(supplier.id, letter.id, 'acknowledged'), 303)
  })

  // The declaration: the signatory's alone, after a fresh second factor.
  const confirmPage = (
    reply: FastifyReply,
    supplier: SupplierRow,
    letter: LetterRow,
    values: Record<string, unknown>,
    problems: Problem[],
  ) =>
    reply.page('letter-confirm.njk', {
      supplier,
      letter,
      shortName: supplier.profile?.short_name ?? supplier.name,
      values,
      ...formErrors(problems),
    })
  const signatoryOnly = (request: FastifyRequest) => {
    requireSignatory(supplierCaller(request).user, SIGNATORY_ONLY)
  }

  app.get<LetterParams>('/suppliers/:id/letters/:letterId/confirm', respond, async (request, reply) => {
    const { supplier, letter } = await reachable(request, 'respond-to-letters')
    signatoryOnly(request)
    const stale = requireStepUp(
      deps.identity,
      request,
      reply,
      paths.suppliers.letterAction(supplier.id, letter.id, 'confirm'),
    )
    if (stale !== undefined) return stale
    return confirmPage(reply, supplier, letter, {}, [])
  })
  app.post<LetterParams>('/suppliers/:id/letters/:letterId/confirm', respond, async (request, reply) => {
    const caller = supplierCaller(request)
    const { supplier, letter } = await reachable(request, 'respond-to-letters')
    signatoryOnly(request)
    // Signing for the supplier is a sensitive action: a fresh second factor first.
    const stale = requireStepUp(
      deps.identity,
      request,
      reply,
      paths.suppliers.letterAction(supplier.id, letter.id, 'confirm'),
    )
    if (stale !== undefined) return stale
    const body = bodyOf(request)
    const parsed = parseBody(ConfirmLetterFormSchema, body)
    const problems =
      'problems' in parsed
        ? parsed.problems
        : await orProblems(() =>
            confirmLetter(deps, {
              caller,
              supplierId: supplier.id,
              letterId: letter.id,
              position: parsed.data.position,
            }),
          )
    if (problems.length > 0) return confirmPage(reply.status(400), supplier, letter, body, problems)
    return reply.redirect(done(supplier.id, letter.id, 'confirmed'), 303)
  })

  // Subcontractors' copies.
  const copiesPage = async (
    reply: FastifyReply,
    supplier: SupplierRow,
    letter: LetterRow,
    values: Record<string, unknown>,
    problems: Problem[],
  ) => {
    const contract = await findContract(deps.db, supplier.id, letter.contract_id)
    const names = contract === undefined ? [] : (JSON.parse(contract.subcontractors) as string[])
    const selected = checkedValues(values.subcontractors)
    return reply.page('letter-subcontractors.njk', {
      supplier,
      letter,
      items: names.map(name => ({ value: name, text: name, checked: selected.includes(name) })),
      ...formErrors(problems, { subcontractors: names.length === 0 ? 'none' : 'subcontractors' }),
    })
  }
  app.get<LetterParams>('/suppliers/:id/letters/:letterId/subcontractors', respond, async (request, reply) => {
    const { supplier, letter } = await reachable(request, 'respond-to-letters')
    return copiesPage(reply, supplier, letter, {}, [])
  })
  app.post<LetterParams>('/suppliers/:id/letters/:letterId/subcontractors', respond, async (request, reply) => {
    const caller = supplierCaller(request)
    const { supplier, letter } = await reachable(request, 'respond-to-letters')
    const body = bodyOf(request)
    const parsed = parseBody(SubcontractorCopiesFormSchema, body)
    let problems: Problem[]
    if ('problems' in parsed) problems = parsed.problems
    else if (parsed.data.subcontractors.length === 0 && parsed.data.none !== 'yes') {
      const contract = await findContract(deps.db, supplier.id, letter.contract_id)
      const hasAny = contract !== undefined && (JSON.parse(contract.subcontractors) as string[]).length > 0
      const message = hasAny
        ? 'Select every subcontractor once each has acknowledged its copy of the SAL'
        : 'Select to confirm this contract has no subcontractors'
      problems = [{ path: 'subcontractors', message }]
    } else
      problems = await orProblems(() =>
        recordSubcontractorCopies(deps, {
          caller,
          supplierId: supplier.id,
          letterId: letter.id,
          subcontractors: parsed.data.subcontractors,
        }),
      )
    if (problems.length > 0) return copiesPage(reply.status(400), supplier, letter, body, problems)
    return reply.redirect(done(supplier.id, letter.id, 'subcontractors'), 303)
  })
}
