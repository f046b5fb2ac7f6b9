import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { loadCatalogue } from '../src/catalogue/load.ts'
import type { Catalogue } from '../src/catalogue/catalogue.ts'
import { applyScan, dueSteps, nextStep, withStepsTaken, type Violation } from '../src/baseline/clocks.ts'
import { ladders } from '../src/baseline/ladders.ts'
import type { Evaluation } from '../src/baseline/findings.ts'

const catalogue = loadCatalogue()
const LADDERS = ladders(catalogue)
const START = new Date('2026-12-01T09:00:00Z')
const hoursAfter = (hours: number) => new Date(START.getTime() + hours * 3_600_000)
const ACCOUNT = '111122223333'
const VOLUME = `arn:aws:ec2:eu-west-2:${ACCOUNT}:volume/vol-1`

type Observation = 'violating' | 'compliant' | 'unobserved'

/** One scan's evaluation of the tagging rule for eu-west-2, as the rules would report it. */
function tagging(observation: Observation, resourceArn = VOLUME, region = 'eu-west-2'): Evaluation {
  const scope = { ruleId: 'AWS-TAG-02', accountId: ACCOUNT, region }
  if (observation === 'unobserved') return { ...scope, observed: false, error: 'ThrottlingException', findings: [] }
  return {
    ...scope,
    observed: true,
    findings:
      observation === 'compliant'
        ? []
        : [{ ...scope, resourceArn, summary: 'AWS::EC2::Volume vol-1 has no tags', evidence: { neverTagged: true } }],
  }
}

/**
 * Runs scans at the given hours, taking every step as it falls due on violations the scan confirmed (as the enforcer
 * does), and returns what was
 * taken when, as `hour:step` strings, with the violations left open.
 */
function simulate(
  scans: ReadonlyArray<readonly [number, Evaluation]>,
  ruleLadder = LADDERS['AWS-TAG-02'],
): { taken: string[]; open: Violation[]; resolvedAt: number[] } {
  let open: Violation[] = []
  const taken: string[] = []
  const resolvedAt: number[] = []
  for (const [hour, evaluation] of scans) {
    const now = hoursAfter(hour)
    const transition = applyScan(open, [evaluation], now)
    resolvedAt.push(...transition.resolved.map(() => hour))
    const unconfirmed = new Set(transition.unobserved.map(violation => violation.key))
    open = transition.open.map(violation => {
      if (unconfirmed.has(violation.key)) return violation
      const due = dueSteps(violation, ruleLadder, now)
      taken.push(...due.map(step => `${hour}:${step.key}`))
      return withStepsTaken(
        violation,
        due.map(step => step.key),
      )
    })
  }
  return { taken, open, resolvedAt }
}

const daily = (days: number, observe: (day: number) => Observation) =>
  Array.from({ length: days + 1 }, (_, day) => [day * 24, tagging(observe(day))] as const)

describe('the enforcement clocks', () => {
  it('notify the creator with rising urgency, then the owner, then isolate after 7 consecutive days', () => {
    const { taken } = simulate(daily(8, () => 'violating'))
    assert.deepEqual(taken, ['0:creator-1', '24:creator-2', '72:creator-3', '120:owner', '168:remediate'])
  })

  it('keep counting through a scan that could not observe the account', () => {
    const { taken, open } = simulate(daily(7, day => (day === 4 ? 'unobserved' : 'violating')))
    assert.ok(taken.includes('168:remediate'), 'the isolation still falls due on day 7')
    assert.equal(open[0]?.clockStartedAt.toISOString(), START.toISOString())
    assert.equal(open[0]?.lastSeenAt.toISOString(), hoursAfter(168).toISOString())
  })

  it('take no step on a scan that could not confirm the violation, and take it on the next one that does', () => {
    const { taken } = simulate(daily(8, day => (day === 7 ? 'unobserved' : 'violating')))
    assert.deepEqual(
      taken.filter(step => step.endsWith('remediate')),
      ['192:remediate'],
      'nothing is isolated on what might since have been fixed',
    )
  })

  it('restart from a compliant scan: the next violation has a new clock', () => {
    const { taken, open, resolvedAt } = simulate(daily(12, day => (day === 3 ? 'compliant' : 'violating')))
    assert.deepEqual(resolvedAt, [72])
    assert.equal(open[0]?.clockStartedAt.toISOString(), hoursAfter(96).toISOString())
    assert.deepEqual(
      taken.filter(step => step.endsWith('remediate')),
      [`${96 + 168}:remediate`],
      'isolated 7 days after the new clock started, not the first one',
    )
  })

  it('stop a non-EU resource after 12 hours (the catalogue’s aws-non-eu-grace), not before', () => {
    const region = (observation: Observation): Evaluation => {
      const scope = { ruleId: 'AWS-REG-02', accountId: ACCOUNT, region: 'us-east-1' }
      return {
        ...scope,
        observed: observation !== 'unobserved',
        findings:
          observation === 'violating'
            ? [{ ...scope, resourceArn: 'arn:aws:ec2:us-east-1:1:instance/i-1', summary: 'x', evidence: {} }]
            : [],
      }
    }
    const scans = [0, 6, 11.99, 12, 13].map(hour => [hour, region('violating')] as const)
    const { taken } = simulate(scans, LADDERS['AWS-REG-02'])
    assert.deepEqual(taken, ['0:alert', '12:remediate'])
  })

  it('keep one clock per resource, and a scan of another region does not resolve this one', () => {
    let { open } = applyScan([], [tagging('violating')], START)
    const other = applyScan(open, [tagging('compliant', VOLUME, 'eu-west-1')], hoursAfter(1))
    assert.equal(other.resolved.length, 0)
    open = other.open
    const second = applyScan(open, [tagging('violating', `${VOLUME}-2`)], hoursAfter(2))
    assert.deepEqual(
      second.resolved.map(violation => violation.resourceArn),
      [VOLUME],
      'an observed scan without the first volume resolves it',
    )
    assert.deepEqual(
      second.opened.map(violation => violation.resourceArn),
      [`${VOLUME}-2`],
    )
  })

  it('resolve a bucket found in its own region when the account-wide scope is observed clean', () => {
    const scope = { ruleId: 'AWS-S3W-02', accountId: ACCOUNT, region: 'global' }
    const bucket = { ...scope, region: 'eu-west-2', resourceArn: 'arn:aws:s3:::leaky', summary: 'public', evidence: {} }
    const opened = applyScan([], [{ ...scope, observed: true, findings: [bucket] }], START)
    const clean = applyScan(opened.open, [{ ...scope, observed: true, findings: [] }], hoursAfter(1))
    assert.deepEqual(
      clean.resolved.map(violation => violation.resourceArn),
      ['arn:aws:s3:::leaky'],
    )
    const unread = applyScan(
      opened.open,
      [{ ...scope, observed: false, error: 'AccessDenied', findings: [] }],
      hoursAfter(1),
    )
    assert.deepEqual(unread.resolved, [])
    assert.equal(unread.unobserved.length, 1)
  })

  it('say what comes next and when', () => {
    const [violation] = applyScan([], [tagging('violating')], START).open
    assert.ok(violation !== undefined)
    const afterFirst = withStepsTaken(violation, ['creator-1'])
    const next = nextStep(afterFirst, LADDERS['AWS-TAG-02'], hoursAfter(1))
    assert.equal(next?.step.key, 'creator-2')
    assert.equal(next?.dueAt.toISOString(), hoursAfter(24).toISOString())
    assert.equal(next?.overdue, false)
  })

  it('keep a step that fell due but was not taken as next, overdue, rather than skipping past it', () => {
    const [violation] = applyScan([], [tagging('violating')], START).open
    assert.ok(violation !== undefined)
    // Every notice sent; isolation fell due at 7 days but the run only planned it (no --apply).
    const notified = withStepsTaken(violation, ['creator-1', 'creator-2', 'creator-3', 'owner'])
    const next = nextStep(notified, LADDERS['AWS-TAG-02'], hoursAfter(8 * 24))
    assert.equal(next?.step.key, 'remediate')
    assert.equal(next?.dueAt.toISOString(), hoursAfter(7 * 24).toISOString())
    assert.equal(next?.overdue, true)
    assert.equal(nextStep(withStepsTaken(notified, ['remediate']), LADDERS['AWS-TAG-02'], hoursAfter(8 * 24)), null)
  })

  it('take the grace periods from the catalogue', () => {
    const original = catalogue.parameters.get('aws-untagged-grace')
    assert.ok(original?.type === 'duration')
    const changed: Catalogue = {
      ...catalogue,
      parameters: new Map(catalogue.parameters).set('aws-untagged-grace', { ...original, value: 'P10D' }),
    }
    const { taken } = simulate(
      daily(10, () => 'violating'),
      ladders(changed)['AWS-TAG-02'],
    )
    assert.deepEqual(
      taken.filter(step => step.endsWith('remediate')),
      ['240:remediate'],
    )
    const world = LADDERS['AWS-S3W-02'].map(step => `${step.key}@${step.after}`)
    assert.deepEqual(world, ['alert@PT0S', 'central@P7D', 'remediate@P7D'])
  })
})
