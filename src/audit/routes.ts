import { Readable } from 'node:stream'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Services } from '../services.ts'
import { paths } from '../paths.ts'
import { notFound, type Problem } from '../platform/errors.ts'
import { parseInput, problemsFrom } from '../platform/validation.ts'
import { toCsv } from '../platform/csv/csv.ts'
import { PERMISSIONS } from '../identity/policy.ts'
import { verifyStore } from './ledger.ts'
import { recordAuditEvent, type AuditEvent } from './record.ts'
import { requestActor } from './attribution.ts'
import { ledgerHead } from './store.ts'
import {
  countMatching,
  coveringCheckpoint,
  filterOf,
  findEntry,
  LedgerQuerySchema,
  ledgerStatus,
  matchingEntries,
  neighbours,
  searchEntries,
  SequenceSchema,
  VerifyFormSchema,
  type LedgerFilter,
} from './queries.ts'
import {
  CSV_HEADER,
  csvRow,
  describeFilters,
  exportFileName,
  PAGE_SIZE,
  presentEntryPage,
  presentLedgerPage,
  typedFilters,
} from './presenters.ts'

/**
 * The ledger pages for auditors and Authority administrators: the filterable list with the verification status,
 * one entry, the CSV export and "verify now". Reading the ledger is itself recorded: every request here writes
 * exactly one entry attributed to the reader (Accounting: who looked at the trail is part of the trail).
 */
export function registerAuditRoutes(app: FastifyInstance, services: Services): void {
  const { db } = services.ledgerDeps
  const read = { permission: PERMISSIONS.readAuditLedger }

  const record = (request: FastifyRequest, event: Omit<AuditEvent, 'actor' | 'ip' | 'requestId'>) =>
    recordAuditEvent(
      db,
      { ...event, actor: requestActor(request), ip: request.ip, requestId: request.id },
      services.now(),
    )

  /** The list page, also shown (with a 400 and the error summary) when the list or the export had bad filters. */
  const listPage = async (
    reply: FastifyReply,
    props: {
      values: ReturnType<typeof typedFilters>
      problems: readonly Problem[]
      result?: { filter: LedgerFilter; total: number; entries: Awaited<ReturnType<typeof searchEntries>>['entries'] }
      page: number
      notice?: 'verified' | undefined
    },
  ) => reply.page('audit-ledger.njk', presentLedgerPage({ ...props, status: await ledgerStatus(db) }))

  const badFilters = async (
    request: FastifyRequest,
    reply: FastifyReply,
    action: 'audit.ledger.read' | 'audit.ledger.exported',
    problems: Problem[],
  ) => {
    const values = typedFilters(request.query)
    await record(request, {
      action,
      outcome: 'failure',
      reason: 'The filters were not valid',
      details: {
        view: action === 'audit.ledger.read' ? 'list' : 'export',
        filters: Object.fromEntries(Object.entries(values).filter(([, value]) => value !== '')),
      },
    })
    return listPage(reply.status(400), { values, problems, page: 1 })
  }

  app.get(paths.audit.ledger, { config: read }, async (request, reply) => {
    const parsed = LedgerQuerySchema.safeParse(request.query)
    if (!parsed.success) return badFilters(request, reply, 'audit.ledger.read', problemsFrom(parsed.error))
    const filter = filterOf(parsed.data)
    const page = parsed.data.page ?? 1
    const result = await searchEntries(db, filter, { number: page, size: PAGE_SIZE })
    await record(request, {
      action: 'audit.ledger.read',
      outcome: 'success',
      details: { view: 'list', filters: describeFilters(filter), page, results: result.total },
    })
    return listPage(reply, {
      values: typedFilters(request.query),
      problems: [],
      result: { filter, ...result },
      page,
      notice: parsed.data.done,
    })
  })

  app.get<{ Params: { sequence: string } }>('/audit/entries/:sequence', { config: read }, async (request, reply) => {
    const sequence = SequenceSchema.safeParse(request.params.sequence)
    const entry = sequence.success ? await findEntry(db, sequence.data) : undefined
    if (entry === undefined) {
      await record(request, {
        action: 'audit.ledger.read',
        outcome: 'failure',
        reason: 'No entry has that sequence',
        target: { type: 'audit_entry', id: request.params.sequence.slice(0, 20) },
        details: { view: 'entry' },
      })
      throw notFound('The ledger entry')
    }
    const [checkpoint, around] = await Promise.all([
      coveringCheckpoint(db, entry.sequence),
      neighbours(db, entry.sequence),
    ])
    await record(request, {
      action: 'audit.ledger.read',
      outcome: 'success',
      target: { type: 'audit_entry', id: String(entry.sequence) },
      details: { view: 'entry' },
    })
    return reply.page('audit-entry.njk', presentEntryPage(entry, checkpoint, around))
  })

  app.get(paths.audit.exportCsv, { config: read }, async (request, reply) => {
    const parsed = LedgerQuerySchema.safeParse(request.query)
    if (!parsed.success) return badFilters(request, reply, 'audit.ledger.exported', problemsFrom(parsed.error))
    const filter = filterOf(parsed.data)
    // The export stops at the head as it was when asked for, so it holds exactly the rows the recorded count names
    // (and not the entry recording the export itself).
    const through = (await ledgerHead(db)).sequence
    const rows = await countMatching(db, filter, through)
    await record(request, {
      action: 'audit.ledger.exported',
      outcome: 'success',
      details: { format: 'csv', filters: describeFilters(filter), rows, throughSequence: through },
    })
    async function* csv() {
      yield toCsv([CSV_HEADER])
      for await (const batch of matchingEntries(db, filter, through)) yield toCsv(batch.map(csvRow))
    }
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${exportFileName(services.now())}"`)
      .header('cache-control', 'no-store')
      .send(Readable.from(csv()))
  })

  app.post(paths.audit.verify, { config: read }, async (request, reply) => {
    parseInput(VerifyFormSchema, request.body ?? {}, 'form')
    const report = await verifyStore(services.ledgerDeps)
    // A failure found by hand is the same alert as one found by the daily job.
    await record(request, {
      action: report.ok ? 'audit.ledger.verified' : 'audit.ledger.verification_failed',
      outcome: report.ok ? 'success' : 'failure',
      reason: report.failure?.message,
      details: {
        entries: report.entries,
        firstSequence: report.firstSequence,
        lastSequence: report.lastSequence,
        ...(report.failure === null ? {} : { kind: report.failure.kind, failedAt: report.failure.sequence }),
      },
    })
    return reply.redirect(paths.audit.search({ done: 'verified' }), 303)
  })
}
