import { createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { parentPort } from 'node:worker_threads'
import { octetFrameParser, sequenceOf } from './test-support.ts'

/**
 * A syslog-over-TCP receiver for the forwarder's outage test, run in a worker thread so it stops and starts
 * concurrently with the sender, as a separate receiver would. It reports every complete frame it reads, and when told
 * to, stops mid-stream: closes the listener and destroys every connection, with whatever is still unread.
 *
 * Stop modes, once `stopAfter` frames have been read since it started listening:
 * - `in-data`: at once, inside the read that crossed the threshold;
 * - `next-tick`: one turn of the event loop later, so more may have arrived, unread;
 * - `on-connection`: at the next connection, before reading anything from it.
 */
export type StopMode = 'in-data' | 'next-tick' | 'on-connection'

export type ReceiverCommand =
  | { readonly command: 'listen'; readonly port: number; readonly stopAfter?: number; readonly mode?: StopMode }
  | { readonly command: 'flush' }
  | { readonly command: 'exit' }

export type ReceiverEvent =
  | { readonly event: 'listening'; readonly port: number }
  | { readonly event: 'frames'; readonly sequences: number[] }
  | { readonly event: 'stopped' }
  | { readonly event: 'flushed' }
  | { readonly event: 'failed'; readonly message: string }

const channel = parentPort
if (channel === null) throw new Error('test-syslog-receiver runs as a worker thread')
const parent = channel

function tell(event: ReceiverEvent): void {
  parent.postMessage(event)
}

let server: Server | undefined
const sockets = new Set<Socket>()

function stop(): void {
  if (server === undefined) return
  server.close()
  server = undefined
  for (const socket of sockets) socket.destroy()
  sockets.clear()
  tell({ event: 'stopped' })
}

function listen(port: number, stopAfter: number | undefined, mode: StopMode): void {
  let read = 0
  const due = () => stopAfter !== undefined && read >= stopAfter
  const listener = createServer(socket => {
    if (listener !== server) {
      socket.destroy()
      return
    }
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => undefined)
    if (mode === 'on-connection' && due()) {
      stop()
      return
    }
    const parse = octetFrameParser()
    socket.on('data', chunk => {
      try {
        const messages = parse(chunk)
        // Each frame must be a whole message: header, structured data, BOM and a JSON document.
        for (const message of messages) JSON.parse(message.slice(message.indexOf('\uFEFF') + 1))
        if (messages.length > 0) tell({ event: 'frames', sequences: messages.map(sequenceOf) })
        read += messages.length
      } catch (error) {
        tell({ event: 'failed', message: String(error) })
      }
      if (!due()) return
      if (mode === 'in-data') stop()
      else if (mode === 'next-tick') setImmediate(stop)
    })
  })
  server = listener
  listener.listen(port, '127.0.0.1', () => tell({ event: 'listening', port: (listener.address() as AddressInfo).port }))
}

parent.on('message', (message: ReceiverCommand) => {
  if (message.command === 'listen') listen(message.port, message.stopAfter, message.mode ?? 'in-data')
  else if (message.command === 'flush') tell({ event: 'flushed' })
  else {
    stop()
    parent.close()
  }
})
