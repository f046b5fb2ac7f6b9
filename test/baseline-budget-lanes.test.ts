import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createBudget } from '../src/baseline/aws/budget.ts'

describe('the throttle budget’s lanes', () => {
  it('keeps spacing a lane’s calls across a sweep of idle lanes', async () => {
    let now = 0
    const slept: number[] = []
    const budget = createBudget({
      rates: { default: { perSecond: 1, concurrency: 1 } },
      clock: {
        now: () => now,
        sleep: ms => {
          slept.push(ms)
          now += ms
          return Promise.resolve()
        },
      },
    })
    const call = () => Promise.resolve('answered')
    assert.equal(await budget.call('ec2:DescribeInstances', '111122223333|eu-west-2', call), 'answered')
    // Enough new lanes to sweep the idle ones, while the first lane's next slot is still a second away.
    for (let i = 0; i < 1500; i += 1) await budget.call('ec2:DescribeVolumes', `${i}|eu-west-2`, call)
    assert.deepEqual(slept, [], 'each new lane starts at once')
    await budget.call('ec2:DescribeInstances', '111122223333|eu-west-2', call)
    assert.deepEqual(slept, [1000], 'the lane still waits for its next slot')
  })

  it('spaces calls to a lane swept after its slot passed as a new lane would', async () => {
    let now = 0
    const slept: number[] = []
    const budget = createBudget({
      rates: { default: { perSecond: 2, concurrency: 1 } },
      clock: {
        now: () => now,
        sleep: ms => {
          slept.push(ms)
          now += ms
          return Promise.resolve()
        },
      },
    })
    const call = () => Promise.resolve(null)
    await budget.call('s3:GetBucketAcl', 'a|eu-west-2', call)
    now = 10_000
    for (let i = 0; i < 1500; i += 1) await budget.call('s3:GetBucketAcl', `${i}|eu-west-1`, call)
    await budget.call('s3:GetBucketAcl', 'a|eu-west-2', call)
    await budget.call('s3:GetBucketAcl', 'a|eu-west-2', call)
    assert.deepEqual(slept, [500], 'the first call after the sweep starts at once, the next waits 1/rate')
    assert.equal(budget.stats.calls, 1503)
  })
})

describe('a throttle lane’s concurrency', () => {
  it('never has more calls in flight than its concurrency, and serves waiters in the order they came', async () => {
    const budget = createBudget({ rates: { default: { perSecond: 1_000_000, concurrency: 2 } } })
    let inFlight = 0
    let most = 0
    const order: number[] = []
    const call = (n: number) =>
      budget.call('ec2:DescribeInstances', 'acct|eu-west-2', async () => {
        inFlight += 1
        most = Math.max(most, inFlight)
        await new Promise(resolve => {
          setImmediate(resolve)
        })
        inFlight -= 1
        order.push(n)
      })
    const first = [call(1), call(2), call(3), call(4)]
    // One more arrives once the first has finished and handed its slot on.
    await first[0]
    await Promise.all([...first, call(5)])
    assert.equal(most, 2)
    assert.deepEqual(order.slice(0, 4), [1, 2, 3, 4], 'waiters are served in the order they came')
  })
})
