import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { matchesPattern, mostSpecific } from './patterns.ts'

describe('action patterns', () => {
  it('matches exact names, families and everything', () => {
    assert.equal(matchesPattern('auth.sign_in.failure', 'auth.sign_in.failure'), true)
    assert.equal(matchesPattern('auth.sign_in.failure', 'auth.sign_in.success'), false)
    assert.equal(matchesPattern('auth.sign_in.*', 'auth.sign_in.success'), true)
    assert.equal(matchesPattern('auth.sign_in.*', 'auth.sign_in'), false)
    assert.equal(matchesPattern('auth.*', 'authz.denied'), false)
    assert.equal(matchesPattern('*', 'anything.at.all'), true)
  })

  it('picks the most specific pattern whatever the order of rows', () => {
    const rows = [
      { name: 'all', patterns: ['*'] },
      { name: 'auth', patterns: ['auth.*'] },
      { name: 'sign-in', patterns: ['auth.sign_in.*'] },
      { name: 'failure', patterns: ['auth.sign_in.failure'] },
    ]
    for (const ordered of [rows, [...rows].reverse()]) {
      const pick = (action: string) => mostSpecific(ordered, row => row.patterns, action)?.name
      assert.equal(pick('auth.sign_in.failure'), 'failure')
      assert.equal(pick('auth.sign_in.success'), 'sign-in')
      assert.equal(pick('auth.step_up'), 'auth')
      assert.equal(pick('letter.issued'), 'all')
    }
    assert.equal(
      mostSpecific([{ patterns: ['auth.*'] }], row => row.patterns, 'letter.issued'),
      undefined,
    )
  })
})
