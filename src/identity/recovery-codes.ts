import { createHash, randomBytes, randomUUID } from 'node:crypto'
import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../platform/db/schema.ts'

type Db = Kysely<Database> | Transaction<Database>

const COUNT = 10
// Crockford-style alphabet: no 0/O or 1/I/L to misread.
const ALPHABET = 'ABCDEFGHJKMNPQRSTVWXYZ23456789'

/** Recovery codes are random (about 49 bits each), so SHA-256 is enough to store them; no slow hash is needed. */
const hashCode = (code: string) =>
  createHash('sha256').update(code.replace(/[\s-]/g, '').toUpperCase()).digest('base64url')

function newCode(): string {
  const bytes = randomBytes(10)
  const chars = [...bytes].map(byte => ALPHABET[byte % ALPHABET.length]).join('')
  return `${chars.slice(0, 5)}-${chars.slice(5)}`
}

/** Replaces a person's recovery codes with ten new ones and returns them, to be shown once. */
export async function issueRecoveryCodes(db: Db, userId: string): Promise<string[]> {
  const codes = Array.from({ length: COUNT }, newCode)
  await db.deleteFrom('recovery_codes').where('user_id', '=', userId).execute()
  await db
    .insertInto('recovery_codes')
    .values(codes.map(code => ({ id: randomUUID(), user_id: userId, code_hash: hashCode(code), used_at: null })))
    .execute()
  return codes
}

/** Uses a recovery code once: true only for an unused code of this person, which is then spent. */
export async function spendRecoveryCode(db: Db, userId: string, code: string, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('recovery_codes')
    .set({ used_at: now.toISOString() })
    .where('user_id', '=', userId)
    .where('code_hash', '=', hashCode(code))
    .where('used_at', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/** How many unused codes a person has left. */
export async function remainingRecoveryCodes(db: Db, userId: string): Promise<number> {
  const row = await db
    .selectFrom('recovery_codes')
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .select(eb => eb.fn.countAll<number>().as('n'))
    .executeTakeFirst()
  return Number(row?.n ?? 0)
}
