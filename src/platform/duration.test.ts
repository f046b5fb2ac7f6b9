import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { addDuration, describeDuration, parseDuration } from './duration.ts'

describe('ISO 8601 durations', () => {
  it('describes the guidance periods in words', () => {
    assert.equal(describeDuration('P14D'), '14 days')
    assert.equal(describeDuration('PT24H'), '24 hours')
    assert.equal(describeDuration('P6M'), '6 months')
    assert.equal(describeDuration('P2Y'), '2 years')
    assert.equal(describeDuration('P1M'), '1 month')
    assert.equal(describeDuration('PT5M'), '5 minutes')
  })

  it('adds months by the calendar and clamps to the end of the month', () => {
    assert.equal(addDuration(new Date('2026-01-31T10:00:00Z'), 'P1M').toISOString(), '2026-02-28T10:00:00.000Z')
    assert.equal(addDuration(new Date('2026-06-03T00:00:00Z'), 'P6M').toISOString(), '2026-12-03T00:00:00.000Z')
    assert.equal(addDuration(new Date('2026-12-03T19:00:00Z'), 'PT12H').toISOString(), '2026-12-04T07:00:00.000Z')
    assert.equal(addDuration(new Date('2026-12-03T00:00:00Z'), 'P14D').toISOString(), '2026-12-17T00:00:00.000Z')
  })

  it('refuses text that is not a duration', () => {
    for (const bad of ['', 'P', 'PT', '14 days', 'P1.5D'])
      assert.throws(() => parseDuration(bad), /Not an ISO 8601 duration/)
  })
})
