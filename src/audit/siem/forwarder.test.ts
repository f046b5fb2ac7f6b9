import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { LedgerEntry } from '../entry.ts'
import { createForwarder, type Sink } from './forwarder.ts'
import { conditions, memoryLedger, sampleEntry } from './test-support.ts'

/** A sink that keeps what it is sent; `fail` makes the next sends reject. */
function recordingSink(): Sink & { sent: LedgerEntry[][]; fail: number; closed: boolean } {
  const sink = {
    sent: [] as LedgerEntry[][],
    fail: 0,
    closed: false,
    async send(entries: readonly LedgerEntry[]) {
      if (sink.fail > 0) {
        sink.fail -= 1
        throw new Error('receiver unavailable')
      }
      sink.sent.push([...entries])
    },
    async close() {
      sink.closed = true
    },
  }
  return sink
}

const sequences = (batches: LedgerEntry[][]) => batches.flat().map(entry => entry.sequence)
const noErrors = (error: unknown) => assert.fail(String(error))

describe('ledger forwarder', () => {
  it('sends batches after the cursor and moves the cursor to the last one sent', async () => {
    const ledger = memoryLedger(25)
    const sink = recordingSink()
    const forwarder = createForwarder({ source: ledger, sink, batchSize: 10, onError: noErrors })
    assert.equal(await forwarder.forwardOnce(), 10)
    assert.equal(ledger.cursor, 10)
    assert.equal(await forwarder.forwardOnce(), 10)
    assert.equal(await forwarder.forwardOnce(), 5)
    assert.equal(await forwarder.forwardOnce(), 0)
    assert.equal(ledger.cursor, 25)
    assert.deepEqual(
      sequences(sink.sent),
      Array.from({ length: 25 }, (_, i) => i + 1),
    )
  })

  it('saves the cursor only once the sink confirms, and resends what it did not confirm', async () => {
    const ledger = memoryLedger(5)
    let confirm: () => void = () => undefined
    const sent: number[][] = []
    const waits = conditions()
    const sink: Sink = {
      send: entries =>
        new Promise(resolve => {
          sent.push(entries.map(entry => entry.sequence))
          confirm = resolve
          waits.check()
        }),
      close: async () => undefined,
    }
    const forwarder = createForwarder({ source: ledger, sink, batchSize: 10, onError: noErrors })
    const run = forwarder.forwardOnce()
    await waits.until(() => sent.length === 1)
    assert.equal(ledger.cursor, 0)
    confirm()
    assert.equal(await run, 5)
    assert.equal(ledger.cursor, 5)

    const failing = recordingSink()
    failing.fail = 1
    ledger.append(3)
    const retrying = createForwarder({ source: ledger, sink: failing, batchSize: 10, onError: noErrors })
    await assert.rejects(retrying.forwardOnce(), /receiver unavailable/)
    assert.equal(ledger.cursor, 5)
    assert.equal(await retrying.forwardOnce(), 3)
    assert.deepEqual(sequences(failing.sent), [6, 7, 8])
  })

  it('skips entries above the configured tier but still moves past them', async () => {
    const ledger = memoryLedger(0)
    const actions = ['auth.sign_in.failure', 'letter.issued', 'auth.sign_out', 'catalogue.control.created']
    ledger.entries.push(...actions.map((action, i) => sampleEntry(action, i + 1)))
    const sink = recordingSink()
    const forwarder = createForwarder({ source: ledger, sink, batchSize: 10, onError: noErrors, tier: 'baseline' })
    assert.equal(await forwarder.forwardOnce(), 4)
    assert.deepEqual(
      sink.sent.flat().map(entry => entry.action),
      ['auth.sign_in.failure'],
    )
    assert.equal(ledger.cursor, 4)
    ledger.entries.push(sampleEntry('letter.viewed', 5))
    assert.equal(await forwarder.forwardOnce(), 1)
    assert.equal(sink.sent.length, 1)
    assert.equal(ledger.cursor, 5)
  })

  it('refuses a batch out of order rather than skip entries', async () => {
    const ledger = memoryLedger(3)
    const [first, second, third] = ledger.entries as [LedgerEntry, LedgerEntry, LedgerEntry]
    ledger.readAfter = async () => [first, third, second]
    const forwarder = createForwarder({ source: ledger, sink: recordingSink(), batchSize: 10, onError: noErrors })
    await assert.rejects(forwarder.forwardOnce(), /out of order/)
    assert.equal(ledger.cursor, 0)
  })

  it('runs one batch at a time, however often it is called', async () => {
    const ledger = memoryLedger(30)
    const sink = recordingSink()
    const forwarder = createForwarder({ source: ledger, sink, batchSize: 10, onError: noErrors })
    const counts = await Promise.all([forwarder.forwardOnce(), forwarder.forwardOnce(), forwarder.forwardOnce()])
    assert.deepEqual(counts, [10, 10, 10])
    assert.deepEqual(
      sequences(sink.sent),
      Array.from({ length: 30 }, (_, i) => i + 1),
    )
  })

  it('polls, drains full batches at once, reports failures and retries them, and stops cleanly', async () => {
    const ledger = memoryLedger(45)
    const sink = recordingSink()
    sink.fail = 2
    const errors: unknown[] = []
    const waits = conditions()
    const saved = ledger.saveCursor
    ledger.saveCursor = async sequence => {
      await saved(sequence)
      waits.check()
    }
    const forwarder = createForwarder({
      source: ledger,
      sink,
      batchSize: 10,
      onError: error => {
        errors.push(error)
        waits.check()
      },
    })
    forwarder.start(1)
    assert.throws(() => forwarder.start(1), /already polling/)
    await waits.until(() => ledger.cursor === 45)
    ledger.append(7)
    await waits.until(() => ledger.cursor === 52)
    await forwarder.close()
    assert.equal(errors.length, 2)
    assert.equal(sink.closed, true)
    assert.deepEqual(
      sequences(sink.sent),
      Array.from({ length: 52 }, (_, i) => i + 1),
    )
  })
})
