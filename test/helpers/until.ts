import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'

/** Polls until `done` holds, for work that finishes in the background; fails after `ms` with what was last seen. */
export async function until(done: () => boolean, seen: () => string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!done()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting: ${seen()}`)
    await sleep(25)
  }
}
