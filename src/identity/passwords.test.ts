import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { hashPassword, passwordProblem, verifyPassword } from './passwords.ts'

describe('passwords (v5.0.0-6.2.1, v5.0.0-6.2.4, v5.0.0-11.4.2)', () => {
  it('hashes with argon2id at OWASP’s parameters, storing them with the hash', async () => {
    const hash = await hashPassword('a long and unusual phrase')
    assert.match(hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/)
    assert.deepEqual(await verifyPassword('a long and unusual phrase', hash), { valid: true, needsRehash: false })
    assert.deepEqual(await verifyPassword('a long and unusual phrasE', hash), { valid: false, needsRehash: false })
  })

  it('asks for a rehash when the stored parameters are older than today’s', async () => {
    const weaker = await hashPassword('a long and unusual phrase', { memoryKiB: 8192, passes: 1, parallelism: 1 })
    assert.deepEqual(await verifyPassword('a long and unusual phrase', weaker), { valid: true, needsRehash: true })
  })

  it('refuses a garbled stored hash rather than throwing', async () => {
    assert.deepEqual(await verifyPassword('anything at all', '$2b$10$notargon'), { valid: false, needsRehash: false })
  })

  it('takes 12 to 256 characters with no composition rules (NCSC)', () => {
    assert.equal(passwordProblem('short one'), 'Password must be 12 characters or more')
    assert.equal(passwordProblem('x'.repeat(257)), 'Password must be 256 characters or fewer')
    assert.equal(passwordProblem('purple tractor melody'), undefined)
    assert.equal(passwordProblem('all lower case words here'), undefined)
  })

  it('refuses common passwords and their usual disguises', () => {
    for (const common of [
      'correct horse battery staple',
      'password1234',
      'P@ssw0rd2026!',
      'Qwertyuiop12',
      'aaaaaaaaaaaa',
      '123456789012',
      'abcabcabcabc',
      'Welcome12345',
    ]) {
      assert.match(passwordProblem(common) ?? '', /too common/, common)
    }
  })

  it('refuses the person’s own name or email, and the service name', () => {
    assert.equal(
      passwordProblem('leslieknope2026', { email: 'leslieknope@example.com' }),
      'Password must not be your name, your email address or the name of this service',
    )
    assert.equal(
      passwordProblem('Assure!!2026', {}),
      'Password must not be your name, your email address or the name of this service',
    )
  })
})
