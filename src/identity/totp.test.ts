import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { Secret } from 'otpauth'
import { matchTotp } from './totp.ts'

// RFC 6238 appendix B: the SHA-1 seed is the ASCII string "12345678901234567890", codes are 8 digits.
const seed = Secret.fromLatin1('12345678901234567890')
const vectors: Array<[number, string]> = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
]

describe('TOTP (v5.0.0-6.5.5)', () => {
  it('matches the RFC 6238 SHA-1 test vectors', () => {
    for (const [seconds, code] of vectors) {
      const step = matchTotp('', code, new Date(seconds * 1000), { digits: 8, secret: seed })
      assert.equal(step, Math.floor(seconds / 30), `T=${seconds}`)
    }
  })

  it('refuses a code from outside the allowed drift and anything that is not digits', () => {
    assert.equal(matchTotp('', '94287082', new Date(59_000 + 120_000), { digits: 8, secret: seed }), undefined)
    assert.equal(matchTotp('', '9428708a', new Date(59_000), { digits: 8, secret: seed }), undefined)
  })
})
