import { randomBytes } from 'node:crypto'

// One master key per test process, made at random: tests never carry a fixed secret, and fixtures built straight
// in the store (people with authenticator apps) seal with the same key the app under test opens them with.
const key = randomBytes(32)

/** The master key every app a test starts uses (`ASSURE_MASTER_KEY`). */
export function testMasterKey(): Buffer {
  return key
}
