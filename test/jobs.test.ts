import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { FastifyInstance } from 'fastify'
import { browserFor, startApp } from './helpers/app.ts'
import { engines, type TestStore } from './helpers/stores.ts'
import { startSmtp } from './helpers/smtp.ts'
import { buildPerson, sessionCookieFor } from './helpers/people.ts'
import type { Services } from '../src/services.ts'
import { runDueJobs } from '../src/platform/jobs/runner.ts'

const DAY = 24 * 60 * 60_000

for (const engine of engines()) {
  describe(`scheduled jobs on ${engine.name}`, () => {
    let store: TestStore
    let app: FastifyInstance
    let services: Services
    let close: () => Promise<void>
    let smtp: Awaited<ReturnType<typeof startSmtp>>
    let clock = new Date('2026-12-03T09:00:00Z')
    const now = () => clock
    const run = () => runDueJobs(services.store.db, services.jobs, clock, (_job, error) => assert.fail(String(error)))

    before(async () => {
      store = await engine.create()
      smtp = await startSmtp()
      ;({ app, services, close } = await startApp(store, { env: { ASSURE_SMTP_URL: smtp.url }, now }))
    })
    after(async () => {
      await close()
      await smtp.close()
      await store.dispose()
    })

    it('warns 7 days before, then suspends accounts with no sign-in for the catalogue’s 30 days', async () => {
      const person = await buildPerson(services.store.db)
      const signedInAt = new Date('2026-12-03T08:00:00Z')
      await services.store.db
        .updateTable('users')
        .set({ last_sign_in_at: signedInAt.toISOString() })
        .where('id', '=', person.id)
        .execute()
      const status = async () =>
        (
          await services.store.db
            .selectFrom('users')
            .select('status')
            .where('id', '=', person.id)
            .executeTakeFirstOrThrow()
        ).status
      const mails = () =>
        smtp.messages.filter(m => m.to.includes(person.email)).map(m => /Subject: ([^\r\n]+)/.exec(m.raw)?.[1])

      clock = new Date(signedInAt.getTime() + 22 * DAY)
      await run()
      assert.deepEqual(mails(), [])
      clock = new Date(signedInAt.getTime() + 23 * DAY + 60_000)
      await run()
      assert.deepEqual(mails(), ['Sign in to keep your Assure account'])
      clock = new Date(signedInAt.getTime() + 24 * DAY + 60_000)
      await run()
      assert.deepEqual(mails(), ['Sign in to keep your Assure account'], 'warned once')
      assert.equal(await status(), 'active')
      clock = new Date(signedInAt.getTime() + 30 * DAY + 60_000)
      await run()
      assert.equal(await status(), 'suspended')
      assert.deepEqual(mails(), ['Sign in to keep your Assure account', 'Your Assure account has been suspended'])
    })

    it('runs each job once per period, even when two instances tick together', async () => {
      clock = new Date('2027-02-10T09:00:00Z')
      const [first, second] = await Promise.all([run(), run()])
      const ran = [...(first ?? []), ...(second ?? [])].map(r => r.job).sort()
      // Every job exactly once between the two instances: identity's and the ledger's.
      assert.deepEqual(ran, [
        'privileged-account-review',
        'prune-ledger',
        'sign-ledger-checkpoint',
        'suspend-inactive-accounts',
        'sweep-deadlines',
        'verify-ledger',
      ])
      assert.deepEqual(ran, services.jobs.map(job => job.name).sort())
      assert.deepEqual(await run(), [])
    })

    it('produces the monthly privileged account review for sign-off by an auditor', async () => {
      const admin = await buildPerson(services.store.db, {
        roles: ['authority-admin'],
        organisation: { kind: 'authority', name: 'Ministry of Justice' },
      })
      const auditor = await buildPerson(services.store.db, {
        roles: ['auditor'],
        organisation: { kind: 'authority', name: 'Ministry of Justice' },
      })
      clock = new Date('2027-03-01T00:30:00Z')
      // Recently active, so the inactivity job running alongside leaves them be.
      await services.store.db
        .updateTable('users')
        .set({ last_sign_in_at: '2027-02-28T12:00:00.000Z' })
        .where('id', 'in', [admin.id, auditor.id])
        .execute()
      await run()
      const review = await services.store.db
        .selectFrom('privileged_reviews')
        .selectAll()
        .where('period', '=', '2027-03')
        .executeTakeFirstOrThrow()
      const listed = (JSON.parse(review.accounts) as Array<{ id: string; roles: string[] }>).map(a => a.id)
      assert.ok(listed.includes(admin.id) && listed.includes(auditor.id))
      const browser = browserFor(app, await sessionCookieFor(services.store.db, auditor.id, clock))
      const page = await browser.get(`/admin/privileged-reviews/${review.id}`)
      assert.equal(page.statusCode, 200)
      assert.match(page.body, /Privileged account review 2027-03/)
      assert.equal((await browser.post(`/admin/privileged-reviews/${review.id}/sign-off`, {})).statusCode, 303)
      const signed = await services.store.db
        .selectFrom('privileged_reviews')
        .select('signed_off_by')
        .where('id', '=', review.id)
        .executeTakeFirstOrThrow()
      assert.equal(signed.signed_off_by, auditor.id)
      const contributor = await buildPerson(services.store.db)
      assert.equal(
        (
          await browserFor(app, await sessionCookieFor(services.store.db, contributor.id, clock)).get(
            '/admin/privileged-reviews',
          )
        ).statusCode,
        403,
      )
    })
  })
}
