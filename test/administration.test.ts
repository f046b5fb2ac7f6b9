import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { FastifyInstance } from 'fastify'
import { TOTP, Secret } from 'otpauth'
import { browserFor, startApp } from './helpers/app.ts'
import { engines, type TestStore } from './helpers/stores.ts'
import { startSmtp } from './helpers/smtp.ts'
import { buildPerson, sessionCookieFor } from './helpers/people.ts'
import type { Services } from '../src/services.ts'
import type { Role } from '../src/identity/roles.ts'

const codeFor = (secret: string, at: Date) =>
  new TOTP({ secret: Secret.fromBase32(secret), period: 30, digits: 6 }).generate({ timestamp: at.getTime() })
const AUTHORITY = { kind: 'authority' as const, name: 'Ministry of Justice' }
const summaryOf = (body: string) =>
  [...body.matchAll(/<li>\s*<a href="(#[^"]+)">([^<]+)<\/a>/g)].map(m => `${m[1]} ${m[2]}`)

for (const engine of engines()) {
  describe(`administration on ${engine.name}`, () => {
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
    const as = async (person: { id: string }) =>
      browserFor(app, await sessionCookieFor(services.store.db, person.id, clock))
    const person = (roles: Role[], extra: Parameters<typeof buildPerson>[1] = {}) =>
      buildPerson(services.store.db, {
        roles,
        ...(roles.some(r => !r.startsWith('supplier')) ? { organisation: AUTHORITY } : {}),
        ...extra,
      })

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

    it('invites a supplier user by email; they set a password, add an authenticator app and sign in', async () => {
      const admin = await person(['authority-admin'])
      const browser = await as(admin)
      assert.equal((await browser.post('/admin/organisations', { name: 'Northwind Hosting Ltd' })).statusCode, 303)
      const org = await services.store.db
        .selectFrom('organisations')
        .select('id')
        .where('name', '=', 'Northwind Hosting Ltd')
        .executeTakeFirstOrThrow()
      const invited = await browser.post('/admin/people/invite', {
        email: 'sam@northwind.example',
        displayName: 'Sam Supplier',
        organisationId: org.id,
        roles: 'supplier-admin',
      })
      assert.equal(invited.statusCode, 303, invited.body.slice(0, 300))
      const mail = smtp.messages.find(m => m.to.includes('sam@northwind.example'))
      assert.ok(mail, 'the invitation is mailed')
      const link = /http:\/\/localhost:0(\/invitation\/[A-Za-z0-9_=-]+)/.exec(mail.raw.replace(/=\r?\n/g, ''))?.[1]
      assert.ok(link, 'the mail carries the link')

      const sam = browserFor(app)
      const weak = await sam.post(link, { password: 'password12345', confirmPassword: 'password12345' })
      assert.equal(weak.statusCode, 400)
      const joined = await sam.post(link, { password: 'amber falcon treaty', confirmPassword: 'amber falcon treaty' })
      assert.equal(joined.headers.location, '/account/second-factor')
      assert.equal((await sam.get(link)).statusCode, 404, 'the invitation works once')
      const setupPage = await sam.get('/account/authenticator-app')
      const secret = /<code id="totp-secret">([A-Z2-7]+)<\/code>/.exec(setupPage.body)?.[1] ?? ''
      const enrolled = await sam.post('/account/authenticator-app', {
        name: 'Work phone',
        code: codeFor(secret, clock),
      })
      assert.equal(enrolled.headers.location, '/account/recovery-codes')
      const codes = await sam.get('/account/recovery-codes')
      assert.equal([...codes.body.matchAll(/<li><code>[A-Z0-9]{5}-[A-Z0-9]{5}<\/code><\/li>/g)].length, 10)
      assert.doesNotMatch((await sam.get('/account/recovery-codes')).body, /<li><code>/, 'codes are shown once')

      advance(60_000)
      const again = browserFor(app)
      await again.post('/sign-in', { email: 'sam@northwind.example', password: 'amber falcon treaty' })
      const signedIn = await again.post('/sign-in/verify/app', { code: codeFor(secret, clock) }, '/sign-in/verify')
      assert.equal(signedIn.headers.location, '/account')
    })

    it('refuses an invitation with conflicting, privileged or out-of-organisation roles', async () => {
      const admin = await person(['authority-admin'])
      const browser = await as(admin)
      const authority = await services.store.db
        .selectFrom('organisations')
        .select('id')
        .where('kind', '=', 'authority')
        .executeTakeFirstOrThrow()
      const conflicting = await browser.post('/admin/people/invite', {
        email: 'x@justice.example',
        displayName: 'X',
        organisationId: authority.id,
        roles: ['auditor', 'authority-viewer'],
      })
      assert.deepEqual(summaryOf(conflicting.body), [
        '#roles Privileged roles need a second administrator'.replace(
          'Privileged roles need a second administrator',
          'One person cannot be both Auditor and Authority viewer (segregation of duties)',
        ),
      ])
      const privileged = await browser.post('/admin/people/invite', {
        email: 'y@justice.example',
        displayName: 'Y',
        organisationId: authority.id,
        roles: 'security-assessor',
      })
      assert.deepEqual(summaryOf(privileged.body), [
        '#roles Invite with a non-privileged role, then grant the privileged role: a second administrator must approve it',
      ])
      const wrongKind = await browser.post('/admin/people/invite', {
        email: 'z@justice.example',
        displayName: 'Z',
        organisationId: authority.id,
        roles: 'supplier-admin',
      })
      assert.deepEqual(summaryOf(wrongKind.body), [
        '#roles Supplier administrator cannot be given to someone in the Authority',
      ])
      const empty = await browser.post('/admin/people/invite', { email: '', displayName: '', organisationId: 'nope' })
      assert.deepEqual(summaryOf(empty.body), [
        '#email Enter an email address',
        '#displayName Enter their full name',
        '#organisationId Select an organisation',
        '#roles Select at least one role',
      ])
    })

    it('keeps supplier administrators to their own supplier: other suppliers’ people are not found, and the attempt is recorded', async () => {
      const mine = await person(['supplier-admin'], { organisation: { kind: 'supplier', name: 'Contoso Ltd' } })
      const theirs = await person(['supplier-contributor'], {
        organisation: { kind: 'supplier', name: 'Fabrikam Ltd' },
      })
      const browser = await as(mine)
      assert.equal((await browser.get(`/admin/people/${theirs.id}`)).statusCode, 404)
      assert.equal((await browser.post(`/admin/people/${theirs.id}/suspend`, {})).statusCode, 404)
      const list = await browser.get('/admin/people')
      assert.doesNotMatch(list.body, /Fabrikam/)
      const denied = await services.store.db
        .selectFrom('audit_entries')
        .select(['action', 'outcome'])
        .where('target_id', '=', theirs.id)
        .execute()
      assert.deepEqual(
        denied.map(e => `${e.action}:${e.outcome}`),
        ['access.denied:denied', 'access.denied:denied'],
      )
      const fabrikam = await services.store.db
        .selectFrom('organisations')
        .select('id')
        .where('name', '=', 'Fabrikam Ltd')
        .executeTakeFirstOrThrow()
      const invite = await browser.post(
        '/admin/people/invite',
        { email: 'q@contoso.example', displayName: 'Q', organisationId: fabrikam.id, roles: 'supplier-contributor' },
        '/admin/people/invite',
      )
      assert.deepEqual(summaryOf(invite.body), ['#organisationId Select an organisation you manage'])
    })

    it('grants a privileged role only with a second administrator, within 24 hours, never self-approved', async () => {
      const first = await person(['authority-admin'])
      const second = await person(['authority-admin'])
      const analyst = await person(['authority-viewer'], { clearance: 'SC' })
      const firstBrowser = await as(first)
      const asked = await firstBrowser.post(
        `/admin/people/${analyst.id}/roles`,
        { roles: ['authority-viewer', 'security-assessor'] },
        `/admin/people/${analyst.id}`,
      )
      assert.match(decodeURIComponent(String(asked.headers.location)), /A privileged role needs a second administrator/)
      const pending = await services.store.db
        .selectFrom('pending_changes')
        .select(['id', 'status'])
        .where('target_user_id', '=', analyst.id)
        .executeTakeFirstOrThrow()
      assert.equal(pending.status, 'pending')
      const own = await firstBrowser.post(`/admin/approvals/${pending.id}/approve`, {})
      assert.equal(own.statusCode, 403)
      assert.match(own.body, /You cannot approve a change you made yourself; another person must approve it/)
      const approved = await (await as(second)).post(`/admin/approvals/${pending.id}/approve`, {})
      assert.equal(approved.statusCode, 303)
      const roles = await services.store.db
        .selectFrom('user_roles')
        .select('role')
        .where('user_id', '=', analyst.id)
        .orderBy('role')
        .execute()
      assert.deepEqual(
        roles.map(r => r.role),
        ['authority-viewer', 'security-assessor'],
      )
    })

    it('lets a dual-authorisation request lapse after 24 hours', async () => {
      const first = await person(['authority-admin'])
      const second = await person(['authority-admin'])
      const analyst = await person(['authority-viewer'], { clearance: 'SC' })
      await (
        await as(first)
      ).post(
        `/admin/people/${analyst.id}/roles`,
        { roles: ['authority-viewer', 'security-assessor'] },
        `/admin/people/${analyst.id}`,
      )
      const pending = await services.store.db
        .selectFrom('pending_changes')
        .select('id')
        .where('target_user_id', '=', analyst.id)
        .executeTakeFirstOrThrow()
      advance(24 * 60 * 60_000 + 1000)
      const late = await (await as(second)).post(`/admin/approvals/${pending.id}/approve`, {})
      assert.equal(late.statusCode, 409)
      assert.match(late.body, /That request has expired or was already decided; ask for it again/)
    })

    it('refuses a privileged role to someone without clearance above BPSS', async () => {
      const admin = await person(['authority-admin'])
      const viewer = await person(['authority-viewer'], { clearance: 'BPSS' })
      const response = await (
        await as(admin)
      ).post(`/admin/people/${viewer.id}/roles`, { roles: ['auditor'] }, `/admin/people/${viewer.id}`)
      assert.equal(response.statusCode, 400)
      assert.deepEqual(summaryOf(response.body), [
        '#roles Test Person needs recorded security clearance higher than BPSS for a privileged role',
      ])
    })

    it('asks for a fresh second factor before a sensitive action when the last one is over 5 minutes old', async () => {
      const admin = await person(['authority-admin'])
      const target = await person(['supplier-contributor'])
      const browser = await as(admin)
      // Active all along (privileged sessions end after 5 idle minutes), but the last MFA check is 6 minutes old.
      advance(4 * 60_000)
      await browser.get('/admin/people')
      advance(2 * 60_000)
      const response = await browser.post(`/admin/people/${target.id}/suspend`, {}, `/admin/people/${target.id}`)
      assert.equal(
        response.headers.location,
        `/account/confirm?next=${encodeURIComponent(`/admin/people/${target.id}`)}`,
      )
      const status = await services.store.db
        .selectFrom('users')
        .select('status')
        .where('id', '=', target.id)
        .executeTakeFirstOrThrow()
      assert.equal(status.status, 'active', 'nothing happened without the step-up')
      const confirmed = await browser.post(
        '/account/confirm/app',
        { code: codeFor(admin.totpSecret, clock), next: `/admin/people/${target.id}` },
        '/account/confirm',
      )
      assert.equal(confirmed.headers.location, `/admin/people/${target.id}`)
      assert.equal(
        (await browser.post(`/admin/people/${target.id}/suspend`, {}, `/admin/people/${target.id}`)).statusCode,
        303,
      )
    })

    it('disconnects a person: their very next request is refused', async () => {
      const admin = await person(['authority-admin'])
      const target = await person(['supplier-contributor'])
      const targetBrowser = await as(target)
      assert.equal((await targetBrowser.get('/account')).statusCode, 200)
      await (await as(admin)).post(`/admin/people/${target.id}/disconnect`, {}, `/admin/people/${target.id}`)
      assert.equal((await targetBrowser.get('/account')).headers.location, '/sign-in')
    })

    it('suspends a leaver, who can no longer sign in, and reactivates them', async () => {
      const admin = await person(['authority-admin'])
      const leaver = await person(['supplier-contributor'])
      const adminBrowser = await as(admin)
      await adminBrowser.post(`/admin/people/${leaver.id}/suspend`, {}, `/admin/people/${leaver.id}`)
      const attempt = await browserFor(app).post('/sign-in', { email: leaver.email, password: leaver.password })
      assert.match(attempt.body, /Enter a correct email address and password/)
      await adminBrowser.post(`/admin/people/${leaver.id}/reactivate`, {}, `/admin/people/${leaver.id}`)
      const back = await browserFor(app).post('/sign-in', { email: leaver.email, password: leaver.password })
      assert.equal(back.headers.location, '/sign-in/verify')
    })

    it('unlocks an ordinary account at once, but a privileged one only with a second administrator', async () => {
      const admin = await person(['authority-admin'])
      const ordinary = await person(['supplier-contributor'])
      const privileged = await person(['security-assessor'])
      await services.store.db
        .updateTable('users')
        .set({ status: 'locked', failed_attempts: 10 })
        .where('id', 'in', [ordinary.id, privileged.id])
        .execute()
      const browser = await as(admin)
      await browser.post(`/admin/people/${ordinary.id}/unlock`, {}, `/admin/people/${ordinary.id}`)
      await browser.post(`/admin/people/${privileged.id}/unlock`, {}, `/admin/people/${privileged.id}`)
      const statuses = await services.store.db
        .selectFrom('users')
        .select(['id', 'status', 'failed_attempts'])
        .where('id', 'in', [ordinary.id, privileged.id])
        .execute()
      const byId = Object.fromEntries(statuses.map(s => [s.id, `${s.status}/${s.failed_attempts}`]))
      assert.deepEqual([byId[ordinary.id], byId[privileged.id]], ['active/0', 'locked/10'])
    })

    it('warns on admin pages while fewer than two administrators can act', async () => {
      const page = async () => (await (await as(await person(['supplier-admin']))).get('/admin/people')).body
      await services.store.db
        .updateTable('users')
        .set({ status: 'suspended' })
        .where(
          'id',
          'in',
          services.store.db.selectFrom('user_roles').select('user_id').where('role', '=', 'authority-admin'),
        )
        .execute()
      await person(['authority-admin'])
      assert.match(await page(), /There is only one Authority administrator/)
      await person(['authority-admin'])
      assert.doesNotMatch(await page(), /There is only one Authority administrator/)
    })
  })
}
