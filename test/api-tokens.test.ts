import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { FastifyInstance } from 'fastify'
import { browserFor, startApp } from './helpers/app.ts'
import { engines, type TestStore } from './helpers/stores.ts'
import { buildPerson, sessionCookieFor } from './helpers/people.ts'
import type { Services } from '../src/services.ts'

for (const engine of engines()) {
  describe(`personal API tokens on ${engine.name} (v5.0.0-7.2.x)`, () => {
    let store: TestStore
    let app: FastifyInstance
    let services: Services
    let close: () => Promise<void>
    let clock = new Date('2026-12-03T09:00:00Z')
    const now = () => clock

    before(async () => {
      store = await engine.create()
      ;({ app, services, close } = await startApp(store, { now }))
    })
    after(async () => {
      await close()
      await store.dispose()
    })

    async function tokenFor(
      roles: Parameters<typeof buildPerson>[1] = {},
      form: Record<string, string | string[]> = { name: 'Nightly export', scopes: 'account:read', days: '30' },
    ) {
      const person = await buildPerson(services.store.db, roles)
      const browser = browserFor(app, await sessionCookieFor(services.store.db, person.id, clock))
      const created = await browser.post('/account/api-tokens', form)
      const token = /<code id="new-token">([^<]+)<\/code>/.exec(created.body)?.[1]
      return { person, browser, created, token }
    }
    const api = (url: string, token?: string, cookie?: string) =>
      app.inject({
        url,
        headers: {
          ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
          ...(cookie === undefined ? {} : { cookie }),
        },
      })

    it('shows a new token once, and it authenticates the API by bearer header only', async () => {
      const { person, browser, token } = await tokenFor()
      assert.match(token ?? '', /^assure_[A-Za-z0-9_-]{43}$/)
      const me = await api('/api/v1/me', token)
      assert.equal(me.statusCode, 200)
      assert.equal(me.json().email, person.email)
      assert.doesNotMatch(
        (await browser.get('/account/api-tokens')).body,
        new RegExp(token ?? 'x'),
        'never shown again',
      )
      const withCookie = await api('/api/v1/me', undefined, browser.jar.header())
      assert.equal(withCookie.statusCode, 401)
      assert.equal(withCookie.json().detail, 'Send a personal API token as Authorization: Bearer <token>')
      const stored = await services.store.db.selectFrom('api_tokens').select('token_hash').executeTakeFirstOrThrow()
      assert.notEqual(stored.token_hash, token, 'only a hash is stored')
    })

    it('refuses a token without the scope a route needs', async () => {
      const { token } = await tokenFor({ roles: ['supplier-admin'] })
      const people = await api('/api/v1/people', token)
      assert.equal(people.statusCode, 403)
      assert.equal(people.json().detail, 'This token lacks the people:read scope')
    })

    it('lists only the manager’s own supplier’s people', async () => {
      const { token } = await tokenFor(
        { roles: ['supplier-admin'], organisation: { kind: 'supplier', name: 'Contoso Ltd' } },
        { name: 'Directory sync', scopes: ['account:read', 'people:read'], days: '7' },
      )
      await buildPerson(services.store.db, { organisation: { kind: 'supplier', name: 'Fabrikam Ltd' } })
      const people = (await api('/api/v1/people', token)).json().people as Array<{ organisation: string }>
      assert.ok(people.length > 0)
      assert.deepEqual([...new Set(people.map(p => p.organisation))], ['Contoso Ltd'])
    })

    it('stops working when revoked, when expired, and when the owner is disconnected', async () => {
      const revoked = await tokenFor()
      const id =
        /action="\/account\/api-tokens\/([^/]+)\/revoke"/.exec(
          (await revoked.browser.get('/account/api-tokens')).body,
        )?.[1] ?? ''
      await revoked.browser.post(`/account/api-tokens/${id}/revoke`, {})
      assert.equal((await api('/api/v1/me', revoked.token)).statusCode, 401)

      const expiring = await tokenFor({}, { name: 'Short', scopes: 'account:read', days: '1' })
      clock = new Date(clock.getTime() + 24 * 60 * 60_000 + 1000)
      assert.equal(
        (await api('/api/v1/me', expiring.token)).json().detail,
        'The API token is not valid, has expired or was revoked',
      )

      const owned = await tokenFor()
      const admin = await buildPerson(services.store.db, {
        roles: ['authority-admin'],
        organisation: { kind: 'authority', name: 'Ministry of Justice' },
      })
      await browserFor(app, await sessionCookieFor(services.store.db, admin.id, clock)).post(
        `/admin/people/${owned.person.id}/disconnect`,
        {},
      )
      assert.equal((await api('/api/v1/me', owned.token)).statusCode, 401)
    })

    it('refuses tokens that would last more than 90 days, with a specific error', async () => {
      const { created } = await tokenFor({}, { name: '', scopes: [], days: '365' })
      assert.equal(created.statusCode, 400)
      const summary = [...created.body.matchAll(/<li>\s*<a href="(#[^"]+)">([^<]+)<\/a>/g)].map(m => `${m[1]} ${m[2]}`)
      assert.deepEqual(summary, [
        '#name Enter a name for the token, like “Nightly export”',
        '#scopes Select at least one scope',
        '#days The token must last 1 to 90 days',
      ])
    })
  })
}
