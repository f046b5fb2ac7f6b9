// `npm run bench`: requests per second of the Authority dashboard at 10 and at 1,000 suppliers, against a bare
// Fastify route measured the same way in the same run (in-process `inject`, so the network is not measured),
// written to bench/results/dashboard.json.
import { randomUUID } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os, { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import Fastify, { type FastifyInstance } from 'fastify'
import type { Insertable, Kysely } from 'kysely'
import { loadConfig } from '../src/config.ts'
import { bootstrap } from '../src/bootstrap.ts'
import { buildApp } from '../src/platform/http/app.ts'
import type { Database } from '../src/platform/db/schema.ts'
import { buildPerson, sessionCookieFor } from '../test/helpers/people.ts'
import { testMasterKey } from '../test/helpers/keys.ts'

const here = path.dirname(fileURLToPath(import.meta.url))
const seconds = Number(process.env.BENCH_SECONDS ?? 5)
const concurrency = Number(process.env.BENCH_CONNECTIONS ?? 10)
const dataDir = mkdtempSync(path.join(tmpdir(), 'assure-bench-dashboard-'))

const bare = Fastify({ logger: false })
bare.get('/bare', async () => ({ status: 'ok' }))
await bare.ready()

const config = loadConfig({
  NODE_ENV: 'development',
  ASSURE_DATA_DIR: dataDir,
  ASSURE_MASTER_KEY: testMasterKey().toString('base64'),
  PORT: '0',
  LOG_LEVEL: 'warn',
})
const services = await bootstrap(config)
const app = await buildApp({ config, services, logger: false })
await app.ready()
const { db } = services.store
const now = services.now()
const viewer = await buildPerson(db, {
  roles: ['authority-viewer'],
  organisation: { kind: 'authority', name: 'Ministry of Justice' },
})
const cookie = await sessionCookieFor(db, viewer.id)
const requirementIds = services.catalogue.requirements.slice(0, 20).map(r => r.id)
const STATUSES = ['met', 'partially-met', 'not-met', 'not-applicable'] as const

/** Inserts rows in chunks, so each statement stays well inside both engines' parameter limits. */
async function bulk<T extends keyof Database>(trx: Kysely<Database>, table: T, rows: Array<Insertable<Database[T]>>) {
  for (let i = 0; i < rows.length; i += 200)
    await trx
      .insertInto(table)
      .values(rows.slice(i, i + 200) as never)
      .execute()
}

/**
 * Seeds suppliers `from`..`to - 1`: profile, contract, a closed assessment of 20 answers, its risks on the register
 * (two accepted, one proposed, and for every fifth supplier one past its expiry date), a SAL's three stages.
 */
async function seed(from: number, to: number) {
  const iso = (offsetDays: number) => new Date(now.getTime() + offsetDays * 86_400_000).toISOString()
  const organisations: Array<Insertable<Database['organisations']>> = []
  const profiles: Array<Insertable<Database['supplier_profiles']>> = []
  const contracts: Array<Insertable<Database['contracts']>> = []
  const assessments: Array<Insertable<Database['assessments']>> = []
  const answers: Array<Insertable<Database['assessment_answers']>> = []
  const stages: Array<Insertable<Database['deadline_stages']>> = []
  const risks: Array<Insertable<Database['risks']>> = []
  const day = (offsetDays: number) => iso(offsetDays).slice(0, 10)
  for (let i = from; i < to; i += 1) {
    const id = randomUUID()
    const name = `Supplier ${String(i).padStart(4, '0')} Ltd`
    organisations.push({ id, kind: 'supplier', name, created_at: iso(-400) })
    profiles.push({
      organisation_id: id,
      legal_name: `${name} (legal)`,
      short_name: name,
      security_director_name: 'Director',
      security_director_email: `director${i}@example.com`,
      contacts: '[]',
      updated_at: iso(-400),
      updated_by: null,
    })
    contracts.push({
      id: randomUUID(),
      organisation_id: id,
      reference: `CON-${i}`,
      title: 'Managed service',
      start_date: '2026-01-01',
      end_date: '2028-01-01',
      classification: 'OFFICIAL',
      data_categories: '[]',
      offshore: 0,
      offshore_locations: null,
      key_services: '[]',
      subcontractors: '[]',
      created_at: iso(-400),
      created_by: null,
    })
    const assessmentId = randomUUID()
    assessments.push({
      id: assessmentId,
      organisation_id: id,
      catalogue_version: services.catalogue.version,
      scope: '{"tags":[],"sections":[]}',
      title: 'Annual self-assessment',
      status: 'closed',
      opened_by: viewer.id,
      opened_at: iso(-100),
      submitted_by: null,
      submitted_at: null,
      closed_by: null,
      closed_at: iso(-90),
      outcome: null,
    })
    requirementIds.forEach((requirementId, r) =>
      answers.push({
        assessment_id: assessmentId,
        requirement_id: requirementId,
        status: STATUSES[(i + r) % 4] ?? 'met',
        justification: 'Seeded',
        evidence_link: null,
        answered_by: viewer.id,
        answered_at: iso(-95),
        review: 'accepted',
        review_comment: null,
        reviewed_by: null,
        reviewed_at: null,
      }),
    )
    const riskStates: Array<['accepted' | 'proposed', number]> = [
      ['accepted', 60],
      ['accepted', 120],
      ['proposed', 90],
      ...(i % 5 === 0 ? [['accepted', -3] as ['accepted', number]] : []),
    ]
    riskStates.forEach(([status, expiresIn], r) =>
      risks.push({
        id: randomUUID(),
        organisation_id: id,
        assessment_id: assessmentId,
        requirement_id: requirementIds[r] ?? '',
        owner: 'Head of IT',
        description: 'Seeded',
        mitigation: 'Seeded',
        expires_on: day(expiresIn),
        status,
        proposed_by: viewer.id,
        proposed_at: iso(-90),
        accepted_by: status === 'accepted' ? viewer.id : null,
        accepted_at: status === 'accepted' ? iso(-89) : null,
      }),
    )
    const letterId = randomUUID()
    // Every third supplier is late: its acknowledgement was due 10 days ago (breached) and briefing 2 days ago.
    const late = i % 3 === 0
    for (const [key, due] of [
      ['acknowledge', late ? -10 : 5],
      ['briefed', late ? -2 : 20],
      ['subcontractors', 20],
    ] as const)
      stages.push({
        id: randomUUID(),
        subject_type: 'sal',
        subject_id: letterId,
        organisation_id: id,
        stage_key: key,
        title: key,
        starts_at: iso(-30),
        due_at: iso(due),
        responsible: 'supplier-contact',
        reminder_offsets: '["P7D","P1D"]',
        escalation: '[]',
        breach_after: 'P7D',
        status: 'open',
        opened_at: iso(-30),
        completed_at: null,
        completed_by: null,
      })
  }
  await db.transaction().execute(async trx => {
    await bulk(trx, 'organisations', organisations)
    await bulk(trx, 'supplier_profiles', profiles)
    await bulk(trx, 'contracts', contracts)
    await bulk(trx, 'assessments', assessments)
    await bulk(trx, 'assessment_answers', answers)
    await bulk(trx, 'risks', risks)
    await bulk(trx, 'deadline_stages', stages)
  })
}

/** Requests per second over `seconds`, `concurrency` at a time, after a short warm-up; any non-200 fails the run. */
async function measure(name: string, target: FastifyInstance, url: string, headers: Record<string, string> = {}) {
  const run = async (ms: number) => {
    let count = 0
    const until = performance.now() + ms
    const started = performance.now()
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (performance.now() < until) {
          const response = await target.inject({ method: 'GET', url, headers })
          if (response.statusCode !== 200) throw new Error(`${name}: HTTP ${response.statusCode}`)
          count += 1
        }
      }),
    )
    return { count, elapsed: (performance.now() - started) / 1000 }
  }
  await run(1000)
  const { count, elapsed } = await run(seconds * 1000)
  return { url, requests: count, requestsPerSecond: Math.round((count / elapsed) * 10) / 10 }
}

try {
  const baseline = await measure('bare', bare, '/bare')
  await seed(0, 10)
  const small = await measure('dashboard at 10 suppliers', app, '/dashboard', { cookie })
  await seed(10, 1000)
  const large = await measure('dashboard at 1,000 suppliers', app, '/dashboard', { cookie })
  const ratio = (x: number, y: number) => Math.round((x / y) * 1000) / 1000
  const report = {
    benchmark: 'dashboard',
    date: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    engine: services.store.engine,
    seconds,
    concurrency,
    results: { bare: baseline, dashboardAt10: small, dashboardAt1000: large },
    ratios: {
      dashboardAt10ToBare: ratio(small.requestsPerSecond, baseline.requestsPerSecond),
      dashboardAt1000ToBare: ratio(large.requestsPerSecond, baseline.requestsPerSecond),
      dashboardAt1000To10: ratio(large.requestsPerSecond, small.requestsPerSecond),
    },
  }
  mkdirSync(path.join(here, 'results'), { recursive: true })
  writeFileSync(path.join(here, 'results', 'dashboard.json'), `${JSON.stringify(report, null, 2)}\n`)
  process.stdout.write(
    [
      `dashboard benchmark: ${seconds}s per target, ${concurrency} at once, in-process inject, ${report.engine}, Node ${process.version}`,
      `bare Fastify route            ${baseline.requestsPerSecond.toFixed(0).padStart(8)} req/s   baseline`,
      `dashboard, 10 suppliers       ${small.requestsPerSecond.toFixed(0).padStart(8)} req/s   ${report.ratios.dashboardAt10ToBare} × bare`,
      `dashboard, 1,000 suppliers    ${large.requestsPerSecond.toFixed(0).padStart(8)} req/s   ${report.ratios.dashboardAt1000ToBare} × bare, ${report.ratios.dashboardAt1000To10} × at 10`,
      'written to bench/results/dashboard.json',
      '',
    ].join('\n'),
  )
} finally {
  await app.close()
  await bare.close()
  await services.store.close()
  rmSync(dataDir, { recursive: true, force: true })
}
