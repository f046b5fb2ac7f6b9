import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import pg from 'pg'
import { inProcessQueue, pgBossQueue, type WorkQueue } from '../src/platform/jobs/queue.ts'
import { postgresStore, type TestStore } from './helpers/stores.ts'
import { suiteUnavailable } from './helpers/suites.ts'
import { until } from './helpers/until.ts'

/** A gate the handlers wait at until it is opened. */
function gate() {
  let open: () => void = () => undefined
  const opened = new Promise<void>(resolve => {
    open = resolve
  })
  return { opened, open }
}

describe('the in-process work queue (SQLite)', () => {
  it('runs queued items at most `concurrency` at a time, each once, and never queues a key twice', async () => {
    const failures: unknown[] = []
    const queue = inProcessQueue((_name, error) => failures.push(error))
    const seen: string[] = []
    let running = 0
    let most = 0
    const release = gate()
    await queue.work('scan', { concurrency: 2 }, async data => {
      running += 1
      most = Math.max(most, running)
      await release.opened
      seen.push((data as { id: string }).id)
      running -= 1
    })
    const items = ['a', 'b', 'c', 'd', 'e'].map(id => ({ key: id, data: { id } }))
    assert.equal(await queue.enqueue('scan', items), 5)
    assert.equal(await queue.enqueue('scan', items.slice(0, 2)), 0, 'a and b are still running')
    await until(
      () => running === 2,
      () => `${running} running`,
    )
    release.open()
    await until(
      () => seen.length === 5,
      () => seen.join(','),
    )
    assert.equal(most, 2)
    assert.deepEqual(seen.sort(), ['a', 'b', 'c', 'd', 'e'])
    assert.equal(await queue.enqueue('scan', items.slice(0, 1)), 1, 'a finished key can be queued again')
    await until(
      () => seen.length === 6,
      () => seen.join(','),
    )
    assert.deepEqual(failures, [])
    await queue.stop()
  })

  it('retries a failing item up to 3 attempts in all, reporting each failure', async () => {
    const failures: string[] = []
    const queue = inProcessQueue((name, error) => failures.push(`${name}: ${(error as Error).message}`))
    let attempts = 0
    await queue.work('scan', { concurrency: 1 }, async () => {
      attempts += 1
      throw new Error(`attempt ${attempts}`)
    })
    await queue.enqueue('scan', [{ key: 'x', data: {} }])
    await until(
      () => failures.length === 3,
      () => failures.join('; '),
    )
    await sleep(50)
    assert.equal(attempts, 3)
    assert.deepEqual(failures, ['scan: attempt 1', 'scan: attempt 2', 'scan: attempt 3'])
    await queue.stop()
  })

  it('holds items queued before a worker starts and waits for running ones on stop', async () => {
    const queue = inProcessQueue(() => assert.fail('no failure expected'))
    await queue.enqueue('scan', [{ key: 'early', data: { id: 'early' } }])
    let finished = false
    await queue.work('scan', { concurrency: 1 }, async () => {
      await sleep(100)
      finished = true
    })
    await queue.stop()
    assert.equal(finished, true, 'stop waited for the running item')
  })
  it('runs every queued item before stopping when asked to drain, and drops them otherwise', async () => {
    const drained = inProcessQueue(() => assert.fail('no failure expected'))
    const ran: string[] = []
    await drained.work('scan', { concurrency: 1 }, async data => {
      await sleep(20)
      ran.push((data as { id: string }).id)
    })
    await drained.enqueue(
      'scan',
      ['a', 'b', 'c'].map(id => ({ key: id, data: { id } })),
    )
    await drained.stop({ drain: true })
    assert.deepEqual(ran, ['a', 'b', 'c'])

    const dropped = inProcessQueue(() => assert.fail('no failure expected'))
    const started: string[] = []
    await dropped.work('scan', { concurrency: 1 }, async data => {
      started.push((data as { id: string }).id)
      await sleep(20)
    })
    await dropped.enqueue(
      'scan',
      ['a', 'b', 'c'].map(id => ({ key: id, data: { id } })),
    )
    await dropped.stop()
    await sleep(100)
    assert.deepEqual(started, ['a'], 'only the running item finished')
  })
})

const url = process.env.ASSURE_TEST_DATABASE_URL
if (url === undefined || url === '') {
  suiteUnavailable('postgres', 'set ASSURE_TEST_DATABASE_URL to run the pg-boss queue tests')
} else {
  describe('the pg-boss work queue (PostgreSQL)', () => {
    let store: TestStore
    const queues: WorkQueue[] = []
    const failures: string[] = []
    const open = () => {
      const queue = pgBossQueue({
        connectionString: store.location.engine === 'postgres' ? store.location.url : assert.fail('postgres'),
        onFailure: (name, error) => failures.push(`${name}: ${error instanceof Error ? error.message : String(error)}`),
        pollingIntervalSeconds: 0.5,
        retryDelaySeconds: 0,
      })
      queues.push(queue)
      return queue
    }

    before(async () => {
      store = await postgresStore(url)
    })
    after(async () => {
      await Promise.all(queues.map(queue => queue.stop()))
      await store.dispose()
    })

    it('spreads items over two workers, runs each exactly once, and queues a key only once while it waits', async () => {
      const first = open()
      const second = open()
      const ran: Array<{ worker: string; id: string }> = []
      const holding = new Set<string>()
      const bothHolding = gate()
      const handler = (worker: string) => async (data: unknown) => {
        holding.add(worker)
        if (holding.size === 2) bothHolding.open()
        // Each worker takes one item at a time, so both hold one only if the work was shared out.
        await Promise.race([
          bothHolding.opened,
          sleep(15_000, undefined, { ref: false }).then(() => assert.fail('the second worker never took an item')),
        ])
        ran.push({ worker, id: (data as { id: string }).id })
      }
      const ids = ['111111111111', '222222222222', '333333333333', '444444444444', '555555555555', '666666666666']
      const items = ids.map(id => ({ key: id, data: { id } }))
      assert.equal(await first.enqueue('baseline-test', items), 6)
      assert.equal(await second.enqueue('baseline-test', items), 0, 'every key is already queued')
      await first.work('baseline-test', { concurrency: 1 }, handler('first'))
      await second.work('baseline-test', { concurrency: 1 }, handler('second'))
      await until(
        () => ran.length === 6,
        () => JSON.stringify(ran),
      )
      await sleep(1_500)
      assert.deepEqual(failures, [])
      assert.deepEqual(ran.map(entry => entry.id).sort(), ids, 'each item ran exactly once')
      assert.deepEqual(new Set(ran.map(entry => entry.worker)), new Set(['first', 'second']))
    })

    it('retries a failing item, then gives up after 3 attempts', async () => {
      const queue = open()
      let attempts = 0
      await queue.work('baseline-retry', { concurrency: 1 }, async () => {
        attempts += 1
        throw new Error(`attempt ${attempts}`)
      })
      await queue.enqueue('baseline-retry', [{ key: 'x', data: {} }])
      await until(
        () => attempts >= 3,
        () => `${attempts} attempts`,
      )
      await sleep(2_000)
      assert.equal(attempts, 3)
      assert.deepEqual(failures, [
        'baseline-retry: attempt 1',
        'baseline-retry: attempt 2',
        'baseline-retry: attempt 3',
      ])
      assert.equal(
        await queue.enqueue('baseline-retry', [{ key: 'x', data: {} }]),
        1,
        'a failed key can be queued again',
      )
    })

    it('tries again after a failed start, instead of failing for good', async () => {
      // A database that does not exist yet: the first start fails; once it exists, the next call connects.
      const name = `assure_test_later_${randomBytes(4).toString('hex')}`
      const later = new URL(url)
      later.pathname = `/${name}`
      const queue = pgBossQueue({ connectionString: later.toString(), onFailure: () => undefined })
      await assert.rejects(queue.enqueue('baseline-later', [{ key: 'a', data: {} }]), /does not exist/)
      const admin = new pg.Client({ connectionString: url })
      await admin.connect()
      try {
        await admin.query(`create database ${name}`)
        assert.equal(await queue.enqueue('baseline-later', [{ key: 'a', data: {} }]), 1)
        await queue.stop()
      } finally {
        await admin.query(`drop database if exists ${name} with (force)`)
        await admin.end()
      }
    })
  })
}
