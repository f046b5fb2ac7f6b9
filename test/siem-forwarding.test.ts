import { after, before, describe, it, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { createServer, type AddressInfo, type Socket } from 'node:net'
import path from 'node:path'
import { Worker } from 'node:worker_threads'
import { migrateToLatest, openStore, type Store } from '../src/platform/db/database.ts'
import { recordAuditEvent, type Actor } from '../src/audit/record.ts'
import { entriesAfter, ledgerHead } from '../src/audit/store.ts'
import { buildSink, sinkName, startSiemForwarding, storeLedgerSource } from '../src/audit/forwarding.ts'
import { createForwarder } from '../src/audit/siem/forwarder.ts'
import { forwardedAt } from '../src/audit/siem/tiers.ts'
import { conditions, octetFrameParser, sequenceOf } from '../src/audit/siem/test-support.ts'
import type { ReceiverCommand, ReceiverEvent } from '../src/audit/siem/test-syslog-receiver.ts'
import type { Config, SiemSink } from '../src/config.ts'
import { engines, type TestStore } from './helpers/stores.ts'

const NOW = new Date('2026-12-03T12:00:00Z')
const person: Actor = { type: 'user', id: 'user-1', organisationId: 'org-1', sessionRef: 'sess-1' }

/** Actions from every tier, so a tier filter has something to leave out. */
const MIXED_ACTIONS = [
  'auth.sign_in.success',
  'auth.sign_out',
  'catalogue.control.updated',
  'authz.denied',
  'audit.ledger.read',
  'incident.reported',
  'identity.roles.changed',
  'auth.session.ended',
]

async function append(store: Store, count: number, actions = MIXED_ACTIONS): Promise<void> {
  for (let i = 0; i < count; i += 1) {
    const action = actions[i % actions.length] ?? 'auth.sign_in.success'
    await recordAuditEvent(
      store.db,
      { actor: person, action, outcome: action === 'authz.denied' ? 'denied' : 'success', details: { n: i } },
      NOW,
    )
  }
}

function syslogSink(port: number): SiemSink {
  return { kind: 'syslog', host: '127.0.0.1', port, tls: false }
}

/** The test receiver in its own thread, as a separate syslog server would be; stopped with the test. */
function receiverThread(t: TestContext) {
  const worker = new Worker(new URL('../src/audit/siem/test-syslog-receiver.ts', import.meta.url))
  t.after(() => worker.terminate())
  const waits = conditions()
  const state = { received: [] as number[], stops: 0, flushed: false, port: undefined as number | undefined }
  const problems: string[] = []
  worker.on('message', (event: ReceiverEvent) => {
    if (event.event === 'frames') state.received.push(...event.sequences)
    else if (event.event === 'stopped') state.stops += 1
    else if (event.event === 'flushed') state.flushed = true
    else if (event.event === 'listening') state.port = event.port
    else problems.push(event.message)
    waits.check()
  })
  worker.on('error', error => problems.push(String(error)))
  const command = (message: ReceiverCommand) => worker.postMessage(message)
  return {
    state,
    problems,
    waits,
    async listen(port: number, stopAfter?: number): Promise<number> {
      state.port = undefined
      // `on-connection`: the stop comes as the next batch connects, before its bytes are read (they must be resent).
      command(
        stopAfter === undefined
          ? { command: 'listen', port }
          : { command: 'listen', port, stopAfter, mode: 'on-connection' },
      )
      await waits.until(() => state.port !== undefined)
      return state.port ?? port
    },
    /** Every frame read so far has been reported once this resolves. */
    async flush(): Promise<void> {
      state.flushed = false
      command({ command: 'flush' })
      await waits.until(() => state.flushed)
    },
  }
}

/** An in-process syslog receiver that reads every frame and closes in reply, closed with the test. */
async function simpleReceiver(t: TestContext): Promise<{ port: number; messages: string[] }> {
  const messages: string[] = []
  const sockets = new Set<Socket>()
  const server = createServer(socket => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    // A reset from the sender is the sender's failure to report, not the receiver's to throw.
    socket.on('error', () => undefined)
    const parse = octetFrameParser()
    socket.on('data', (chunk: Buffer) => messages.push(...parse(chunk)))
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.after(async () => {
    for (const socket of sockets) socket.destroy()
    server.close()
    await once(server, 'close')
  })
  return { port: (server.address() as AddressInfo).port, messages }
}

/** The JSON document a syslog message carries after its byte-order mark. */
function documentOf(message: string): Record<string, unknown> {
  return JSON.parse(message.slice(message.indexOf('\uFEFF') + 1)) as Record<string, unknown>
}

for (const engine of engines()) {
  describe(`SIEM forwarding from the ledger on ${engine.name}`, () => {
    let testStore: TestStore
    let store: Store

    before(async () => {
      testStore = await engine.create()
      store = openStore(testStore.location)
      await migrateToLatest(store)
    })
    after(async () => {
      await store.close()
      await testStore.dispose()
    })

    it('starts nothing when no sink is configured', () => {
      const siem: Config['siem'] = { sink: null, format: 'ecs', tier: 'enhanced', caFile: null }
      const forwarder = startSiemForwarding({
        db: store.db,
        siem,
        intervalMs: 5,
        onError: error => assert.fail(String(error)),
      })
      assert.equal(forwarder, undefined)
    })

    it('keeps one cursor per sink, saved by upsert and never moved back', async () => {
      const source = storeLedgerSource(store.db, 'syslog://cursor.test:514', () => NOW)
      const other = storeLedgerSource(store.db, 'stdout', () => NOW)
      assert.equal(await source.loadCursor(), 0)
      await source.saveCursor(5)
      await source.saveCursor(9)
      await source.saveCursor(7)
      assert.equal(await source.loadCursor(), 9)
      assert.equal(await other.loadCursor(), 0)
    })

    // A lost batch shows as a wait that never ends: the timeout turns it into a failure (the waits use no clock).
    it(
      'delivers every event exactly once and in order across a receiver outage, ending with the cursor at the head',
      { timeout: 60_000 },
      async t => {
        const receiver = receiverThread(t)
        await append(store, 40)
        const first = (await ledgerHead(store.db)).sequence
        // The receiver stops itself, listener and connections, at the first connection after 25 frames: mid-stream.
        const port = await receiver.listen(0, 25)
        let failures = 0
        const sink = syslogSink(port)
        const siem: Config['siem'] = { sink, format: 'ecs', tier: 'bespoke', caFile: null }
        const forwarder = startSiemForwarding({
          db: store.db,
          siem,
          intervalMs: 5,
          batchSize: 10,
          now: () => NOW,
          onError: () => {
            failures += 1
            receiver.waits.check()
          },
        })
        assert.ok(forwarder !== undefined, 'a configured sink starts a forwarder')
        t.after(() => forwarder.close())
        await receiver.waits.until(() => receiver.state.stops === 1)
        const failuresAtStop = failures
        await receiver.waits.until(() => failures > failuresAtStop)

        // Appended while the receiver is down, then it comes back on the same port.
        await append(store, 35)
        const head = (await ledgerHead(store.db)).sequence
        assert.ok(head > first)
        assert.equal(await receiver.listen(port), port)
        const expected = (await entriesAfter(store.db, 0, 10_000)).map(entry => entry.sequence)
        assert.equal(expected.at(-1), head)
        await receiver.waits.until(() => expected.every(sequence => receiver.state.received.includes(sequence)))
        await forwarder.close()
        await receiver.flush()

        assert.deepEqual(receiver.problems, [])
        assert.ok(failures >= 1)
        assert.deepEqual(receiver.state.received, expected)
        assert.equal(await storeLedgerSource(store.db, sinkName(sink)).loadCursor(), head)
      },
    )

    it('forwards only the configured tier’s actions, in the configured format, while the cursor moves past the rest', async t => {
      await append(store, MIXED_ACTIONS.length * 2)
      const head = (await ledgerHead(store.db)).sequence
      const receiver = await simpleReceiver(t)
      const sink = syslogSink(receiver.port)
      const source = storeLedgerSource(store.db, sinkName(sink), () => NOW)
      const forwarder = createForwarder({
        source,
        sink: buildSink({ sink, format: 'ocsf', tier: 'baseline', caFile: null }),
        batchSize: 7,
        onError: error => assert.fail(String(error)),
        tier: 'baseline',
      })
      while ((await forwarder.forwardOnce()) > 0);
      await forwarder.close()

      const all = await entriesAfter(store.db, 0, 10_000)
      const baseline = all.filter(entry => forwardedAt('baseline', entry.action))
      assert.ok(baseline.length > 0 && baseline.length < all.length)
      assert.deepEqual(
        receiver.messages.map(sequenceOf),
        baseline.map(entry => entry.sequence),
      )
      assert.deepEqual([...new Set(receiver.messages.map(message => /action="([^"]+)"/.exec(message)?.[1]))].sort(), [
        'auth.sign_in.success',
        'authz.denied',
        'identity.roles.changed',
      ])
      const document = documentOf(receiver.messages[0] ?? '')
      assert.equal(document.class_uid, 3002)
      assert.deepEqual((document.metadata as Record<string, unknown>).sequence, baseline[0]?.sequence)
      assert.equal(await source.loadCursor(), head)
    })

    it('appends ECS lines to the file sink and keeps its own cursor', async () => {
      const file = path.join(testStore.dataDir, 'audit.ndjson')
      const sink: SiemSink = { kind: 'file', path: file }
      const source = storeLedgerSource(store.db, sinkName(sink), () => NOW)
      const forwarder = createForwarder({
        source,
        sink: buildSink({ sink, format: 'ecs', tier: 'enhanced', caFile: null }),
        batchSize: 50,
        onError: error => assert.fail(String(error)),
        tier: 'enhanced',
      })
      while ((await forwarder.forwardOnce()) > 0);
      await forwarder.close()
      const all = await entriesAfter(store.db, 0, 10_000)
      const lines = readFileSync(file, 'utf8').trimEnd().split('\n')
      const documents = lines.map(line => JSON.parse(line) as { event: { sequence: number; action: string } })
      assert.deepEqual(
        documents.map(document => document.event.sequence),
        all.filter(entry => forwardedAt('enhanced', entry.action)).map(entry => entry.sequence),
      )
      assert.ok(!documents.some(document => document.event.action.startsWith('catalogue.')))
      assert.equal(await source.loadCursor(), (await ledgerHead(store.db)).sequence)
    })
  })
}
