import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { FastifyInstance } from 'fastify'
import { browserFor, startApp } from './helpers/app.ts'
import { engines, type TestStore } from './helpers/stores.ts'
import { buildPerson, sessionCookieFor } from './helpers/people.ts'
import type { Services } from '../src/services.ts'
import type { Role } from '../src/identity/roles.ts'
import { recordAuditEvent, type AuditEvent } from '../src/audit/record.ts'
import { signCheckpoint } from '../src/audit/ledger.ts'
import { CSV_HEADER } from '../src/audit/presenters.ts'
import { parseDay, startOfUkDay } from '../src/audit/queries.ts'

const AUTHORITY = { kind: 'authority' as const, name: 'Ministry of Justice' }
const SUPPLIER = { kind: 'supplier' as const, name: 'Acme Secure Services Ltd' }
const READERS: Role[] = ['auditor', 'authority-admin']
const OTHERS: Role[] = [
  'security-assessor',
  'authority-viewer',
  'supplier-admin',
  'supplier-contributor',
  'supplier-signatory',
]
const DENIED = /<h1 class="govuk-heading-l">You do not have permission to do that<\/h1>/

/** The GOV.UK error summary's links, as `#field message`. */
const summaryOf = (body: string) =>
  [...body.matchAll(/<li>\s*<a href="(#[^"]+)">([^<]+)<\/a>/g)].map(m => `${m[1]} ${m[2]?.trim()}`)
/** The entry sequences the list shows, top to bottom. */
const listed = (body: string) =>
  [...body.matchAll(/href="\/audit\/entries\/(\d+)"><span class="govuk-visually-hidden">Entry <\/span>/g)].map(m =>
    Number(m[1]),
  )
/** The value an input was rendered with. */
const inputValue = (body: string, id: string) =>
  new RegExp(`<input[^>]*id="${id}"[^>]*value="([^"]*)"`).exec(body)?.[1] ??
  new RegExp(`<input[^>]*value="([^"]*)"[^>]*id="${id}"`).exec(body)?.[1]
const decode = (html: string) =>
  html
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')

for (const engine of engines()) {
  describe(`the audit ledger pages on ${engine.name}`, () => {
    let store: TestStore
    let app: FastifyInstance
    let services: Services
    let close: () => Promise<void>
    const clock = new Date('2026-12-03T09:00:00Z')
    const now = () => clock
    const people = new Map<Role, { id: string; email: string; cookie: string }>()
    let ada: { id: string; email: string }
    let grace: { id: string; email: string }

    const person = async (roles: Role[], email?: string) => {
      const built = await buildPerson(services.store.db, {
        roles,
        organisation: roles.some(r => r.startsWith('supplier')) ? SUPPLIER : AUTHORITY,
        ...(email === undefined ? {} : { email }),
      })
      return { ...built, cookie: await sessionCookieFor(services.store.db, built.id, clock) }
    }
    const as = (role: Role | 'anonymous') =>
      browserFor(app, role === 'anonymous' ? undefined : people.get(role)?.cookie)
    const seed = (event: Omit<AuditEvent, 'outcome'> & { outcome?: AuditEvent['outcome'] }, at: string) =>
      recordAuditEvent(services.store.db, { outcome: 'success', ...event }, new Date(at))
    const entriesFor = (requestId: unknown) =>
      services.store.db.selectFrom('audit_entries').selectAll().where('request_id', '=', String(requestId)).execute()
    const sequenceWhere = async (targetId: string) =>
      Number(
        (
          await services.store.db
            .selectFrom('audit_entries')
            .select('sequence')
            .where('target_id', '=', targetId)
            .executeTakeFirstOrThrow()
        ).sequence,
      )

    before(async () => {
      store = await engine.create()
      ;({ app, services, close } = await startApp(store, { now }))
      for (const role of [...READERS, ...OTHERS]) people.set(role, await person([role]))
      ada = await person(['supplier-contributor'], 'ada@acme.example')
      grace = await person(['supplier-admin'], 'grace@acme.example')
      const acme = { type: 'user' as const, organisationId: 'org-acme' }
      await seed(
        {
          actor: { ...acme, id: ada.id },
          action: 'auth.sign_in.success',
          target: { type: 'user', id: 'seed-ada' },
          ip: '192.0.2.10',
          requestId: 'seed-request-1',
          details: { method: 'totp', nested: { attempts: 1 } },
        },
        '2026-12-01T10:00:00Z',
      )
      await seed(
        {
          actor: { type: 'anonymous' },
          action: 'auth.sign_in.failure',
          outcome: 'failure',
          target: { type: 'user', id: 'seed-anon' },
        },
        '2026-12-02T12:00:00Z',
      )
      await seed(
        {
          actor: { ...acme, id: grace.id },
          action: 'identity.person.suspended',
          target: { type: 'user', id: 'seed-grace' },
        },
        '2026-12-03T08:00:00Z',
      )
      await seed(
        {
          actor: { type: 'token', id: 'token-1', userId: ada.id, organisationId: 'org-acme' },
          action: 'api.people.read',
          outcome: 'denied',
          target: { type: 'user', id: 'seed-token' },
        },
        '2026-12-03T08:30:00Z',
      )
      // `_` is a LIKE wildcard: a prefix filter on auth.sign_in. must not match this.
      await seed(
        {
          actor: { type: 'system', id: 'probe' },
          action: 'auth.signxin.probe',
          target: { type: 'user', id: 'seed-probe' },
        },
        '2026-12-03T08:40:00Z',
      )
      // 23:30 UTC on 1 July is 00:30 on 2 July in the UK (BST).
      await seed(
        { actor: { type: 'system', id: 'probe' }, action: 'test.dst', target: { type: 'probe', id: 'dst-probe' } },
        '2026-07-01T23:30:00Z',
      )
      await seed(
        {
          actor: { type: 'system', id: 'probe' },
          action: 'test.csv',
          target: { type: 'probe', id: '=HYPERLINK("http://evil.example","x")' },
        },
        '2026-12-03T08:50:00Z',
      )
      for (let i = 0; i < 55; i += 1)
        await seed(
          {
            actor: { type: 'system', id: 'bulk' },
            action: 'test.bulk.item',
            target: { type: 'bulk', id: `bulk-${i}` },
          },
          '2026-12-03T08:55:00Z',
        )
    })
    after(async () => {
      await close()
      await store.dispose()
    })

    const seesTheList = async (role: Role) => {
      const response = await as(role).get('/audit')
      assert.equal(response.statusCode, 200)
      assert.match(response.body, /<h1 class="govuk-heading-l">Audit ledger<\/h1>/)
      assert.match(response.body, /<a class="govuk-service-navigation__link" href="\/audit" aria-current="true">/)
      assert.match(response.body, /Newest signed checkpoint/)
      const shown = listed(response.body)
      assert.equal(shown.length, 50, 'a page holds 50 entries')
      assert.deepEqual(
        shown,
        [...shown].sort((a, b) => b - a),
        'newest first',
      )
      assert.match(
        response.body,
        /<form method="post" action="\/audit\/verify"[^>]*>\s*<input type="hidden" name="_csrf"/,
      )
    }
    const seesAnEntry = async (role: Role) => {
      const sequence = await sequenceWhere('seed-ada')
      const stored = await services.store.db
        .selectFrom('audit_entries')
        .selectAll()
        .where('sequence', '=', sequence)
        .executeTakeFirstOrThrow()
      const response = await as(role).get(`/audit/entries/${sequence}`)
      assert.equal(response.statusCode, 200)
      assert.match(response.body, new RegExp(`<h1 class="govuk-heading-l">Ledger entry ${sequence}</h1>`))
      const body = decode(response.body)
      for (const value of [
        'ada@acme.example',
        ada.id,
        'org-acme',
        '192.0.2.10',
        'seed-request-1',
        'auth.sign_in.success',
        'seed-ada',
        '2026-12-01T10:00:00.000Z',
        stored.hash,
        stored.prev_hash,
      ])
        assert.ok(body.includes(value), `shows ${value}`)
      assert.ok(
        body.includes('{\n  "method": "totp",\n  "nested": {\n    "attempts": 1\n  }\n}'),
        'pretty-prints the details',
      )
      assert.match(response.body, /The hash matches this entry’s fields/)
    }
    for (const role of READERS) {
      it(`shows an ${role} the ledger newest first, with the verification status and a link in the header`, () =>
        seesTheList(role))
      it(`shows an ${role} one entry with every field, its details, its hashes and its checkpoint`, () =>
        seesAnEntry(role))
    }

    it('refuses every other role with 403, and sends anonymous people to sign in', async () => {
      const sequence = await sequenceWhere('seed-ada')
      for (const role of OTHERS) {
        for (const url of ['/audit', `/audit/entries/${sequence}`, '/audit/export.csv?action=auth.']) {
          const response = await as(role).get(url)
          assert.equal(response.statusCode, 403, `${role} GET ${url}`)
          assert.match(response.body, DENIED, `${role} GET ${url}`)
          const entries = await entriesFor(response.headers['x-request-id'])
          assert.deepEqual(
            entries.map(e => [e.action, e.actor_id]),
            [['access.denied', people.get(role)?.id ?? '']],
            'the refusal is recorded, not a read',
          )
        }
        const verify = await as(role).post('/audit/verify', {})
        assert.equal(verify.statusCode, 403, `${role} POST /audit/verify`)
        const nav = await as(role).get('/account')
        assert.doesNotMatch(nav.body, /href="\/audit"/, `${role} sees no Audit link`)
      }
      for (const url of ['/audit', `/audit/entries/${sequence}`, '/audit/export.csv']) {
        const response = await as('anonymous').get(url)
        assert.equal(response.statusCode, 302, url)
        assert.equal(response.headers.location, '/sign-in', url)
      }
      assert.equal((await as('anonymous').post('/audit/verify', {})).headers.location, '/sign-in')
    })

    it('filters by person (email or ID), action prefix, target, outcome and UK dates', async () => {
      const auditor = as('auditor')
      const seqOf = async (...ids: string[]) => Promise.all(ids.map(sequenceWhere))
      const cases: Array<[string, number[]]> = [
        ['actor=ADA%40acme.example', (await seqOf('seed-token', 'seed-ada')).sort((a, b) => b - a)],
        [`actor=${grace.id}`, await seqOf('seed-grace')],
        ['actor=token-1', await seqOf('seed-token')],
        ['actor=nobody%40acme.example', []],
        ['action=auth.sign_in.&targetType=user', (await seqOf('seed-anon', 'seed-ada')).sort((a, b) => b - a)],
        ['action=AUTH.SIGNXIN', await seqOf('seed-probe')],
        ['outcome=denied&targetType=user', await seqOf('seed-token')],
        ['targetType=user&targetId=seed-grace', await seqOf('seed-grace')],
        ['targetId=dst-probe&from=2%2F7%2F2026&to=2%2F7%2F2026', await seqOf('dst-probe')],
        ['targetId=dst-probe&from=2026-07-02', await seqOf('dst-probe')],
        ['targetId=dst-probe&to=1%2F7%2F2026', []],
        ['action=auth.&from=2%2F12%2F2026&to=2%2F12%2F2026', await seqOf('seed-anon')],
      ]
      for (const [query, expected] of cases) {
        const response = await auditor.get(`/audit?${query}`)
        assert.equal(response.statusCode, 200, query)
        assert.deepEqual(listed(response.body), expected, query)
      }
      const kept = await auditor.get('/audit?actor=ada%40acme.example&outcome=denied')
      assert.equal(inputValue(kept.body, 'actor'), 'ada@acme.example')
      assert.match(kept.body, /<option value="denied" selected>Denied<\/option>/)
      assert.match(kept.body, /href="\/audit\/export.csv\?actor=ada%40acme.example&amp;outcome=denied"/)
    })

    it('pages through the entries, keeping the filters', async () => {
      const auditor = as('auditor')
      const first = await auditor.get('/audit?action=test.bulk.')
      assert.equal(listed(first.body).length, 50)
      assert.match(first.body, /Showing 1 to 50 of 55 entries that match the filters/)
      const next = /<a class="govuk-link govuk-pagination__link" href="([^"]+)" rel="next">/.exec(first.body)?.[1]
      assert.equal(next, '/audit?action=test.bulk.&amp;page=2')
      const second = await auditor.get(decode(next))
      assert.equal(listed(second.body).length, 5)
      assert.equal(Math.max(...listed(second.body)), Math.min(...listed(first.body)) - 1)
      const beyond = await auditor.get('/audit?action=test.bulk.&page=9')
      assert.equal(beyond.statusCode, 200)
      assert.match(beyond.body, /There are no entries on page 9: 55 entries match, on 2 pages\./)
      assert.match(beyond.body, /<a class="govuk-link" href="\/audit\?action=test.bulk.">Go to the first page<\/a>/)
    })

    it('names each bad filter in a GOV.UK error summary and keeps what was typed', async () => {
      const auditor = as('auditor')
      const cases: Array<[string, string[]]> = [
        ['from=31%2F2%2F2026', ['#from Date from must be a real date, like 3/12/2026']],
        ['to=tomorrow', ['#to Date to must be a real date, like 3/12/2026']],
        ['from=3%2F12%2F2026&to=2%2F12%2F2026', ['#to Date to must be the same as or after date from']],
        ['outcome=maybe', ['#outcome Outcome must be success, failure or denied']],
        ['action=auth.*', ['#action Action must be letters, digits, dots, hyphens and underscores, like auth.']],
        ['actor=two%20words', ['#actor Person must be an email address or an ID, like ada@justice.example']],
        ['actor=a&actor=b', ['#actor Person must be a single value']],
        ['colour=blue', ['#actor colour is not a recognised field']],
      ]
      for (const [query, expected] of cases) {
        const response = await auditor.get(`/audit?${query}`)
        assert.equal(response.statusCode, 400, query)
        assert.match(response.body, /<title>Error: Audit ledger/, query)
        assert.deepEqual(summaryOf(response.body), expected, query)
        assert.deepEqual(listed(response.body), [], `${query}: no entries are shown`)
      }
      const typed = await auditor.get('/audit?from=31%2F2%2F2026&action=auth.')
      assert.equal(inputValue(typed.body, 'from'), '31/2/2026')
      assert.equal(inputValue(typed.body, 'action'), 'auth.')
      assert.match(typed.body, /<p id="from-error" class="govuk-error-message">/)
      const exported = await auditor.get('/audit/export.csv?outcome=maybe')
      assert.equal(exported.statusCode, 400)
      assert.deepEqual(summaryOf(exported.body), ['#outcome Outcome must be success, failure or denied'])
    })

    it('answers an unknown or malformed sequence as not found, and records the attempt', async () => {
      for (const url of ['/audit/entries/999999', '/audit/entries/0', '/audit/entries/abc', '/audit/entries/1e3']) {
        const response = await as('auditor').get(url)
        assert.equal(response.statusCode, 404, url)
        assert.match(response.body, /<h1 class="govuk-heading-l">Page not found<\/h1>/)
        const [entry, ...more] = await entriesFor(response.headers['x-request-id'])
        assert.equal(more.length, 0)
        assert.equal(entry?.action, 'audit.ledger.read')
        assert.equal(entry.outcome, 'failure')
      }
    })

    it('exports the filtered entries as CSV with a header row, defusing formulas', async () => {
      const response = await as('authority-admin').get('/audit/export.csv?action=test.')
      assert.equal(response.statusCode, 200)
      assert.equal(response.headers['content-type'], 'text/csv; charset=utf-8')
      assert.match(
        String(response.headers['content-disposition']),
        /^attachment; filename="assure-audit-ledger-2026-12-03\.csv"$/,
      )
      const lines = response.body.split('\r\n')
      assert.equal(lines[0], CSV_HEADER.join(','))
      assert.equal(lines.at(-1), '', 'ends with a line break')
      const rows = lines.slice(1, -1)
      assert.equal(rows.length, 57, 'the dst probe, the csv probe and 55 bulk entries')
      assert.ok(rows.every(row => /^\d+,2026-/.test(row)))
      const sequences = rows.map(row => Number(row.split(',')[0]))
      assert.deepEqual(
        sequences,
        [...sequences].sort((a, b) => a - b),
        'in ledger order',
      )
      const csvProbe = rows.find(row => row.includes('test.csv'))
      assert.ok(csvProbe?.includes(`"'=HYPERLINK(""http://evil.example"",""x"")"`), csvProbe)

      const filtered = await as('auditor').get('/audit/export.csv?actor=ada%40acme.example&outcome=denied')
      const only = filtered.body.split('\r\n').slice(1, -1)
      assert.equal(only.length, 1)
      assert.match(only[0] ?? '', /,token,token-1,/)
      assert.match(only[0] ?? '', /,ada@acme\.example,/)
    })

    it('records each list view, entry view and export as exactly one entry attributed to the reader', async () => {
      const auditor = people.get('auditor')
      assert.ok(auditor)
      const browser = as('auditor')
      const sequence = await sequenceWhere('seed-grace')
      const views: Array<[string, string, Record<string, unknown>]> = [
        [
          '/audit?action=auth.&outcome=failure',
          'audit.ledger.read',
          { view: 'list', filters: { action: 'auth.', outcome: 'failure' }, page: 1, results: 1 },
        ],
        [`/audit/entries/${sequence}`, 'audit.ledger.read', { view: 'entry' }],
        [
          '/audit/export.csv?targetId=seed-grace',
          'audit.ledger.exported',
          { format: 'csv', filters: { targetId: 'seed-grace' }, rows: 1 },
        ],
        ['/audit?from=31%2F2%2F2026', 'audit.ledger.read', { view: 'list', filters: { from: '31/2/2026' } }],
      ]
      for (const [url, action, details] of views) {
        const response = await browser.get(url)
        const entries = await entriesFor(response.headers['x-request-id'])
        assert.equal(entries.length, 1, url)
        const [entry] = entries
        assert.equal(entry?.action, action, url)
        assert.equal(entry.actor_type, 'user')
        assert.equal(entry.actor_id, auditor.id)
        assert.equal(entry.user_id, auditor.id)
        assert.match(entry.ip ?? '', /^10\.\d+\.\d+\.\d+$/, 'the reader’s address')
        assert.match(entry.session_ref ?? '', /^[A-Za-z0-9_-]{12}$/)
        const recorded = JSON.parse(entry.details) as Record<string, unknown>
        for (const [key, value] of Object.entries(details)) assert.deepEqual(recorded[key], value, `${url} ${key}`)
      }
      const entryRead = await entriesFor((await browser.get(`/audit/entries/${sequence}`)).headers['x-request-id'])
      assert.deepEqual([entryRead[0]?.target_type, entryRead[0]?.target_id], ['audit_entry', String(sequence)])
    })

    it('shows the checkpoint that covers an entry, or says none does yet', async () => {
      const auditor = as('auditor')
      const early = await sequenceWhere('seed-anon')
      const uncovered = await auditor.get(`/audit/entries/${early}`)
      assert.match(uncovered.body, /Not yet covered by a checkpoint/)
      const first = await signCheckpoint(services.ledgerDeps)
      assert.ok(first)
      await seed(
        { actor: { type: 'system', id: 'probe' }, action: 'test.late', target: { type: 'probe', id: 'late' } },
        '2026-12-03T08:59:00Z',
      )
      const second = await signCheckpoint(services.ledgerDeps)
      assert.ok(second && second.sequence > first.sequence)
      const covered = await auditor.get(`/audit/entries/${early}`)
      assert.match(
        covered.body,
        new RegExp(
          `Covered by the checkpoint up to <a class="govuk-link" href="/audit/entries/${first.sequence}">entry ${first.sequence}</a>`,
        ),
      )
      assert.ok(covered.body.includes(first.signature) && covered.body.includes(first.keyId))
      const late = await auditor.get(`/audit/entries/${await sequenceWhere('late')}`)
      assert.match(
        late.body,
        new RegExp(`checkpoint up to <a class="govuk-link" href="/audit/entries/${second.sequence}">`),
      )
      const list = await auditor.get('/audit')
      assert.match(
        list.body,
        new RegExp(`Up to <a class="govuk-link" href="/audit/entries/${second.sequence}">entry ${second.sequence}</a>`),
      )
    })

    it('verifies the ledger on request, records it and shows the result', async () => {
      const auditor = people.get('auditor')
      assert.ok(auditor)
      const browser = as('auditor')
      const withoutToken = await app.inject({
        method: 'POST',
        url: '/audit/verify',
        payload: {},
        headers: { cookie: auditor.cookie },
      })
      assert.equal(withoutToken.statusCode, 403, 'CSRF protected')
      const verified = await browser.post('/audit/verify', {}, '/audit')
      assert.equal(verified.statusCode, 303)
      assert.equal(verified.headers.location, '/audit?done=verified')
      const [entry, ...more] = await entriesFor(verified.headers['x-request-id'])
      assert.equal(more.length, 0)
      assert.equal(entry?.action, 'audit.ledger.verified')
      assert.equal(entry.actor_id, auditor.id)
      const recorded = JSON.parse(entry.details) as { entries: number }
      assert.ok(recorded.entries > 60)
      const page = await browser.get('/audit?done=verified')
      assert.match(page.body, /govuk-notification-banner--success/)
      assert.match(page.body, new RegExp(`Verified: ${recorded.entries} entries verified\\.`))
      assert.match(page.body, /<strong class="govuk-tag govuk-tag--green">Intact<\/strong>/)
    })

    it('shows a failed verification with a link to the first bad entry and a warning', async () => {
      const sequence = await sequenceWhere('seed-grace')
      await services.store.db
        .insertInto('audit_verifications')
        .values({
          id: 'failed-probe',
          at: '2026-12-03T09:00:01.000Z',
          ok: 0,
          entries: 2,
          first_bad_sequence: sequence,
          message: `Entry ${sequence} was changed`,
        })
        .execute()
      const page = await as('authority-admin').get('/audit')
      assert.match(page.body, /<strong class="govuk-tag govuk-tag--red">Failed<\/strong>/)
      assert.match(page.body, new RegExp(`href="/audit/entries/${sequence}">entry ${sequence}</a>`))
      assert.match(page.body, /Treat this as a security incident/)
    })
  })
}

describe('UK days for the date filters', () => {
  it('starts a day at midnight in London, in GMT and in BST, and reads both date forms', () => {
    const day = (text: string) => {
      const parsed = parseDay(text)
      assert.ok(parsed, text)
      return parsed
    }
    assert.equal(startOfUkDay(day('3/12/2026')).toISOString(), '2026-12-03T00:00:00.000Z')
    assert.equal(startOfUkDay(day('2026-07-02')).toISOString(), '2026-07-01T23:00:00.000Z')
    assert.equal(startOfUkDay(day('29/3/2026')).toISOString(), '2026-03-29T00:00:00.000Z', 'the spring change')
    assert.equal(startOfUkDay(day('29/3/2026'), 1).toISOString(), '2026-03-29T23:00:00.000Z')
    assert.equal(startOfUkDay(day('25/10/2026')).toISOString(), '2026-10-24T23:00:00.000Z', 'the autumn change')
    assert.equal(startOfUkDay(day('25/10/2026'), 1).toISOString(), '2026-10-26T00:00:00.000Z')
    for (const bad of ['31/2/2026', '29/2/2027', '2026-13-01', '1/1/26', '03-12-2026', ''])
      assert.equal(parseDay(bad), undefined, bad)
    assert.deepEqual(parseDay('29/2/2028'), { text: '29/2/2028', year: 2028, month: 2, day: 29 })
  })
})
