import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { sql, type Kysely, type Migration } from 'kysely'
import { migrateToLatest, openStore, pendingMigrations, type Store } from '../src/platform/db/database.ts'
import { migrations } from '../src/platform/db/migrations/index.ts'
import { loadCatalogue } from '../src/catalogue/load.ts'
import { builtInRecord } from '../src/catalogue/record.ts'
import { importOscalCatalog } from '../src/catalogue/oscal.ts'
import { findCatalogue, listCatalogues, searchItems, storeCatalogue } from '../src/catalogue/store.ts'
import { AssureError } from '../src/platform/errors.ts'
import { engines, type TestStore } from './helpers/stores.ts'

const catalogue = loadCatalogue()
const NOW = new Date('2026-12-03T12:00:00Z')

async function tableNames(store: Store): Promise<string[]> {
  const query =
    store.engine === 'sqlite'
      ? sql<{
          name: string
        }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name`
      : sql<{
          name: string
        }>`select table_name as name from information_schema.tables where table_schema = 'public' order by table_name`
  return (await query.execute(store.db)).rows.map(row => row.name)
}

for (const engine of engines()) {
  describe(`the store on ${engine.name}`, () => {
    let testStore: TestStore
    let store: Store

    before(async () => {
      testStore = await engine.create()
      store = openStore(testStore.location)
      await migrateToLatest(store)
      await storeCatalogue(store.db, builtInRecord(catalogue), NOW)
    })
    after(async () => {
      await store.close()
      await testStore.dispose()
    })

    it('has run every migration', async () => {
      assert.deepEqual(await pendingMigrations(store), [])
      assert.deepEqual(await migrateToLatest(store), { applied: [] })
    })

    it('leaves the store as it was when a migration fails', async () => {
      const broken: Record<string, Migration> = {
        ...migrations,
        '0999-broken': {
          async up(db: Kysely<unknown>) {
            await db.schema.createTable('half_done').addColumn('id', 'integer').execute()
            await sql`insert into no_such_table values (1)`.execute(db)
          },
        },
      }
      const tablesBefore = await tableNames(store)
      await assert.rejects(migrateToLatest(store, broken), (error: unknown) => {
        assert.ok(error instanceof AssureError)
        assert.equal(error.code, 'MIGRATION_FAILED')
        assert.match(error.message, /^Migration 0999-broken failed and nothing was changed: /)
        return true
      })
      assert.deepEqual(await tableNames(store), tablesBefore)
      assert.deepEqual(await pendingMigrations(store, broken), ['0999-broken'])
    })

    it('stores the built-in catalogue once, and refuses the same version with different content', async () => {
      assert.deepEqual(await storeCatalogue(store.db, builtInRecord(catalogue), NOW), { stored: false, ref: '1.0.0' })
      const altered = builtInRecord({ ...catalogue, requirements: catalogue.requirements.slice(1) })
      await assert.rejects(storeCatalogue(store.db, altered, NOW), {
        code: 'CONFLICT',
        message:
          'MoJ Cyber Security Guidance: Supplier Edition version 1.0.0 is already stored with different content; give the changed catalogue a new version',
      })
      const latest = await findCatalogue(store.db, 'latest')
      assert.equal(latest?.itemCount, catalogue.requirements.length)
    })

    it('finds requirements by every word of the search text, case-insensitively', async () => {
      const latest = await findCatalogue(store.db, 'latest')
      assert.ok(latest)
      const { total, items } = await searchItems(
        store.db,
        latest.id,
        { text: 'UNSUCCESSFUL attempts Block' },
        { offset: 0, limit: 10 },
      )
      assert.equal(total, 1)
      assert.equal(items[0]?.id, 'TSC-L2-01')
    })

    it('treats % and _ in search text as plain characters', async () => {
      const latest = await findCatalogue(store.db, 'latest')
      assert.ok(latest)
      // Unescaped, 'a%z' would match any text with an a before a z, and 'e_t' any "est" or "ent".
      assert.equal((await searchItems(store.db, latest.id, { text: 'a%z' }, { offset: 0, limit: 10 })).total, 0)
      assert.equal((await searchItems(store.db, latest.id, { text: 'e_t' }, { offset: 0, limit: 10 })).total, 0)
    })

    it('filters by obligation, MCSS function, audience, tag and section, and pages the results', async () => {
      const latest = await findCatalogue(store.db, 'latest')
      assert.ok(latest)
      const expected = catalogue.requirements.filter(
        r =>
          r.obligation === 'must' &&
          r.mcss.includes('DETECT') &&
          ['supplier', 'both'].includes(r.audience) &&
          r.tags.includes('aws') &&
          r.section === 'aws-baseline',
      )
      assert.ok(expected.length > 2)
      const filter = { obligation: 'must', mcss: 'DETECT', audience: 'supplier', tag: 'aws', group: 'aws-baseline' }
      const first = await searchItems(store.db, latest.id, filter, { offset: 0, limit: 2 })
      const rest = await searchItems(store.db, latest.id, filter, { offset: 2, limit: 100 })
      assert.equal(first.total, expected.length)
      assert.deepEqual(
        [...first.items, ...rest.items].map(item => item.id),
        expected.map(r => r.id),
      )
    })

    it('stores an imported OSCAL framework beside the built-in catalogue', async () => {
      const record = importOscalCatalog(
        JSON.parse(readFileSync(path.resolve('test', 'fixtures', 'basic-catalog.json'), 'utf8')),
      )
      assert.equal((await storeCatalogue(store.db, record, NOW)).stored, true)
      const refs = (await listCatalogues(store.db)).map(c => `${c.kind}:${c.ref}:${c.itemCount}`)
      assert.deepEqual(refs, ['builtin:1.0.0:458', 'oscal:sample-security-catalog-for-demonstration-and-testing-1-1:4'])
    })
  })
}
