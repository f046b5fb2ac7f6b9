import type { FastifyInstance, FastifyReply } from 'fastify'
import { paths } from '../paths.ts'
import { AssureError, type Problem } from '../platform/errors.ts'
import { LEGACY_MARKINGS, MARKINGS } from '../platform/marking.ts'
import { bodyOf, formErrors, orProblems, parseBody } from '../platform/http/forms.ts'
import { PERMISSIONS } from '../identity/policy.ts'
import { supplierCaller } from '../suppliers/caller.ts'
import { reachableAssessment, scopedRequirement } from '../assessments/assessments.ts'
import { presentAssessmentSummary } from '../assessments/presenters.ts'
import type { AssessmentRow } from '../assessments/store.ts'
import {
  addEvidence,
  describeBytes,
  EXPIRY_WARNING_DAYS,
  importEvidenceLinks,
  openEvidenceFile,
  removeEvidence,
  type EvidenceDeps,
} from './evidence.ts'
import { EVIDENCE_FIELDS, EvidenceFormSchema, RemoveEvidenceFormSchema } from './forms.ts'
import { ACCEPTED_EXTENSIONS, EVIDENCE_TYPES, extensionOf } from './sniff.ts'
import { IMPORT_COLUMNS, MAX_IMPORT_ROWS, readEvidenceImport } from './import.ts'
import { ActionFormSchema } from '../assessments/forms.ts'
import { checkUploadCsrf, registerUploads } from './upload.ts'

type RequirementParams = { Params: { id: string; requirementId: string } }
type Params = { Params: { id: string } }

const inPageOrder = (problems: Problem[]) =>
  [...problems].sort((a, b) => EVIDENCE_FIELDS.indexOf(a.path) - EVIDENCE_FIELDS.indexOf(b.path))

/** Evidence for answers: adding a file or link (the supplier), removing it, and downloading files (both sides). */
export function registerEvidenceRoutes(app: FastifyInstance, deps: EvidenceDeps): void {
  const answerRoute = { config: { permission: PERMISSIONS.answerAssessments } }
  const accept = ACCEPTED_EXTENSIONS.map(e => `.${e}`).join(',')

  const addPage = (
    reply: FastifyReply,
    assessment: AssessmentRow,
    requirementId: string,
    values: Record<string, unknown>,
    problems: Problem[],
  ) => {
    const requirement = scopedRequirement(deps, assessment, requirementId)
    return reply.page('evidence-add.njk', {
      assessment: presentAssessmentSummary(assessment),
      requirement: { id: requirement.id, title: requirement.title },
      values,
      accept,
      maxSize: describeBytes(deps.maxBytes),
      types: ACCEPTED_EXTENSIONS.map(e => e.toUpperCase()).join(', '),
      warningDays: EXPIRY_WARNING_DAYS,
      markingItems: MARKINGS.map(value => ({ value, text: value, checked: values.marking === value })),
      ...formErrors(inPageOrder(problems), { kind: 'kind', marking: 'marking' }),
    })
  }

  app.get<RequirementParams>(
    '/assessments/:id/requirements/:requirementId/evidence',
    answerRoute,
    async (request, reply) => {
      const assessment = await reachableAssessment(deps, {
        caller: supplierCaller(request),
        assessmentId: request.params.id,
        permission: 'answer-assessments',
      })
      return addPage(reply, assessment, request.params.requirementId, {}, [])
    },
  )

  // Uploads take multipart bodies in this scope only; their CSRF token is checked once the body is read.
  app.register(async scope => {
    await registerUploads(scope, { maxBytes: deps.maxBytes })
    scope.post<RequirementParams>(
      '/assessments/:id/requirements/:requirementId/evidence',
      {
        config: { permission: PERMISSIONS.answerAssessments, csrfAfterUpload: true },
        preHandler: checkUploadCsrf,
      },
      async (request, reply) => {
        const caller = supplierCaller(request)
        const { id: assessmentId, requirementId } = request.params
        const assessment = await reachableAssessment(deps, { caller, assessmentId, permission: 'answer-assessments' })
        scopedRequirement(deps, assessment, requirementId)
        const upload = request.upload ?? { fields: {}, file: null }
        const { _csrf: _token, ...values } = upload.fields
        const parsed = parseBody(EvidenceFormSchema, upload.fields)
        const problems: Problem[] = 'problems' in parsed ? [...parsed.problems] : []
        const { file } = upload
        if (upload.fields.kind === 'file' && file === null) problems.push({ path: 'file', message: 'Select a file' })
        if (upload.fields.kind === 'file' && file?.truncated === true)
          problems.push({
            path: 'file',
            message: `The selected file must be ${describeBytes(deps.maxBytes)} or smaller`,
          })
        if (problems.length === 0 && 'data' in parsed) {
          const form = parsed.data
          problems.push(
            ...(await orProblems(() =>
              addEvidence(deps, {
                caller,
                assessmentId,
                requirementId,
                source:
                  form.kind === 'file' && file !== null
                    ? { kind: 'file', fileName: file.fileName, bytes: file.bytes }
                    : { kind: 'link', url: form.url },
                effectiveOn: form.effectiveOn,
                expiresOn: form.expiresOn,
                marking: form.marking,
                handlingInstructions: form.handlingInstructions,
              }),
            )),
          )
        }
        if (problems.length > 0) return addPage(reply.status(400), assessment, requirementId, values, problems)
        return reply.redirect(`${paths.assessments.answer(assessmentId, requirementId)}?done=evidence-added`, 303)
      },
    )
    scope.post<Params>(
      '/assessments/:id/evidence/import',
      {
        config: { permission: PERMISSIONS.answerAssessments, csrfAfterUpload: true },
        preHandler: checkUploadCsrf,
      },
      async (request, reply) => {
        const caller = supplierCaller(request)
        const assessmentId = request.params.id
        const assessment = await reachableAssessment(deps, { caller, assessmentId, permission: 'answer-assessments' })
        const upload = request.upload ?? { fields: {}, file: null }
        const form = parseBody(ActionFormSchema, upload.fields)
        const problems: Problem[] = 'problems' in form ? [...form.problems] : []
        const { file } = upload
        if (file === null) problems.push({ path: 'file', message: 'Select a CSV file' })
        else if (file.truncated)
          problems.push({
            path: 'file',
            message: `The selected file must be ${describeBytes(deps.maxBytes)} or smaller`,
          })
        else if (extensionOf(file.fileName) !== 'csv')
          problems.push({ path: 'file', message: 'The selected file must be a CSV' })
        else {
          const read = readEvidenceImport(file.bytes)
          if ('problems' in read) problems.push(...read.problems)
          else if (problems.length === 0)
            problems.push(
              ...(await orProblems(() => importEvidenceLinks(deps, { caller, assessmentId, links: read.links }))),
            )
        }
        if (problems.length > 0) return importPage(reply.status(400), assessment, problems)
        return reply.redirect(`${paths.assessments.assessment(assessmentId)}?done=evidence-imported`, 303)
      },
    )
  })

  // Importing links from a CSV file: the path for legacy material, whose old markings are accepted here.
  const importPage = (reply: FastifyReply, assessment: AssessmentRow, problems: Problem[]) =>
    reply.page('evidence-import.njk', {
      assessment: presentAssessmentSummary(assessment),
      columns: IMPORT_COLUMNS,
      maxRows: MAX_IMPORT_ROWS,
      maxSize: describeBytes(deps.maxBytes),
      legacyMarkings: LEGACY_MARKINGS,
      ...formErrors(problems),
      // Every line's problem in the summary, not only the first of the one field.
      errorSummaryList: problems.map(p => ({ text: p.message, href: '#file' })),
    })
  app.get<Params>('/assessments/:id/evidence/import', answerRoute, async (request, reply) => {
    const assessment = await reachableAssessment(deps, {
      caller: supplierCaller(request),
      assessmentId: request.params.id,
      permission: 'answer-assessments',
    })
    return importPage(reply, assessment, [])
  })

  app.post<Params>('/evidence/:id/remove', answerRoute, async (request, reply) => {
    const caller = supplierCaller(request)
    const parsed = parseBody(RemoveEvidenceFormSchema, bodyOf(request))
    if ('problems' in parsed) throw new AssureError('VALIDATION_FAILED', 'Remove the evidence from its answer page')
    const removed = await removeEvidence(deps, { caller, evidenceId: request.params.id })
    return reply.redirect(
      `${paths.assessments.answer(removed.assessment_id, removed.requirement_id)}?done=evidence-removed`,
      303,
    )
  })

  // Files go back as attachments in their recorded type, never rendered by the browser (ASVS v5.0.0-5.4.1, 5.4.2).
  app.get<Params>(
    '/evidence/:id/download',
    { config: { permission: PERMISSIONS.readAssessments, auditRead: 'evidence.downloaded' } },
    async (request, reply) => {
      const { item, bytes } = await openEvidenceFile(deps, {
        caller: supplierCaller(request),
        evidenceId: request.params.id,
      })
      const known = Object.values(EVIDENCE_TYPES).some(t => t.mediaType === item.media_type)
      return reply
        .header('content-type', known && item.media_type !== null ? item.media_type : 'application/octet-stream')
        .header('content-disposition', `attachment; filename="${item.file_name ?? 'evidence'}"`)
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'no-store')
        .header('content-security-policy', "default-src 'none'; sandbox")
        .send(bytes)
    },
  )
}
