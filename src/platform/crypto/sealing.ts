import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'

/**
 * Authenticated encryption (AES-256-GCM) under a key derived from the master key for one purpose, so a value
 * sealed for one use cannot be opened as another. The context (a record ID, say) is bound as associated data:
 * moving a sealed value to another record makes it unreadable.
 */
export interface Sealer {
  seal(plaintext: Uint8Array | string, context: string): string
  open(sealed: string, context: string): Buffer
}

const VERSION = 'v1'

/** A sealer for one purpose (`totp-secret`, `audit-signing-key`, ...). */
export function sealerFor(masterKey: Uint8Array, purpose: string): Sealer {
  const key = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), `assure/${purpose}`, 32))
  return {
    seal(plaintext, context) {
      const iv = randomBytes(12)
      const cipher = createCipheriv('aes-256-gcm', key, iv)
      cipher.setAAD(Buffer.from(context))
      const body = Buffer.concat([cipher.update(plaintext), cipher.final()])
      return [VERSION, iv, body, cipher.getAuthTag()]
        .map(part => (typeof part === 'string' ? part : part.toString('base64url')))
        .join('.')
    },
    open(sealed, context) {
      const [version, iv, body, tag, ...rest] = sealed.split('.')
      if (version !== VERSION || iv === undefined || body === undefined || tag === undefined || rest.length > 0) {
        throw new Error('Not a sealed value this version of Assure can open')
      }
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'))
      decipher.setAAD(Buffer.from(context))
      decipher.setAuthTag(Buffer.from(tag, 'base64url'))
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()])
    },
  }
}
