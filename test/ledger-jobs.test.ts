import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { sql } from 'kysely'
import { startApp } from './helpers/app.ts'
import { engines, type TestStore } from './helpers/stores.ts'
import type { Services } from '../src/services.ts'
import { recordAuditEvent } from '../src/audit/record.ts'
import { lastVerification } from '../src/audit/ledger.ts'

const HOUR = 60 * 60_000

// The ledger's own jobs, as the worker runs them: hourly checkpoints, the daily verification that raises a
// security event when the chain no longer verifies (ASVS v5.0.0-16.3.4), and retention (v5.0.0-14.2.7).
for (const engine of engines()) {
  describe(`the ledger's scheduled jobs on ${engine.name}`, () => {
    let store: TestStore
    let services: Services
    let close: () => Promise<void>
    let clock = new Date('2026-12-03T09:10:00Z')

    before(async () => {
      store = await engine.create()
      ;({ services, close } = await startApp(store, { now: () => clock }))
    })
    after(async () => {
      await close()
      await store.dispose()
    })

    const job = (name: string) => {
      const found = services.jobs.find(j => j.name === name)
      assert.ok(found, name)
      return found
    }
    const record = (action: string) =>
      recordAuditEvent(services.store.db, { actor: { type: 'system', id: 'test' }, action, outcome: 'success' }, clock)
    const actions = async () =>
      (await services.store.db.selectFrom('audit_entries').select('action').orderBy('sequence').execute()).map(
        row => row.action,
      )

    it('signs a checkpoint each interval, only when something was appended', async () => {
      await record('test.one')
      await record('test.two')
      assert.equal(await job('sign-ledger-checkpoint').run(clock), 'signed up to entry 2')
      clock = new Date(clock.getTime() + HOUR)
      assert.equal(await job('sign-ledger-checkpoint').run(clock), 'nothing new to sign')
    })

    it('keeps everything younger than the retention period', async () => {
      assert.equal(await job('prune-ledger').run(clock), 'nothing old enough to prune')
      assert.deepEqual(await actions(), ['test.one', 'test.two'])
    })

    it('verifies daily, and raises a security event when an entry was changed behind its back', async () => {
      assert.equal(await job('verify-ledger').run(clock), '2 entries verified')
      await services.store.db.transaction().execute(async trx => {
        if (store.engine === 'sqlite') await sql`drop trigger audit_entries_no_update`.execute(trx)
        else await sql`set local session_replication_role = replica`.execute(trx)
        await trx.updateTable('audit_entries').set({ action: 'test.forged' }).where('sequence', '=', 1).execute()
      })
      await assert.rejects(job('verify-ledger').run(clock), /^Error: Ledger verification failed: Entry 1 was changed/)
      assert.deepEqual((await actions()).slice(-1), ['audit.ledger.verification_failed'])
      const verification = await lastVerification(services.store.db)
      assert.equal(verification?.ok, 0)
      assert.equal(Number(verification?.first_bad_sequence), 1)
    })
  })
}
