import { afterEach, beforeEach, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mockClient } from 'aws-sdk-client-mock'
import { GetAlternateContactCommand, ListRegionsCommand } from '@aws-sdk/client-account'
import {
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
  LookupEventsCommand,
} from '@aws-sdk/client-cloudtrail'
import {
  DescribeConfigurationRecordersCommand,
  DescribeConfigurationRecorderStatusCommand,
  DescribeDeliveryChannelsCommand,
} from '@aws-sdk/client-config-service'
import { DescribeInstancesCommand, DescribeVolumesCommand } from '@aws-sdk/client-ec2'
import {
  GetDetectorCommand,
  GetFindingsCommand,
  ListDetectorsCommand,
  ListFindingsCommand,
} from '@aws-sdk/client-guardduty'
import { GenerateCredentialReportCommand, GetCredentialReportCommand } from '@aws-sdk/client-iam'
import { GetBucketEncryptionCommand, ListBucketsCommand } from '@aws-sdk/client-s3'
import { GetPublicAccessBlockCommand } from '@aws-sdk/client-s3-control'
import { DescribeHubCommand } from '@aws-sdk/client-securityhub'
import { awsClients, type AwsClients } from '../src/baseline/aws/clients.ts'
import { createBudget, type Budget } from '../src/baseline/aws/budget.ts'
import { collectAccount } from '../src/baseline/aws/collect.ts'
import { evaluateAccount } from '../src/baseline/rules/index.ts'
import { baselineSettings } from '../src/baseline/settings.ts'
import { loadCatalogue } from '../src/catalogue/load.ts'

const ACCOUNT = '111122223333'
const REGIONS = ['eu-west-2', 'us-east-1']
const NOW = new Date('2026-12-04T09:00:00Z')
const INSTANT = { now: () => 0, sleep: () => Promise.resolve() }
const settings = baselineSettings(loadCatalogue(), { securityLogBucket: 'moj-cyber-security-cloudtrail' })

/** An AWS SDK error as the SDK throws it: the error's name is the service's exception name. */
function awsError(name: string, message = name): Error {
  const error = new Error(message)
  error.name = name
  return error
}

const REPORT = [
  'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date',
  `<root_account>,arn:aws:iam::${ACCOUNT}:root,2020-01-01T00:00:00+00:00,not_supported,2026-11-20T10:00:00+00:00,not_supported,not_supported,true,false,N/A,N/A,false,N/A,N/A`,
  `alice,arn:aws:iam::${ACCOUNT}:user/alice,2024-01-01T00:00:00+00:00,true,2026-12-03T08:00:00+00:00,2025-01-01T00:00:00+00:00,N/A,false,false,N/A,N/A,false,N/A,N/A`,
  `build,arn:aws:iam::${ACCOUNT}:user/build,2024-01-01T00:00:00+00:00,false,no_information,N/A,N/A,false,true,2024-01-01T00:00:00+00:00,2026-12-01T00:00:00+00:00,false,N/A,N/A`,
].join('\n')

/**
 * One mocked account: every client answers `{}` unless a test says otherwise, so each test states only what matters
 * and every call can be asserted exactly.
 */
function mockedAccount() {
  const clients = awsClients({ credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'test-only' } })
  const regional = <T extends object>(make: (region: string) => T) =>
    Object.fromEntries(REGIONS.map(region => [region, mockClient(make(region) as never)]))
  const mocks = {
    account: mockClient(clients.account()),
    iam: mockClient(clients.iam()),
    s3Control: mockClient(clients.s3Control()),
    guardDuty: regional(region => clients.guardDuty(region)),
    cloudTrail: regional(region => clients.cloudTrail(region)),
    config: regional(region => clients.config(region)),
    securityHub: regional(region => clients.securityHub(region)),
    ec2: regional(region => clients.ec2(region)),
    ecs: regional(region => clients.ecs(region)),
    rds: regional(region => clients.rds(region)),
    lambda: regional(region => clients.lambda(region)),
    s3: regional(region => clients.s3(region)),
  }
  for (const mock of allMocks(mocks)) mock.onAnyCommand().resolves({})
  mocks.account.on(ListRegionsCommand).resolves({ Regions: REGIONS.map(RegionName => ({ RegionName })) })
  mocks.iam.on(GenerateCredentialReportCommand).resolves({ State: 'COMPLETE' })
  mocks.iam.on(GetCredentialReportCommand).resolves({ Content: Buffer.from(REPORT) })
  mocks.account.on(GetAlternateContactCommand).rejects(awsError('ResourceNotFoundException'))
  mocks.s3Control.on(GetPublicAccessBlockCommand).rejects(awsError('NoSuchPublicAccessBlockConfiguration'))
  return { clients, mocks }
}

/** Every mock of an account, global and regional, for defaults and clean-up. */
function allMocks(mocks: ReturnType<typeof mockedAccount>['mocks']) {
  const { account, iam, s3Control, ...regional } = mocks
  return [account, iam, s3Control, ...Object.values(regional).flatMap(group => Object.values(group))] as Array<{
    onAnyCommand(): { resolves(value: object): unknown }
    restore(): void
  }>
}

const get = <T>(map: Record<string, T>, key: string): T => {
  const value = map[key]
  assert.ok(value !== undefined, `no mock for ${key}`)
  return value
}

describe('the AWS collectors against mocked SDK clients', () => {
  let clients: AwsClients
  let mocks: ReturnType<typeof mockedAccount>['mocks']
  let budget: Budget
  const collect = () =>
    collectAccount(
      { clients, budget, now: () => NOW, guardDutyMinSeverity: 7, sleep: () => Promise.resolve() },
      ACCOUNT,
    )

  beforeEach(() => {
    ;({ clients, mocks } = mockedAccount())
    budget = createBudget({ clock: INSTANT, backoffMs: 1 })
  })
  afterEach(() => {
    for (const mock of allMocks(mocks)) mock.restore()
  })

  it('lists enabled regions with Account ListRegions, asking only for enabled ones', async () => {
    const snapshot = await collect()
    assert.deepEqual(
      snapshot.regions.map(region => region.region),
      ['eu-west-2', 'us-east-1'],
    )
    assert.deepEqual(mocks.account.commandCalls(ListRegionsCommand)[0]?.args[0].input, {
      RegionOptStatusContains: ['ENABLED', 'ENABLED_BY_DEFAULT'],
      NextToken: undefined,
    })
  })

  it('reads a suspended GuardDuty detector and its HIGH findings with the exact calls', async () => {
    const guardDuty = get(mocks.guardDuty, 'eu-west-2')
    guardDuty
      .on(ListDetectorsCommand)
      .resolvesOnce({ DetectorIds: ['det-a'], NextToken: 'page-2' })
      .resolves({ DetectorIds: ['det-b'] })
    guardDuty.on(GetDetectorCommand).resolves({ Status: 'DISABLED' })
    guardDuty.on(ListFindingsCommand, { DetectorId: 'det-a' }).resolves({ FindingIds: ['f-1'] })
    guardDuty.on(GetFindingsCommand).resolves({
      Findings: [{ Id: 'f-1', Type: 'Backdoor:EC2/C&CActivity.B', Severity: 8, Title: 'C&C activity' } as never],
    })
    const snapshot = await collect()
    const region = snapshot.regions.find(r => r.region === 'eu-west-2')
    assert.ok(region?.guardDuty.observed)
    assert.deepEqual(region.guardDuty.value.detectors, [
      { id: 'det-a', status: 'DISABLED' },
      { id: 'det-b', status: 'DISABLED' },
    ])
    assert.deepEqual(
      guardDuty.commandCalls(ListDetectorsCommand).map(call => call.args[0].input),
      [{ NextToken: undefined }, { NextToken: 'page-2' }],
      'follows the pagination token',
    )
    assert.deepEqual(
      guardDuty.commandCalls(ListFindingsCommand, { DetectorId: 'det-a' })[0]?.args[0].input.FindingCriteria,
      {
        Criterion: { severity: { GreaterThanOrEqual: 7 }, 'service.archived': { Equals: ['false'] } },
      },
    )
    assert.deepEqual(guardDuty.commandCalls(GetFindingsCommand)[0]?.args[0].input, {
      DetectorId: 'det-a',
      FindingIds: ['f-1'],
    })
    const found = evaluateAccount(snapshot, settings).filter(
      e => e.region === 'eu-west-2' && e.ruleId.startsWith('AWS-GD'),
    )
    assert.deepEqual(
      found.flatMap(e => e.findings.map(f => f.ruleId)),
      ['AWS-GD-02', 'AWS-GD-02', 'AWS-GD-04'],
    )
  })

  it('retries a throttled call within the budget instead of failing the region', async () => {
    const guardDuty = get(mocks.guardDuty, 'eu-west-2')
    guardDuty.on(ListDetectorsCommand).rejectsOnce(awsError('TooManyRequestsException')).resolves({ DetectorIds: [] })
    const snapshot = await collect()
    assert.equal(snapshot.regions[0]?.guardDuty.observed, true)
    assert.equal(guardDuty.commandCalls(ListDetectorsCommand).length, 2)
    assert.equal(budget.stats.retries, 1)
  })

  it('records one region’s failure as unobserved and still collects the others', async () => {
    get(mocks.guardDuty, 'us-east-1')
      .on(ListDetectorsCommand)
      .rejects(awsError('AccessDeniedException', 'not authorised'))
    get(mocks.securityHub, 'us-east-1')
      .on(DescribeHubCommand)
      .rejects(awsError('InvalidAccessException', 'not subscribed'))
    const snapshot = await collect()
    const [london, virginia] = snapshot.regions
    assert.equal(london?.guardDuty.observed, true)
    assert.deepEqual(virginia?.guardDuty, { observed: false, error: 'AccessDeniedException: not authorised' })
    assert.deepEqual(
      virginia?.securityHubEnabled,
      { observed: true, value: false },
      'not subscribed is an answer, not an error',
    )
    assert.deepEqual(london?.securityHubEnabled, { observed: true, value: true })
  })

  it('keeps Security Hub’s service-linked Config recorder apart from the account’s own', async () => {
    const config = get(mocks.config, 'eu-west-2')
    config.on(DescribeConfigurationRecordersCommand).resolves({
      ConfigurationRecorders: [
        { name: 'AWSConfigurationRecorderForSecurityHub', servicePrincipal: 'securityhub.amazonaws.com' } as never,
      ],
    })
    config.on(DescribeConfigurationRecorderStatusCommand).resolves({
      ConfigurationRecordersStatus: [{ name: 'AWSConfigurationRecorderForSecurityHub', recording: true }],
    })
    config.on(DescribeDeliveryChannelsCommand).resolves({ DeliveryChannels: [] })
    const evaluations = evaluateAccount(await collect(), settings)
    const found = evaluations.find(e => e.ruleId === 'AWS-CFG-02' && e.region === 'eu-west-2')
    assert.equal(found?.findings[0]?.summary, 'AWS Config has no recorder of the account’s own in eu-west-2')
  })

  it('reads trail status from the trail’s home region, and a stopped trail is a finding', async () => {
    const trail = {
      Name: 'org',
      TrailARN: `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/org`,
      HomeRegion: 'us-east-1',
      IsMultiRegionTrail: true,
      S3BucketName: 'moj-cyber-security-cloudtrail',
    }
    get(mocks.cloudTrail, 'eu-west-2')
      .on(DescribeTrailsCommand)
      .resolves({ trailList: [trail] })
    const home = get(mocks.cloudTrail, 'us-east-1')
    home.on(GetTrailStatusCommand).resolves({ IsLogging: false })
    home
      .on(GetEventSelectorsCommand)
      .resolves({ EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }] })
    const snapshot = await collect()
    assert.deepEqual(get(mocks.cloudTrail, 'eu-west-2').commandCalls(DescribeTrailsCommand)[0]?.args[0].input, {
      includeShadowTrails: true,
    })
    assert.deepEqual(home.commandCalls(GetTrailStatusCommand)[0]?.args[0].input, { Name: trail.TrailARN })
    assert.equal(get(mocks.cloudTrail, 'eu-west-2').commandCalls(GetTrailStatusCommand).length, 0)
    const found = evaluateAccount(snapshot, settings).find(e => e.ruleId === 'AWS-CT-02')
    assert.deepEqual(found?.findings[0]?.evidence.trails, [
      {
        name: 'org',
        arn: trail.TrailARN,
        homeRegion: 'us-east-1',
        bucket: 'moj-cyber-security-cloudtrail',
        problems: ['not logging'],
      },
    ])
  })

  it('parses the credential report and takes root password changes from CloudTrail in us-east-1', async () => {
    get(mocks.cloudTrail, 'us-east-1')
      .on(LookupEventsCommand)
      .resolves({
        Events: [
          {
            EventTime: new Date('2026-11-21T10:00:00Z'),
            CloudTrailEvent: JSON.stringify({ userIdentity: { type: 'Root' } }),
          },
          {
            EventTime: new Date('2026-11-22T10:00:00Z'),
            CloudTrailEvent: JSON.stringify({ userIdentity: { type: 'IAMUser' } }),
          },
        ],
      })
    const snapshot = await collect()
    assert.deepEqual(get(mocks.cloudTrail, 'us-east-1').commandCalls(LookupEventsCommand)[0]?.args[0].input, {
      LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'PasswordUpdated' }],
      NextToken: undefined,
    })
    assert.deepEqual(snapshot.rootPasswordChanges, { observed: true, value: [new Date('2026-11-21T10:00:00Z')] })
    const evaluations = evaluateAccount(snapshot, settings)
    const ruleFindings = (id: string) => evaluations.filter(e => e.ruleId === id).flatMap(e => e.findings)
    assert.deepEqual(
      ruleFindings('AWS-IAM-11').map(f => f.evidence.user),
      ['alice'],
    )
    assert.equal(ruleFindings('AWS-IAM-15').length, 0, 'root used on 20 November, password changed on the 21st')
    assert.equal(ruleFindings('AWS-CONTACT-01')[0]?.summary, 'The account has no security alternate contact')
  })

  it('inventories a never-tagged volume, and buckets in their own region, with their encryption', async () => {
    get(mocks.ec2, 'eu-west-2')
      .on(DescribeVolumesCommand)
      .resolves({ Volumes: [{ VolumeId: 'vol-bare' }] })
    get(mocks.ec2, 'eu-west-2')
      .on(DescribeInstancesCommand)
      .resolvesOnce({
        Reservations: [{ Instances: [{ InstanceId: 'i-1', State: { Name: 'running' }, Tags: [] }] }],
        NextToken: 'n',
      })
      .resolves({ Reservations: [{ Instances: [{ InstanceId: 'i-2', State: { Name: 'terminated' } }] }] })
    get(mocks.s3, 'us-east-1')
      .on(ListBucketsCommand)
      .resolves({ Buckets: [{ Name: 'case-files', BucketRegion: 'eu-west-2' }] })
    get(mocks.s3, 'eu-west-2')
      .on(GetBucketEncryptionCommand)
      .rejects(awsError('ServerSideEncryptionConfigurationNotFoundError'))
    const snapshot = await collect()
    const london = snapshot.regions[0]
    assert.ok(london?.resources.observed)
    assert.deepEqual(
      london.resources.value.map(resource => `${resource.type} ${resource.id}`).sort(),
      ['AWS::EC2::Instance i-1', 'AWS::EC2::Volume vol-bare', 'AWS::S3::Bucket case-files'],
      'the terminated instance is gone; the bucket is inventoried in its own region',
    )
    assert.equal(
      get(mocks.s3, 'eu-west-2').commandCalls(GetBucketEncryptionCommand)[0]?.args[0].input.Bucket,
      'case-files',
    )
    const evaluations = evaluateAccount(snapshot, settings)
    const untagged = evaluations.filter(e => e.ruleId === 'AWS-TAG-02').flatMap(e => e.findings.map(f => f.resourceArn))
    assert.deepEqual(untagged.sort(), [
      'arn:aws:ec2:eu-west-2:111122223333:instance/i-1',
      'arn:aws:ec2:eu-west-2:111122223333:volume/vol-bare',
      'arn:aws:s3:::case-files',
    ])
    assert.equal(evaluations.find(e => e.ruleId === 'AWS-ENC-03')?.findings[0]?.resourceArn, 'arn:aws:s3:::case-files')
  })
})
