import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { Ajv } from 'ajv'
import addFormatsModule from 'ajv-formats'
import { loadCatalogue } from './load.ts'
import { exportOscalCatalog, importOscalCatalog, nameUuid } from './oscal.ts'
import { AssureError } from '../platform/errors.ts'

const SHARED_OSCAL = path.resolve('..', 'shared', 'oscal')
const REPO_SCHEMA = path.resolve('src', 'catalogue', 'oscal', 'oscal_catalog_schema.json')
// Validate with NIST's schema as shipped in ../shared when it is there; the repository keeps an identical copy.
const schemaFile = existsSync(SHARED_OSCAL) ? path.join(SHARED_OSCAL, 'oscal_catalog_schema.json') : REPO_SCHEMA
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv

function nistValidator() {
  const ajv = new Ajv({ allErrors: true, strict: false })
  addFormats(ajv)
  return ajv.compile(JSON.parse(readFileSync(schemaFile, 'utf8')) as object)
}

const catalogue = loadCatalogue()

describe('OSCAL interchange', () => {
  it('exports a catalog that validates against NIST OSCAL 1.1.2 catalog schema', () => {
    const validate = nistValidator()
    const document = exportOscalCatalog(catalogue, new Date('2026-12-03T12:00:00Z'))
    assert.equal(validate(document), true, JSON.stringify(validate.errors?.slice(0, 3)))
  })

  it(
    'keeps the repository copy of the schema identical to NIST’s',
    { skip: !existsSync(SHARED_OSCAL) && 'no ../shared checkout' },
    () => {
      assert.equal(
        readFileSync(REPO_SCHEMA, 'utf8'),
        readFileSync(path.join(SHARED_OSCAL, 'oscal_catalog_schema.json'), 'utf8'),
      )
    },
  )

  it('gives one control per requirement, with parameters, properties, statement and NIST links', () => {
    const document = exportOscalCatalog(catalogue, new Date('2026-12-03T12:00:00Z')) as {
      catalog: {
        metadata: { version: string; 'oscal-version': string }
        groups: Array<{ id: string; groups?: unknown[] }>
      }
    }
    assert.equal(document.catalog.metadata.version, catalogue.version)
    assert.equal(document.catalog.metadata['oscal-version'], '1.1.2')
    const controls: Array<Record<string, unknown>> = []
    const walk = (groups: ReadonlyArray<{ controls?: unknown[]; groups?: unknown[] }>) => {
      for (const group of groups) {
        controls.push(...((group.controls ?? []) as Array<Record<string, unknown>>))
        walk((group.groups ?? []) as Array<{ controls?: unknown[]; groups?: unknown[] }>)
      }
    }
    walk(document.catalog.groups)
    assert.equal(controls.length, catalogue.requirements.length)
    const lockout = controls.find(control => control.id === 'TSC-L2-01')
    assert.deepEqual(lockout?.params, [
      {
        id: 'lockout-threshold',
        label: 'Unsuccessful login attempts before access is blocked',
        props: [
          { name: 'value-type', ns: 'urn:assure:oscal:moj-supplier', value: 'integer' },
          { name: 'unit', ns: 'urn:assure:oscal:moj-supplier', value: 'attempts' },
        ],
        values: ['10'],
      },
    ])
    assert.deepEqual((lockout?.parts as unknown[])[0], {
      id: 'TSC-L2-01_smt',
      name: 'statement',
      prose: 'Monitor login attempts and block access after 10 unsuccessful attempts.',
    })
    assert.deepEqual(
      (lockout?.links as Array<{ text: string }>).map(link => link.text),
      ['NIST SP 800-53 rev 5 AC-7'],
    )
  })

  it('derives the same UUID for the same catalogue version, in RFC 4122 form', () => {
    assert.equal(nameUuid('moj-supplier@1.0.0'), nameUuid('moj-supplier@1.0.0'))
    assert.match(
      nameUuid('moj-supplier@1.0.0'),
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    )
  })

  it('imports NIST’s example catalog as a framework', () => {
    const example = JSON.parse(readFileSync(path.resolve('test', 'fixtures', 'basic-catalog.json'), 'utf8'))
    const record = importOscalCatalog(example)
    assert.equal(record.title, 'Sample Security Catalog *for Demonstration* and Testing')
    assert.equal(record.version, '1.1')
    assert.deepEqual(
      record.items.map(item => item.id),
      ['s1.1.1', 's1.1.2', 's2.1.1', 's2.1.2'],
    )
    assert.deepEqual(
      record.groups.map(group => group.id),
      ['s1', 's1.1', 's2', 's2.1'],
    )
    assert.match(
      record.items[0]?.statement ?? '',
      /^All information security responsibilities should be defined and allocated\./,
    )
  })

  it('imports its own export back', () => {
    const record = importOscalCatalog(exportOscalCatalog(catalogue, new Date()))
    assert.equal(record.items.length, catalogue.requirements.length)
  })

  it('refuses an invalid file, listing the schema errors', () => {
    assert.throws(
      () => importOscalCatalog({ catalog: { uuid: 'not-a-uuid', groups: [] } }),
      (error: unknown) => {
        assert.ok(error instanceof AssureError)
        assert.equal(error.code, 'OSCAL_INVALID')
        assert.deepEqual(
          error.problems.map(p => p.path),
          ['/catalog', '/catalog/uuid', '/catalog/groups'],
        )
        return true
      },
    )
  })
})
