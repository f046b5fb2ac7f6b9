import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { FastifyInstance } from 'fastify'
import { startApp } from './helpers/app.ts'
import { engines, type TestStore } from './helpers/stores.ts'

for (const engine of engines()) {
  describe(`catalogue pages and API on ${engine.name}`, () => {
    let store: TestStore
    let app: FastifyInstance
    let close: () => Promise<void>

    before(async () => {
      store = await engine.create()
      ;({ app, close } = await startApp(store))
    })
    after(async () => {
      await close()
      await store.dispose()
    })

    it('redirects /catalogue to the latest version and shows counts by section and MCSS function', async () => {
      assert.equal((await app.inject('/catalogue')).headers.location, '/catalogues/latest')
      const page = await app.inject('/catalogues/latest')
      assert.equal(page.statusCode, 200)
      assert.match(page.body, /458 requirements/)
      assert.match(page.body, /href="\/catalogues\/1\.0\.0\/requirements\?mcss=PROTECT">PROTECT<\/a> \(\d+\)/)
      assert.match(
        page.body,
        /Baseline for Amazon Web Services accounts<\/a>[\s\S]*?<td class="govuk-table__cell govuk-table__cell--numeric">62<\/td>/,
      )
      // A chapter counts the sections under it.
      assert.match(
        page.body,
        /Supplier relationships\s*<\/span>[\s\S]*?<td class="govuk-table__cell govuk-table__cell--numeric">120<\/td>/,
      )
    })

    it('searches without JavaScript and keeps the filters in the form', async () => {
      const page = await app.inject('/catalogues/latest/requirements?q=lockout+OR+unsuccessful&obligation=')
      assert.equal(page.statusCode, 200)
      const results = await app.inject(
        '/catalogues/latest/requirements?q=unsuccessful+attempts+block&obligation=should',
      )
      assert.match(results.body, /1 requirement found/)
      assert.match(results.body, /href="\/catalogues\/1\.0\.0\/requirements\/TSC-L2-01">TSC-L2-01: /)
      assert.match(results.body, /<option value="should" selected>Should<\/option>/)
    })

    it('shows a GOV.UK error summary for a bad filter, keeping what was typed', async () => {
      const page = await app.inject('/catalogues/latest/requirements?q=backup&obligation=sometimes')
      assert.equal(page.statusCode, 400)
      assert.match(page.body, /<title>Error: /)
      assert.match(
        page.body,
        /govuk-error-summary[\s\S]*<a href="#obligation">Obligation must be one of must, should, must-not, should-not, may<\/a>/,
      )
      assert.match(page.body, /id="q" name="q" type="search" value="backup"/)
    })

    it('shows a requirement with its statement, parameters in words, mappings and source', async () => {
      const page = await app.inject('/catalogues/latest/requirements/SAL-32')
      assert.equal(page.statusCode, 200)
      assert.match(page.body, /within 14 days/)
      assert.match(page.body, /14 days <span class="govuk-body-s">\(P14D\)<\/span>/)
      assert.match(page.body, /href="\/catalogues\/1\.0\.0\/guidance\/security-aspects-letters#SAL-32"/)
    })

    it('answers an unknown requirement page with 404', async () => {
      assert.equal((await app.inject('/catalogues/latest/requirements/XX-01')).statusCode, 404)
      assert.equal((await app.inject('/catalogues/latest/requirements/%3Cscript%3E')).statusCode, 404)
      assert.equal((await app.inject('/catalogues/9.9.9')).statusCode, 404)
    })

    it('shows the guidance section by section with each quoted statement marked and linked', async () => {
      const index = await app.inject('/catalogues/latest/guidance')
      assert.equal(index.statusCode, 200)
      const section = await app.inject('/catalogues/latest/guidance/technical-security-controls')
      assert.equal(section.statusCode, 200)
      assert.match(
        section.body,
        /<mark class="app-quote"><span id="TSC-L2-01"><\/span>Monitor login attempts and block access after 10 unsuccessful attempts\. <a class="govuk-link app-quote__ref" href="\/catalogues\/1\.0\.0\/requirements\/TSC-L2-01"/,
      )
      const ids = [...section.body.matchAll(/ id="([^"]+)"/g)].map(match => match[1])
      assert.deepEqual(ids, [...new Set(ids)], 'every anchor ID appears once')
    })

    it('lists catalogue versions in the API', async () => {
      const response = await app.inject('/api/v1/catalogue')
      assert.deepEqual(response.json().catalogues[0], {
        ref: '1.0.0',
        framework: 'moj-supplier',
        title: 'MoJ Cyber Security Guidance: Supplier Edition',
        version: '1.0.0',
        published: '2026-12-03',
        kind: 'builtin',
        requirementCount: 458,
        links: {
          requirements: '/api/v1/catalogue/1.0.0/requirements',
          oscal: '/api/v1/catalogue/1.0.0/oscal',
          html: '/catalogues/1.0.0',
        },
      })
    })

    it('filters and pages requirements in the API', async () => {
      const response = await app.inject(
        '/api/v1/catalogue/1.0.0/requirements?tag=aws&obligation=must&pageSize=5&page=2',
      )
      assert.equal(response.statusCode, 200)
      const body = response.json()
      assert.equal(body.page, 2)
      assert.equal(body.pageSize, 5)
      assert.equal(body.items.length, 5)
      assert.ok(body.total > 10)
      for (const item of body.items) {
        assert.equal(item.obligation, 'must')
        assert.ok(item.tags.includes('aws'))
      }
    })

    it('returns one requirement with typed parameters', async () => {
      const body = (await app.inject('/api/v1/catalogue/latest/requirements/DD-LONG-06')).json()
      assert.equal(body.obligation, 'must')
      assert.deepEqual(
        body.parameters.map((p: { id: string; value: string; description: string }) => [p.id, p.value, p.description]),
        [['failed-destruction-notification', 'PT24H', '24 hours']],
      )
    })

    it('refuses malformed queries with a problem naming each bad field', async () => {
      const response = await app.inject(
        '/api/v1/catalogue/latest/requirements?page=0&pageSize=500&colour=red&mcss=GUARD',
      )
      assert.equal(response.statusCode, 400)
      assert.deepEqual(response.json().errors, [
        { path: 'mcss', message: 'MCSS function must be one of IDENTIFY, PROTECT, DETECT, RESPOND, RECOVER' },
        { path: 'page', message: 'Page must be 1 or more' },
        { path: 'pageSize', message: 'Page size must be 200 or less' },
        { path: 'colour', message: 'colour is not a recognised field' },
      ])
    })

    it('serves the catalogue as OSCAL and describes the API in OpenAPI 3.1', async () => {
      const oscal = (await app.inject('/api/v1/catalogue/latest/oscal')).json()
      assert.equal(oscal.catalog.metadata['oscal-version'], '1.1.2')
      const openapi = (await app.inject('/api/v1/openapi.json')).json()
      assert.equal(openapi.openapi, '3.1.0')
      assert.ok(openapi.paths['/api/v1/catalogue/{version}/requirements/{id}'])
    })
  })
}
