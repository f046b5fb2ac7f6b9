import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { EVENT_TIERS, forwardedAt, TIER_TABLE, tierOf, tierTableMarkdown, type EventTier } from './tiers.ts'
import { SAMPLE_ACTIONS } from './test-support.ts'

// The copy of the guidance the catalogue quotes from (checked against ../shared/guidance by the catalogue's tests).
const GUIDANCE = new URL('../../catalogue/data/guidance.txt', import.meta.url)

describe('SIEM maturity tiers', () => {
  it('places each action at the lowest tier that forwards it', () => {
    const expected: Array<[string, EventTier]> = [
      ['auth.sign_in.failure', 'baseline'],
      ['auth.sign_in.success', 'baseline'],
      ['auth.lockout', 'baseline'],
      ['auth.account.locked', 'baseline'],
      ['auth.mfa.removed', 'baseline'],
      ['identity.roles.changed', 'baseline'],
      ['identity.person.suspended', 'baseline'],
      ['identity.api_token.created', 'baseline'],
      ['authz.denied', 'baseline'],
      ['access.denied', 'baseline'],
      ['audit.ledger.verification_failed', 'baseline'],
      ['audit.ledger.pruned', 'baseline'],
      ['auth.sign_out', 'enhanced'],
      ['auth.session.ended', 'enhanced'],
      ['auth.step_up', 'enhanced'],
      ['identity.api_token.used', 'enhanced'],
      ['api.token.used', 'enhanced'],
      ['identity.pending_change.expired', 'enhanced'],
      ['identity.privileged_review.signed_off', 'enhanced'],
      ['audit.ledger.read', 'enhanced'],
      ['audit.checkpoint.signed', 'enhanced'],
      ['catalogue.control.created', 'bespoke'],
      ['assessment.submitted', 'bespoke'],
      ['letter.issued', 'bespoke'],
      ['incident.reported', 'bespoke'],
      ['baseline.drift.detected', 'bespoke'],
    ]
    for (const [action, tier] of expected) assert.equal(tierOf(action), tier, action)
  })

  it('forwards an unplaced security action at baseline and anything else new at bespoke', () => {
    assert.equal(tierOf('auth.passkey.registered'), 'baseline')
    assert.equal(tierOf('identity.person.renamed'), 'baseline')
    assert.equal(tierOf('audit.export.downloaded'), 'baseline')
    assert.equal(tierOf('supplier.contract.signed'), 'bespoke')
  })

  it('makes each tier a superset of the one below', () => {
    for (const action of SAMPLE_ACTIONS) {
      const flags = EVENT_TIERS.map(tier => forwardedAt(tier, action))
      assert.deepEqual(flags, [...flags].sort(), `${action}: ${flags.join(',')}`)
      assert.equal(forwardedAt('bespoke', action), true, action)
      assert.equal(forwardedAt(tierOf(action), action), true, action)
    }
    assert.equal(forwardedAt('baseline', 'auth.sign_out'), false)
    assert.equal(forwardedAt('enhanced', 'auth.sign_out'), true)
    assert.equal(forwardedAt('enhanced', 'letter.issued'), false)
  })

  it('names each pattern once and gives a reason for every row', () => {
    const patterns = TIER_TABLE.flatMap(row => row.actions)
    assert.equal(new Set(patterns).size, patterns.length)
    for (const row of TIER_TABLE) assert.match(row.why, /"[^"]+"/, row.actions.join(', '))
    const markdown = tierTableMarkdown()
    assert.equal(markdown.split('\n').length, TIER_TABLE.length + 2)
    assert.match(markdown, /\| baseline \| `auth\.sign_in\.\*`/)
  })

  it('quotes the guidance word for word', () => {
    const normalise = (text: string) => text.replace(/\\/g, '').replace(/\s+/g, ' ')
    const guidance = normalise(readFileSync(GUIDANCE, 'utf8'))
    for (const row of TIER_TABLE) {
      for (const [, quote] of row.why.matchAll(/"([^"]+)"/g)) {
        for (const part of (quote ?? '').split(' ... ')) assert.ok(guidance.includes(normalise(part)), part)
      }
    }
  })
})
