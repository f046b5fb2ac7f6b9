import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import { AssureError } from '../errors.ts'

export const MASTER_KEY_BYTES = 32
export const MASTER_KEY_FILE = 'master.key'

/**
 * The service's master key: from ASSURE_MASTER_KEY when set, otherwise from `master.key` in the data folder.
 * Outside production a missing file is created (mode 0600) so the first start needs no setup; in production a
 * missing key is refused, because a generated key nobody has backed up would make every sealed value unreadable
 * after the next redeploy.
 */
export function loadMasterKey(options: {
  readonly fromEnvironment: string | null
  readonly dataDir: string
  readonly production: boolean
}): Buffer {
  if (options.fromEnvironment !== null) return Buffer.from(options.fromEnvironment, 'base64')
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 })
  const file = path.join(options.dataDir, MASTER_KEY_FILE)
  if (!existsSync(file)) {
    if (options.production) {
      throw new AssureError('CONFIG_INVALID', 'The configuration is not valid', {
        problems: [
          {
            path: 'ASSURE_MASTER_KEY',
            message: `is required in production (or a ${MASTER_KEY_FILE} file in ASSURE_DATA_DIR); generate one with: npx assure master-key`,
          },
        ],
      })
    }
    writeFileSync(file, `${randomBytes(MASTER_KEY_BYTES).toString('base64')}\n`, { mode: 0o600, flag: 'wx' })
  }
  // Group or world access to the key undoes every protection it gives.
  // eslint-disable-next-line no-bitwise -- file modes are bit fields
  if ((statSync(file).mode & 0o077) !== 0) {
    if (options.production) {
      throw new AssureError(
        'CONFIG_INVALID',
        `The master key file ${file} must be readable by its owner only (chmod 600)`,
      )
    }
    chmodSync(file, 0o600)
  }
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64')
  if (key.length !== MASTER_KEY_BYTES) {
    throw new AssureError('CONFIG_INVALID', `The master key file ${file} must hold ${MASTER_KEY_BYTES} bytes in base64`)
  }
  return key
}

/** A new master key in the form ASSURE_MASTER_KEY and the key file take. */
export function generateMasterKey(): string {
  return randomBytes(MASTER_KEY_BYTES).toString('base64')
}
