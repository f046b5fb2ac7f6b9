import { connect as tcpConnect, type Socket } from 'node:net'
import { hostname as osHostname } from 'node:os'
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls'
import type { LedgerEntry } from '../entry.ts'
import type { Sink } from './forwarder.ts'
import { octetCountedFrame, toSyslog, type SyslogOptions } from './syslog.ts'

export interface SyslogTcpOptions {
  readonly host: string
  readonly port: number
  /** RFC 5425 syslog over TLS; the receiver's certificate is checked unless `rejectUnauthorized` is false. */
  readonly tls?:
    | {
        readonly ca?: ConnectionOptions['ca']
        readonly rejectUnauthorized?: boolean | undefined
        readonly servername?: string | undefined
      }
    | undefined
  /** The HOSTNAME in each message; this machine's name by default. */
  readonly hostname?: string | undefined
  readonly appName?: string | undefined
  readonly facility?: SyslogOptions['facility']
  /** How long a batch may take from connecting to the receiver's confirmation; 10 seconds by default. */
  readonly timeoutMs?: number | undefined
  /** The JSON document each message carries; ECS by default. */
  readonly document?: SyslogOptions['document']
}

/** `tls.connect` honours `allowHalfOpen` (Node's documentation lists it) though @types/node leaves it out. */
function halfOpen(options: ConnectionOptions): ConnectionOptions {
  return Object.assign(options, { allowHalfOpen: true })
}

/**
 * RFC 5424 messages over TCP (or TLS) with RFC 6587 octet counting, one connection per batch.
 *
 * Syslog over TCP has no acknowledgement, and a write completing only means the local kernel took the bytes: if the
 * receiver stops, bytes still in either side's buffers are lost without an error. So each batch is written and then
 * the connection is half-closed (FIN), and the batch counts as delivered only when the receiver closes its side
 * cleanly in reply. A receiver sees our FIN only after reading every byte before it, and a socket closed with bytes
 * still unread is reset (RST) rather than closed, so a clean close in reply means the receiving process read the
 * whole batch; any error, reset, timeout or close without the reply fails the batch, and the forwarder sends it again
 * from the saved cursor over a new connection, which is also how it reconnects when the receiver comes back.
 *
 * A receiver that closes before our bytes reach it (one stopping, or dropping a connection as it accepts it) also
 * closes cleanly, and its FIN may cross ours: it is no reply, and the reset its kernel sends for our late bytes comes
 * after it, when we no longer look. So the sink writes the batch, waits about one round trip (as long as connecting
 * took, then one turn of the event loop to read what has arrived) and only then checks and half-closes. A receiver
 * that closed before the bytes arrived has by then been seen to close and to reset them, which a zero-length write
 * (nothing goes on the wire) reports: the batch fails. A receiver that closed on its own with no reset read every byte
 * (a stop right after reading the batch): the batch is delivered. One that closes later holds the bytes, so it either
 * reads them all or resets. This is the check-before-trusting-a-write remedy rsyslog adopted for plain TCP syslog; a
 * round trip slower than the connection's was leaves the crossing unseen. Over TLS the zero-length write never reaches
 * the TCP socket, so a receiver closing before our FIN fails the batch there (a possible repeat). TLS also weakens the
 * reply itself: the receiver's TLS library reads our bytes off the socket ahead of the receiving process, so a receiver
 * that stops after that but before it reads the batch closes without a reset, and if that close crosses our FIN the
 * batch counts as delivered though the process never read it (seen in testing with a receiver that drops each
 * connection right after the handshake).
 *
 * What this cannot see: a receiver that read a batch and then died before storing it (loss), or one that read part
 * of a batch and then died (the part is sent again: a duplicate). A receiver that keeps connections half-open never
 * replies, so every batch times out and is repeated. Receivers should drop repeats by `assure.ledger.sequence` (or use
 * `event.id`, the entry's hash, as the document ID); RELP or an HTTP API with acknowledgements would remove the gaps.
 */
export function syslogTcpSink(options: SyslogTcpOptions): Sink {
  const timeoutMs = options.timeoutMs ?? 10_000
  const format = {
    hostname: options.hostname ?? osHostname(),
    appName: options.appName,
    facility: options.facility,
    procId: String(process.pid),
    document: options.document,
  }
  const open = new Set<Socket>()
  let closed = false

  function deliver(payload: Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      const { host, port, tls } = options
      const startedAt = performance.now()
      // Half-open: a FIN from the receiver must not end our side for us, so we can tell whether it came first.
      const socket: Socket =
        tls === undefined
          ? tcpConnect({ host, port, allowHalfOpen: true })
          : tlsConnect(
              halfOpen({
                host,
                port,
                ca: tls.ca,
                rejectUnauthorized: tls.rejectUnauthorized ?? true,
                servername: tls.servername ?? host,
              }),
            )
      open.add(socket)
      let failure: Error | undefined
      let roundTripMs = 0
      let halfClosed = false
      let receiverClosed = false
      let flushed = false
      let replied = false
      let settling: NodeJS.Timeout | undefined
      let reading: NodeJS.Immediate | undefined
      const timer = setTimeout(
        () => socket.destroy(new Error(`No confirmation from ${host}:${port} within ${timeoutMs} ms`)),
        timeoutMs,
      )
      socket.once('connect', () => {
        roundTripMs = Math.min(performance.now() - startedAt, timeoutMs)
      })
      socket.on('error', error => {
        failure ??= error
      })
      // The receiver's FIN; reading (and discarding) is what lets us see it. Before ours it is judged in `check`.
      socket.on('end', () => {
        if (halfClosed) replied = true
        else receiverClosed = true
      })
      socket.resume()
      socket.on('close', () => {
        clearTimeout(timer)
        clearTimeout(settling)
        clearImmediate(reading)
        open.delete(socket)
        if (failure === undefined && flushed && replied) resolve()
        else reject(failure ?? new Error(`${host}:${port} closed before confirming the batch`))
      })
      const halfClose = () => {
        halfClosed = true
        // Closed on its own without a reset: it had read every byte.
        if (receiverClosed) replied = true
        socket.end((error?: Error | null) => {
          flushed = error === undefined || error === null
        })
      }
      const check = () => {
        if (socket.destroyed) return
        if (tls !== undefined) {
          // A zero-length TLS write never reaches the TCP socket, so a reset cannot be seen: resend rather than lose.
          if (receiverClosed)
            socket.destroy(new Error(`${host}:${port} closed the connection before confirming the batch`))
          else halfClose()
          return
        }
        // Sends nothing, but fails once the receiver has reset the connection (it did not read every byte).
        socket.write(Buffer.alloc(0), error => {
          if (error === undefined || error === null) halfClose()
          else
            failure = new Error(`${host}:${port} closed the connection without reading the whole batch`, {
              cause: error,
            })
        })
      }
      // Writes wait for the connection (and the TLS handshake); the check waits for the receiver to have had its say.
      socket.write(payload, error => {
        if (error !== undefined && error !== null) return
        settling = setTimeout(() => {
          reading = setImmediate(check)
        }, roundTripMs)
      })
    })
  }

  return {
    async send(entries: readonly LedgerEntry[]) {
      if (closed) throw new Error('The syslog sink is closed')
      if (entries.length === 0) return
      await deliver(Buffer.concat(entries.map(entry => octetCountedFrame(toSyslog(entry, format)))))
    },
    async close() {
      closed = true
      for (const socket of open) socket.destroy(new Error('The syslog sink closed'))
    },
  }
}
