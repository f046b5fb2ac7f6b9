import { describe, it, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServer as createTlsServer } from 'node:tls'
import { Worker } from 'node:worker_threads'
import { createForwarder } from './forwarder.ts'
import { syslogTcpSink } from './syslog-sink.ts'
import { toSyslog } from './syslog.ts'
import { conditions, memoryLedger, octetFrameParser, sequenceOf } from './test-support.ts'
import type { ReceiverEvent, StopMode } from './test-syslog-receiver.ts'

interface Receiver {
  readonly port: number
  readonly messages: string[]
  /** Resolves once `test` holds, re-checked as frames arrive. */
  until(test: () => boolean): Promise<void>
  /** Destroys every connection and stops listening; safe to call again. */
  close(): Promise<void>
}

/**
 * An in-process receiver: parses frames; `onConnection` may take the socket over by returning true. It is closed when
 * the test `t` ends, pass or fail, so a failed assertion cannot leave a listener keeping the file alive.
 */
async function receiver(
  t: TestContext,
  options: {
    tls?: { key: string; cert: string }
    allowHalfOpen?: boolean
    onConnection?: (socket: Socket) => boolean
  } = {},
): Promise<Receiver> {
  const messages: string[] = []
  const sockets = new Set<Socket>()
  const waits = conditions()
  const handle = (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => undefined)
    if (options.onConnection?.(socket) === true) return
    const parse = octetFrameParser()
    socket.on('data', (chunk: Buffer) => {
      messages.push(...parse(chunk))
      waits.check()
    })
  }
  const server: Server =
    options.tls === undefined
      ? createServer({ allowHalfOpen: options.allowHalfOpen ?? false }, handle)
      : createTlsServer(options.tls, handle)
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const close = async () => {
    for (const socket of sockets) socket.destroy()
    if (!server.listening) return
    server.close()
    await once(server, 'close')
  }
  t.after(close)
  return { port: (server.address() as AddressInfo).port, messages, until: test => waits.until(test), close }
}

/** A port with nothing listening on it. */
async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  server.close()
  await once(server, 'close')
  return port
}

/** Small seeded generator (Park-Miller), so a failing round can be replayed from its seed. */
function seeded(seed: number): () => number {
  const modulus = 2_147_483_647
  let state = (Math.abs(Math.trunc(seed)) % (modulus - 1)) + 1
  return () => {
    state = (state * 48_271) % modulus
    return (state - 1) / (modulus - 1)
  }
}

const options = { hostname: 'assure-test' }

describe('syslog over TCP', () => {
  it('delivers a batch as octet-counted RFC 5424 messages and resolves once the receiver closes in reply', async t => {
    const listener = await receiver(t)
    const ledger = memoryLedger(12)
    const sink = syslogTcpSink({ host: '127.0.0.1', port: listener.port, ...options, appName: 'assure' })
    await sink.send(ledger.entries)
    await sink.close()
    await listener.close()
    const expected = ledger.entries.map(entry => toSyslog(entry, { ...options, procId: String(process.pid) }))
    assert.deepEqual(listener.messages, expected)
  })

  it('fails a batch when nothing is listening, when the receiver drops the connection, or never replies', async t => {
    const ledger = memoryLedger(3)
    const nobody = syslogTcpSink({ host: '127.0.0.1', port: await freePort(), ...options })
    await assert.rejects(nobody.send(ledger.entries), /ECONNREFUSED/)

    const dropping = await receiver(t, {
      onConnection: socket => {
        socket.destroy()
        return true
      },
    })
    await assert.rejects(syslogTcpSink({ host: '127.0.0.1', port: dropping.port, ...options }).send(ledger.entries))
    await dropping.close()

    const silent = await receiver(t, { allowHalfOpen: true })
    const waiting = syslogTcpSink({ host: '127.0.0.1', port: silent.port, ...options, timeoutMs: 200 })
    await assert.rejects(waiting.send(ledger.entries), /No confirmation/)
    assert.equal(silent.messages.length, 3)
    await silent.close()
  })

  it('closes a connection in flight when the sink closes', async t => {
    const silent = await receiver(t, { allowHalfOpen: true })
    const sink = syslogTcpSink({ host: '127.0.0.1', port: silent.port, ...options })
    const sending = sink.send(memoryLedger(1).entries)
    await silent.until(() => silent.messages.length === 1)
    await sink.close()
    await assert.rejects(sending, /sink closed/)
    await assert.rejects(sink.send(memoryLedger(1).entries), /sink is closed/)
    await silent.close()
  })

  const openssl = (() => {
    try {
      execFileSync('openssl', ['version'], { stdio: 'ignore' })
      return true
    } catch {
      return false
    }
  })()

  it(
    'delivers over TLS to a receiver whose certificate it trusts, and refuses one it does not',
    { skip: !openssl && 'no openssl' },
    async t => {
      const directory = mkdtempSync(join(tmpdir(), 'assure-tls-'))
      try {
        execFileSync(
          'openssl',
          ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1']
            .concat(['-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost'])
            .concat(['-keyout', join(directory, 'key.pem'), '-out', join(directory, 'cert.pem')]),
          { stdio: 'ignore' },
        )
        const key = readFileSync(join(directory, 'key.pem'), 'utf8')
        const cert = readFileSync(join(directory, 'cert.pem'), 'utf8')
        const listener = await receiver(t, { tls: { key, cert } })
        const ledger = memoryLedger(5)
        const trusted = syslogTcpSink({
          host: '127.0.0.1',
          port: listener.port,
          ...options,
          tls: { ca: cert, servername: 'localhost' },
        })
        await trusted.send(ledger.entries)
        assert.deepEqual(listener.messages.map(sequenceOf), [1, 2, 3, 4, 5])
        const untrusted = syslogTcpSink({
          host: '127.0.0.1',
          port: listener.port,
          ...options,
          tls: { servername: 'localhost' },
        })
        await assert.rejects(untrusted.send(ledger.entries), /self[- ]signed/i)
        await listener.close()
      } finally {
        rmSync(directory, { recursive: true, force: true })
      }
    },
  )

  /**
   * The receiver runs in its own thread and is stopped three times while events flow: its listener closed and every
   * connection destroyed, at a random point and in one of three ways (see test-syslog-receiver.ts). After each stop
   * the test waits until the forwarder has failed against the missing receiver, then starts a new one on the same
   * port. Entries keep being appended throughout. Every entry must arrive exactly once, in order.
   */
  it(
    'delivers every event exactly once across receiver stops and restarts mid-stream',
    { timeout: 120_000 },
    async t => {
      const rounds = 5
      for (let round = 0; round < rounds; round += 1) await outageRound(t, Date.now() + round)
    },
  )
})

async function outageRound(t: TestContext, seed: number): Promise<void> {
  const random = seeded(seed)
  const total = 600
  const ledger = memoryLedger(100)
  const worker = new Worker(new URL('./test-syslog-receiver.ts', import.meta.url))
  // Whatever happens to the round (a failed wait ends in the test's timeout), nothing may outlive the test.
  const cleanups: Array<() => unknown> = [() => worker.terminate()]
  t.after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup()
  })
  const waits = conditions()
  const received: number[] = []
  const problems: string[] = []
  // Counters in an object, so the waits below (closures made in a loop) read them safely.
  const seen = { stops: 0, errors: 0 }
  let flushed = false
  let listening: number | undefined
  worker.on('message', (event: ReceiverEvent) => {
    if (event.event === 'frames') received.push(...event.sequences)
    else if (event.event === 'stopped') seen.stops += 1
    else if (event.event === 'flushed') flushed = true
    else if (event.event === 'listening') listening = event.port
    else problems.push(event.message)
    waits.check()
  })
  worker.on('error', error => problems.push(String(error)))
  const plan: string[] = []
  const listen = async (port: number, stopAfter: number | undefined): Promise<number> => {
    const modes: StopMode[] = ['in-data', 'next-tick', 'on-connection']
    const mode = modes[Math.floor(random() * modes.length)] ?? 'in-data'
    plan.push(stopAfter === undefined ? 'run to the end' : `stop after ${stopAfter} frames (${mode})`)
    listening = undefined
    worker.postMessage({ command: 'listen', port, stopAfter, mode })
    await waits.until(() => listening !== undefined)
    return listening ?? port
  }

  const port = await listen(0, 20 + Math.floor(random() * 80))
  const { saveCursor } = ledger
  ledger.saveCursor = async sequence => {
    await saveCursor(sequence)
    waits.check()
  }
  const sink = syslogTcpSink({ host: '127.0.0.1', port, ...options, timeoutMs: 5_000 })
  const forwarder = createForwarder({
    source: ledger,
    sink,
    batchSize: 10,
    onError: () => {
      seen.errors += 1
      waits.check()
    },
  })
  cleanups.push(() => forwarder.close())
  const producer = setInterval(() => {
    if (ledger.entries.length < total) ledger.append(10)
    waits.check()
  }, 1)
  cleanups.push(() => clearInterval(producer))
  forwarder.start(2)
  const outages = 3
  for (let outage = 1; outage <= outages; outage += 1) {
    await waits.until(() => seen.stops === outage)
    const errorsAtStop = seen.errors
    await waits.until(() => seen.errors > errorsAtStop)
    await listen(port, outage === outages ? undefined : 20 + Math.floor(random() * 80))
  }
  await waits.until(() => ledger.entries.length === total && ledger.cursor === total)
  clearInterval(producer)
  await forwarder.close()
  worker.postMessage({ command: 'flush' })
  await waits.until(() => flushed)
  worker.postMessage({ command: 'exit' })
  await once(worker, 'exit')

  const context = `seed ${seed}: ${plan.join('; ')}; ${seen.errors} failed attempts`
  assert.deepEqual(problems, [], context)
  assert.ok(seen.errors >= outages, context)
  assert.deepEqual(
    received,
    Array.from({ length: total }, (_, i) => i + 1),
    `${context}; duplicates: ${received.filter((s, i) => received.indexOf(s) !== i).join(',') || 'none'}`,
  )
}
