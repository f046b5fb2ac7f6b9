import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { FastifyInstance } from 'fastify'
import { csrfFor, startApp } from './helpers/app.ts'
import { engines, sqliteStore, type TestStore } from './helpers/stores.ts'
import type { Services } from '../src/services.ts'
import { verifyStore } from '../src/audit/ledger.ts'

for (const engine of engines()) {
  describe(`the web service on ${engine.name}`, () => {
    let store: TestStore
    let app: FastifyInstance
    let close: () => Promise<void>
    let services: Services

    before(async () => {
      store = await engine.create()
      const started = await startApp(store, {
        env: { ASSURE_MAX_BODY_BYTES: '2048' },
        beforeReady: instance => {
          // Test-only routes exercise the shared CSRF and error mechanisms the real forms will use.
          instance.get('/test/form', { config: { permission: 'public' } }, async (_request, reply) =>
            reply
              .type('text/html')
              .send(`<form method="post"><input type="hidden" name="_csrf" value="${reply.generateCsrf()}"></form>`),
          )
          instance.post('/test/form', { config: { permission: 'public' } }, async () => ({ saved: true }))
          instance.get('/test/boom', { config: { permission: 'public' } }, async () => {
            throw new Error('SELECT * FROM secrets WHERE password = hunter2')
          })
          instance.get('/api/v1/test/boom', { config: { permission: 'public' } }, async () => {
            throw new Error('relation "users" does not exist at src/x.ts:12')
          })
        },
      })
      app = started.app
      services = started.services
      close = started.close
    })
    after(async () => {
      await close()
      await store.dispose()
    })

    it('serves the home page with the service name, phase banner and skip link', async () => {
      const response = await app.inject('/')
      assert.equal(response.statusCode, 200)
      assert.match(response.body, /class="govuk-service-navigation__service-name"[\s\S]*Assure/)
      assert.match(response.body, /govuk-phase-banner/)
      assert.match(response.body, /<a href="#main-content" class="govuk-skip-link"/)
    })

    it('sends a strict CSP with a fresh nonce on every page, and the other security headers', async () => {
      const first = await app.inject('/')
      const second = await app.inject('/')
      const csp = String(first.headers['content-security-policy'])
      const nonce = /'nonce-([0-9a-f]+)'/.exec(csp)?.[1]
      assert.ok(nonce)
      assert.notEqual(nonce, /'nonce-([0-9a-f]+)'/.exec(String(second.headers['content-security-policy']))?.[1])
      assert.match(csp, /script-src 'self' 'strict-dynamic' 'nonce-/)
      assert.match(csp, /frame-ancestors 'none'/)
      assert.match(csp, /object-src 'none'/)
      assert.match(first.body, new RegExp(`<script type="module" src="/assets/app.mjs" nonce="${nonce}">`))
      assert.equal(first.headers['x-content-type-options'], 'nosniff')
      assert.equal(first.headers['referrer-policy'], 'no-referrer')
      assert.equal(first.headers['x-frame-options'], 'DENY')
      assert.equal(first.headers['x-powered-by'], undefined)
      // Served over plain HTTP here, so no HSTS (it is sent when ASSURE_PUBLIC_URL is https).
      assert.equal(first.headers['strict-transport-security'], undefined)
      assert.match(String(first.headers['x-request-id']), /^[0-9a-f-]{36}$/)
    })

    it('never takes the request ID from the client', async () => {
      const response = await app.inject({ url: '/healthz', headers: { 'x-request-id': 'attacker-chosen' } })
      assert.notEqual(response.headers['x-request-id'], 'attacker-chosen')
    })

    it('serves GOV.UK Frontend assets from the app itself', async () => {
      for (const asset of [
        '/assets/govuk-frontend.min.css',
        '/assets/govuk-frontend.min.js',
        '/assets/moj-frontend.min.css',
        '/assets/app.css',
        '/assets/app.mjs',
        '/assets/images/favicon.svg',
      ]) {
        assert.equal((await app.inject(asset)).statusCode, 200, asset)
      }
      assert.equal((await app.inject('/assets/index.scss')).statusCode, 404)
    })

    it('refuses a form post without a CSRF token and keeps nothing of it', async () => {
      const response = await app.inject({ method: 'POST', url: '/test/form', payload: { name: 'x' } })
      assert.equal(response.statusCode, 403)
      assert.match(response.body, /The form has expired or did not come from this service/)
      assert.match(
        response.body,
        new RegExp(`give them this reference: <strong[^>]*>${response.headers['x-request-id']}</strong>`),
      )
    })

    it('accepts a form post with the token from the form', async () => {
      const { token, cookie } = await csrfFor(app, '/test/form')
      const response = await app.inject({
        method: 'POST',
        url: '/test/form',
        payload: { _csrf: token },
        headers: { cookie },
      })
      assert.equal(response.statusCode, 200)
      assert.deepEqual(response.json(), { saved: true })
    })

    it('shows a GOV.UK 404 page with the request ID for an unknown page', async () => {
      const response = await app.inject('/no/such/page')
      assert.equal(response.statusCode, 404)
      assert.match(response.body, /<h1 class="govuk-heading-l">Page not found<\/h1>/)
      assert.match(response.body, new RegExp(String(response.headers['x-request-id'])))
    })

    it('answers API errors as RFC 9457 problem JSON', async () => {
      const response = await app.inject('/api/v1/catalogue/latest/requirements/NOPE-99')
      assert.equal(response.statusCode, 404)
      assert.equal(response.headers['content-type'], 'application/problem+json; charset=utf-8')
      assert.deepEqual(response.json(), {
        type: 'urn:assure:problem:not-found',
        title: 'Page not found',
        status: 404,
        detail: 'Requirement NOPE-99 in catalogue 1.0.0 was not found',
        instance: '/api/v1/catalogue/latest/requirements/NOPE-99',
        requestId: response.headers['x-request-id'],
      })
    })

    it('hides internal error messages, SQL and stack traces on pages and in the API', async () => {
      const page = await app.inject('/test/boom')
      assert.equal(page.statusCode, 500)
      assert.match(page.body, /Sorry, there is a problem with the service/)
      assert.doesNotMatch(page.body, /SELECT|secrets|hunter2|at .*\.ts/)
      const api = await app.inject('/api/v1/test/boom')
      assert.equal(api.statusCode, 500)
      assert.deepEqual(Object.keys(api.json()).sort(), ['detail', 'instance', 'requestId', 'status', 'title', 'type'])
      assert.doesNotMatch(api.body, /relation|users|\.ts/)
    })

    it('refuses an oversized request with 413 before reading it', async () => {
      const { token, cookie } = await csrfFor(app, '/test/form')
      const response = await app.inject({
        method: 'POST',
        url: '/test/form',
        payload: { _csrf: token, text: 'x'.repeat(5000) },
        headers: { cookie },
      })
      assert.equal(response.statusCode, 413)
      assert.match(response.body, /The request body is larger than this service accepts/)
    })

    it('reports health and readiness with the clock difference', async () => {
      assert.deepEqual((await app.inject('/healthz')).json(), { status: 'ok' })
      const ready = (await app.inject('/readyz')).json()
      assert.equal(ready.status, 'ready')
      assert.equal(ready.checks.store.engine, engine.name)
      assert.deepEqual(ready.checks.migrations, { status: 'ok' })
      assert.equal(typeof ready.checks.clock.skewMs, 'number')
      assert.ok(Math.abs(ready.checks.clock.skewMs) < 60_000, 'the database clock is the machine clock here')
    })

    it('reports when the ledger was last verified, and whether it passed, but not what failed', async () => {
      const unverified = (await app.inject('/readyz')).json()
      assert.deepEqual(unverified.checks.ledger, { status: 'not-verified-yet' })
      await verifyStore(services.ledgerDeps)
      const verified = (await app.inject('/readyz')).json()
      assert.equal(verified.checks.ledger.status, 'verified')
      assert.equal(typeof verified.checks.ledger.lastVerifiedAt, 'string')
      assert.deepEqual(Object.keys(verified.checks.ledger).sort(), ['entries', 'lastVerifiedAt', 'status'])
    })
  })
}

describe('the web service behind HTTPS', () => {
  it('sends HSTS and sets the CSRF cookie with the __Host- prefix and Secure', async () => {
    const store = sqliteStore()
    const { app, close } = await startApp(store, {
      env: { ASSURE_PUBLIC_URL: 'https://assure.example' },
      beforeReady: instance => {
        instance.get('/test/form', { config: { permission: 'public' } }, async (_request, reply) =>
          reply.type('text/html').send(`<input name="_csrf" value="${reply.generateCsrf()}">`),
        )
      },
    })
    try {
      const response = await app.inject('/test/form')
      assert.equal(response.headers['strict-transport-security'], 'max-age=31536000; includeSubDomains')
      assert.match(String(response.headers['content-security-policy']), /upgrade-insecure-requests/)
      assert.match(
        String(response.headers['set-cookie']),
        /^__Host-assure-csrf=[^;]+; Path=\/; HttpOnly; Secure; SameSite=Lax$/,
      )
    } finally {
      await close()
      await store.dispose()
    }
  })
})
