import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { ecsNdjsonLine } from './ecs.ts'
import { createForwarder } from './forwarder.ts'
import { ndjsonFileSink, ndjsonStreamSink } from './ndjson-sink.ts'
import { memoryLedger } from './test-support.ts'

async function withDirectory(work: (directory: string) => Promise<void>): Promise<void> {
  const directory = await mkdtemp(join(tmpdir(), 'assure-siem-'))
  try {
    await work(directory)
  } finally {
    await rm(directory, { recursive: true, force: true })
  }
}

const sequencesIn = (text: string) =>
  text
    .split('\n')
    .filter(line => line !== '')
    .map(line => (JSON.parse(line) as { event: { sequence: number } }).event.sequence)

describe('NDJSON sinks', () => {
  it('writes one ECS document per line to a stream, and leaves the stream open', async () => {
    const stream = new PassThrough()
    const chunks: Buffer[] = []
    stream.on('data', (chunk: Buffer) => chunks.push(chunk))
    const ledger = memoryLedger(3)
    const sink = ndjsonStreamSink(stream)
    await sink.send(ledger.entries)
    await sink.close()
    assert.equal(Buffer.concat(chunks).toString('utf8'), ledger.entries.map(ecsNdjsonLine).join(''))
    assert.equal(stream.writable, true)
  })

  it('rotates the file by size to path.1 ... path.N, keeping N, without splitting a batch', async () => {
    await withDirectory(async directory => {
      const path = join(directory, 'audit.ndjson')
      const ledger = memoryLedger(12)
      const lineBytes = Math.max(...ledger.entries.map(entry => Buffer.byteLength(ecsNdjsonLine(entry))))
      const sink = ndjsonFileSink(path, { maxBytes: lineBytes * 2 + 1, keep: 2 })
      for (let start = 0; start < 12; start += 2) await sink.send(ledger.entries.slice(start, start + 2))
      await sink.close()
      assert.deepEqual(sequencesIn(await readFile(path, 'utf8')), [11, 12])
      assert.deepEqual(sequencesIn(await readFile(`${path}.1`, 'utf8')), [9, 10])
      assert.deepEqual(sequencesIn(await readFile(`${path}.2`, 'utf8')), [7, 8])
      assert.equal(existsSync(`${path}.3`), false)

      // A batch bigger than the limit still goes into one file, whole.
      const big = ndjsonFileSink(path, { maxBytes: lineBytes, keep: 2 })
      ledger.append(3)
      await big.send(ledger.entries.slice(12))
      await big.close()
      assert.deepEqual(sequencesIn(await readFile(path, 'utf8')), [13, 14, 15])
      assert.deepEqual(sequencesIn(await readFile(`${path}.1`, 'utf8')), [11, 12])
    })
  })

  it('carries on in an existing file, counting its size, and forwards everything in order', async () => {
    await withDirectory(async directory => {
      const path = join(directory, 'audit.ndjson')
      const ledger = memoryLedger(40)
      const sink = ndjsonFileSink(path, { maxBytes: 1_000_000, keep: 1 })
      const forwarder = createForwarder({
        source: ledger,
        sink,
        batchSize: 7,
        onError: error => assert.fail(String(error)),
      })
      while ((await forwarder.forwardOnce()) > 0);
      await forwarder.close()
      const again = ndjsonFileSink(path, { maxBytes: 1_000_000, keep: 1 })
      ledger.append(2)
      await again.send(ledger.entries.slice(40))
      await again.close()
      assert.deepEqual(
        sequencesIn(await readFile(path, 'utf8')),
        Array.from({ length: 42 }, (_, i) => i + 1),
      )
    })
  })
})
