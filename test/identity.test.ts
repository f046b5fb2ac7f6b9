import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { FastifyInstance } from 'fastify'
import { TOTP, Secret } from 'otpauth'
import { browserFor, startApp } from './helpers/app.ts'
import { engines, type TestStore } from './helpers/stores.ts'
import { startSmtp } from './helpers/smtp.ts'
import { buildPerson } from './helpers/people.ts'
import { createSetupLink } from '../src/identity/setup.ts'
import type { Services } from '../src/services.ts'

/** The current code of an authenticator app holding `secret`, at `at`. */
const codeFor = (secret: string, at: Date) =>
  new TOTP({ secret: Secret.fromBase32(secret), period: 30, digits: 6 }).generate({ timestamp: at.getTime() })

/** Page bodies differ only in per-request values; take those out to compare what a person sees. */
const visible = (body: string) =>
  body
    .replace(/nonce="[^"]+"/g, '')
    .replace(/name="_csrf" value="[^"]+"/g, '')
    .replace(/give them this reference: <strong[^>]*>[^<]+<\/strong>/g, '')

for (const engine of engines()) {
  describe(`identity on ${engine.name}`, () => {
    let store: TestStore
    let app: FastifyInstance
    let services: Services
    let close: () => Promise<void>
    let smtp: Awaited<ReturnType<typeof startSmtp>>
    let clock = new Date('2026-12-03T09:00:00Z')
    const now = () => clock
    const advance = (ms: number) => {
      clock = new Date(clock.getTime() + ms)
    }

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

    describe('first-run setup (no default passwords)', () => {
      it('creates the first administrator from a one-time link, then asks for a security key', async () => {
        const { url } = await createSetupLink(services.identityDeps)
        const path = new URL(url).pathname
        const browser = browserFor(app)
        const form = await browser.get(path)
        assert.equal(form.statusCode, 200)
        assert.match(form.body, /<h1 class="govuk-heading-l">Set up Assure<\/h1>/)

        const bad = await browser.post(path, {
          email: 'not an email',
          displayName: '',
          password: 'password1234',
          confirmPassword: 'different',
          clearance: 'BPSS',
          'clearanceCheckedOn-day': '31',
          'clearanceCheckedOn-month': '2',
          'clearanceCheckedOn-year': '2026',
        })
        assert.equal(bad.statusCode, 400)
        const summary = [...bad.body.matchAll(/<li>\s*<a href="(#[^"]+)">([^<]+)<\/a>/g)].map(m => `${m[1]} ${m[2]}`)
        assert.deepEqual(summary, [
          '#email Enter an email address in the correct format, like name@example.com',
          '#displayName Enter your full name',
          '#clearance An administrator needs security clearance higher than BPSS',
          '#confirmPassword Passwords must match',
          '#clearanceCheckedOn-day Date clearance was checked must be a real date, like 27 3 2026',
        ])
        assert.match(bad.body, /value="not an email"/, 'what was typed is kept')

        const common = await browser.post(path, {
          email: 'admin@justice.example',
          displayName: 'Ada Admin',
          password: 'Password2026!',
          confirmPassword: 'Password2026!',
          clearance: 'SC',
          'clearanceCheckedOn-day': '1',
          'clearanceCheckedOn-month': '3',
          'clearanceCheckedOn-year': '2026',
        })
        assert.equal(common.statusCode, 400)
        assert.match(common.body, /<a href="#password">Password is too common/)

        const done = await browser.post(path, {
          email: 'Admin@Justice.example',
          displayName: 'Ada Admin',
          password: 'quiet harbour lanterns',
          confirmPassword: 'quiet harbour lanterns',
          clearance: 'SC',
          'clearanceCheckedOn-day': '1',
          'clearanceCheckedOn-month': '3',
          'clearanceCheckedOn-year': '2026',
        })
        assert.equal(done.statusCode, 303)
        assert.equal(done.headers.location, '/account/second-factor')
        assert.ok(browser.jar.has('assure-session'))
        const enrol = await browser.get('/account/second-factor')
        assert.match(enrol.body, /Your role needs a security key/)
        // Until a key is added, nothing else is reachable.
        assert.equal((await browser.get('/account')).headers.location, '/account/second-factor')

        assert.equal((await browser.get(path)).statusCode, 404, 'the link works once')
        await assert.rejects(createSetupLink(services.identityDeps), { code: 'CONFLICT' })
        const user = await services.store.db.selectFrom('users').select(['email', 'clearance']).executeTakeFirst()
        assert.deepEqual({ ...user }, { email: 'admin@justice.example', clearance: 'SC' })
      })
    })

    describe('signing in with a password and an authenticator app', () => {
      it('signs in, and refuses the same code a second time (v5.0.0-6.5.1)', async () => {
        const person = await buildPerson(services.store.db)
        const browser = browserFor(app)
        const first = await browser.post('/sign-in', { email: person.email.toUpperCase(), password: person.password })
        assert.equal(first.statusCode, 303)
        assert.equal(first.headers.location, '/sign-in/verify')
        assert.equal(
          (await browser.get('/account')).headers.location,
          '/sign-in/verify',
          'the password alone does not sign in',
        )
        const code = codeFor(person.totpSecret, clock)
        const cookiesBefore = browser.jar.header()
        const verified = await browser.post('/sign-in/verify/app', { code }, '/sign-in/verify')
        assert.equal(verified.statusCode, 303)
        assert.equal(verified.headers.location, '/account')
        assert.notEqual(browser.jar.header(), cookiesBefore, 'the session ID changes at sign-in')
        const account = await browser.get('/account')
        assert.equal(account.statusCode, 200)
        assert.match(account.body, /3\. Time-based One Time Password \(TOTP\)-based/)

        const again = browserFor(app)
        await again.post('/sign-in', { email: person.email, password: person.password })
        const replay = await again.post('/sign-in/verify/app', { code }, '/sign-in/verify')
        assert.equal(replay.statusCode, 200)
        assert.match(replay.body, /The code is not correct or has already been used/)
      })

      it('shows specific errors for a malformed code', async () => {
        const person = await buildPerson(services.store.db)
        const browser = browserFor(app)
        await browser.post('/sign-in', { email: person.email, password: person.password })
        const response = await browser.post('/sign-in/verify/app', { code: '12ab' }, '/sign-in/verify')
        assert.equal(response.statusCode, 400)
        assert.match(response.body, /<a href="#code">Enter the 6-digit code from your authenticator app<\/a>/)
      })
    })

    describe('lockout after the catalogue’s 10 failed attempts (v5.0.0-6.3.1)', () => {
      it('locks on the 10th failure, refuses the 11th even with the right password, and emails the person', async () => {
        const person = await buildPerson(services.store.db)
        const browser = browserFor(app)
        for (let attempt = 1; attempt <= 10; attempt += 1) {
          const response = await browser.post('/sign-in', {
            email: person.email,
            password: `wrong password ${attempt}`,
          })
          assert.equal(response.statusCode, 200)
        }
        const status = await services.store.db
          .selectFrom('users')
          .select(['status', 'failed_attempts'])
          .where('id', '=', person.id)
          .executeTakeFirstOrThrow()
        assert.deepEqual({ ...status }, { status: 'locked', failed_attempts: 10 })
        const eleventh = await browser.post('/sign-in', { email: person.email, password: person.password })
        assert.equal(eleventh.statusCode, 200)
        assert.match(eleventh.body, /Enter a correct email address and password/)
        const mail = smtp.messages.find(m => m.to.includes(person.email))
        assert.ok(mail, 'the locked person is emailed')
        assert.match(mail.raw, /Subject: Your Assure account has been locked/)
      })

      it('answers an unknown email, a wrong password and a locked account identically', async () => {
        const person = await buildPerson(services.store.db)
        const locked = await buildPerson(services.store.db)
        await services.store.db.updateTable('users').set({ status: 'locked' }).where('id', '=', locked.id).execute()
        const answer = async (email: string, password: string) => {
          const response = await browserFor(app).post('/sign-in', { email, password })
          return { status: response.statusCode, body: visible(response.body).replace(email, 'EMAIL') }
        }
        const unknown = await answer('nobody@example.com', 'some password here')
        const wrong = await answer(person.email, 'some password here')
        const lockedAnswer = await answer(locked.email, locked.password)
        assert.deepEqual(wrong, unknown)
        assert.deepEqual(lockedAnswer, unknown)
      })

      it('counts failed second factors too', async () => {
        const person = await buildPerson(services.store.db)
        const browser = browserFor(app)
        await browser.post('/sign-in', { email: person.email, password: person.password })
        await browser.post('/sign-in/verify/app', { code: '000000' }, '/sign-in/verify')
        const row = await services.store.db
          .selectFrom('users')
          .select('failed_attempts')
          .where('id', '=', person.id)
          .executeTakeFirstOrThrow()
        assert.equal(row.failed_attempts, 1)
      })

      it('locks at the 10th failure when attempts alternate between two instances sharing the store', async () => {
        const second = await startApp(store, { env: { ASSURE_SMTP_URL: smtp.url }, now })
        try {
          const person = await buildPerson(services.store.db)
          for (let attempt = 1; attempt <= 10; attempt += 1) {
            const instance = attempt % 2 === 0 ? second.app : app
            await browserFor(instance).post('/sign-in', { email: person.email, password: `wrong password ${attempt}` })
          }
          const right = await browserFor(second.app).post('/sign-in', {
            email: person.email,
            password: person.password,
          })
          assert.match(right.body, /Enter a correct email address and password/)
          const row = await services.store.db
            .selectFrom('users')
            .select(['status', 'failed_attempts'])
            .where('id', '=', person.id)
            .executeTakeFirstOrThrow()
          assert.deepEqual({ ...row }, { status: 'locked', failed_attempts: 10 })
        } finally {
          await second.close()
        }
      })

      it('never counts past the threshold when attempts run in parallel', async () => {
        const person = await buildPerson(services.store.db)
        await Promise.all(
          Array.from({ length: 16 }, (_, i) =>
            browserFor(app).post('/sign-in', { email: person.email, password: `parallel wrong ${i}` }),
          ),
        )
        const row = await services.store.db
          .selectFrom('users')
          .select(['status', 'failed_attempts'])
          .where('id', '=', person.id)
          .executeTakeFirstOrThrow()
        assert.deepEqual({ ...row }, { status: 'locked', failed_attempts: 10 })
      })
    })

    describe('password spraying', () => {
      it('slows one address after 30 sign-in attempts in 15 minutes, leaving others alone', async () => {
        clock = new Date(Math.ceil(clock.getTime() / 900_000) * 900_000 + 1000)
        // The allowance is counted after the CSRF check, so spend it with real form posts.
        const browser = browserFor(app)
        const page = await browser.get('/sign-in')
        const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? ''
        const post = (ip: string) =>
          app.inject({
            method: 'POST',
            url: '/sign-in',
            remoteAddress: ip,
            headers: { cookie: browser.jar.header() },
            payload: { _csrf: token, email: `sprayed-${ip}@example.com`, password: 'guess guess guess' },
          })
        for (let i = 0; i < 30; i += 1) assert.equal((await post('203.0.113.7')).statusCode, 200)
        const limited = await post('203.0.113.7')
        assert.equal(limited.statusCode, 429)
        assert.match(limited.body, /Too many sign-in attempts from your network. Wait 15 minutes and try again/)
        assert.equal((await post('203.0.113.8')).statusCode, 200)
        clock = new Date(clock.getTime() + 15 * 60_000)
        assert.equal((await post('203.0.113.7')).statusCode, 200, 'a new window')
      })
    })

    describe('sessions', () => {
      async function signedIn(
        roles: NonNullable<Parameters<typeof buildPerson>[1]>['roles'] = ['supplier-contributor'],
      ) {
        const person = await buildPerson(services.store.db, {
          roles,
          ...(roles?.includes('authority-admin')
            ? { organisation: { kind: 'authority', name: 'Ministry of Justice' } }
            : {}),
        })
        const browser = browserFor(app)
        await browser.post('/sign-in', { email: person.email, password: person.password })
        advance(30_000)
        const done = await browser.post(
          '/sign-in/verify/app',
          { code: codeFor(person.totpSecret, clock) },
          '/sign-in/verify',
        )
        assert.equal(done.statusCode, 303, done.body.slice(0, 200))
        return { person, browser }
      }

      it('ends a session after 15 minutes idle for most people (checked on the next request)', async () => {
        const { browser } = await signedIn()
        advance(14 * 60_000)
        assert.equal((await browser.get('/account')).statusCode, 200)
        advance(15 * 60_000 + 1000)
        const response = await browser.get('/account')
        assert.equal(response.headers.location, '/sign-in?ended=idle')
      })

      it('ends a session after 12 hours however active it is', async () => {
        const { browser } = await signedIn()
        // Active every 10 minutes for 11 hours 50 minutes...
        for (let minutes = 10; minutes < 12 * 60; minutes += 10) {
          advance(10 * 60_000)
          assert.equal((await browser.get('/account')).statusCode, 200, `after ${minutes} minutes`)
        }
        // ...and still out at 12 hours.
        advance(10 * 60_000)
        assert.equal((await browser.get('/account')).headers.location, '/sign-in')
      })

      it('keeps at most 3 sessions: a fourth sign-in ends the oldest and says so', async () => {
        const person = await buildPerson(services.store.db)
        const browsers = []
        for (let i = 0; i < 4; i += 1) {
          const browser = browserFor(app)
          await browser.post('/sign-in', { email: person.email, password: person.password })
          advance(30_000)
          const done = await browser.post(
            '/sign-in/verify/app',
            { code: codeFor(person.totpSecret, clock) },
            '/sign-in/verify',
          )
          browsers.push({ browser, location: String(done.headers.location) })
        }
        assert.equal(browsers[3]?.location, '/account?ended=1')
        assert.equal((await browsers[0]?.browser.get('/account'))?.statusCode, 302, 'the oldest session ended')
        assert.equal((await browsers[1]?.browser.get('/account'))?.statusCode, 200)
        const page = await browsers[3]?.browser.get('/account?ended=1')
        assert.match(page?.body ?? '', /so 1 older session ended/)
      })

      it('lets a person end another of their sessions, taking effect on that session’s next request', async () => {
        const person = await buildPerson(services.store.db)
        const signIn = async () => {
          const browser = browserFor(app)
          await browser.post('/sign-in', { email: person.email, password: person.password })
          advance(30_000)
          await browser.post('/sign-in/verify/app', { code: codeFor(person.totpSecret, clock) }, '/sign-in/verify')
          return browser
        }
        const laptop = await signIn()
        const phone = await signIn()
        const page = await laptop.get('/account')
        const rows = [...page.body.matchAll(/<tr class="govuk-table__row">([\s\S]*?)<\/tr>/g)].map(m => m[1] ?? '')
        const otherRow = rows.find(row => row.includes('/account/sessions/') && !row.includes('This device'))
        const action = /action="(\/account\/sessions\/[^"]+\/end)"/.exec(otherRow ?? '')?.[1]
        assert.ok(action, 'the other session is listed with an End button')
        const ended = await laptop.post(action, {}, '/account')
        assert.equal(ended.headers.location, '/account')
        assert.equal((await phone.get('/account')).headers.location, '/sign-in', 'the ended session is refused at once')
        assert.equal((await laptop.get('/account')).statusCode, 200)
      })
    })

    describe('deny by default', () => {
      it('sends people who are not signed in to sign in, and refuses the JSON endpoints', async () => {
        const browser = browserFor(app)
        assert.equal((await browser.get('/account')).headers.location, '/sign-in')
        assert.equal((await browser.get('/sign-in/verify')).headers.location, '/sign-in')
        const json = await app.inject({
          method: 'POST',
          url: '/sign-in/verify/security-key/options',
          headers: { accept: 'application/json' },
        })
        assert.equal(json.statusCode, 403, 'no CSRF token: refused before anything else')
      })

      it('refuses to register a route that does not declare its permission', async () => {
        const probe = await startApp(store, {
          beforeReady: instance => {
            assert.throws(
              () => instance.get('/undeclared', async () => 'x'),
              /Route GET \/undeclared does not declare the permission it needs/,
            )
          },
        })
        await probe.close()
      })
    })
  })
}
