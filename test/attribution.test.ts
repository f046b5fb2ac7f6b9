import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { FastifyInstance } from 'fastify'
import { browserFor, startApp } from './helpers/app.ts'
import { engines, type TestStore } from './helpers/stores.ts'
import { buildPerson, sessionCookieFor } from './helpers/people.ts'
import type { Services } from '../src/services.ts'
import { ROLES, type Role } from '../src/identity/roles.ts'
import { rolesAllow, type RolePermission } from '../src/identity/policy.ts'
import { createSession } from '../src/identity/sessions.ts'

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/** Fills a route's parameters with IDs that exist nowhere, so nothing but the attempt itself can be recorded. */
const fill = (url: string) => url.replace(/:[a-z]+/gi, 'no-such-id')

// Guidance, Accounting: "all access to systems ... must be attributable to an authenticated entity" and
// "Successful and unsuccessful attempts to access systems ... must be recorded in logs". ASVS v5.0.0-16.2.1,
// v5.0.0-16.3.1, v5.0.0-16.3.2.
for (const engine of engines()) {
  describe(`attribution of every state-changing request on ${engine.name}`, () => {
    let store: TestStore
    let app: FastifyInstance
    let services: Services
    let close: () => Promise<void>
    const people = new Map<string, { id: string; cookie: string }>()

    before(async () => {
      store = await engine.create()
      ;({ app, services, close } = await startApp(store))
      for (const role of ROLES) {
        const organisation = role.startsWith('supplier')
          ? { kind: 'supplier' as const, name: 'Contoso Ltd' }
          : { kind: 'authority' as const, name: 'Ministry of Justice' }
        const person = await buildPerson(services.store.db, { roles: [role], organisation })
        people.set(role, { id: person.id, cookie: await sessionCookieFor(services.store.db, person.id) })
      }
      // Part-way through signing in: password accepted, second factor not yet given.
      const verifying = await buildPerson(services.store.db, {
        roles: ['supplier-contributor'],
        organisation: { kind: 'supplier', name: 'Contoso Ltd' },
      })
      const token = await createSession(services.store.db, {
        userId: verifying.id,
        stage: 'mfa',
        now: new Date(),
        lifetime: 'PT12H',
      })
      people.set('verifying', { id: verifying.id, cookie: `assure-session=${token}` })
    })
    after(async () => {
      await close()
      await store.dispose()
    })

    /** Someone allowed to call a route, so the request reaches its handler. */
    function callerFor(permission: string): { id: string; cookie: string } | undefined {
      if (permission === 'public' || permission === 'sign-in') return undefined
      if (permission === 'verify') return people.get('verifying')
      if (permission === 'account' || permission === 'enrol') return people.get('supplier-contributor')
      const role = ROLES.find(r => rolesAllow([r], permission as RolePermission)) as Role
      return people.get(role)
    }

    async function entriesFor(requestId: string) {
      return services.store.db
        .selectFrom('audit_entries')
        .select(['action', 'actor_type', 'user_id', 'outcome', 'details'])
        .where('request_id', '=', requestId)
        .execute()
    }

    it('finds the state-changing routes in the route table', () => {
      const routes = app.routeTable.filter(route => STATE_CHANGING.has(route.method))
      assert.ok(routes.length >= 25, `${routes.length} state-changing routes`)
    })

    it('writes exactly one entry, attributed to the caller, for every state-changing route', async () => {
      for (const route of app.routeTable.filter(r => STATE_CHANGING.has(r.method))) {
        const caller = callerFor(route.permission)
        const response = await browserFor(app, caller?.cookie).post(fill(route.url), {})
        const where = `${route.method} ${route.url} → ${response.statusCode}`
        const entries = await entriesFor(String(response.headers['x-request-id']))
        assert.equal(entries.length, 1, `${where}: ${entries.map(e => e.action).join(', ') || 'no entry'}`)
        const [entry] = entries
        if (caller === undefined) assert.equal(entry?.actor_type, 'anonymous', where)
        else assert.equal(entry?.user_id, caller.id, where)
      }
    })

    it('records each read of people’s records, attributed to the reader', async () => {
      const admin = people.get('authority-admin')
      const subject = people.get('supplier-contributor')
      for (const [url, action] of [
        ['/admin/people', 'identity.people.listed'],
        [`/admin/people/${subject?.id}`, 'identity.person.viewed'],
      ] as const) {
        const response = await browserFor(app, admin?.cookie).get(url)
        assert.equal(response.statusCode, 200, url)
        const entries = await entriesFor(String(response.headers['x-request-id']))
        assert.deepEqual(
          entries.map(e => [e.action, e.user_id, e.outcome]),
          [[action, admin?.id, 'success']],
          url,
        )
      }
    })

    it('records a request refused for a missing CSRF token, with its route and status', async () => {
      const caller = callerFor('manage-users')
      const response = await app.inject({
        method: 'POST',
        url: '/admin/people/invite',
        headers: { cookie: caller?.cookie ?? '' },
        payload: { email: 'someone@example.com' },
      })
      assert.equal(response.statusCode, 403)
      const entries = await entriesFor(String(response.headers['x-request-id']))
      assert.equal(entries.length, 1)
      assert.equal(entries[0]?.action, 'http.request.refused')
      assert.equal(entries[0]?.outcome, 'denied')
      // A request without the form's token may not be the person's at all (that is what CSRF is), so it is recorded
      // without claiming to be theirs.
      assert.equal(entries[0]?.actor_type, 'anonymous')
      assert.deepEqual(JSON.parse(entries[0]?.details ?? '{}'), {
        method: 'POST',
        route: '/admin/people/invite',
        status: 403,
      })
    })

    it('keeps an operation’s own event as the one entry, without a second generic one', async () => {
      await buildPerson(services.store.db, {
        email: 'known@example.com',
        roles: ['supplier-contributor'],
        organisation: { kind: 'supplier', name: 'Contoso Ltd' },
      })
      const response = await browserFor(app).post('/sign-in', {
        email: 'known@example.com',
        password: 'not the right password at all',
      })
      const entries = await entriesFor(String(response.headers['x-request-id']))
      assert.deepEqual(
        entries.map(e => e.action),
        ['auth.sign_in.failure'],
      )
      const signedIn = people.get('authority-viewer')
      const signOut = await browserFor(app, signedIn?.cookie).post('/sign-out', {})
      const signOutEntries = await entriesFor(String(signOut.headers['x-request-id']))
      assert.deepEqual(
        signOutEntries.map(e => [e.action, e.user_id]),
        [['auth.sign_out', signedIn?.id]],
      )
    })
  })
}
