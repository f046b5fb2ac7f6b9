import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { browserFor, startApp } from './helpers/app.ts'
import { engines, type TestStore } from './helpers/stores.ts'
import { buildPerson, sessionCookieFor } from './helpers/people.ts'
import type { Services } from '../src/services.ts'
import type { Role } from '../src/identity/roles.ts'
import type { PlacedRequirement } from '../src/catalogue/catalogue.ts'
import type { AnswerRow } from '../src/assessments/store.ts'
import { countsByFunction, SUMMARY_MARKING } from '../src/assessments/pdf-routes.ts'
import { pdfSha256Of, renderPdf, renderUnsealed, winAnsi, type PdfSpec } from '../src/platform/pdf/pdf.ts'
import { pdfPages, pdfText } from './helpers/pdf.ts'

const buildSpec = (overrides: Partial<PdfSpec> = {}): PdfSpec => ({
  title: 'Certificate of destruction',
  marking: 'OFFICIAL-SENSITIVE',
  paragraphs: ['The media listed below were destroyed.', 'A second paragraph,\nwith a line break.'],
  fields: [
    { label: 'Signed by', value: 'Dana Reyes' },
    { label: 'Position', value: 'Director of Security' },
    { label: 'Signed at', value: '2026-12-04T10:00:00.000Z' },
  ],
  createdAt: new Date('2026-12-04T10:00:00.000Z'),
  ...overrides,
})

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')
const flat = (text: string) => text.replace(/\s+/g, ' ')

describe('rendering a PDF', () => {
  it('gives identical bytes and hash for the same spec, rendered twice', async () => {
    const first = await renderPdf(buildSpec())
    const second = await renderPdf(buildSpec())
    assert.ok(first.pdf.equals(second.pdf))
    assert.equal(first.sha256, second.sha256)
    assert.match(first.pdf.subarray(0, 8).toString('latin1'), /^%PDF-1\.\d/)
  })

  it('carries the SHA-256 of the document without its hash line, in its metadata and as its last line', async () => {
    const spec = buildSpec()
    const { pdf, sha256: hash } = await renderPdf(spec)
    assert.match(hash, /^[0-9a-f]{64}$/)
    assert.equal(hash, sha256(await renderUnsealed(spec)))
    assert.notEqual(hash, sha256(pdf))
    assert.equal(pdfSha256Of(pdf), hash)
    assert.equal(pdfSha256Of(await renderUnsealed(spec)), null)
    const lines = pdfText(pdf).split('\n')
    assert.ok(lines.includes(`SHA-256: ${hash}`))
    // The hash line is the last thing in the body: only the page's marking and number follow it.
    assert.deepEqual(lines.slice(lines.indexOf(`SHA-256: ${hash}`) + 1), [
      'OFFICIAL-SENSITIVE',
      'OFFICIAL-SENSITIVE',
      'Page 1 of 1',
    ])
  })

  it('renders a different hash when any stored value differs, so a re-render checks the values', async () => {
    const original = await renderPdf(buildSpec())
    const changes: Array<Partial<PdfSpec>> = [
      { fields: [{ label: 'Signed by', value: 'Someone else' }] },
      { paragraphs: ['The media listed below were destroyed!'] },
      { marking: 'OFFICIAL' },
      { createdAt: new Date('2026-12-04T10:00:01.000Z') },
    ]
    for (const change of changes) {
      const changed = await renderPdf(buildSpec(change))
      assert.notEqual(changed.sha256, original.sha256, JSON.stringify(change))
    }
  })

  it('uses the given creation time for its dates, not the clock', async () => {
    const { pdf } = await renderPdf(buildSpec())
    const text = pdf.toString('latin1')
    assert.match(text, /\(D:20261204100000Z\)/)
    assert.equal((text.match(/D:\d{14}Z/g) ?? []).length, 2)
  })

  it('prints the marking at the top and bottom of every page, the title, paragraphs and fields', async () => {
    const long = Array.from({ length: 40 }, (_, n) => `Paragraph ${n + 1}: ${'words to fill the page '.repeat(12)}`)
    const { pdf } = await renderPdf(buildSpec({ paragraphs: long }))
    const pages = pdfPages(pdf)
    assert.ok(pages.length >= 3, `${pages.length} pages`)
    pages.forEach((page, index) => {
      const lines = page.split('\n')
      assert.equal(lines.filter(line => line === 'OFFICIAL-SENSITIVE').length, 2, `page ${index + 1}`)
      assert.ok(lines.includes(`Page ${index + 1} of ${pages.length}`))
    })
    const text = flat(pdfText(pdf))
    assert.ok(text.startsWith('Certificate of destruction '))
    assert.ok(text.includes('Paragraph 40: words to fill'))
    assert.ok(text.includes('Signed by Dana Reyes Position Director of Security Signed at 2026-12-04T10:00:00.000Z'))
  })

  it('prints headed sections after the fields', async () => {
    const { pdf } = await renderPdf(
      buildSpec({ sections: [{ heading: 'Clause values', fields: [{ label: 'Contract', value: 'MOJ/1' }] }] }),
    )
    const text = flat(pdfText(pdf))
    assert.ok(text.indexOf('Signed at') < text.indexOf('Clause values Contract MOJ/1'))
  })

  it('shows what the standard fonts cannot draw as a plain substitute, never a broken glyph', async () => {
    assert.equal(winAnsi('Zoë “quoted” – €5'), 'Zoë “quoted” – €5')
    assert.equal(winAnsi('Dvořák\tŁ ✓'), 'Dvorák ? ?')
    const { pdf } = await renderPdf(buildSpec({ title: 'Dvořák ✓' }))
    assert.ok(pdfText(pdf).startsWith('Dvorák ?'))
  })

  it('reads no hash from a file that is not a PDF or carries none', async () => {
    assert.equal(pdfSha256Of(Buffer.from('not a pdf')), null)
    assert.equal(pdfSha256Of(await renderUnsealed(buildSpec())), null)
    // A hash-looking string in the page text is not metadata.
    const { pdf } = await renderPdf(buildSpec({ paragraphs: [`/Keywords (SHA-256:${'0'.repeat(64)})`] }))
    assert.notEqual(pdfSha256Of(pdf), '0'.repeat(64))
  })
})

for (const engine of engines()) {
  describe(`an assessment’s PDF summary on ${engine.name}`, () => {
    let store: TestStore
    let app: FastifyInstance
    let services: Services
    let close: () => Promise<void>
    let contoso = ''
    let fabrikam = ''
    let assessmentId = ''
    let scoped: string[] = []
    const clock = new Date('2026-12-04T10:00:00.000Z')
    const people = new Map<string, { id: string; cookie: string }>()
    const person = async (
      key: string,
      roles: Role[],
      organisation: { kind: 'authority' | 'supplier'; name: string },
    ) => {
      const built = await buildPerson(services.store.db, { roles, organisation })
      people.set(key, { id: built.id, cookie: await sessionCookieFor(services.store.db, built.id, clock) })
      return built
    }
    const as = (key: string) => browserFor(app, people.get(key)?.cookie)
    const summaryUrl = (supplierId: string) => `/suppliers/${supplierId}/assessments/${assessmentId}/summary.pdf`

    before(async () => {
      store = await engine.create()
      ;({ app, services, close } = await startApp(store, { now: () => clock }))
      await person('assessor', ['security-assessor'], { kind: 'authority', name: 'Ministry of Justice' })
      const contosoOrg = { kind: 'supplier' as const, name: 'Contoso Ltd' }
      contoso = (await person('contoso-admin', ['supplier-admin'], contosoOrg)).organisationId
      await person('contributor', ['supplier-contributor'], contosoOrg)
      fabrikam = (await person('fabrikam-admin', ['supplier-admin'], { kind: 'supplier', name: 'Fabrikam Ltd' }))
        .organisationId
      const opened = await as('assessor').post(`/suppliers/${contoso}/assessments/new`, {
        title: 'Email security',
        tags: 'email',
      })
      assert.equal(opened.statusCode, 303)
      assessmentId = /^\/assessments\/([0-9a-f-]+)/.exec(String(opened.headers.location))?.[1] ?? ''
      scoped = services.catalogue.requirements.filter(r => r.tags.includes('email')).map(r => r.id)
      const [first = '', second = ''] = scoped
      const answer = (id: string, form: Record<string, string>) =>
        as('contributor').post(`/assessments/${assessmentId}/requirements/${id}`, form)
      assert.equal((await answer(first, { status: 'met', justification: '' })).statusCode, 303)
      assert.equal(
        (await answer(second, { status: 'not-met', justification: 'DMARC is planned for next quarter' })).statusCode,
        303,
      )
    })
    after(async () => {
      await close()
      await store.dispose()
    })

    it('gives the supplier its own assessment’s summary: particulars, counts by MCSS function and answers', async () => {
      const response = await as('contoso-admin').get(summaryUrl(contoso))
      assert.equal(response.statusCode, 200)
      assert.equal(response.headers['content-type'], 'application/pdf')
      assert.equal(response.headers['content-disposition'], 'attachment; filename="assessment-summary.pdf"')
      const entries = await services.store.db
        .selectFrom('audit_entries')
        .select(['action', 'user_id', 'outcome'])
        .where('request_id', '=', String(response.headers['x-request-id']))
        .execute()
      assert.deepEqual(
        entries.map(e => ({ ...e })),
        [{ action: 'assessment.exported', user_id: people.get('contoso-admin')?.id, outcome: 'success' }],
      )
      const pdf = response.rawPayload
      assert.match(String(pdfSha256Of(pdf)), /^[0-9a-f]{64}$/)
      for (const page of pdfPages(pdf)) assert.equal(page.split('\n').filter(l => l === SUMMARY_MARKING).length, 2)
      const text = flat(pdfText(pdf))
      assert.ok(text.startsWith('Assessment summary: Email security'))
      assert.ok(text.includes(`Supplier Contoso Ltd Catalogue version ${services.catalogue.version} Status Open`))
      assert.ok(text.includes(`Requirements in scope ${scoped.length}`))
      const requirements = services.catalogue.requirements.filter(r => scoped.includes(r.id))
      const answers = await services.store.db
        .selectFrom('assessment_answers')
        .selectAll()
        .where('assessment_id', '=', assessmentId)
        .execute()
      for (const c of countsByFunction(requirements, answers)) {
        const name = `${c.name.charAt(0)}${c.name.slice(1).toLowerCase()}`
        const line = `${name} Met ${c.met}, partially met ${c.partiallyMet}, not met ${c.notMet}, not applicable ${c.notApplicable}, not answered ${c.notAnswered}`
        assert.ok(text.includes(line), line)
      }
      const [first, second] = requirements
      assert.ok(text.includes(`${first?.id}: ${first?.title} Met (review: not reviewed)`))
      assert.ok(text.includes('Not met (review: not reviewed) Justification: DMARC is planned for next quarter'))
      assert.ok(second !== undefined && text.includes(second.id))
      assert.equal((await as('assessor').get(summaryUrl(contoso))).statusCode, 200)
    })

    it('answers another supplier, or the assessment under the wrong supplier, as not found', async () => {
      assert.equal((await as('fabrikam-admin').get(summaryUrl(contoso))).statusCode, 404)
      assert.equal((await as('fabrikam-admin').get(summaryUrl(fabrikam))).statusCode, 404)
      assert.equal((await as('assessor').get(summaryUrl(fabrikam))).statusCode, 404)
      assert.equal(
        (await as('contoso-admin').get(`/suppliers/${contoso}/assessments/nope/summary.pdf`)).statusCode,
        404,
      )
    })
  })
}

describe('counting answers by MCSS function', () => {
  it('counts each requirement under each of its functions, and the unanswered ones', () => {
    const requirement = (id: string, mcss: string[]) => ({ id, mcss }) as unknown as PlacedRequirement
    const answer = (id: string, status: AnswerRow['status']) => ({ requirement_id: id, status }) as AnswerRow
    const counts = countsByFunction(
      [requirement('A', ['IDENTIFY', 'PROTECT']), requirement('B', ['PROTECT']), requirement('C', ['DETECT'])],
      [answer('A', 'met'), answer('B', 'partially-met')],
    )
    assert.deepEqual(
      counts.map(c => [c.name, c.met, c.partiallyMet, c.notMet, c.notApplicable, c.notAnswered]),
      [
        ['IDENTIFY', 1, 0, 0, 0, 0],
        ['PROTECT', 1, 1, 0, 0, 0],
        ['DETECT', 0, 0, 0, 0, 1],
        ['RESPOND', 0, 0, 0, 0, 0],
        ['RECOVER', 0, 0, 0, 0, 0],
      ],
    )
  })
})
