import { open, rename, rm, type FileHandle } from 'node:fs/promises'
import type { Writable } from 'node:stream'
import type { LedgerEntry } from '../entry.ts'
import { toEcs } from './ecs.ts'
import type { Sink } from './forwarder.ts'

/** One entry as the JSON document a sink writes: ECS (`toEcs`) by default, or OCSF (`toOcsf`). */
export type DocumentFormat = (entry: LedgerEntry) => Record<string, unknown>

function ndjson(entries: readonly LedgerEntry[], document: DocumentFormat): Buffer {
  return Buffer.from(entries.map(entry => `${JSON.stringify(document(entry))}\n`).join(''), 'utf8')
}

/**
 * ECS NDJSON (or `document`'s) to a stream (stdout for a container's log collector). A batch counts as sent once the
 * stream has taken it; what happens after that (a collector restarting) is out of our sight. The stream stays open on
 * close.
 */
export function ndjsonStreamSink(stream: Writable, document: DocumentFormat = toEcs): Sink {
  return {
    send: entries =>
      new Promise((resolve, reject) => {
        stream.write(ndjson(entries, document), error => (error ? reject(error) : resolve()))
      }),
    close: async () => undefined,
  }
}

export interface RotatingFileOptions {
  /** Rotate before a write would take the file past this size (a single larger batch still goes in whole). */
  readonly maxBytes: number
  /** How many rotated files (`path.1` newest ... `path.N` oldest) to keep. */
  readonly keep: number
  /** The document each line holds; ECS by default. */
  readonly document?: DocumentFormat | undefined
}

/**
 * ECS NDJSON appended to a file that Filebeat or Fluent Bit tails, rotated by size to `path.1` ... `path.N` the way
 * logrotate does (rename, then a new file), which both follow. A batch counts as sent only once it is on disk
 * (datasync), so a crash cannot move the cursor past lines that were never stored.
 */
export function ndjsonFileSink(path: string, options: RotatingFileOptions): Sink {
  const { maxBytes, keep, document = toEcs } = options
  if (!(maxBytes > 0) || !Number.isInteger(keep) || keep < 0) throw new Error('maxBytes must be > 0 and keep >= 0')
  let file: { handle: FileHandle; size: number } | undefined

  async function current(): Promise<{ handle: FileHandle; size: number }> {
    if (file === undefined) {
      const handle = await open(path, 'a')
      file = { handle, size: (await handle.stat()).size }
    }
    return file
  }

  async function rotate(): Promise<void> {
    await file?.handle.close()
    file = undefined
    if (keep === 0) {
      await rm(path, { force: true })
      return
    }
    for (let index = keep - 1; index >= 1; index -= 1) await renameIfPresent(`${path}.${index}`, `${path}.${index + 1}`)
    await renameIfPresent(path, `${path}.1`)
  }

  return {
    async send(entries) {
      const data = ndjson(entries, document)
      let target = await current()
      if (target.size > 0 && target.size + data.length > maxBytes) {
        await rotate()
        target = await current()
      }
      try {
        await target.handle.write(data)
        await target.handle.datasync()
        target.size += data.length
      } catch (error) {
        // Cut any half-written line so the resent batch starts on a line of its own.
        await target.handle.truncate(target.size).catch(() => undefined)
        await target.handle.close().catch(() => undefined)
        file = undefined
        throw error
      }
    },
    async close() {
      await file?.handle.close()
      file = undefined
    },
  }
}

async function renameIfPresent(from: string, to: string): Promise<void> {
  try {
    await rename(from, to)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
}
