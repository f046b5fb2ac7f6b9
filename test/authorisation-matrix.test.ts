import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { FastifyInstance } from 'fastify'
import { browserFor, startApp } from './helpers/app.ts'
import { sqliteStore, type TestStore } from './helpers/stores.ts'
import { buildPerson, sessionCookieFor } from './helpers/people.ts'
import type { Services } from '../src/services.ts'
import { ROLES, type Role } from '../src/identity/roles.ts'
import { ROLE_PERMISSIONS as ALL_ROLE_PERMISSIONS, rolesAllow } from '../src/identity/policy.ts'

// Derived from the policy, so a new role-based permission is in the matrix the moment it exists.
const ROLE_PERMISSIONS = new Set<string>(ALL_ROLE_PERMISSIONS)
const SIGNED_IN_PERMISSIONS = new Set(['account', 'verify', 'enrol', ...ROLE_PERMISSIONS])
const DENIED = /<h1 class="govuk-heading-l">You do not have permission to do that<\/h1>/

/** Fills a route's parameters: people routes get the given person, catalogue routes a real requirement. */
function fill(url: string, personId: string): string {
  let id = 'no-such-id'
  if (url.startsWith('/admin/people')) id = personId
  else if (url.startsWith('/catalogues') || url.startsWith('/api')) id = 'TSC-L2-01'
  return url
    .replace(':ref', 'latest')
    .replace(':version', 'latest')
    .replace(':slug', 'mfa')
    .replace(':token', 'no-such-token')
    .replace(':id', id)
}

/**
 * The authorisation matrix, generated from the route table: every route × anonymous and every role, with the
 * expectation derived from the permission the route declares (v5.0.0-8.2.1, v5.0.0-8.3.1).
 */
describe('the authorisation matrix', () => {
  let store: TestStore
  let app: FastifyInstance
  let services: Services
  let close: () => Promise<void>
  const cookies = new Map<string, string>()
  let ownPerson = ''
  let otherPerson = ''

  before(async () => {
    store = sqliteStore()
    ;({ app, services, close } = await startApp(store))
    for (const role of ROLES) {
      const organisation = role.startsWith('supplier')
        ? { kind: 'supplier' as const, name: 'Contoso Ltd' }
        : { kind: 'authority' as const, name: 'Ministry of Justice' }
      const person = await buildPerson(services.store.db, { roles: [role], organisation })
      cookies.set(role, await sessionCookieFor(services.store.db, person.id))
    }
    ownPerson = (
      await buildPerson(services.store.db, {
        roles: ['supplier-contributor'],
        organisation: { kind: 'supplier', name: 'Contoso Ltd' },
      })
    ).id
    otherPerson = (
      await buildPerson(services.store.db, {
        roles: ['supplier-contributor'],
        organisation: { kind: 'supplier', name: 'Fabrikam Ltd' },
      })
    ).id
  })
  after(async () => {
    await close()
    await store.dispose()
  })

  async function call(method: string, url: string, who: Role | 'anonymous') {
    const browser = browserFor(app, who === 'anonymous' ? undefined : cookies.get(who))
    return method === 'GET' ? browser.get(url) : browser.post(url, {})
  }

  it('covers every route the app serves', () => {
    assert.ok(app.routeTable.length > 40, `${app.routeTable.length} routes`)
    for (const route of app.routeTable) assert.ok(route.permission, `${route.method} ${route.url}`)
  })

  it('lets anonymous people reach only public and sign-in routes', async () => {
    for (const route of app.routeTable) {
      const response = await call(route.method, fill(route.url, ownPerson), 'anonymous')
      const where = `${route.method} ${route.url} (${route.permission})`
      if (SIGNED_IN_PERMISSIONS.has(route.permission)) {
        assert.equal(response.statusCode, 302, where)
        assert.match(String(response.headers.location), /^\/sign-in/, where)
      } else {
        assert.doesNotMatch(response.body, DENIED, where)
      }
    }
  })

  it('gives each role exactly the role-based routes its permissions allow', async () => {
    for (const role of ROLES) {
      for (const route of app.routeTable.filter(r => ROLE_PERMISSIONS.has(r.permission))) {
        const response = await call(route.method, fill(route.url, ownPerson), role)
        const where = `${role} ${route.method} ${route.url}`
        if (rolesAllow([role], route.permission as 'manage-users')) {
          assert.doesNotMatch(response.body, DENIED, where)
        } else {
          assert.equal(response.statusCode, 403, where)
          assert.match(response.body, DENIED, where)
        }
      }
    }
  })

  it('answers a supplier administrator’s requests about another supplier’s people as not found', async () => {
    for (const route of app.routeTable.filter(r => r.url.startsWith('/admin/people/:id'))) {
      const own = await call(route.method, fill(route.url, ownPerson), 'supplier-admin')
      const other = await call(route.method, fill(route.url, otherPerson), 'supplier-admin')
      assert.notEqual(own.statusCode, 404, `own ${route.method} ${route.url}`)
      assert.equal(other.statusCode, 404, `other ${route.method} ${route.url}`)
    }
  })
})
