import { after, before, beforeEach, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { FastifyInstance } from 'fastify'
import { TOTP, Secret } from 'otpauth'
import { browserFor, startApp } from './helpers/app.ts'
import { engines, type TestStore } from './helpers/stores.ts'
import { startSmtp } from './helpers/smtp.ts'
import { buildPerson, sessionCookieFor } from './helpers/people.ts'
import type { Services } from '../src/services.ts'
import type { Role } from '../src/identity/roles.ts'
import { createApiToken } from '../src/identity/api-tokens.ts'
import { findUserById } from '../src/identity/store.ts'
import { readSecuritySettings } from '../src/identity/security-settings.ts'
import { movePerson } from '../src/identity/administration.ts'
import { migrateToLatest, openStore } from '../src/platform/db/database.ts'
import { migrations } from '../src/platform/db/migrations/index.ts'

const codeFor = (secret: string, at: Date) =>
  new TOTP({ secret: Secret.fromBase32(secret), period: 30, digits: 6 }).generate({ timestamp: at.getTime() })
const AUTHORITY = { kind: 'authority' as const, name: 'Ministry of Justice' }
const CONTOSO = { kind: 'supplier' as const, name: 'Contoso Ltd' }
const FABRIKAM = { kind: 'supplier' as const, name: 'Fabrikam Ltd' }
const summaryOf = (body: string) =>
  [...body.matchAll(/<li>\s*<a href="(#[^"]+)">([^<]+)<\/a>/g)].map(m => `${m[1]} ${m[2]}`)
const DAY = 24 * 60 * 60_000

for (const engine of engines()) {
  describe(`changing people and security settings on ${engine.name}`, () => {
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
    const db = () => services.store.db
    const as = async (who: { id: string }) => browserFor(app, await sessionCookieFor(db(), who.id, clock))
    const person = async (roles: Role[], extra: Parameters<typeof buildPerson>[1] = {}) => {
      const built = await buildPerson(db(), {
        roles,
        ...(roles.some(r => !r.startsWith('supplier')) ? { organisation: AUTHORITY } : {}),
        ...extra,
      })
      return built
    }
    const organisationId = async (name: string) =>
      (await db().selectFrom('organisations').select('id').where('name', '=', name).executeTakeFirstOrThrow()).id
    const rolesOf = async (id: string) =>
      (await db().selectFrom('user_roles').select('role').where('user_id', '=', id).orderBy('role').execute()).map(
        r => r.role,
      )
    const ledger = (action: string, targetId: string) =>
      db()
        .selectFrom('audit_entries')
        .select(['action', 'outcome', 'actor_id', 'details'])
        .where('action', '=', action)
        .where('target_id', '=', targetId)
        .execute()
    const pendingSettingChanges = () =>
      db()
        .selectFrom('pending_changes')
        .selectAll()
        .where('kind', '=', 'security-setting')
        .where('status', '=', 'pending')
        .execute()

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
    beforeEach(async () => {
      // Each test starts from the built-in settings, with nothing waiting.
      await db().deleteFrom('security_settings').execute()
      await db().deleteFrom('pending_changes').where('kind', '=', 'security-setting').execute()
    })

    describe('changing a person’s email address', () => {
      it('asks for a fresh second factor first, and changes nothing without it', async () => {
        const admin = await person(['authority-admin'])
        const target = await person(['supplier-contributor'])
        const browser = await as(admin)
        // Active all along (privileged sessions end after 5 idle minutes), but the last MFA check is 6 minutes old.
        advance(4 * 60_000)
        await browser.get('/admin/people')
        advance(2 * 60_000)
        const confirm = `/account/confirm?next=${encodeURIComponent(`/admin/people/${target.id}/email`)}`
        assert.equal((await browser.get(`/admin/people/${target.id}/email`)).headers.location, confirm)
        const posted = await browser.post(
          `/admin/people/${target.id}/email`,
          { email: 'new-address@contoso.example' },
          `/admin/people/${target.id}`,
        )
        assert.equal(posted.statusCode, 303)
        assert.equal(posted.headers.location, confirm)
        assert.equal((await findUserById(db(), target.id))?.email, target.email, 'nothing changed without step-up')

        const confirmed = await browser.post(
          '/account/confirm/app',
          { code: codeFor(admin.totpSecret, clock), next: `/admin/people/${target.id}/email` },
          '/account/confirm',
        )
        assert.equal(confirmed.headers.location, `/admin/people/${target.id}/email`)
        const form = await browser.get(`/admin/people/${target.id}/email`)
        assert.equal(form.statusCode, 200)
        assert.match(form.body, /Change Test Person’s email address/)
        const changed = await browser.post(
          `/admin/people/${target.id}/email`,
          { email: 'new-address@contoso.example' },
          `/admin/people/${target.id}/email`,
        )
        assert.equal(changed.statusCode, 303)
        assert.equal((await findUserById(db(), target.id))?.email, 'new-address@contoso.example')
      })

      it('refuses a malformed, missing, unchanged or taken address with a specific error', async () => {
        const admin = await person(['authority-admin'])
        const target = await person(['supplier-contributor'])
        const other = await person(['supplier-contributor'])
        const browser = await as(admin)
        const attempt = async (email: string) => {
          const response = await browser.post(
            `/admin/people/${target.id}/email`,
            { email },
            `/admin/people/${target.id}/email`,
          )
          assert.equal(response.statusCode, 400, email)
          assert.match(response.body, /<title>Error: Change Test Person’s email address/, email)
          return summaryOf(response.body)
        }
        assert.deepEqual(await attempt('not-an-email'), [
          '#email Enter an email address in the correct format, like name@example.com',
        ])
        assert.deepEqual(await attempt('  '), ['#email Enter an email address'])
        assert.deepEqual(await attempt(target.email), [
          '#email Enter a different email address from Test Person’s current one',
        ])
        assert.deepEqual(await attempt(other.email.toUpperCase()), [
          '#email Someone with that email address already has an account',
        ])
        assert.equal((await findUserById(db(), target.id))?.email, target.email)
      })

      it('ends their sessions and API tokens, tells the old and the new address, and records the change', async () => {
        const admin = await person(['authority-admin'])
        const target = await person(['supplier-contributor'])
        const targetBrowser = await as(target)
        assert.equal((await targetBrowser.get('/account')).statusCode, 200)
        const record = await findUserById(db(), target.id)
        assert.ok(record)
        const { token } = await createApiToken(
          services.identityDeps,
          record,
          { name: 'Nightly export', scopes: ['account:read'], days: 30 },
          {},
        )
        const api = () =>
          app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } })
        assert.equal((await api()).statusCode, 200)

        const changed = await (
          await as(admin)
        ).post(
          `/admin/people/${target.id}/email`,
          { email: 'Moved.Person@Contoso.example' },
          `/admin/people/${target.id}`,
        )
        assert.equal(changed.statusCode, 303)
        assert.match(decodeURIComponent(String(changed.headers.location)), /Email address changed/)
        assert.equal((await findUserById(db(), target.id))?.email, 'moved.person@contoso.example')
        assert.equal((await targetBrowser.get('/account')).headers.location, '/sign-in', 'their session ended')
        assert.equal((await api()).statusCode, 401, 'their API token was revoked')

        const toOld = smtp.messages.find(m => m.to.includes(target.email))
        const toNew = smtp.messages.find(m => m.to.includes('moved.person@contoso.example'))
        assert.ok(toOld, 'the old address is told')
        assert.ok(toNew, 'the new address is told')
        assert.match(toOld.raw, /Subject: The email address for your Assure account has changed/)
        assert.match(toNew.raw, /Subject: Your Assure account now uses this email address/)

        const entries = await ledger('identity.person.email_changed', target.id)
        assert.equal(entries.length, 1)
        assert.equal(entries[0]?.actor_id, admin.id)
        assert.deepEqual(JSON.parse(entries[0]?.details ?? '{}'), {
          from: target.email,
          to: 'moved.person@contoso.example',
          sessions: 1,
        })

        const oldSignIn = await browserFor(app).post('/sign-in', { email: target.email, password: target.password })
        assert.match(oldSignIn.body, /Enter a correct email address and password/)
        const newSignIn = await browserFor(app).post('/sign-in', {
          email: 'moved.person@contoso.example',
          password: target.password,
        })
        assert.equal(newSignIn.headers.location, '/sign-in/verify')
      })

      it('lets a supplier administrator change their own supplier’s people only; others are not found', async () => {
        const supplierAdmin = await person(['supplier-admin'], { organisation: CONTOSO })
        const mine = await person(['supplier-contributor'], { organisation: CONTOSO })
        const theirs = await person(['supplier-contributor'], { organisation: FABRIKAM })
        const browser = await as(supplierAdmin)
        assert.equal((await browser.get(`/admin/people/${theirs.id}/email`)).statusCode, 404)
        const refused = await browser.post(
          `/admin/people/${theirs.id}/email`,
          { email: 'taken-over@fabrikam.example' },
          `/admin/people/${mine.id}`,
        )
        assert.equal(refused.statusCode, 404)
        assert.equal((await findUserById(db(), theirs.id))?.email, theirs.email)
        const allowed = await browser.post(
          `/admin/people/${mine.id}/email`,
          { email: 'renamed@contoso.example' },
          `/admin/people/${mine.id}`,
        )
        assert.equal(allowed.statusCode, 303)
        const contributor = await as(await person(['supplier-contributor'], { organisation: CONTOSO }))
        assert.equal((await contributor.get(`/admin/people/${mine.id}/email`)).statusCode, 403)
      })
    })

    describe('moving a person to another organisation', () => {
      it('keeps the roles that fit, and ends their sessions and API tokens', async () => {
        const admin = await person(['authority-admin'])
        const mover = await person(['supplier-admin', 'supplier-contributor'], { organisation: CONTOSO })
        const page = await (await as(admin)).get(`/admin/people/${mover.id}`)
        assert.equal(page.statusCode, 200)
        assert.match(page.body, /<option value="[0-9a-f-]{36}">Fabrikam Ltd \(supplier\)<\/option>/)
        assert.doesNotMatch(page.body, /<option value="[0-9a-f-]{36}">Contoso Ltd/, 'not their own organisation')
        assert.match(page.body, new RegExp(`href="/admin/people/${mover.id}/email"`))
        const moverBrowser = await as(mover)
        assert.equal((await moverBrowser.get('/account')).statusCode, 200)
        const record = await findUserById(db(), mover.id)
        assert.ok(record)
        const { token } = await createApiToken(
          services.identityDeps,
          record,
          { name: 'Export', scopes: ['account:read'], days: 30 },
          {},
        )
        const moved = await (
          await as(admin)
        ).post(
          `/admin/people/${mover.id}/organisation`,
          { organisationId: await organisationId(FABRIKAM.name) },
          `/admin/people/${mover.id}`,
        )
        assert.equal(moved.statusCode, 303, moved.body.slice(0, 300))
        assert.equal(
          decodeURIComponent(String(moved.headers.location)),
          `/admin/people/${mover.id}?done=Moved. Their sessions and API tokens have ended.`,
        )
        assert.equal((await findUserById(db(), mover.id))?.organisationName, FABRIKAM.name)
        assert.deepEqual(await rolesOf(mover.id), ['supplier-admin', 'supplier-contributor'])
        assert.equal((await moverBrowser.get('/account')).headers.location, '/sign-in')
        const api = await app.inject({
          method: 'GET',
          url: '/api/v1/me',
          headers: { authorization: `Bearer ${token}` },
        })
        assert.equal(api.statusCode, 401)
        const entries = await ledger('identity.person.moved', mover.id)
        assert.equal(entries.length, 1)
        assert.deepEqual(JSON.parse(entries[0]?.details ?? '{}'), {
          from: CONTOSO.name,
          to: FABRIKAM.name,
          rolesFrom: ['supplier-admin', 'supplier-contributor'],
          rolesTo: ['supplier-admin', 'supplier-contributor'],
          removed: [],
          sessions: 1,
        })
      })

      it('removes roles that do not fit, refuses roles of the wrong kind, and asks for at least one', async () => {
        const admin = await person(['authority-admin'])
        const mover = await person(['authority-viewer'])
        const browser = await as(admin)
        const contoso = await organisationId(CONTOSO.name)
        const move = (form: Record<string, string | string[]>) =>
          browser.post(`/admin/people/${mover.id}/organisation`, form, `/admin/people/${mover.id}`)

        const none = await move({ organisationId: contoso })
        assert.equal(none.statusCode, 400)
        assert.deepEqual(summaryOf(none.body), ['#moveRoles Select at least one role for Test Person in Contoso Ltd'])
        const wrongKind = await move({ organisationId: contoso, roles: ['authority-viewer', 'supplier-contributor'] })
        assert.deepEqual(summaryOf(wrongKind.body), [
          '#moveRoles Authority viewer cannot be given to someone in a supplier',
        ])
        const same = await move({ organisationId: await organisationId(AUTHORITY.name) })
        assert.deepEqual(summaryOf(same.body), [
          '#moveOrganisationId Test Person is already in Ministry of Justice. Select another organisation',
        ])
        const nowhere = await move({ organisationId: 'not-an-organisation' })
        assert.deepEqual(summaryOf(nowhere.body), ['#moveOrganisationId Select an organisation'])
        assert.equal((await findUserById(db(), mover.id))?.organisationName, AUTHORITY.name, 'nothing moved')

        const moved = await move({ organisationId: contoso, roles: 'supplier-contributor' })
        assert.equal(moved.statusCode, 303)
        assert.match(decodeURIComponent(String(moved.headers.location)), /Roles removed: Authority viewer\./)
        assert.deepEqual(await rolesOf(mover.id), ['supplier-contributor'])
      })

      it('moving into a privileged Authority role waits for a second administrator', async () => {
        const first = await person(['authority-admin'])
        const second = await person(['authority-admin'])
        const mover = await person(['supplier-contributor'], { organisation: CONTOSO, clearance: 'SC' })
        const moved = await (
          await as(first)
        ).post(
          `/admin/people/${mover.id}/organisation`,
          { organisationId: await organisationId(AUTHORITY.name), roles: ['authority-viewer', 'security-assessor'] },
          `/admin/people/${mover.id}`,
        )
        assert.equal(moved.statusCode, 303)
        assert.match(decodeURIComponent(String(moved.headers.location)), /wait for a second administrator’s approval/)
        assert.deepEqual(await rolesOf(mover.id), ['authority-viewer'], 'the privileged role is not held yet')
        const pending = await db()
          .selectFrom('pending_changes')
          .select(['id', 'kind', 'payload'])
          .where('target_user_id', '=', mover.id)
          .where('status', '=', 'pending')
          .executeTakeFirstOrThrow()
        assert.equal(pending.kind, 'grant-roles')
        assert.deepEqual(JSON.parse(pending.payload), { roles: ['authority-viewer', 'security-assessor'] })
        assert.equal((await (await as(first)).post(`/admin/approvals/${pending.id}/approve`, {})).statusCode, 403)
        assert.equal((await (await as(second)).post(`/admin/approvals/${pending.id}/approve`, {})).statusCode, 303)
        assert.deepEqual(await rolesOf(mover.id), ['authority-viewer', 'security-assessor'])
      })

      it('refuses supplier administrators, and answers about another supplier’s people as not found', async () => {
        const supplierAdmin = await person(['supplier-admin'], { organisation: CONTOSO })
        const mine = await person(['supplier-contributor'], { organisation: CONTOSO })
        const theirs = await person(['supplier-contributor'], { organisation: FABRIKAM })
        const browser = await as(supplierAdmin)
        const fabrikam = await organisationId(FABRIKAM.name)
        const own = await browser.post(
          `/admin/people/${mine.id}/organisation`,
          { organisationId: fabrikam },
          `/admin/people/${mine.id}`,
        )
        assert.equal(own.statusCode, 403)
        assert.match(own.body, /Only an Authority administrator can move a person to another organisation/)
        const other = await browser.post(
          `/admin/people/${theirs.id}/organisation`,
          { organisationId: await organisationId(CONTOSO.name) },
          `/admin/people/${mine.id}`,
        )
        assert.equal(other.statusCode, 404)
        assert.equal((await findUserById(db(), mine.id))?.organisationName, CONTOSO.name)
        assert.equal((await findUserById(db(), theirs.id))?.organisationName, FABRIKAM.name)
        assert.doesNotMatch((await browser.get(`/admin/people/${mine.id}`)).body, /Move to this organisation/)
        const denied = await db()
          .selectFrom('audit_entries')
          .select('reason')
          .where('action', '=', 'access.denied')
          .where('actor_id', '=', supplierAdmin.id)
          .orderBy('sequence')
          .execute()
        assert.deepEqual(
          denied.map(d => d.reason),
          ['needs move-people', 'outside the administrator’s organisation'],
        )
        // The operation refuses too, whoever calls it (the CLI and jobs do not pass through the route).
        const actor = await findUserById(db(), supplierAdmin.id)
        const target = await findUserById(db(), mine.id)
        assert.ok(actor && target)
        await assert.rejects(
          movePerson(services.identityDeps, actor, target, { organisationId: fabrikam, roles: [] }, {}),
          {
            code: 'FORBIDDEN',
            message: 'Only an Authority administrator can move a person to another organisation',
          },
        )
        assert.equal((await findUserById(db(), mine.id))?.organisationName, CONTOSO.name)
      })
    })

    it('migrates a store with waiting requests: they are kept, and a request may now concern no person', async () => {
      const older = await engine.create()
      const opened = openStore(older.location)
      try {
        const upTo0005 = Object.fromEntries(Object.entries(migrations).filter(([name]) => name < '0006'))
        await migrateToLatest(opened, upTo0005)
        const at = clock.toISOString()
        await opened.db
          .insertInto('organisations')
          .values({ id: 'o1', kind: 'authority', name: 'MoJ', created_at: at })
          .execute()
        for (const id of ['u1', 'u2'])
          await opened.db
            .insertInto('users')
            .values({
              id,
              organisation_id: 'o1',
              email: `${id}@justice.example`,
              display_name: id,
              status: 'active',
              clearance: 'SC',
              clearance_checked_on: null,
              locked_at: null,
              last_sign_in_at: null,
              created_at: at,
            })
            .execute()
        const waiting = {
          id: 'c1',
          kind: 'unlock' as const,
          target_user_id: 'u2',
          payload: '{}',
          requested_by: 'u1',
          requested_at: at,
          expires_at: at,
          status: 'pending' as const,
          decided_by: null,
          decided_at: null,
        }
        await opened.db.insertInto('pending_changes').values(waiting).execute()
        assert.deepEqual(
          (await migrateToLatest(opened)).applied,
          Object.keys(migrations).filter(name => name >= '0006'),
        )
        const kept = await opened.db.selectFrom('pending_changes').selectAll().execute()
        assert.deepEqual(
          kept.map(row => ({ ...row })),
          [waiting],
        )
        await opened.db
          .insertInto('pending_changes')
          .values({ ...waiting, id: 'c2', kind: 'security-setting', target_user_id: null })
          .execute()
        // The person's requests still go when the person does.
        await opened.db.deleteFrom('users').where('id', '=', 'u2').execute()
        assert.deepEqual(
          (await opened.db.selectFrom('pending_changes').select('id').execute()).map(r => r.id),
          ['c2'],
        )
      } finally {
        await opened.close()
        await older.dispose()
      }
    })

    describe('security settings with dual authorisation', () => {
      const propose = async (who: { id: string }, setting: string, value: 'on' | 'off') =>
        (await as(who)).post('/admin/security-settings', { setting, value }, '/admin/security-settings')

      it('keeps a change pending until a second administrator approves it, never the proposer', async () => {
        const first = await person(['authority-admin'])
        const second = await person(['authority-admin'])
        const proposed = await propose(first, 'allow-admin-assessor', 'on')
        assert.equal(proposed.statusCode, 303)
        assert.match(
          decodeURIComponent(String(proposed.headers.location)),
          /Another Authority administrator must approve it within 24 hours/,
        )
        assert.equal((await readSecuritySettings(db()))['allow-admin-assessor'], false, 'not yet in force')
        const [pending, ...more] = await pendingSettingChanges()
        assert.ok(pending)
        assert.equal(more.length, 0)
        assert.equal(pending.target_user_id, null)
        assert.deepEqual(JSON.parse(pending.payload), { setting: 'allow-admin-assessor', value: true })
        const again = await propose(second, 'allow-admin-assessor', 'on')
        assert.deepEqual(summaryOf(again.body), [
          '#allow-admin-assessor A change to “Authority administrators may also be security assessors” is already waiting for a second administrator. Approve or reject it first',
        ])

        const own = await (await as(first)).post(`/admin/approvals/${pending.id}/approve`, {})
        assert.equal(own.statusCode, 403)
        assert.match(own.body, /You cannot approve a change you made yourself; another person must approve it/)
        assert.equal((await readSecuritySettings(db()))['allow-admin-assessor'], false)
        const approved = await (await as(second)).post(`/admin/approvals/${pending.id}/approve`, {})
        assert.equal(approved.statusCode, 303)
        assert.equal((await readSecuritySettings(db()))['allow-admin-assessor'], true)
        const page = await (await as(first)).get('/admin/security-settings')
        assert.match(page.body, /<dd class="govuk-summary-list__value">\s*On\s*<\/dd>/)
        const changed = await ledger('identity.security_setting.changed', 'allow-admin-assessor')
        assert.equal(changed.length, 1)
        assert.equal(changed[0]?.actor_id, second.id)
        assert.deepEqual(JSON.parse(changed[0]?.details ?? '{}'), {
          setting: 'allow-admin-assessor',
          from: false,
          to: true,
          change: pending.id,
          requestedBy: first.id,
        })
      })

      it('lets a proposed change lapse after 24 hours', async () => {
        const first = await person(['authority-admin'])
        const second = await person(['authority-admin'])
        await propose(first, 'privileged-require-security-key', 'off')
        const [pending] = await pendingSettingChanges()
        assert.ok(pending)
        advance(DAY + 1000)
        const late = await (await as(second)).post(`/admin/approvals/${pending.id}/approve`, {})
        assert.equal(late.statusCode, 409)
        assert.match(late.body, /That request has expired or was already decided; ask for it again/)
        assert.equal((await readSecuritySettings(db()))['privileged-require-security-key'], true)
        assert.doesNotMatch((await (await as(second)).get('/admin/approvals')).body, /the security setting/)
      })

      it('lets Authority administrators also be security assessors only once the setting is approved', async () => {
        const first = await person(['authority-admin'])
        const second = await person(['authority-admin'])
        const colleague = await person(['authority-admin'], { clearance: 'SC' })
        const grant = () =>
          as(first).then(browser =>
            browser.post(
              `/admin/people/${colleague.id}/roles`,
              { roles: ['authority-admin', 'security-assessor'] },
              `/admin/people/${colleague.id}`,
            ),
          )
        const refused = await grant()
        assert.equal(refused.statusCode, 400)
        assert.deepEqual(summaryOf(refused.body), [
          '#roles One person cannot be both Authority administrator and Security assessor (segregation of duties)',
        ])

        await propose(first, 'allow-admin-assessor', 'on')
        const [setting] = await pendingSettingChanges()
        assert.ok(setting)
        await (await as(second)).post(`/admin/approvals/${setting.id}/approve`, {})
        const asked = await grant()
        assert.equal(asked.statusCode, 303)
        const roles = await db()
          .selectFrom('pending_changes')
          .select('id')
          .where('target_user_id', '=', colleague.id)
          .where('status', '=', 'pending')
          .executeTakeFirstOrThrow()
        assert.equal((await (await as(second)).post(`/admin/approvals/${roles.id}/approve`, {})).statusCode, 303)
        assert.deepEqual(await rolesOf(colleague.id), ['authority-admin', 'security-assessor'])

        // The conflict cannot come back while someone holds both roles.
        const back = await propose(second, 'allow-admin-assessor', 'off')
        assert.equal(back.statusCode, 400)
        assert.deepEqual(summaryOf(back.body), [
          '#allow-admin-assessor 1 person holds both the Authority administrator and Security assessor roles. Change their roles first',
        ])
      })

      it('warns that turning off the security key disables an MFA requirement; once approved, privileged people are not asked for one', async () => {
        const first = await person(['authority-admin'])
        const second = await person(['authority-admin'])
        const assessor = await person(['security-assessor'])
        const signIn = async () =>
          (await browserFor(app).post('/sign-in', { email: assessor.email, password: assessor.password })).headers
            .location
        assert.equal(await signIn(), '/account/second-factor', 'asked to add a security key')

        const warning = /Turning this off disables a multi-factor authentication requirement/
        assert.match((await (await as(first)).get('/admin/security-settings')).body, warning)
        await propose(first, 'privileged-require-security-key', 'off')
        assert.equal(await signIn(), '/account/second-factor', 'still asked while the change waits')
        const approvals = await (await as(second)).get('/admin/approvals')
        assert.match(approvals.body, /Turn off the security setting “Privileged roles need a security key”/)
        assert.match(approvals.body, warning)
        const [off] = await pendingSettingChanges()
        assert.ok(off)
        await (await as(second)).post(`/admin/approvals/${off.id}/approve`, {})
        assert.equal(await signIn(), '/sign-in/verify', 'an authenticator app is enough now')

        assert.doesNotMatch((await (await as(first)).get('/admin/security-settings')).body, warning)
        await propose(second, 'privileged-require-security-key', 'on')
        const [on] = await pendingSettingChanges()
        assert.ok(on)
        await (await as(first)).post(`/admin/approvals/${on.id}/approve`, {})
        assert.equal(await signIn(), '/account/second-factor', 'asked for a key again')
      })

      it('asks for a fresh second factor before proposing and before approving', async () => {
        const first = await person(['authority-admin'])
        const second = await person(['authority-admin'])
        const stale = await as(first)
        advance(4 * 60_000)
        await stale.get('/admin/security-settings')
        advance(2 * 60_000)
        const proposed = await stale.post(
          '/admin/security-settings',
          { setting: 'allow-admin-assessor', value: 'on' },
          '/admin/security-settings',
        )
        assert.equal(
          proposed.headers.location,
          `/account/confirm?next=${encodeURIComponent('/admin/security-settings')}`,
        )
        assert.equal((await pendingSettingChanges()).length, 0)

        await propose(first, 'allow-admin-assessor', 'on')
        const [pending] = await pendingSettingChanges()
        assert.ok(pending)
        const approver = await as(second)
        advance(4 * 60_000)
        await approver.get('/admin/approvals')
        advance(2 * 60_000)
        const approved = await approver.post(`/admin/approvals/${pending.id}/approve`, {}, '/admin/approvals')
        assert.equal(approved.headers.location, `/account/confirm?next=${encodeURIComponent('/admin/approvals')}`)
        assert.equal((await readSecuritySettings(db()))['allow-admin-assessor'], false)
      })

      it('refuses a setting that does not exist or is like that already, and anyone but an Authority administrator', async () => {
        const admin = await person(['authority-admin'])
        const unknown = await propose(admin, 'no-such-setting', 'on')
        assert.equal(unknown.statusCode, 400)
        assert.deepEqual(summaryOf(unknown.body), ['#setting Select a security setting'])
        const same = await propose(admin, 'privileged-require-security-key', 'on')
        assert.deepEqual(summaryOf(same.body), [
          '#privileged-require-security-key “Privileged roles need a security key” is already on',
        ])
        for (const role of ['security-assessor', 'auditor', 'supplier-admin'] as const) {
          const other = await person([role], role === 'supplier-admin' ? { organisation: CONTOSO } : {})
          assert.equal((await (await as(other)).get('/admin/security-settings')).statusCode, 403, role)
          assert.equal((await propose(other, 'allow-admin-assessor', 'on')).statusCode, 403, role)
        }
        assert.equal((await browserFor(app).get('/admin/security-settings')).headers.location, '/sign-in')
        assert.equal((await pendingSettingChanges()).length, 0)
      })
    })
  })
}
