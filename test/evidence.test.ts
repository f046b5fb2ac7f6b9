import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { startApp } from './helpers/app.ts'
import { engines, sqliteStore, type TestStore } from './helpers/stores.ts'
import { buildPerson, sessionCookieFor } from './helpers/people.ts'
import { testMasterKey } from './helpers/keys.ts'
import type { Services } from '../src/services.ts'
import type { Role } from '../src/identity/roles.ts'
import { sealerFor } from '../src/platform/crypto/sealing.ts'
import { displayMarking, parseMarking } from '../src/platform/marking.ts'
import { AssureError } from '../src/platform/errors.ts'
import { sanitiseFileName, sniffEvidence } from '../src/evidence/sniff.ts'
import { EXPIRY_WARNING_DAYS, freshness } from '../src/evidence/evidence.ts'

/** The GOV.UK error summary's messages on a page. */
const summaryOf = (html: string) =>
  [
    ...(/govuk-error-summary__list">([\s\S]*?)<\/ul>/.exec(html)?.[1] ?? '').matchAll(/<a href="[^"]*">([^<]*)<\/a>/g),
  ].map(m => m[1]?.trim())

const problemsOf = (run: () => unknown): string[] => {
  let problems: string[] = []
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof AssureError)
    assert.equal(error.code, 'VALIDATION_FAILED')
    problems = error.problems.map(p => `${p.path}: ${p.message}`)
    return true
  })
  return problems
}

const PDF = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.from('1 0 obj << /Type /Catalog >> endobj\n%%EOF\n')])
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(64)])
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(64)])
const EXE = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(62), Buffer.from('This program cannot be run in DOS mode')])
/** A zip whose entry names are those of a Word document (contents are not read, only the package's shape). */
const zipNamed = (...names: string[]) =>
  Buffer.concat(names.flatMap(name => [Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(26), Buffer.from(name)]))

describe('classification markings', () => {
  it('reads OFFICIAL and OFFICIAL-SENSITIVE however they are written, with handling instructions only for the caveat', () => {
    assert.deepEqual(parseMarking('official'), { marking: 'OFFICIAL', handlingInstructions: null, legacy: null })
    for (const written of ['OFFICIAL-SENSITIVE', 'official sensitive', 'OFFICIAL – SENSITIVE', 'Official: Sensitive'])
      assert.equal(parseMarking(written).marking, 'OFFICIAL-SENSITIVE', written)
    assert.deepEqual(parseMarking('OFFICIAL-SENSITIVE', { handlingInstructions: ' Named recipients only ' }), {
      marking: 'OFFICIAL-SENSITIVE',
      handlingInstructions: 'Named recipients only',
      legacy: null,
    })
    assert.deepEqual(
      problemsOf(() => parseMarking('OFFICIAL', { handlingInstructions: 'Do not forward' })),
      [
        'handlingInstructions: Handling instructions go with the SENSITIVE handling caveat: select OFFICIAL-SENSITIVE, or remove them',
      ],
    )
  })

  it('accepts the legacy markings as OFFICIAL, keeping the original, as the SAL’s Legacy Material says', () => {
    for (const legacy of ['UNCLASSIFIED', 'PROTECT', 'RESTRICTED', 'CONFIDENTIAL'] as const) {
      const marking = parseMarking(legacy.toLowerCase())
      assert.deepEqual(marking, { marking: 'OFFICIAL', handlingInstructions: null, legacy })
      assert.equal(displayMarking(marking), `OFFICIAL (originally marked ${legacy})`)
    }
    assert.equal(displayMarking(parseMarking('OFFICIAL-SENSITIVE')), 'OFFICIAL-SENSITIVE')
  })

  it('refuses SECRET and TOP SECRET as outside the service, and unknown markings by name', () => {
    assert.deepEqual(
      problemsOf(() => parseMarking('SECRET')),
      ['marking: SECRET material must not be put in Assure: it holds OFFICIAL information only'],
    )
    assert.deepEqual(
      problemsOf(() => parseMarking('top secret')),
      ['marking: TOP SECRET material must not be put in Assure: it holds OFFICIAL information only'],
    )
    assert.deepEqual(
      problemsOf(() => parseMarking('HUSH-HUSH')),
      [
        'marking: “HUSH-HUSH” is not a marking Assure accepts: use OFFICIAL or OFFICIAL-SENSITIVE (or, for legacy material, UNCLASSIFIED, PROTECT, RESTRICTED, CONFIDENTIAL)',
      ],
    )
    assert.deepEqual(
      problemsOf(() => parseMarking('  ')),
      ['marking: Select the marking, OFFICIAL or OFFICIAL-SENSITIVE'],
    )
  })
})

describe('evidence file types', () => {
  it('accepts each allowed type only when its bytes match its extension', () => {
    assert.deepEqual(sniffEvidence('report.pdf', PDF), { type: 'pdf', mediaType: 'application/pdf' })
    assert.deepEqual(sniffEvidence('scan.PNG', PNG), { type: 'png', mediaType: 'image/png' })
    assert.equal((sniffEvidence('photo.jpeg', JPEG) as { type: string }).type, 'jpeg')
    assert.equal((sniffEvidence('notes.txt', Buffer.from('Patched on 3 May\r\n')) as { type: string }).type, 'text')
    assert.equal((sniffEvidence('assets.csv', Buffer.from('host,patched\nmail,yes\n')) as { type: string }).type, 'csv')
    const docx = zipNamed('[Content_Types].xml', '_rels/.rels', 'word/document.xml')
    assert.equal((sniffEvidence('policy.docx', docx) as { type: string }).type, 'docx')
    assert.equal(
      (sniffEvidence('register.xlsx', zipNamed('[Content_Types].xml', 'xl/workbook.xml')) as { type: string }).type,
      'xlsx',
    )
    // A zip that is not a Word package, a PNG that is a PDF, text with NUL bytes: refused.
    assert.deepEqual(sniffEvidence('policy.docx', zipNamed('payload.js')), {
      problem: 'The selected file is not a real DOCX file: its contents do not match its name',
    })
    assert.deepEqual(sniffEvidence('policy.pptx', docx), {
      problem: 'The selected file is not a real PPTX file: its contents do not match its name',
    })
    assert.deepEqual(sniffEvidence('photo.png', PDF), {
      problem: 'The selected file is not a real PNG file: its contents do not match its name',
    })
    assert.ok('problem' in sniffEvidence('notes.txt', Buffer.from([0x41, 0x00, 0x42])))
    assert.ok('problem' in sniffEvidence('notes.txt', Buffer.from([0xc3, 0x28])))
    assert.deepEqual(sniffEvidence('tool.exe', EXE), {
      problem: 'The selected file must be a PDF, PNG, JPG, JPEG, TXT, CSV, DOCX, XLSX or PPTX',
    })
    assert.ok('problem' in sniffEvidence('report', PDF))
  })

  it('keeps only a safe last segment of the file name', () => {
    assert.equal(sanitiseFileName('C:\\Users\\me\\Pen test "final"?.pdf'), 'Pen test _final_.pdf')
    assert.equal(sanitiseFileName('../../etc/passwd'), 'passwd')
    assert.equal(sanitiseFileName('résumé.pdf'), 'resume.pdf')
    assert.equal(sanitiseFileName('.pdf'), 'evidence.pdf')
    assert.equal(sanitiseFileName(`${'a'.repeat(300)}.xlsx`), `${'a'.repeat(115)}.xlsx`)
  })

  it(`flags evidence as expiring from ${EXPIRY_WARNING_DAYS} days before it expires, and expired after`, () => {
    assert.equal(EXPIRY_WARNING_DAYS, 30)
    assert.equal(freshness('2026-07-02', '2026-06-01'), 'current')
    assert.equal(freshness('2026-07-01', '2026-06-01'), 'expiring')
    assert.equal(freshness('2026-06-01', '2026-06-01'), 'expiring')
    assert.equal(freshness('2026-05-31', '2026-06-01'), 'expired')
  })
})

describe('routes that check CSRF after an upload', () => {
  it('cannot be registered without the hook that checks it', async () => {
    const store = sqliteStore()
    try {
      await assert.rejects(
        startApp(store, {
          beforeReady: app =>
            app.post('/unchecked', { config: { permission: 'public', csrfAfterUpload: true } }, async () => 'changed'),
        }),
        /POST \/unchecked defers its CSRF check without checkUploadCsrf/,
      )
    } finally {
      await store.dispose()
    }
  })
})

/** A multipart/form-data body, as a browser sends one: fields in order, then the file (if any). */
function multipart(fields: Record<string, string>, file?: { name: string; bytes: Buffer; type?: string }) {
  const boundary = `----assure${randomBytes(8).toString('hex')}`
  const parts: Buffer[] = Object.entries(fields).map(([name, value]) =>
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`),
  )
  if (file !== undefined)
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: ${file.type ?? 'application/octet-stream'}\r\n\r\n`,
      ),
      file.bytes,
      Buffer.from('\r\n'),
    )
  parts.push(Buffer.from(`--${boundary}--\r\n`))
  return { payload: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` }
}

for (const engine of engines()) {
  describe(`evidence on answers on ${engine.name}`, () => {
    let store: TestStore
    let app: FastifyInstance
    let services: Services
    let close: () => Promise<void>
    let clock = new Date('2026-06-01T09:00:00Z')
    let contoso = ''
    let assessmentId = ''
    let requirements: string[] = []
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
    const cookieOf = (key: string) => people.get(key)?.cookie ?? ''
    /** Signs everyone in again, after the clock has moved on past their sessions. */
    const signInAgain = async () => {
      for (const [key, value] of people)
        people.set(key, { ...value, cookie: await sessionCookieFor(services.store.db, value.id, clock) })
    }
    /** A page (as a person) and the CSRF cookie and token it gave. */
    const pageAs = async (key: string, url: string) => {
      const response = await app.inject({ method: 'GET', url, headers: { cookie: cookieOf(key) } })
      const token = /name="_csrf" value="([^"]+)"/.exec(response.body)?.[1] ?? ''
      const setCookie = ([] as string[]).concat(response.headers['set-cookie'] ?? [])
      const csrfCookie = setCookie.map(c => c.split(';')[0] ?? '').find(c => c.startsWith('assure-csrf=')) ?? ''
      return { response, token, cookie: [cookieOf(key), csrfCookie].filter(c => c !== '').join('; ') }
    }
    const evidencePath = (requirementId: string, assessment = assessmentId) =>
      `/assessments/${assessment}/requirements/${requirementId}/evidence`
    /** Posts the add-evidence form as a person would, with the token from the sign-in page unless told otherwise. */
    const upload = async (
      key: string,
      requirementId: string,
      fields: Record<string, string>,
      file?: { name: string; bytes: Buffer; type?: string },
      options: { token?: string | null; assessment?: string } = {},
    ) => {
      const { token, cookie } = await pageAs(key, '/sign-in')
      const body = multipart({ ...(options.token === null ? {} : { _csrf: options.token ?? token }), ...fields }, file)
      return app.inject({
        method: 'POST',
        url: evidencePath(requirementId, options.assessment),
        payload: body.payload,
        headers: { cookie, 'content-type': body.contentType },
      })
    }
    const postForm = async (key: string, url: string, form: Record<string, string>) => {
      const { token, cookie } = await pageAs(key, '/sign-in')
      return app.inject({ method: 'POST', url, payload: { _csrf: token, ...form }, headers: { cookie } })
    }
    const ledgerFor = async (response: { headers: Record<string, unknown> }) =>
      (
        await services.store.db
          .selectFrom('audit_entries')
          .select(['action', 'user_id', 'outcome', 'details'])
          .where('request_id', '=', String(response.headers['x-request-id']))
          .execute()
      ).map(row => ({ action: row.action, user_id: row.user_id, outcome: row.outcome }))
    const evidenceCount = async () =>
      Number(
        (
          await services.store.db
            .selectFrom('evidence_items')
            .select(e => e.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      ) +
      Number(
        (
          await services.store.db
            .selectFrom('evidence_files')
            .select(e => e.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      )
    const fileFields = { kind: 'file', effectiveOn: '2026-05-01', expiresOn: '2027-05-01', marking: 'OFFICIAL' }

    before(async () => {
      store = await engine.create()
      ;({ app, services, close } = await startApp(store, {
        now: () => clock,
        env: { ASSURE_EVIDENCE_MAX_BYTES: '4096' },
      }))
      const authority = { kind: 'authority' as const, name: 'Ministry of Justice' }
      await person('admin', ['authority-admin'], authority)
      await person('assessor', ['security-assessor'], authority)
      const contosoOrg = { kind: 'supplier' as const, name: 'Contoso Ltd' }
      contoso = (await person('contoso-admin', ['supplier-admin'], contosoOrg)).organisationId
      await person('contributor', ['supplier-contributor'], contosoOrg)
      await person('fabrikam-admin', ['supplier-admin'], { kind: 'supplier', name: 'Fabrikam Ltd' })
      requirements = services.catalogue.requirements.filter(r => r.tags.includes('email')).map(r => r.id)
      assert.ok(requirements.length >= 2)
      const opened = await postForm('admin', `/suppliers/${contoso}/assessments/new`, {
        title: 'Email security 2026',
        tags: 'email',
      })
      assert.equal(opened.statusCode, 303)
      assessmentId = /^\/assessments\/([0-9a-f-]+)\?/.exec(String(opened.headers.location))?.[1] ?? ''
    })
    after(async () => {
      await close()
      await store.dispose()
    })

    let pdfId = ''

    it('uploads a PDF: records its SHA-256, size, type and a safe name, seals its bytes, and ledgers it', async () => {
      const [first = ''] = requirements
      const form = await pageAs('contributor', evidencePath(first))
      assert.equal(form.response.statusCode, 200)
      assert.match(form.response.body, /enctype="multipart\/form-data"/)
      assert.match(form.response.body, /4 KB or smaller/)
      const response = await upload('contributor', first, fileFields, {
        name: '../Pen test: final?.pdf',
        bytes: PDF,
        type: 'image/png', // what the browser claims does not matter: the bytes do
      })
      assert.equal(response.statusCode, 303, summaryOf(response.body).join('; '))
      assert.equal(response.headers.location, `/assessments/${assessmentId}/requirements/${first}?done=evidence-added`)
      assert.deepEqual(await ledgerFor(response), [
        { action: 'evidence.added', user_id: people.get('contributor')?.id, outcome: 'success' },
      ])
      const row = await services.store.db
        .selectFrom('evidence_items')
        .selectAll()
        .where('assessment_id', '=', assessmentId)
        .executeTakeFirstOrThrow()
      pdfId = row.id
      assert.equal(row.sha256, createHash('sha256').update(PDF).digest('hex'))
      assert.equal(Number(row.size_bytes), PDF.length)
      assert.equal(row.media_type, 'application/pdf')
      assert.equal(row.file_name, 'Pen test_ final_.pdf')
      assert.equal(row.requirement_id, first)
      assert.equal(row.organisation_id, contoso)
      assert.deepEqual(
        [row.marking, row.legacy_marking, row.effective_on, row.expires_on],
        ['OFFICIAL', null, '2026-05-01', '2027-05-01'],
      )
      const { sealed } = await services.store.db
        .selectFrom('evidence_files')
        .select('sealed')
        .where('evidence_id', '=', row.id)
        .executeTakeFirstOrThrow()
      // Nothing of the plaintext is in the store, in clear or merely encoded; the master key opens it, bound to its ID.
      assert.ok(!sealed.includes('PDF'))
      for (const part of sealed.split('.')) assert.ok(!Buffer.from(part, 'base64url').includes('%PDF-1.7'))
      assert.ok(!sealed.includes(PDF.toString('base64url')))
      assert.deepEqual(sealerFor(testMasterKey(), 'evidence-file').open(sealed, row.id), PDF)
      assert.throws(() => sealerFor(testMasterKey(), 'evidence-file').open(sealed, 'another-id'))

      const page = await pageAs('contributor', `/assessments/${assessmentId}/requirements/${first}?done=evidence-added`)
      assert.match(page.response.body, /Evidence added/)
      assert.match(page.response.body, /Pen test_ final_.pdf/)
      assert.ok(page.response.body.replaceAll('<wbr>', '').includes(row.sha256 ?? 'missing'))
      assert.match(page.response.body, />Current</)
    })

    it('gives the original file back as an attachment to the supplier and the Authority, ledgering each download', async () => {
      for (const key of ['contributor', 'admin', 'assessor']) {
        const response = await app.inject({
          method: 'GET',
          url: `/evidence/${pdfId}/download`,
          headers: { cookie: cookieOf(key) },
        })
        assert.equal(response.statusCode, 200, key)
        assert.deepEqual(response.rawPayload, PDF)
        assert.equal(response.headers['content-type'], 'application/pdf')
        assert.equal(response.headers['content-disposition'], 'attachment; filename="Pen test_ final_.pdf"')
        assert.equal(response.headers['x-content-type-options'], 'nosniff')
        assert.equal(response.headers['cache-control'], 'no-store')
        assert.deepEqual(await ledgerFor(response), [
          { action: 'evidence.downloaded', user_id: people.get(key)?.id, outcome: 'success' },
        ])
      }
    })

    it('answers another supplier’s person with not found, for download and upload alike', async () => {
      const [first = ''] = requirements
      const download = await app.inject({
        method: 'GET',
        url: `/evidence/${pdfId}/download`,
        headers: { cookie: cookieOf('fabrikam-admin') },
      })
      assert.equal(download.statusCode, 404)
      assert.ok(!download.rawPayload.includes('%PDF'))
      assert.deepEqual(await ledgerFor(download), [
        { action: 'access.denied', user_id: people.get('fabrikam-admin')?.id, outcome: 'denied' },
      ])
      const saved = await evidenceCount()
      const uploaded = await upload('fabrikam-admin', first, fileFields, { name: 'x.pdf', bytes: PDF })
      assert.equal(uploaded.statusCode, 404)
      assert.equal(await evidenceCount(), saved)
      const form = await pageAs('fabrikam-admin', evidencePath(first))
      assert.equal(form.response.statusCode, 404)
    })

    it('answers unknown assessments, requirements and evidence with not found', async () => {
      const [first = ''] = requirements
      const saved = await evidenceCount()
      const unknownAssessment = await upload(
        'contributor',
        first,
        fileFields,
        { name: 'x.pdf', bytes: PDF },
        {
          assessment: '00000000-0000-4000-8000-000000000000',
        },
      )
      assert.equal(unknownAssessment.statusCode, 404)
      const unknownRequirement = await upload('contributor', 'NO-SUCH-REQUIREMENT', fileFields, {
        name: 'x.pdf',
        bytes: PDF,
      })
      assert.equal(unknownRequirement.statusCode, 404)
      assert.equal((await pageAs('contributor', evidencePath('NO-SUCH-REQUIREMENT'))).response.statusCode, 404)
      assert.equal(await evidenceCount(), saved)
      const download = await app.inject({
        method: 'GET',
        url: '/evidence/00000000-0000-4000-8000-000000000000/download',
        headers: { cookie: cookieOf('admin') },
      })
      assert.equal(download.statusCode, 404)
    })

    it('refuses an upload without its CSRF token, or with a wrong one, saving nothing', async () => {
      const [first = ''] = requirements
      const saved = await evidenceCount()
      const missing = await upload('contributor', first, fileFields, { name: 'x.pdf', bytes: PDF }, { token: null })
      assert.equal(missing.statusCode, 403)
      assert.deepEqual(await ledgerFor(missing), [
        { action: 'http.request.refused', user_id: people.get('contributor')?.id, outcome: 'denied' },
      ])
      const wrong = await upload('contributor', first, fileFields, { name: 'x.pdf', bytes: PDF }, { token: 'forged' })
      assert.equal(wrong.statusCode, 403)
      assert.equal(await evidenceCount(), saved)
    })

    it('refuses a plain form post to the upload route without its token too', async () => {
      const [first = ''] = requirements
      const saved = await evidenceCount()
      const response = await app.inject({
        method: 'POST',
        url: evidencePath(first),
        payload: { ...fileFields, kind: 'link', url: 'https://docs.example/x' },
        headers: { cookie: cookieOf('contributor') },
      })
      assert.equal(response.statusCode, 403)
      assert.equal(await evidenceCount(), saved)
    })

    it('refuses a file over the configured limit, naming the limit, and saves nothing', async () => {
      const [first = ''] = requirements
      const saved = await evidenceCount()
      const big = Buffer.concat([PDF, Buffer.alloc(5000, 0x20)])
      const response = await upload('contributor', first, fileFields, { name: 'big.pdf', bytes: big })
      assert.equal(response.statusCode, 400)
      assert.deepEqual(summaryOf(response.body), ['The selected file must be 4 KB or smaller'])
      assert.equal(await evidenceCount(), saved)
      assert.deepEqual(await ledgerFor(response), [
        { action: 'http.request.refused', user_id: people.get('contributor')?.id, outcome: 'failure' },
      ])
    })

    it('refuses files whose bytes are not what their name says, and types not on the list', async () => {
      const [first = ''] = requirements
      const saved = await evidenceCount()
      const fakePng = await upload('contributor', first, fileFields, {
        name: 'screenshot.png',
        bytes: PDF,
        type: 'image/png',
      })
      assert.equal(fakePng.statusCode, 400)
      assert.deepEqual(summaryOf(fakePng.body), [
        'The selected file is not a real PNG file: its contents do not match its name',
      ])
      const exe = await upload('contributor', first, fileFields, { name: 'tool.exe', bytes: EXE })
      assert.deepEqual(summaryOf(exe.body), [
        'The selected file must be a PDF, PNG, JPG, JPEG, TXT, CSV, DOCX, XLSX or PPTX',
      ])
      const empty = await upload('contributor', first, fileFields, { name: 'empty.pdf', bytes: Buffer.alloc(0) })
      assert.deepEqual(summaryOf(empty.body), ['The selected file is empty'])
      const none = await upload('contributor', first, fileFields)
      assert.deepEqual(summaryOf(none.body), ['Select a file'])
      assert.equal(await evidenceCount(), saved)
    })

    it('refuses an effective date in the future and an expiry in the past, with every problem at once', async () => {
      const [first = ''] = requirements
      const saved = await evidenceCount()
      const response = await upload(
        'contributor',
        first,
        { ...fileFields, effectiveOn: '2026-06-02', expiresOn: '2026-05-31', marking: 'SECRET' },
        { name: 'x.pdf', bytes: PDF },
      )
      assert.equal(response.statusCode, 400)
      assert.deepEqual(summaryOf(response.body), [
        'The date the evidence is effective from must be today or in the past',
        'The expiry date must be today or in the future',
        'SECRET material must not be put in Assure: it holds OFFICIAL information only',
      ])
      const backwards = await upload(
        'contributor',
        first,
        { ...fileFields, effectiveOn: '2026-05-01', expiresOn: '2026-05-01' },
        { name: 'x.pdf', bytes: PDF },
      )
      assert.deepEqual(summaryOf(backwards.body), ['The expiry date must be today or in the future'])
      const unreal = await upload(
        'contributor',
        first,
        { ...fileFields, effectiveOn: '2026-02-30', expiresOn: '' },
        { name: 'x.pdf', bytes: PDF },
      )
      assert.deepEqual(summaryOf(unreal.body), [
        'The date the evidence is effective from must be a real date, for example 2026-04-01',
        'Enter the date the evidence expires',
      ])
      assert.match(unreal.body, /value="2026-02-30"/)
      assert.equal(await evidenceCount(), saved)
    })

    it('adds https links only, accepting a legacy marking as OFFICIAL with the original kept', async () => {
      const [, second = ''] = requirements
      const fields = { kind: 'link', effectiveOn: '2026-01-01', expiresOn: '2026-06-20' }
      const http = await upload('contributor', second, {
        ...fields,
        url: 'http://intranet.example/policy',
        marking: 'OFFICIAL',
      })
      assert.deepEqual(summaryOf(http.body), ['Enter the link as a web address starting https://'])
      const withPassword = await upload('contributor', second, {
        ...fields,
        url: 'https://me:secret@docs.example/policy',
        marking: 'OFFICIAL',
      })
      assert.deepEqual(summaryOf(withPassword.body), ['The link must not contain a user name or password'])
      const response = await upload('contributor', second, {
        ...fields,
        url: 'https://docs.contoso.example/isms/email-policy',
        marking: 'restricted',
      })
      assert.equal(response.statusCode, 303, response.body)
      const row = await services.store.db
        .selectFrom('evidence_items')
        .selectAll()
        .where('requirement_id', '=', second)
        .executeTakeFirstOrThrow()
      assert.deepEqual(
        [row.kind, row.url, row.marking, row.legacy_marking, row.sha256],
        ['link', 'https://docs.contoso.example/isms/email-policy', 'OFFICIAL', 'RESTRICTED', null],
      )
      const page = await pageAs('contributor', `/assessments/${assessmentId}/requirements/${second}`)
      assert.match(page.response.body, /OFFICIAL \(originally marked RESTRICTED\)/)
      // Expires 19 days after today: flagged on the supplier's page.
      assert.match(page.response.body, /Expires within 30 days/)
      assert.match(page.response.body, /1 evidence item is stale/)
      const download = await app.inject({
        method: 'GET',
        url: `/evidence/${row.id}/download`,
        headers: { cookie: cookieOf('contributor') },
      })
      assert.equal(download.statusCode, 404)
    })

    it('records OFFICIAL-SENSITIVE with handling instructions, and refuses instructions without the caveat', async () => {
      const [, second = ''] = requirements
      const refused = await upload('contributor', second, {
        kind: 'link',
        url: 'https://docs.contoso.example/dmarc',
        effectiveOn: '2026-05-01',
        expiresOn: '2027-05-01',
        marking: 'OFFICIAL',
        handlingInstructions: 'Named recipients only',
      })
      assert.deepEqual(summaryOf(refused.body), [
        'Handling instructions go with the SENSITIVE handling caveat: select OFFICIAL-SENSITIVE, or remove them',
      ])
      const response = await upload(
        'contributor',
        second,
        {
          kind: 'file',
          effectiveOn: '2026-05-01',
          expiresOn: '2027-05-01',
          marking: 'OFFICIAL-SENSITIVE',
          handlingInstructions: 'Named recipients only',
        },
        { name: 'mx-records.csv', bytes: Buffer.from('host,priority\nmx1,10\n') },
      )
      assert.equal(response.statusCode, 303, response.body)
      const page = await pageAs('contributor', `/assessments/${assessmentId}/requirements/${second}`)
      assert.match(page.response.body, /OFFICIAL-SENSITIVE/)
      assert.match(page.response.body, /Handling: Named recipients only/)
      assert.match(page.response.body, /mx-records.csv/)
    })

    it('lets the supplier remove evidence while answering, ledgering what it was', async () => {
      const [first = ''] = requirements
      const added = await upload('contributor', first, fileFields, { name: 'extra.png', bytes: PNG })
      assert.equal(added.statusCode, 303, added.body)
      const row = await services.store.db
        .selectFrom('evidence_items')
        .select('id')
        .where('file_name', '=', 'extra.png')
        .executeTakeFirstOrThrow()
      const stranger = await postForm('fabrikam-admin', `/evidence/${row.id}/remove`, {})
      assert.equal(stranger.statusCode, 404)
      const assessor = await postForm('assessor', `/evidence/${row.id}/remove`, {})
      assert.equal(assessor.statusCode, 403)
      const response = await postForm('contoso-admin', `/evidence/${row.id}/remove`, {})
      assert.equal(response.statusCode, 303)
      assert.equal(
        response.headers.location,
        `/assessments/${assessmentId}/requirements/${first}?done=evidence-removed`,
      )
      assert.deepEqual(await ledgerFor(response), [
        { action: 'evidence.removed', user_id: people.get('contoso-admin')?.id, outcome: 'success' },
      ])
      const entry = await services.store.db
        .selectFrom('audit_entries')
        .select('details')
        .where('request_id', '=', String(response.headers['x-request-id']))
        .executeTakeFirstOrThrow()
      assert.match(String(entry.details), new RegExp(createHash('sha256').update(PNG).digest('hex')))
      assert.equal(
        await services.store.db
          .selectFrom('evidence_files')
          .select('evidence_id')
          .where('evidence_id', '=', row.id)
          .executeTakeFirst(),
        undefined,
      )
    })

    /** Posts a CSV import as a person would. */
    const importCsv = async (key: string, csv: string, name = 'evidence.csv') => {
      const { token, cookie } = await pageAs(key, '/sign-in')
      const body = multipart({ _csrf: token }, { name, bytes: Buffer.from(csv), type: 'text/csv' })
      return app.inject({
        method: 'POST',
        url: `/assessments/${assessmentId}/evidence/import`,
        payload: body.payload,
        headers: { cookie, 'content-type': body.contentType },
      })
    }
    const HEADER = 'requirement,url,effective_on,expires_on,marking,handling_instructions'

    it('imports links from a CSV file, accepting legacy markings as OFFICIAL with the original kept', async () => {
      const [first = '', second = ''] = requirements
      const page = await pageAs('contributor', `/assessments/${assessmentId}/evidence/import`)
      assert.equal(page.response.statusCode, 200)
      assert.match(page.response.body, /UNCLASSIFIED, PROTECT, RESTRICTED, CONFIDENTIAL/)
      const saved = await evidenceCount()
      const response = await importCsv(
        'contributor',
        [
          HEADER,
          `${first},https://docs.contoso.example/legacy/mail-gateway,2025-01-01,2027-01-01,PROTECT,`,
          `${second},"https://docs.contoso.example/legacy/dkim,spf",2025-01-01,2027-01-01,confidential,`,
          `${second},https://docs.contoso.example/dmarc-report,2026-05-01,2027-01-01,OFFICIAL-SENSITIVE,"Named recipients, only"`,
        ].join('\r\n'),
      )
      assert.equal(response.statusCode, 303, summaryOf(response.body).join('; '))
      assert.equal(response.headers.location, `/assessments/${assessmentId}?done=evidence-imported`)
      assert.deepEqual(await ledgerFor(response), [
        { action: 'evidence.imported', user_id: people.get('contributor')?.id, outcome: 'success' },
      ])
      assert.equal(await evidenceCount(), saved + 3)
      const imported = await services.store.db
        .selectFrom('evidence_items')
        .select(['requirement_id', 'url', 'marking', 'legacy_marking', 'handling_instructions'])
        .where('url', 'like', 'https://docs.contoso.example/%')
        .where('kind', '=', 'link')
        .orderBy('url')
        .execute()
      assert.deepEqual(
        imported
          .filter(r => r.url?.includes('legacy') === true || r.url?.includes('dmarc-report') === true)
          .map(r => ({ ...r })),
        [
          {
            requirement_id: second,
            url: 'https://docs.contoso.example/dmarc-report',
            marking: 'OFFICIAL-SENSITIVE',
            legacy_marking: null,
            handling_instructions: 'Named recipients, only',
          },
          {
            requirement_id: second,
            url: 'https://docs.contoso.example/legacy/dkim,spf',
            marking: 'OFFICIAL',
            legacy_marking: 'CONFIDENTIAL',
            handling_instructions: null,
          },
          {
            requirement_id: first,
            url: 'https://docs.contoso.example/legacy/mail-gateway',
            marking: 'OFFICIAL',
            legacy_marking: 'PROTECT',
            handling_instructions: null,
          },
        ],
      )
      const answerPage = await pageAs('contributor', `/assessments/${assessmentId}/requirements/${first}`)
      assert.match(answerPage.response.body, /OFFICIAL \(originally marked PROTECT\)/)
    })

    it('imports nothing when any line has a problem, naming each line', async () => {
      const [first = ''] = requirements
      const saved = await evidenceCount()
      const response = await importCsv(
        'contributor',
        [
          HEADER,
          `${first},https://docs.contoso.example/fine,2025-01-01,2027-01-01,OFFICIAL,`,
          `${first},https://docs.contoso.example/s,2025-01-01,2027-01-01,SECRET,`,
          'NO-SUCH-REQUIREMENT,https://docs.contoso.example/x,2025-01-01,2027-01-01,OFFICIAL,',
          `${first},http://docs.contoso.example/plain,2025-01-01,2027-01-01,OFFICIAL,`,
          `${first},https://docs.contoso.example/d,2025-01-01,31/12/2027,OFFICIAL,`,
        ].join('\n'),
      )
      assert.equal(response.statusCode, 400)
      assert.deepEqual(summaryOf(response.body), [
        'Line 3: SECRET material must not be put in Assure: it holds OFFICIAL information only',
        'Line 4: NO-SUCH-REQUIREMENT is not a requirement of this assessment',
        'Line 5: Enter the link as a web address starting https://',
        'Line 6: the dates must be real dates written YYYY-MM-DD, for example 2027-03-31',
      ])
      assert.equal(await evidenceCount(), saved)
      const header = await importCsv('contributor', 'req,link\nx,y\n')
      assert.deepEqual(summaryOf(header.body), [
        'The first row of the file must name the columns requirement, url, effective_on, expires_on, marking, handling_instructions',
      ])
      const notCsv = await importCsv('contributor', HEADER, 'evidence.xlsx')
      assert.deepEqual(summaryOf(notCsv.body), ['The selected file must be a CSV'])
      const stranger = await importCsv('fabrikam-admin', HEADER)
      assert.equal(stranger.statusCode, 404)
      assert.equal(await evidenceCount(), saved)
    })

    it('flags stale evidence on the assessor’s review page, and freezes evidence once submitted', async () => {
      for (const requirementId of requirements) {
        const answered = await postForm('contributor', `/assessments/${assessmentId}/requirements/${requirementId}`, {
          status: 'met',
        })
        assert.equal(answered.statusCode, 303, answered.body)
      }
      const submitted = await postForm('contoso-admin', `/assessments/${assessmentId}/submit`, {})
      assert.equal(submitted.statusCode, 303, submitted.body)
      const [first = '', second = ''] = requirements
      const frozen = await upload('contributor', first, fileFields, { name: 'late.pdf', bytes: PDF })
      assert.equal(frozen.statusCode, 409)
      const removal = await postForm('contributor', `/evidence/${pdfId}/remove`, {})
      assert.equal(removal.statusCode, 409)

      const review = await pageAs('assessor', `/assessments/${assessmentId}/requirements/${second}/review`)
      assert.equal(review.response.statusCode, 200)
      assert.match(review.response.body, /Expires within 30 days/)
      assert.match(review.response.body, /OFFICIAL \(originally marked RESTRICTED\)/)
      // Three weeks on the link has expired; the year-long PDF is still current.
      clock = new Date('2026-06-22T09:00:00Z')
      await signInAgain()
      const later = await pageAs('assessor', `/assessments/${assessmentId}/requirements/${second}/review`)
      assert.match(later.response.body, />Expired</)
      const firstReview = await pageAs('assessor', `/assessments/${assessmentId}/requirements/${first}/review`)
      assert.match(firstReview.response.body, />Current</)
      assert.doesNotMatch(firstReview.response.body, /stale/)
      const download = await app.inject({
        method: 'GET',
        url: `/evidence/${pdfId}/download`,
        headers: { cookie: cookieOf('assessor') },
      })
      assert.deepEqual(download.rawPayload, PDF)
    })
  })
}
