import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { loadConfig } from '../src/config.ts'
import { createMailer, type Mailer } from '../src/platform/mail/mailer.ts'
import type { Services } from '../src/services.ts'
import { loadCatalogue } from '../src/catalogue/load.ts'
import { planStages, type Subject } from '../src/deadlines/stages.ts'
import { completeStage, openStages, sweepDeadlines } from '../src/deadlines/deadlines.ts'
import { notifyPeople } from '../src/notifications/notifications.ts'
import { unreadCount } from '../src/notifications/store.ts'
import { browserFor, startApp } from './helpers/app.ts'
import { engines, type TestStore } from './helpers/stores.ts'
import { buildPerson, sessionCookieFor } from './helpers/people.ts'
import { notifyApiKey, startFakeNotify } from './helpers/notify.ts'

const TEMPLATE_ID = '9f7a4c1e-2b3d-4e5f-8a6b-7c8d9e0f1a2b'
const DAY = 24 * 60 * 60_000
const ISSUED = new Date('2026-12-01T09:00:00.000Z')
const at = (days: number) => new Date(ISSUED.getTime() + days * DAY)

const notifyEnv = (url: string, apiKey: string) => ({
  ASSURE_MAIL_TRANSPORT: 'notify',
  ASSURE_NOTIFY_API_KEY: apiKey,
  ASSURE_NOTIFY_TEMPLATE_ID: TEMPLATE_ID,
  ASSURE_NOTIFY_BASE_URL: url,
})

const mailerFor = (url: string, apiKey: string): Mailer =>
  createMailer(loadConfig({ NODE_ENV: 'test', ...notifyEnv(url, apiKey) }).mail, () => undefined)

describe('mail through GOV.UK Notify (a real HTTP server on 127.0.0.1 playing Notify’s API)', () => {
  const keys = { serviceId: randomUUID(), secret: randomUUID() }
  let notify: Awaited<ReturnType<typeof startFakeNotify>>
  let mailer: Mailer
  before(async () => {
    notify = await startFakeNotify(keys)
    mailer = mailerFor(notify.url, notifyApiKey(keys.serviceId, keys.secret))
  })
  after(() => notify.close())

  it('sends one message per recipient with the generic template, signed with an HS256 JWT issued by the service', async () => {
    const earlier = notify.requests.length
    await mailer.send({ to: 'sam@contoso.example, dana@contoso.example', subject: 'Due in 7 days: X', text: 'Body' })
    const sent = notify.requests.slice(earlier)
    assert.deepEqual(
      sent.map(request => request.body),
      ['sam@contoso.example', 'dana@contoso.example'].map(address => ({
        template_id: TEMPLATE_ID,
        email_address: address,
        personalisation: { subject: 'Due in 7 days: X', body: 'Body' },
      })),
    )
    for (const request of sent) {
      assert.equal(request.path, '/v2/notifications/email')
      assert.deepEqual(request.header, { alg: 'HS256', typ: 'JWT' })
      assert.equal(request.claims.iss, keys.serviceId)
      assert.equal(typeof request.claims.iat, 'number')
    }
  })

  it('fails the send when Notify refuses the token of a key with the wrong secret (403)', async () => {
    const wrong = mailerFor(notify.url, notifyApiKey(keys.serviceId, randomUUID()))
    await assert.rejects(wrong.send({ to: 'sam@contoso.example', subject: 'S', text: 'T' }), {
      message: 'GOV.UK Notify refused the email (HTTP 403): AuthError: Invalid token: API key not found',
    })
  })

  it('fails the send with what Notify said for 400, 429 and 500', async () => {
    const cases = [
      [400, 'BadRequestError', 'Can’t send to this recipient using a team-only API key'],
      [429, 'RateLimitError', 'Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds'],
      [500, 'Exception', 'Internal server error'],
    ] as const
    for (const [status, error, message] of cases) {
      notify.failNext(status, error, message)
      await assert.rejects(mailer.send({ to: 'sam@contoso.example', subject: 'S', text: 'T' }), {
        message: `GOV.UK Notify refused the email (HTTP ${status}): ${error}: ${message}`,
      })
    }
  })

  it('fails the send, naming the cause, when Notify cannot be reached', async () => {
    const gone = await startFakeNotify(keys)
    await gone.close()
    await assert.rejects(
      mailerFor(gone.url, notifyApiKey(keys.serviceId, keys.secret)).send({
        to: 'a@b.example',
        subject: 'S',
        text: 'T',
      }),
      { message: 'GOV.UK Notify could not be reached (ECONNREFUSED)' },
    )
  })
})

const catalogue = loadCatalogue()

for (const engine of engines()) {
  describe(`in-service notifications on ${engine.name}`, () => {
    const keys = { serviceId: randomUUID(), secret: randomUUID() }
    let notify: Awaited<ReturnType<typeof startFakeNotify>>
    let store: TestStore
    let app: FastifyInstance
    let services: Services
    let close: () => Promise<void>
    let clock = ISSUED
    const cookies = new Map<string, string>()
    const people = new Map<string, { id: string; email: string; organisationId: string }>()
    const as = (key: string) => browserFor(app, cookies.get(key))
    const id = (key: string) => people.get(key)?.id ?? ''
    const ledgerFor = async (requestId: unknown) =>
      (
        await services.store.db
          .selectFrom('audit_entries')
          .select(['action', 'user_id', 'outcome', 'target_id', 'details'])
          .where('request_id', '=', String(requestId))
          .execute()
      ).map(row => ({ action: row.action, user_id: row.user_id, outcome: row.outcome, target_id: row.target_id }))
    const listOf = (userId: string) =>
      services.store.db
        .selectFrom('notifications')
        .selectAll()
        .where('user_id', '=', userId)
        .orderBy('created_at')
        .orderBy('title')
        .execute()
    let subject: Subject
    let stages: Array<{ id: string }> = []

    before(async () => {
      notify = await startFakeNotify(keys)
      store = await engine.create()
      ;({ app, services, close } = await startApp(store, {
        env: notifyEnv(notify.url, notifyApiKey(keys.serviceId, keys.secret)),
        now: () => clock,
      }))
      const supplier = { kind: 'supplier' as const, name: `Contoso ${randomUUID()}` }
      const other = { kind: 'supplier' as const, name: `Fabrikam ${randomUUID()}` }
      for (const [key, organisation] of [
        ['sam', supplier],
        ['dana', supplier],
        ['outsider', other],
      ] as const) {
        const built = await buildPerson(services.store.db, { roles: ['supplier-admin'], organisation })
        people.set(key, built)
        cookies.set(key, await sessionCookieFor(services.store.db, built.id, clock))
      }
      subject = { type: 'sal', id: randomUUID(), organisationId: people.get('sam')?.organisationId ?? '' }
      stages = await openStages(services.identityDeps, {
        subject,
        stages: planStages('security-aspects-letter', ISSUED, catalogue),
      })
    })
    after(async () => {
      for (const stage of stages)
        await completeStage(services.identityDeps, { stageId: stage.id, by: { type: 'system', id: 'test' } })
      await close()
      await store.dispose()
      await notify.close()
    })

    it('leaves a notice unsent when Notify answers 500, and the next sweep mails and lists it for each recipient', async () => {
      clock = at(7)
      const earlier = notify.requests.length
      notify.failNext(500, 'Exception', 'Internal server error')
      assert.deepEqual(await sweepDeadlines(services.identityDeps), { sent: 0, noRecipient: 0, breached: 0, failed: 1 })
      const notices = () =>
        services.store.db
          .selectFrom('deadline_notices')
          .select(['notice_key', 'status', 'channel'])
          .where(
            'stage_id',
            'in',
            stages.map(stage => stage.id),
          )
          .execute()
          .then(rows => rows.map(row => ({ ...row })))
      assert.deepEqual(await notices(), [])
      assert.deepEqual(await listOf(id('sam')), [], 'nothing listed for a notice that was not sent')
      const failed = await services.store.db
        .selectFrom('audit_entries')
        .select('reason')
        .where('action', '=', 'deadlines.notice.failed')
        .where(
          'target_id',
          'in',
          stages.map(stage => stage.id),
        )
        .execute()
      assert.deepEqual(
        failed.map(row => ({ ...row })),
        [{ reason: 'GOV.UK Notify refused the email (HTTP 500): Exception: Internal server error' }],
      )

      assert.deepEqual(await sweepDeadlines(services.identityDeps), { sent: 1, noRecipient: 0, breached: 0, failed: 0 })
      const subjectLine = 'Due in 7 days: Acknowledge receipt and acceptance of the Security Aspects Letter'
      const sent = notify.requests.slice(earlier)
      const addresses = [people.get('sam')?.email ?? '', people.get('dana')?.email ?? ''].sort()
      assert.deepEqual(
        sent.map(request => request.body.email_address),
        [addresses[0], ...addresses],
        'the refused request, then one message per recipient',
      )
      assert.deepEqual(await notices(), [{ notice_key: 'reminder:P7D', status: 'sent', channel: 'email' }])
      for (const key of ['sam', 'dana']) {
        const list = await listOf(id(key))
        assert.deepEqual(
          list.map(row => [row.title, row.link, row.read_at, row.source]),
          [
            [
              subjectLine,
              `/suppliers/${subject.organisationId ?? ''}/letters/${subject.id}`,
              null,
              `deadline:${stages[0]?.id ?? ''}:reminder:P7D`,
            ],
          ],
        )
        assert.match(list[0]?.body ?? '', /is due by 2026-12-15 09:00 UTC/)
      }
      assert.deepEqual(await listOf(id('outsider')), [])
      assert.equal((await sweepDeadlines(services.identityDeps)).sent, 0)
      assert.equal((await listOf(id('sam'))).length, 1, 'a later sweep adds nothing')
    })

    it('shows a person their own notifications, with the unread count in the navigation', async () => {
      // Sessions as of the sweep's day: the clock moved a week on since the people were built.
      for (const [key, person] of people) cookies.set(key, await sessionCookieFor(services.store.db, person.id, clock))
      const page = await as('sam').get('/notifications')
      assert.equal(page.statusCode, 200)
      assert.match(page.body, /Notifications \(1 unread\)/)
      assert.match(page.body, /Due in 7 days: Acknowledge receipt/)
      assert.match(page.body, /You have 1 unread notification\./)
      const home = await as('sam').get('/')
      assert.match(home.body, /Notifications \(1 unread\)/, 'the count is on every page')
      const outsider = await as('outsider').get('/notifications')
      assert.match(outsider.body, /You have no notifications/)
      assert.doesNotMatch(outsider.body, /unread\)|Due in 7 days/)
      const signedOut = await browserFor(app).get('/notifications')
      assert.equal(signedOut.statusCode, 302)
      assert.equal(signedOut.headers.location, '/sign-in')
    })

    it('answers another person’s notification as not found, changing nothing', async () => {
      const [sams] = await listOf(id('sam'))
      assert.ok(sams)
      const response = await as('outsider').post(`/notifications/${sams.id}/read`, {})
      assert.equal(response.statusCode, 404)
      assert.deepEqual(await ledgerFor(response.headers['x-request-id']), [
        { action: 'http.request.refused', user_id: id('outsider'), outcome: 'failure', target_id: null },
      ])
      assert.equal((await listOf(id('sam')))[0]?.read_at, null)
      assert.equal((await as('outsider').post('/notifications/not-an-id/read', {})).statusCode, 404)
    })

    it('marks one read, with one ledger entry, and again changes nothing', async () => {
      const [sams] = await listOf(id('sam'))
      assert.ok(sams)
      const response = await as('sam').post(`/notifications/${sams.id}/read`, {})
      assert.equal(response.statusCode, 303)
      assert.equal(response.headers.location, '/notifications?read=one')
      assert.deepEqual(await ledgerFor(response.headers['x-request-id']), [
        { action: 'notifications.read', user_id: id('sam'), outcome: 'success', target_id: sams.id },
      ])
      assert.equal((await listOf(id('sam')))[0]?.read_at, at(7).toISOString())
      assert.equal((await listOf(id('dana')))[0]?.read_at, null, 'Dana’s copy is hers to read')
      const page = await as('sam').get('/notifications?read=one')
      assert.match(page.body, /Notification marked as read/)
      assert.doesNotMatch(page.body, /unread\)/)
      const again = await as('sam').post(`/notifications/${sams.id}/read`, {})
      assert.equal(again.statusCode, 303)
      assert.deepEqual(
        (await ledgerFor(again.headers['x-request-id'])).map(entry => entry.action),
        ['http.request.completed'],
      )
    })

    it('marks all of a person’s notifications read with one ledger entry, and no one else’s', async () => {
      await services.store.db.transaction().execute(trx =>
        notifyPeople(
          trx,
          {
            userIds: [id('dana'), id('outsider')],
            title: 'Assessment returned',
            body: 'Please revise it.',
            link: '/',
          },
          at(8),
        ),
      )
      assert.equal(await unreadCount(services.store.db, id('dana')), 2)
      const response = await as('dana').post('/notifications/read-all', {})
      assert.equal(response.statusCode, 303)
      assert.deepEqual(await ledgerFor(response.headers['x-request-id']), [
        { action: 'notifications.read-all', user_id: id('dana'), outcome: 'success', target_id: id('dana') },
      ])
      assert.equal(await unreadCount(services.store.db, id('dana')), 0)
      assert.equal(await unreadCount(services.store.db, id('outsider')), 1)
    })

    it('refuses a notification that links off the service, adding nothing', async () => {
      for (const link of ['https://evil.example/', '//evil.example/x', '/\\evil.example']) {
        await assert.rejects(
          services.store.db
            .transaction()
            .execute(trx => notifyPeople(trx, { userIds: [id('sam')], title: 'T', body: 'B', link }, at(8))),
          (error: Error & { code?: string; problems?: Array<{ path: string; message: string }> }) => {
            assert.equal(error.code, 'VALIDATION_FAILED')
            assert.deepEqual(error.problems, [
              { path: 'link', message: 'must be a path inside Assure, starting with a single /' },
            ])
            return true
          },
        )
      }
      assert.equal((await listOf(id('sam'))).length, 1)
    })
  })
}
