import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { FastifyInstance } from 'fastify'
import { browserFor, startApp } from './helpers/app.ts'
import { engines, type TestStore } from './helpers/stores.ts'
import { startSmtp } from './helpers/smtp.ts'
import { buildPerson, sessionCookieFor } from './helpers/people.ts'
import type { Services } from '../src/services.ts'
import type { Role } from '../src/identity/roles.ts'

const AUTHORITY = { kind: 'authority' as const, name: 'Ministry of Justice' }
const CONTOSO = { kind: 'supplier' as const, name: 'Contoso Ltd' }
const FABRIKAM = { kind: 'supplier' as const, name: 'Fabrikam Ltd' }

const REPORT = {
  summary: 'A laptop holding case notes was left on a train',
  'identified-day': '2',
  'identified-month': '12',
  'identified-year': '2026',
  identifiedTime: '08:15',
  systemsAffected: 'One managed laptop (encrypted at rest)',
  dataAffected: 'Case notes for 40 people on probation',
  personalData: 'yes',
  actionsTaken: 'Device locked and wiped remotely; police informed',
}

// Guidance, MCSS RESPOND and RECOVER: incidents are reported, managed and learnt from; suppliers "contact your
// usual MoJ points of contact" — here, the Authority's security team is told the moment one is reported.
for (const engine of engines()) {
  describe(`security incidents on ${engine.name}`, () => {
    let store: TestStore
    let app: FastifyInstance
    let services: Services
    let close: () => Promise<void>
    let smtp: Awaited<ReturnType<typeof startSmtp>>
    const clock = new Date('2026-12-03T10:00:00Z')
    const people = new Map<string, { id: string; email: string; cookie: string }>()

    const person = async (
      key: string,
      roles: Role[],
      organisation: { kind: 'authority' | 'supplier'; name: string },
    ) => {
      const built = await buildPerson(services.store.db, { roles, organisation })
      people.set(key, { id: built.id, email: built.email, cookie: await sessionCookieFor(services.store.db, built.id) })
    }
    const as = (key: string) => browserFor(app, people.get(key)?.cookie)
    const ledgerFor = async (requestId: unknown) =>
      services.store.db
        .selectFrom('audit_entries')
        .select(['action', 'user_id', 'details'])
        .where('request_id', '=', String(requestId))
        .execute()
    const incidentCount = async () =>
      Number(
        (
          await services.store.db
            .selectFrom('incidents')
            .select(e => e.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      )
    const report = async (key = 'contoso-contributor') => {
      const response = await as(key).post('/incidents/new', REPORT)
      assert.equal(response.statusCode, 303, response.body.slice(0, 500))
      return String(response.headers.location).replace(/\?.*$/, '')
    }

    before(async () => {
      store = await engine.create()
      smtp = await startSmtp()
      ;({ app, services, close } = await startApp(store, { env: { ASSURE_SMTP_URL: smtp.url }, now: () => clock }))
      await person('admin', ['authority-admin'], AUTHORITY)
      await person('assessor', ['security-assessor'], AUTHORITY)
      await person('viewer', ['authority-viewer'], AUTHORITY)
      await person('contoso-contributor', ['supplier-contributor'], CONTOSO)
      await person('fabrikam-admin', ['supplier-admin'], FABRIKAM)
    })
    after(async () => {
      await close()
      await smtp.close()
      await store.dispose()
    })

    it('tells the Authority’s administrators and security assessors at once, and records the report once', async () => {
      const sentBefore = smtp.messages.length
      const response = await as('contoso-contributor').post('/incidents/new', REPORT)
      assert.equal(response.statusCode, 303)
      const entries = await ledgerFor(response.headers['x-request-id'])
      assert.deepEqual(
        entries.map(e => [e.action, e.user_id]),
        [['incident.reported', people.get('contoso-contributor')?.id]],
      )
      assert.equal(JSON.parse(entries[0]?.details ?? '{}').authorityNotified, 2)
      const mails = smtp.messages.slice(sentBefore)
      assert.deepEqual(
        mails.flatMap(m => m.to).sort(),
        [people.get('admin')?.email, people.get('assessor')?.email].sort(),
      )
      assert.match(mails[0]?.raw ?? '', /Subject: Security incident reported by Contoso Ltd/)
      const page = await as('viewer').get(String(response.headers.location))
      assert.match(page.body, /A laptop holding case notes was left on a train/)
      assert.match(page.body, /2026-12-03 10:00 UTC by Test Person \(25 hours after it was identified\)/)
    })

    it('refuses an incomplete or impossible report with specific errors, and keeps nothing', async () => {
      const count = await incidentCount()
      const cases: Array<[Record<string, string>, string]> = [
        [{ summary: '' }, 'Enter what happened'],
        [{ 'identified-day': '' }, 'The date it was identified must include a day'],
        [{ 'identified-month': '13' }, 'The date it was identified must be a real date'],
        [{ identifiedTime: '25:00' }, 'Enter the time it was identified as hours and minutes, like 14:30'],
        [{ 'identified-day': '4' }, 'The time it was identified must be in the past'],
        [{ personalData: 'maybe' }, 'Select whether personal data is involved'],
        [{ actionsTaken: '   ' }, 'Enter the actions taken so far'],
      ]
      for (const [change, message] of cases) {
        const response = await as('contoso-contributor').post('/incidents/new', { ...REPORT, ...change })
        assert.equal(response.statusCode, 400, message)
        assert.match(response.body, /There is a problem/, message)
        assert.ok(
          response.body.includes(message.replaceAll('’', '&#8217;')) || response.body.includes(message),
          message,
        )
        // What was typed is kept: the untouched answers are still in the form.
        if (!('actionsTaken' in change)) assert.match(response.body, /Device locked and wiped remotely/, message)
        else assert.match(response.body, /A laptop holding case notes/, message)
      }
      assert.equal(await incidentCount(), count)
    })

    it('keeps each supplier to its own incidents: another supplier’s is not found, and the attempt recorded', async () => {
      const url = await report()
      const other = await as('fabrikam-admin').get(url)
      assert.equal(other.statusCode, 404)
      const entries = await ledgerFor(other.headers['x-request-id'])
      assert.deepEqual(
        entries.map(e => e.action),
        ['access.denied'],
      )
      const list = await as('fabrikam-admin').get('/incidents')
      assert.doesNotMatch(list.body, /A laptop holding case notes/)
      const update = await as('fabrikam-admin').post(`${url}/updates`, { text: 'Not ours to say' })
      assert.equal(update.statusCode, 404)
    })

    it('takes updates from both sides, and lets only the Authority close it with a post-incident review', async () => {
      const url = await report()
      assert.equal(
        (await as('contoso-contributor').post(`${url}/updates`, { text: 'Laptop recovered' })).statusCode,
        303,
      )
      assert.equal((await as('assessor').post(`${url}/updates`, { text: 'ICO not needed' })).statusCode, 303)
      const blank = await as('assessor').post(`${url}/updates`, { text: '' })
      assert.equal(blank.statusCode, 400)
      assert.match(blank.body, /Enter the update/)

      const supplierClose = await as('contoso-contributor').post(`${url}/close`, { review: 'Done' })
      assert.equal(supplierClose.statusCode, 403)
      const noReview = await as('assessor').post(`${url}/close`, { review: '' })
      assert.equal(noReview.statusCode, 400)
      assert.match(noReview.body, /Enter the post-incident review/)
      const closed = await as('assessor').post(`${url}/close`, {
        review: 'Staff reminded not to take devices on public transport without need',
      })
      assert.equal(closed.statusCode, 303)
      const entries = await ledgerFor(closed.headers['x-request-id'])
      assert.deepEqual(
        entries.map(e => [e.action, e.user_id]),
        [['incident.closed', people.get('assessor')?.id]],
      )
      const page = await as('contoso-contributor').get(url)
      assert.match(page.body, /Laptop recovered/)
      assert.match(page.body, /ICO not needed/)
      assert.match(page.body, /Staff reminded not to take devices/)
      const late = await as('contoso-contributor').post(`${url}/updates`, { text: 'One more thing' })
      assert.equal(late.statusCode, 409)
      assert.equal((await as('assessor').post(`${url}/close`, { review: 'Again' })).statusCode, 409)
    })

    it('does not let Authority staff report incidents, nor anyone reach one that does not exist', async () => {
      assert.equal((await as('admin').post('/incidents/new', REPORT)).statusCode, 403)
      assert.equal((await as('viewer').get('/incidents/not-a-uuid')).statusCode, 404)
      assert.equal((await as('viewer').get('/incidents/2b9c2f4e-8a57-4b0e-9a5e-1f1b2c3d4e5f')).statusCode, 404)
    })
  })
}
