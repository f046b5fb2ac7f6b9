import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Database } from '../platform/db/schema.ts'
import { canonicalJson } from '../platform/crypto/canonical-json.ts'
import { sealerFor } from '../platform/crypto/sealing.ts'
import { AssureError } from '../platform/errors.ts'

/** The service's Ed25519 key that signs ledger checkpoints and pruning anchors. */
export interface SigningKey {
  readonly id: string
  readonly publicKeyPem: string
  sign(message: string): string
}

/** A signed statement about the ledger: "entries up to `sequence` end in `hash`" (checkpoint), or "were pruned" (anchor). */
export interface Checkpoint {
  readonly id: string
  readonly kind: 'checkpoint' | 'anchor'
  readonly sequence: number
  readonly hash: string
  readonly signedAt: string
  readonly keyId: string
  /** Ed25519 over `checkpointMessage`, base64. */
  readonly signature: string
}

const PURPOSE = 'audit-signing'

/** A key's ID: the first 16 hex digits of SHA-256 over its SubjectPublicKeyInfo DER. */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex')
    .slice(0, 16)
}

/** The exact bytes a checkpoint's signature covers (RFC 8785 JSON, with a type that says what it is). */
export function checkpointMessage(checkpoint: Omit<Checkpoint, 'signature' | 'id'>): string {
  return canonicalJson({
    type: `assure.audit.${checkpoint.kind}.v1`,
    sequence: checkpoint.sequence,
    hash: checkpoint.hash,
    signedAt: checkpoint.signedAt,
    keyId: checkpoint.keyId,
  })
}

/** Whether a checkpoint carries a valid signature by one of the given public keys. */
export function checkpointSignatureValid(checkpoint: Checkpoint, publicKeys: ReadonlyMap<string, KeyObject>): boolean {
  const key = publicKeys.get(checkpoint.keyId)
  if (key === undefined) return false
  try {
    return verify(null, Buffer.from(checkpointMessage(checkpoint)), key, Buffer.from(checkpoint.signature, 'base64'))
  } catch {
    return false
  }
}

/** Reads PEM public keys (one or more concatenated) into a map by key ID. */
export function publicKeysFromPem(pem: string): Map<string, KeyObject> {
  const blocks = pem.match(/-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/g) ?? []
  return new Map(
    blocks.map(block => {
      const key = createPublicKey(block)
      return [keyIdOf(key), key] as const
    }),
  )
}

/**
 * The signing key, made at first start and kept sealed under the master key. Instances starting together race to
 * insert it; the loser reads the winner's.
 */
export async function loadOrCreateSigningKey(
  db: Kysely<Database>,
  masterKey: Uint8Array,
  now: Date,
): Promise<SigningKey> {
  const sealer = sealerFor(masterKey, 'audit-signing-key')
  let row = await db.selectFrom('service_keys').selectAll().where('id', '=', PURPOSE).executeTakeFirst()
  if (row === undefined) {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519')
    await db
      .insertInto('service_keys')
      .values({
        id: PURPOSE,
        purpose: PURPOSE,
        public_key: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        sealed_private_key: sealer.seal(privateKey.export({ type: 'pkcs8', format: 'der' }), PURPOSE),
        created_at: now.toISOString(),
      })
      .onConflict(oc => oc.column('id').doNothing())
      .execute()
    row = await db.selectFrom('service_keys').selectAll().where('id', '=', PURPOSE).executeTakeFirstOrThrow()
  }
  let privateKey: KeyObject
  try {
    privateKey = createPrivateKey({ key: sealer.open(row.sealed_private_key, PURPOSE), format: 'der', type: 'pkcs8' })
  } catch {
    throw new AssureError(
      'CONFIG_INVALID',
      'The ledger signing key cannot be opened with this master key: start Assure with the master key it was first started with',
    )
  }
  const publicKey = createPublicKey(row.public_key)
  return {
    id: keyIdOf(publicKey),
    publicKeyPem: row.public_key,
    sign: message => sign(null, Buffer.from(message), privateKey).toString('base64'),
  }
}
