import { afterEach, beforeEach, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock'
import { LookupEventsCommand, type CloudTrailClient, type LookupEventsCommandOutput } from '@aws-sdk/client-cloudtrail'
import { createBudget, type BudgetClock } from '../src/baseline/aws/budget.ts'
import { awsClients, type AwsClients } from '../src/baseline/aws/clients.ts'
import { creatorCache, findCreator, ownerTagEmail, type CreatorLookup } from '../src/baseline/aws/creators.ts'
import { ACCOUNT, daysBefore } from './fixtures/baseline/accounts.ts'

const REGION = 'eu-west-2'
const OWNER_TAG = 'Probation Digital: probation-digital@justice.gov.uk'
const ACCOUNT_OWNER = 'hosting-account-owners@justice.gov.uk'

/** A clock that only moves when the budget sleeps, recording every sleep. */
function fakeClock(): BudgetClock & { sleeps: number[] } {
  let now = 0
  const sleeps: number[] = []
  return {
    sleeps,
    now: () => now,
    sleep: ms => {
      sleeps.push(ms)
      now += ms
      return Promise.resolve()
    },
  }
}

function awsError(name: string): Error {
  const error = new Error(name)
  error.name = name
  return error
}

const lookup = (id: string, overrides: Partial<CreatorLookup> = {}): CreatorLookup => ({
  accountId: ACCOUNT,
  region: REGION,
  resourceArn: `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/${id}`,
  resourceId: id,
  ownerTag: OWNER_TAG,
  accountOwner: ACCOUNT_OWNER,
  ...overrides,
})

const byResource = (id: string) => ({
  LookupAttributes: [{ AttributeKey: 'ResourceName' as const, AttributeValue: id }],
})

const page = (events: LookupEventsCommandOutput['Events'], NextToken?: string) => ({
  Events: events,
  ...(NextToken === undefined ? {} : { NextToken }),
})

describe('finding the creator of a resource', () => {
  let clients: AwsClients
  let trail: AwsClientStub<CloudTrailClient>
  let clock: ReturnType<typeof fakeClock>

  beforeEach(() => {
    clients = awsClients({ credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'test-only' } })
    trail = mockClient(clients.cloudTrail(REGION))
    trail.onAnyCommand().resolves(page([]))
    clock = fakeClock()
  })
  afterEach(() => {
    trail.restore()
  })

  const deps = () => ({ clients, budget: createBudget({ clock }), cache: creatorCache() })

  it('takes the earliest Create* or Run* event’s user name from CloudTrail', async () => {
    // Event history comes newest first; a later CreateTags is not the creation.
    trail.on(LookupEventsCommand, byResource('i-0abc1234def567890')).resolves(
      page([
        { EventName: 'StopInstances', EventTime: daysBefore(1), Username: 'operator' },
        { EventName: 'CreateTags', EventTime: daysBefore(2), Username: 'tagger@justice.gov.uk' },
        { EventName: 'RunInstances', EventTime: daysBefore(10), Username: 'alice@justice.gov.uk' },
      ]),
    )
    const creator = await findCreator(deps(), lookup('i-0abc1234def567890'))
    assert.deepEqual(creator, { who: 'alice@justice.gov.uk', source: 'cloudtrail' })
    assert.deepEqual(
      trail.commandCalls(LookupEventsCommand).map(call => call.args[0].input),
      [byResource('i-0abc1234def567890')],
    )
  })

  it('follows NextToken, and uses userIdentity.arn when the event has no user name', async () => {
    const arn = `arn:aws:sts::${ACCOUNT}:assumed-role/deploy/ci-run-42`
    trail
      .on(LookupEventsCommand, byResource('sg-0a1b2c3d4e5f60718'))
      .resolves(page([{ EventName: 'AuthorizeSecurityGroupIngress', EventTime: daysBefore(1) }], 'token-2'))
    trail.on(LookupEventsCommand, { ...byResource('sg-0a1b2c3d4e5f60718'), NextToken: 'token-2' }).resolves(
      page([
        {
          EventName: 'CreateSecurityGroup',
          EventTime: daysBefore(30),
          CloudTrailEvent: JSON.stringify({ userIdentity: { type: 'AssumedRole', arn } }),
        },
      ]),
    )
    const creator = await findCreator(deps(), lookup('sg-0a1b2c3d4e5f60718'))
    assert.deepEqual(creator, { who: arn, source: 'cloudtrail' })
    assert.deepEqual(
      trail.commandCalls(LookupEventsCommand).map(call => call.args[0].input),
      [byResource('sg-0a1b2c3d4e5f60718'), { ...byResource('sg-0a1b2c3d4e5f60718'), NextToken: 'token-2' }],
    )
  })

  it('looks a resource up once per run, even when asked again or at the same time', async () => {
    trail
      .on(LookupEventsCommand)
      .resolves(page([{ EventName: 'RunInstances', EventTime: daysBefore(3), Username: 'alice@justice.gov.uk' }]))
    const run = deps()
    const [first, second] = await Promise.all([
      findCreator(run, lookup('i-0abc1234def567890')),
      findCreator(run, lookup('i-0abc1234def567890')),
    ])
    const third = await findCreator(run, lookup('i-0abc1234def567890'))
    assert.deepEqual(
      [first, second, third].map(creator => creator.who),
      Array(3).fill('alice@justice.gov.uk'),
    )
    assert.equal(trail.commandCalls(LookupEventsCommand).length, 1)
    // Without an explicit cache, the budget's run shares one.
    const budget = createBudget({ clock })
    await findCreator({ clients, budget }, lookup('i-0abc1234def567890'))
    await findCreator({ clients, budget }, lookup('i-0abc1234def567890'))
    assert.equal(trail.commandCalls(LookupEventsCommand).length, 2)
  })

  it('keeps to 2 requests a second per region: a queue spaces the calls 500 ms apart', async () => {
    const other = mockClient(clients.cloudTrail('eu-west-1'))
    other.onAnyCommand().resolves(page([]))
    try {
      const run = deps()
      await Promise.all([
        findCreator(run, lookup('i-00000000000000001')),
        findCreator(run, lookup('i-00000000000000002')),
        findCreator(run, lookup('i-00000000000000003')),
        findCreator(run, lookup('i-00000000000000004', { region: 'eu-west-1' })),
      ])
      assert.deepEqual(clock.sleeps, [500, 500])
      assert.equal(trail.commandCalls(LookupEventsCommand).length, 3)
      assert.equal(other.commandCalls(LookupEventsCommand).length, 1)
    } finally {
      other.restore()
    }
  })

  it('falls back to the owner tag’s email when CloudTrail has no creating event or refuses', async () => {
    trail
      .on(LookupEventsCommand, byResource('i-0abc1234def567890'))
      .resolves(page([{ EventName: 'StartInstances', EventTime: daysBefore(1), Username: 'operator' }]))
    trail.on(LookupEventsCommand, byResource('i-0bbb2222ccc333444')).rejects(awsError('AccessDeniedException'))
    const run = deps()
    assert.deepEqual(await findCreator(run, lookup('i-0abc1234def567890')), {
      who: 'probation-digital@justice.gov.uk',
      source: 'owner-tag',
    })
    assert.deepEqual(await findCreator(run, lookup('i-0bbb2222ccc333444')), {
      who: 'probation-digital@justice.gov.uk',
      source: 'owner-tag',
    })
  })

  it('falls back to the account owner after throttling outlasts the budget’s retries and with no usable owner tag', async () => {
    trail.on(LookupEventsCommand).rejects(awsError('ThrottlingException'))
    const budget = createBudget({ clock, maxRetries: 2, backoffMs: 100 })
    const creator = await findCreator(
      { clients, budget },
      lookup('i-0abc1234def567890', { ownerTag: 'Probation Digital' }),
    )
    assert.deepEqual(creator, { who: ACCOUNT_OWNER, source: 'account-owner' })
    assert.equal(trail.commandCalls(LookupEventsCommand).length, 3)
    // Back-off 100 then 200 ms, each retry also waiting for its 500 ms slot in the lane.
    assert.deepEqual(clock.sleeps, [100, 400, 200, 300])
  })

  it('looks account-wide resources up in us-east-1', async () => {
    const global = mockClient(clients.cloudTrail('us-east-1'))
    global
      .on(LookupEventsCommand)
      .resolves(page([{ EventName: 'CreateUser', EventTime: daysBefore(5), Username: 'admin@justice.gov.uk' }]))
    try {
      const creator = await findCreator(deps(), {
        accountId: ACCOUNT,
        region: 'global',
        resourceArn: `arn:aws:iam::${ACCOUNT}:user/build`,
        resourceId: 'build',
        accountOwner: ACCOUNT_OWNER,
      })
      assert.deepEqual(creator, { who: 'admin@justice.gov.uk', source: 'cloudtrail' })
      assert.deepEqual(
        global.commandCalls(LookupEventsCommand).map(call => call.args[0].input),
        [byResource('build')],
      )
      assert.equal(trail.commandCalls(LookupEventsCommand).length, 0)
    } finally {
      global.restore()
    }
  })
})

describe('the owner tag', () => {
  it('gives the email of `<team>: <email>` and nothing for a tag that does not follow the standard', () => {
    assert.equal(
      ownerTagEmail('Probation Digital: probation-digital@justice.gov.uk'),
      'probation-digital@justice.gov.uk',
    )
    assert.equal(ownerTagEmail('Probation Digital'), null)
    assert.equal(ownerTagEmail('probation-digital@justice.gov.uk'), null)
    assert.equal(ownerTagEmail(undefined), null)
  })
})
