import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { canonicalJson } from './canonical-json.ts'

describe('RFC 8785 canonical JSON', () => {
  it('matches the RFC 8785 §3.2.2 example', () => {
    const input = JSON.parse(
      '{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],"string":"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/","literals":[null,true,false]}',
    ) as unknown
    assert.equal(
      canonicalJson(input),
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    )
  })

  it('sorts member names by UTF-16 code units, as RFC 8785 §3.2.3 shows', () => {
    const input = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    }
    assert.deepEqual(Object.values(JSON.parse(canonicalJson(input)) as Record<string, string>).length, 7)
    const order = [...canonicalJson(input).matchAll(/"([^"]+)":"([^"]+)"/g)].map(match => match[2])
    assert.deepEqual(order, [
      'Carriage Return',
      'One',
      'Control',
      'Latin Small Letter O With Diaeresis',
      'Euro Sign',
      'Emoji: Grinning Face',
      'Hebrew Letter Dalet With Dagesh',
    ])
  })

  it('serialises numbers the ECMAScript way and refuses what JSON cannot hold', () => {
    assert.equal(canonicalJson([1, -0, 1e21, 5e-7, 123456789012]), '[1,0,1e+21,5e-7,123456789012]')
    assert.throws(() => canonicalJson(Number.NaN), /NaN/)
    assert.throws(() => canonicalJson(() => 1), /function/)
  })
})
