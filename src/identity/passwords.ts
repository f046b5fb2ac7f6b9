import { argon2, randomBytes, timingSafeEqual } from 'node:crypto'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const argon2Async = promisify(argon2)

/** Argon2id parameters: at least OWASP's minimum (m=19 MiB, t=2, p=1). Stored with each hash, so they can rise. */
export interface HashParameters {
  readonly memoryKiB: number
  readonly passes: number
  readonly parallelism: number
}

export const CURRENT_PARAMETERS: HashParameters = { memoryKiB: 19_456, passes: 2, parallelism: 1 }

export const PASSWORD_MIN = 12
export const PASSWORD_MAX = 256

/** Bounds how many hashes run at once: each takes 19 MiB and tens of milliseconds of a core. */
class Semaphore {
  private available: number

  private readonly waiting: Array<() => void> = []

  constructor(size: number) {
    this.available = size
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.available > 0) this.available -= 1
    else {
      await new Promise<void>(resolve => {
        this.waiting.push(resolve)
      })
    }
    try {
      return await work()
    } finally {
      const next = this.waiting.shift()
      if (next === undefined) this.available += 1
      else next()
    }
  }
}

const hashing = new Semaphore(4)

async function derive(password: string, salt: Buffer, parameters: HashParameters): Promise<Buffer> {
  return hashing.run(() =>
    argon2Async('argon2id', {
      message: password,
      nonce: salt,
      parallelism: parameters.parallelism,
      tagLength: 32,
      memory: parameters.memoryKiB,
      passes: parameters.passes,
    }),
  )
}

/** Hashes a password as a PHC string: `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`. */
export async function hashPassword(password: string, parameters: HashParameters = CURRENT_PARAMETERS): Promise<string> {
  const salt = randomBytes(16)
  const hash = await derive(password, salt, parameters)
  return `$argon2id$v=19$m=${parameters.memoryKiB},t=${parameters.passes},p=${parameters.parallelism}$${salt.toString('base64url')}$${hash.toString('base64url')}`
}

function parse(stored: string): { parameters: HashParameters; salt: Buffer; hash: Buffer } | undefined {
  const match = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/.exec(stored)
  if (match === null) return undefined
  return {
    parameters: { memoryKiB: Number(match[1]), passes: Number(match[2]), parallelism: Number(match[3]) },
    salt: Buffer.from(match[4] ?? '', 'base64url'),
    hash: Buffer.from(match[5] ?? '', 'base64url'),
  }
}

/** Checks a password against a stored hash in constant time; says whether it should be rehashed with today's parameters. */
export async function verifyPassword(
  password: string,
  stored: string,
): Promise<{ valid: boolean; needsRehash: boolean }> {
  const parsed = parse(stored)
  if (parsed === undefined) return { valid: false, needsRehash: false }
  const candidate = await derive(password, parsed.salt, parsed.parameters)
  const valid = candidate.length === parsed.hash.length && timingSafeEqual(candidate, parsed.hash)
  const { parameters } = parsed
  const needsRehash =
    parameters.memoryKiB !== CURRENT_PARAMETERS.memoryKiB ||
    parameters.passes !== CURRENT_PARAMETERS.passes ||
    parameters.parallelism !== CURRENT_PARAMETERS.parallelism
  return { valid, needsRehash }
}

let dummy: Promise<string> | undefined
/** Spends the same time as a real check, so an unknown email answers as slowly as a wrong password. */
export async function verifyAgainstDummy(password: string): Promise<void> {
  dummy ??= hashPassword(randomBytes(16).toString('hex'))
  await verifyPassword(password, await dummy)
}

const DENY_LIST_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'data', 'common-passwords.txt')
let denyList: Set<string> | undefined
function commonPasswords(): Set<string> {
  denyList ??= new Set(
    readFileSync(DENY_LIST_FILE, 'utf8')
      .split('\n')
      .map(line => line.trim().toLowerCase())
      .filter(line => line !== '' && !line.startsWith('#')),
  )
  return denyList
}

/** A password with the usual disguises taken off: case, leetspeak, and digits or symbols added at the ends. */
function skeleton(password: string): string {
  return password
    .toLowerCase()
    .replace(/\s+/g, '')
    .replace(/^[^a-z@$]+|[^a-z]+$/g, '')
    .replace(/[0@4]/g, c => ({ '0': 'o', '@': 'a', '4': 'a' })[c] ?? c)
    .replace(/[1!]/g, 'i')
    .replace(/3/g, 'e')
    .replace(/[5$]/g, 's')
    .replace(/7/g, 't')
}

/**
 * NCSC password guidance: length 12 to 256, no composition rules, and refuse passwords attackers try first
 * (a shipped list of common passwords, with their common disguises) or that are built from the person's own details.
 */
export function passwordProblem(password: string, context: { email?: string; name?: string } = {}): string | undefined {
  if (password.length < PASSWORD_MIN) return `Password must be ${PASSWORD_MIN} characters or more`
  if (password.length > PASSWORD_MAX) return `Password must be ${PASSWORD_MAX} characters or fewer`
  const lower = password.toLowerCase()
  const common = commonPasswords()
  const core = skeleton(password)
  if (
    common.has(lower) ||
    common.has(core) ||
    /^(.)\1+$/.test(password) ||
    /^(0123456789|1234567890|9876543210)+\d*$/.test(password) ||
    /^(.{1,4})\1{2,}$/.test(lower)
  ) {
    return 'Password is too common. Choose a password that is hard to guess, for example three random words'
  }
  const personal = [context.email?.split('@')[0], ...(context.name?.toLowerCase().split(/\s+/) ?? []), 'assure']
    .filter((word): word is string => word !== undefined && word.length >= 4)
    .map(word => word.toLowerCase())
  if (personal.some(word => core === word || core === `${word}${word}`)) {
    return 'Password must not be your name, your email address or the name of this service'
  }
  return undefined
}
